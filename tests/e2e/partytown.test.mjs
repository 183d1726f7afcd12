// Issue #11, workers: Partytown (npm @builder.io/partytown, as its documentation sets it up) runs third-party
// scripts in a web worker it makes from a Blob: in its default service-worker mode from a same-origin sandbox frame,
// in its atomics mode (a cross-origin-isolated page: COOP and COEP) from the page itself. Both are tested.
// The Google tag, pasted with `type="text/partytown"`, is fetched by that worker and sends its hits from there: no
// markup of Sekisho's, no element the page's guards see. Counted at the loopback: without Sekisho the tag and its hit
// reach the wire (so the test proves something); with it, nothing before a choice; once analytics is allowed, the
// visitor's next page loads the tag through Partytown, and the tag sends its hit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { setup, open, audit, call, cookie, until, listRequests, settleThenCount, ENGINE } from './harness.mjs';

const require = createRequire(import.meta.url);
const PARTYTOWN_LIB = path.join(path.dirname(require.resolve('@builder.io/partytown/package.json')), 'lib');
const GA = 'G-PARTYTOWN1';

let env;
before(async () => {
  env = await setup();
  const lb = env.loopback;
  lb.route('site.test', /^\/~partytown\/(.+)$/, (req, u) => {
    const file = path.join(PARTYTOWN_LIB, path.posix.normalize('/' + u.pathname.slice('/~partytown/'.length)));
    return file.startsWith(PARTYTOWN_LIB) && fs.existsSync(file) ? { type: 'js', body: fs.readFileSync(file) } : { status: 404 };
  });
  // ?mode=atomics: the page is cross-origin isolated, and Partytown uses Atomics instead of its service worker.
  lb.route('site.test', /^\/partytown\.html$/, (req, u) => ({
    type: 'html', body: page(u.searchParams.get('sekisho') !== '0'),
    headers: u.searchParams.get('mode') === 'atomics' ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {},
  }));
});
after(async () => { await env?.close(); });

const page = (withSekisho) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partytown</title>
${withSekisho ? '<script type="application/json" id="sekisho-config">{"revision":1,"regime":"opt-in"}</script><script src="/sekisho/sekisho.js"></script>' : ''}
<script>partytown = { forward: ['dataLayer.push', 'gtag'] };</script>
<script src="/~partytown/partytown.js"></script>
<script type="text/partytown" src="https://www.googletagmanager.com/gtag/js?id=${GA}"></script>
<script type="text/partytown">
  window.dataLayer = window.dataLayer || [];
  function gtag() { dataLayer.push(arguments); }
  gtag('js', new Date());
  gtag('config', '${GA}');
</script>
</head><body><h1>An article</h1><p>Text.</p></body></html>`;

const google = (e) => /(^|\.)(googletagmanager|google-analytics)\.com$/.test(e.host);
const tagFetched = (e) => e.host === 'www.googletagmanager.com' && e.path === '/gtag/js';
const hit = (e) => e.host === 'www.google-analytics.com' && e.path === '/g/collect';

for (const mode of ['sw', 'atomics']) {
  const url = (query) => `/partytown.html?mode=${mode}${query}`;
  const isolated = (p) => p.evaluate(() => window.crossOriginIsolated);
  // (WebKitGTK isolates the page, but Partytown's atomics worker runs no tag there, without Sekisho too: checked.)
  const skip = mode === 'atomics' && ENGINE === 'webkit' ? 'Partytown\'s atomics mode runs no tag in WebKitGTK 2.50, with or without Sekisho' : false;

  test(`pt-a (${mode}). without Sekisho, Partytown fetches the Google tag in its worker and the tag sends a hit (the page the test relies on works)`, { skip }, async () => {
    env.loopback.reset();
    const context = await env.ctx();
    const { page: p } = await open(context, url('&sekisho=0'), { quiet: 0 });
    assert.equal(await isolated(p), mode === 'atomics', 'the mode\'s isolation');
    assert.ok(await until(() => env.loopback.requests(tagFetched).length > 0), `gtag.js fetched through Partytown:\n  ${listRequests(env.loopback.requests(() => true))}`);
    assert.ok(await until(() => env.loopback.requests(hit).length > 0), `its page_view hit:\n  ${listRequests(env.loopback.requests(google))}`);
    await context.close();
  });

  test(`pt-b (${mode}). with Sekisho, nothing reaches Google from Partytown\'s worker before a choice (audited as the worker\'s); once analytics is allowed, the next page loads the tag through Partytown and it sends its hit`, { skip }, async (t) => {
    env.loopback.reset();
    const context = await env.ctx();
    const { page: p } = await open(context, url(''), { quiet: 0 });
    assert.equal(await isolated(p), mode === 'atomics', 'the mode\'s isolation');
    // Partytown's worker started (it asked the page about the tag): then the quiet period.
    assert.ok(await until(async () => ((await audit(p)) || []).some((e) => e.action === 'blocked' && e.via === 'fetch (worker)' && (e.url || '').includes('/gtag/js'))),
      `the worker's fetch of gtag.js, held and audited: ${JSON.stringify((await audit(p)) || [])}`);
    const leaked = await settleThenCount(env.loopback, google);
    assert.equal(leaked.length, 0, `requests to Google before a choice:\n  ${listRequests(leaked)}`);

    await t.test('set({analytics:true}), the visitor\'s next page: the tag is fetched through Partytown', async () => {
      await call(p, 'set', { analytics: true });
      // (The next page in a browser of its own with the stored choice: WebKitGTK's Partytown does not start again in a
      // context whose service worker it already installed — without Sekisho too.)
      const stored = await cookie(context, 'sekisho');
      assert.ok(stored, 'the choice is stored');
      const returning = await env.ctx({ cookies: [{ name: 'sekisho', value: stored.value }] });
      await open(returning, url('&next=1'), { quiet: 0 });
      assert.ok(await until(() => env.loopback.requests(tagFetched).length > 0), `gtag.js fetched once allowed:\n  ${listRequests(env.loopback.requests(google))}`);
      assert.ok(await until(() => env.loopback.requests(hit).length > 0), `its page_view hit:\n  ${listRequests(env.loopback.requests(google))}`);
      await returning.close();
    });
    await context.close();
  });
}
