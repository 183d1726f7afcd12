// Issue #2, case m: the README demo. `sekisho-server --demo` serves www/ at / and dist/ at /sekisho/; the tracker
// hosts the demo page uses are mapped to the loopback server (the demo itself is plain http on 127.0.0.1, which
// the resolver rules exclude).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, open, get, waitForRequests, settleThenCount, listRequests, sleep, startDemoServer } from './harness.mjs';

let env, demo, origin;
before(async () => {
  env = await setup();
  demo = await startDemoServer();
  origin = demo.origin;
});
after(async () => {
  await demo?.stop();
  await env?.close();
});

test('m. demo: the real banner; 0 tracker requests before a choice; after its "accept all" the GA4 collect hit arrives', async () => {
  const lb = env.loopback;
  lb.reset();
  const context = await env.ctx();
  const { page, errors } = await open(context, origin + '/', { loopback: lb });
  const st = await get(page);
  assert.ok(st, 'window.sekisho exists on the demo page');
  assert.equal(st.decided, false);
  const reqs = await settleThenCount(lb, (e) => lb.trackerRequests().includes(e));
  assert.equal(reqs.length, 0, `tracker requests before a choice:\n  ${listRequests(reqs)}`);
  await page.waitForFunction(() => Boolean(document.getElementById('sekisho-root')?.shadowRoot?.querySelector('.banner [data-sekisho-action="accept-all"]')),
    null, { timeout: 8000 });
  await page.evaluate(() => document.getElementById('sekisho-root').shadowRoot.querySelector('.banner [data-sekisho-action="accept-all"]').click());
  await waitForRequests(lb, { host: 'www.google-analytics.com', path: '/g/collect' });
  assert.equal((await get(page)).decided, true, 'the banner recorded the choice');
  // …and the demo server (its own origin, `sync.endpoint: /v1/records`) has its consent record.
  const { consentId } = await get(page);
  let stored = null;
  for (let i = 0; i < 80 && !stored; i++) {
    const res = await fetch(`${origin}/v1/consents/${consentId}`);
    if (res.status === 200) stored = await res.json(); else await sleep(100);
  }
  assert.ok(stored, 'the record reached sekisho-server');
  assert.deepEqual([stored.event, stored.method, stored.seq], ['grant', 'banner', 1]);
  assert.deepEqual(stored.choices.categories, (await get(page)).categories);
  assert.deepEqual(errors().filter((m) => m.text.startsWith('[sekisho]')), []);
  await context.close();
});

test('m2. demo: the article links its 外部送信 disclosure page, which lists every service the site uses, in Japanese', async () => {
  const context = await env.ctx();
  const { page, errors } = await open(context, origin + '/', { quiet: 0 });
  const href = await page.evaluate(() => [...document.querySelectorAll('footer a')].find((a) => a.textContent === '外部送信について')?.getAttribute('href'));
  assert.equal(href, '/gaibu-soshin.html');
  const disclosure = await open(context, origin + href, { quiet: 0 });
  await disclosure.page.waitForFunction(() => Boolean(document.querySelector('[data-sekisho-disclosure] table')), null, { timeout: 8000 });
  const rows = await disclosure.page.evaluate(() => [...document.querySelectorAll('table.sekisho-disclosure tbody tr')]
    .map((r) => [r.getAttribute('data-sekisho-service'), r.cells[1].textContent]));
  assert.deepEqual(rows.map(([id]) => id), ['google-tag-manager', 'google-analytics', 'google-marketing-platform', 'meta-pixel',
    'microsoft-uet', 'facebook-login', 'facebook-plugins', 'youtube', 'x-widgets', 'line-share']);
  assert.ok(rows.every(([, recipient]) => /（.+）/.test(recipient)), `each recipient names its service: ${JSON.stringify(rows)}`);
  assert.deepEqual([...errors(), ...disclosure.errors()].filter((m) => m.text.startsWith('[sekisho]')), []);
  await context.close();
});
