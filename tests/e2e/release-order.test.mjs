// Issue #2, case h: released scripts run in document order (a slow src does not let later ones overtake it);
// async / defer attributes survive the release.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { setup, open, call, waitForRequests, WAIT_MS } from './harness.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });
beforeEach(() => env.loopback.reset());

test('h. release order is document order; async/defer kept', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, '/order.html', { loopback: lb });
  assert.equal(lb.countFor((e) => e.path.startsWith('/order/')), 0, 'nothing fetched before consent');
  assert.equal(await page.evaluate(() => window.__order ?? null), null, 'nothing ran before consent');

  await call(page, 'acceptAll');
  await waitForRequests(lb, (e) => e.path.startsWith('/order/'), { count: 5 });
  await page.waitForFunction(() => (window.__order || []).length >= 6, null, { timeout: WAIT_MS });
  const order = await page.evaluate(() => window.__order);
  assert.deepEqual(order.filter((n) => !n.startsWith('x-')), ['a', 'b', 'c', 'f'], `document order (a is served 300 ms late): ${order}`);
  assert.deepEqual(order.filter((n) => n.startsWith('x-')).sort(), ['x-async', 'x-defer']);

  const attrs = await page.evaluate(() => [...document.querySelectorAll('script[data-sekisho="released"]')].map((s) => ({
    id: s.id, type: s.getAttribute('type'), async: s.hasAttribute('async'), defer: s.hasAttribute('defer'),
    src: s.getAttribute('src'), consent: s.getAttribute('data-consent'),
  })));
  const byId = Object.fromEntries(attrs.map((a) => [a.id, a]));
  assert.deepEqual(Object.keys(byId).sort(), ['s-a', 's-async', 's-b', 's-c', 's-defer', 's-f'], `released scripts keep their id: ${JSON.stringify(attrs)}`);
  for (const a of attrs) assert.ok(a.type === null || a.type === '' || a.type === 'text/javascript', `type restored on ${a.id}: ${a.type}`);
  assert.equal(byId['s-defer'].defer, true, 'defer kept');
  assert.equal(byId['s-async'].async, true, 'async kept');
  assert.equal(byId['s-a'].async, false, 'no async added to a');
  assert.equal(byId['s-f'].src, '/order/f.js', 'data-src became src');
  assert.equal(byId['s-a'].src, '/order/a.js?delay=300');
  assert.equal(await page.evaluate(() => document.querySelectorAll('script[type="text/plain"][data-consent]').length), 0, 'no held copy left');
  await context.close();
});
