// The deferred module (sekisho-deferred.js): fetched beside sekisho.js once the checkpoint runs,
// compiled off the main thread, run once the document is parsed; it reports config problems. It is
// never on the critical path: when it cannot load, the checkpoint still holds and releases, and the
// console says what is missing. Sekisho's own script is never held, wherever sekisho.js is hosted.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setup, open, get, call, waitForRequests, listRequests, settleThenCount } from './harness.mjs';
import { DIST_DIR, PAGES_DIR } from './loopback.mjs';

let env;
before(async () => {
  env = await setup();
  const lb = env.loopback;
  // sekisho.js hosted on another site (a CDN), with a cache-busting query.
  lb.route('cdn.sekisho.test', /^\/sdk\//, (req, u) => {
    const file = path.join(DIST_DIR, path.basename(u.pathname));
    return fs.existsSync(file) ? { type: 'js', body: fs.readFileSync(file) } : { status: 404, type: 'txt', body: 'no' };
  });
  // tags.html with sekisho.js from that host.
  lb.route('site.test', /^\/deferred\/cdn\.html$/, (req, u) => ({
    type: 'html',
    body: fs.readFileSync(path.join(PAGES_DIR, 'tags.html'), 'utf8')
      .replace('"revision":1', '"revision":1,"unknownThirdParty":"block","colour":1')
      .replace('/sekisho/sekisho.js', 'https://cdn.sekisho.test/sdk/sekisho.js?v=7'),
  }));
  // tags.html whose deferred module is missing.
  lb.route('site.test', /^\/deferred\/missing\/sekisho\.js$/, () => ({ type: 'js', body: fs.readFileSync(path.join(DIST_DIR, 'sekisho.js')) }));
  lb.route('site.test', /^\/deferred\/missing\/sekisho-deferred\.js$/, () => ({ status: 404, type: 'txt', body: 'gone' }));
  lb.route('site.test', /^\/deferred\/missing\.html$/, () => ({
    type: 'html', body: fs.readFileSync(path.join(PAGES_DIR, 'tags.html'), 'utf8').replace('/sekisho/sekisho.js', '/deferred/missing/sekisho.js'),
  }));
});
after(async () => { await env?.close(); });
beforeEach(() => env.loopback.reset());

test('the deferred module loads beside sekisho.js (same query), after it, and reports every config problem by field', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const config = { revision: 1, regime: 'sometimes', services: { yt: { category: 'video' } }, colour: 'red' };
  const { page, sekishoMessages } = await open(context, '/tags.html', { config, loopback: lb });
  const sdk = lb.requests((e) => e.path.startsWith('/sekisho/'));
  assert.deepEqual(sdk.map((e) => e.path), ['/sekisho/sekisho.js', '/sekisho/sekisho-deferred.js'], listRequests(sdk));
  const lines = sekishoMessages().filter((m) => m.type === 'error').map((m) => m.text);
  for (const field of ['config.regime: ', 'config.services.yt.category: ', 'config.colour: ']) {
    assert.ok(lines.some((l) => l.startsWith(`[sekisho] ${field}`)), `an error naming ${field}: ${JSON.stringify(lines)}`);
  }
  // Each bad field fell back alone, to its strictest value, in the checkpoint.
  assert.equal((await get(page)).regime, 'opt-in');
  await context.close();
});

test('sekisho.js on another host with unknownThirdParty "block": its deferred module (Sekisho\'s own script) still loads; trackers stay held', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const { page, sekishoMessages } = await open(context, '/deferred/cdn.html', { loopback: lb });
  const deferred = lb.requests((e) => e.host === 'cdn.sekisho.test' && e.path === '/sdk/sekisho-deferred.js');
  assert.equal(deferred.length, 1, listRequests(lb.requests((e) => e.host === 'cdn.sekisho.test')));
  assert.equal(deferred[0].search, '?v=7', 'the same query as sekisho.js');
  assert.ok(sekishoMessages().some((m) => m.text.startsWith('[sekisho] config.colour: ')), 'the deferred module ran');
  const audit = await page.evaluate(() => window.sekisho.audit());
  assert.ok(!audit.some((a) => a.url.includes('cdn.sekisho.test')), `Sekisho's own script is not in the audit: ${JSON.stringify(audit)}`);
  const trackers = await settleThenCount(lb, (e) => lb.trackerRequests().includes(e));
  assert.equal(trackers.length, 0, listRequests(trackers));
  await context.close();
});

test('a deferred module that cannot load: a [sekisho] error says so; the checkpoint still holds, and releases on a choice', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const { page, sekishoMessages } = await open(context, '/deferred/missing.html', { loopback: lb });
  assert.equal(lb.countFor({ host: 'site.test', path: '/deferred/missing/sekisho-deferred.js' }), 1);
  const errors = sekishoMessages().filter((m) => m.type === 'error').map((m) => m.text);
  assert.ok(errors.some((l) => /deferred module did not start/.test(l) && /sekisho-deferred\.js/.test(l)), JSON.stringify(errors));
  const trackers = await settleThenCount(lb, (e) => lb.trackerRequests().includes(e));
  assert.equal(trackers.length, 0, listRequests(trackers));
  await call(page, 'acceptAll');
  await waitForRequests(lb, { host: 'www.google-analytics.com', path: '/g/collect' });
  await context.close();
});
