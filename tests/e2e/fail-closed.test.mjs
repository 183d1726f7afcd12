// Issue #2, cases j (Wasm cannot start: CSP without 'wasm-unsafe-eval') and k (invalid config): fail closed.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { setup, open, get, call, cookies, settleThenCount, listRequests, parseConsentCookie, waitForRequests, runAsPageScript } from './harness.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });
beforeEach(() => env.loopback.reset());

test("j. CSP without 'wasm-unsafe-eval' + a stored cookie granting everything: [sekisho] error, 0 tracker requests", async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  // a genuine "everything granted" cookie, written by the SDK itself
  const first = await open(context, '/tags.html', { quiet: 0 });
  await call(first.page, 'acceptAll');
  await waitForRequests(lb, { host: 'www.google-analytics.com', path: '/g/collect' });
  assert.equal(parseConsentCookie((await cookies(context)).sekisho)?.bits, 31);
  await first.page.close();
  await lb.quiet();
  lb.reset();

  const { page, messages, errors } = await open(context, '/csp.html', { loopback: lb });
  assert.equal(lb.countFor({ host: 'site.test', path: '/csp.html' }), 1, 'the CSP page was served');
  const reqs = await settleThenCount(lb, (e) => lb.trackerRequests().includes(e));
  assert.equal(reqs.length, 0, `tracker requests with the gate down:\n  ${listRequests(reqs)}`);
  const sek = errors().filter((m) => m.text.startsWith('[sekisho]'));
  assert.ok(sek.length >= 1, `a console error starting with [sekisho]; console: ${JSON.stringify(messages)}`);
  assert.deepEqual(await page.evaluate(() => [window.__gtagLoaded ?? null, window.__fbqLoaded ?? null]), [null, null]);
  // Google's and Microsoft's tags learn that nothing is granted: the first dataLayer entry, gtag's arguments (#13).
  await runAsPageScript(page, `document.documentElement.setAttribute('data-first', JSON.stringify(Array.prototype.slice.call(window.dataLayer[0])));
    document.documentElement.setAttribute('data-uetq', JSON.stringify(window.uetq.slice(0, 3)))`);
  const firstEntry = JSON.parse(await page.evaluate(() => document.documentElement.getAttribute('data-first')));
  assert.deepEqual(JSON.parse(await page.evaluate(() => document.documentElement.getAttribute('data-uetq'))),
    ['consent', 'default', { ad_storage: 'denied' }], 'UET too');
  assert.deepEqual(firstEntry, ['consent', 'default', { ad_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied',
    analytics_storage: 'denied', functionality_storage: 'denied', personalization_storage: 'denied', security_storage: 'granted' }]);
  const st = await get(page);
  assert.ok(st, 'window.sekisho still exists');
  assert.equal(st.decided, false, 'undecided');
  assert.equal(typeof st.error, 'string', `get().error explains why: ${JSON.stringify(st)}`);
  assert.ok(st.error.length > 0);
  const held = await page.evaluate(() => [...document.querySelectorAll('[data-consent]')].filter((el) => el.tagName === 'SCRIPT' ? el.type !== 'text/plain' : el.hasAttribute('src')).length);
  assert.equal(held, 0, 'no marked element was released');
  // page code reaching trackers by the guarded paths: the fail-closed policy holds every third party
  await page.evaluate(() => {
    const px = (ev) => `https://www.facebook.com/tr/?id=4&ev=${ev}`;
    const box = document.createElement('div'); document.body.appendChild(box);
    box.innerHTML = `<img alt="" src="${px('fcHtmlImg')}"><video poster="${px('fcHtmlPoster')}" src="${px('fcHtmlVideo')}"></video>`
      + `<svg><image xlink:href="${px('fcHtmlSvg')}"/></svg>`;
    new Image().src = px('fcImage');
    fetch(px('fcFetch'), { mode: 'no-cors' }).catch(() => {});
    navigator.sendBeacon(px('fcBeacon'), 'x');
    const f = document.createElement('iframe'); f.src = px('fcFrame'); document.body.appendChild(f);
    // inline module scripts: their imports cannot be read without the Wasm, so each that imports anything waits
    const module = (text, after) => { const s = document.createElement('script'); s.type = 'module'; if (text) s.textContent = text; document.head.appendChild(s); if (after) s.textContent = after; };
    module(`import ${JSON.stringify(px('fcModule'))};`);
    module(`import/**/"\\u{68}${px('fcModuleEscape').slice(1)}";`);
    module('', `export * from ${JSON.stringify(px('fcModuleLater'))};`);
  });
  const probes = await settleThenCount(lb, (e) => e.host === 'www.facebook.com');
  assert.equal(probes.length, 0, `page code with the gate down:\n  ${listRequests(probes)}`);
  // the API must not open the gate either
  await page.evaluate(() => { try { window.sekisho.acceptAll(); } catch (e) { /* allowed to throw */ } });
  const after = await settleThenCount(lb, (e) => lb.trackerRequests().includes(e));
  assert.equal(after.length, 0, `acceptAll() with the gate down:\n  ${listRequests(after)}`);
  await context.close();
});

test('k. invalid config ("regime":"sometimes") → console error naming "regime", fail-closed opt-in (even in Asia/Tokyo)', async () => {
  const lb = env.loopback;
  const context = await env.ctx({ timezoneId: 'Asia/Tokyo' });
  const { page, messages } = await open(context, '/tags.html', { config: { revision: 1, regime: 'sometimes' }, loopback: lb });
  const errs = messages.filter((m) => m.type === 'error' && m.text.startsWith('[sekisho]'));
  assert.ok(errs.some((m) => /regime/.test(m.text)), `a [sekisho] console error naming "regime": ${JSON.stringify(messages)}`);
  const st = await get(page);
  assert.equal(st.regime, 'opt-in');
  assert.equal(st.decided, false);
  assert.deepEqual(st.categories, { necessary: true, functional: false, analytics: false, ads: false, sns: false });
  const reqs = await settleThenCount(lb, (e) => lb.trackerRequests().includes(e));
  assert.equal(reqs.length, 0, listRequests(reqs));
  assert.equal(await page.evaluate(() => window.__firstPartyRan), true, 'first-party still runs');
  await context.close();
});

test('k. invalid config (unparsable JSON) → [sekisho] console error, fail-closed', async () => {
  const lb = env.loopback;
  const context = await env.ctx({ timezoneId: 'Asia/Tokyo' });
  const { page, messages } = await open(context, '/tags.html', { config: '{"revision":1, "regime": ', loopback: lb });
  assert.ok(messages.some((m) => m.type === 'error' && m.text.startsWith('[sekisho]')), JSON.stringify(messages));
  const st = await get(page);
  assert.equal(st.regime, 'opt-in');
  const reqs = await settleThenCount(lb, (e) => lb.trackerRequests().includes(e));
  assert.equal(reqs.length, 0, listRequests(reqs));
  await context.close();
});
