// Issue #13, the TCF v2.3 bridge (research/standards.md §4.10 b): a registered CMP's __tcfapi on the page drives
// Sekisho — its TC strings (made here with the IAB's reference encoder, @iabtechlabtcf/core) become Sekisho's
// choice, so the checkpoint, the signals and the records follow the CMP. Without a CMP (or without the config
// switch) Sekisho exposes no __tcfapi and makes no TC string.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TCModel, TCString, GVL } from '@iabtechlabtcf/core';
import { setup, open, get, settleThenCount, listRequests, until, runAsPageScript } from './harness.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

// A synthetic Global Vendor List (version 100): Google Advertising Products (755) and Criteo (91).
const purposes = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [i + 1, { id: i + 1, name: `Purpose ${i + 1}`, description: '', illustrations: [] }]));
const vendor = (id, name) => ({ id, name, purposes: [1, 2, 3, 4, 7, 8, 9], legIntPurposes: [], flexiblePurposes: [], specialPurposes: [], features: [],
  specialFeatures: [], policyUrl: 'https://example.com/privacy' });
const gvl = new GVL({ gvlSpecificationVersion: 3, vendorListVersion: 100, tcfPolicyVersion: 5, lastUpdated: '2025-01-01T00:00:00Z',
  purposes, specialPurposes: {}, features: {}, specialFeatures: {}, stacks: {}, dataCategories: {},
  vendors: { 755: vendor(755, 'Google Advertising Products'), 91: vendor(91, 'Criteo SA') } });
/** A TC string a registered CMP (id 300) would make for these purpose and vendor consents. */
function tcString(purposeConsents, vendorConsents) {
  const m = new TCModel(gvl);
  Object.assign(m, { cmpId: 300, cmpVersion: 1, consentLanguage: 'EN', publisherCountryCode: 'DE', isServiceSpecific: true });
  m.purposeConsents.set(purposeConsents);
  m.vendorConsents.set(vendorConsents);
  m.vendorsDisclosed.set([755, 91]);
  return TCString.encode(m);
}

// A registered CMP's stub and "UI", as its own script in <head> after Sekisho: __tcfapi with addEventListener
// (called at once, then on every change), its string kept in localStorage (a later page says `tcloaded`), and a
// test hook standing for the visitor's action in the CMP's own dialog; getVendorList answers a Global Vendor List.
const cmp = (gdprApplies) => `<script>(function () {
  var listeners = [], stored = localStorage.getItem('cmp-tc');
  var data = function (status) {
    return { tcString: stored || '', gdprApplies: ${gdprApplies}, eventStatus: status, cmpStatus: 'loaded', cmpId: 300, cmpVersion: 1, tcfPolicyVersion: 5, listenerId: listeners.length };
  };
  window.__tcfapi = function (command, version, callback) {
    if (command === 'getVendorList') return callback({ vendorListVersion: 100, vendors: {
      91: { id: 91, name: 'Criteo SA' }, 755: { id: 755, name: 'Google Advertising Products' } } }, true);
    if (command === 'ping') return callback({ gdprApplies: ${gdprApplies}, cmpLoaded: true, cmpStatus: 'loaded', displayStatus: stored ? 'hidden' : 'visible', apiVersion: '2.3', cmpId: 300 }, true);
    if (command === 'addEventListener') { listeners.push(callback); callback(data(stored ? 'tcloaded' : 'cmpuishown'), true); }
  };
  window.__cmpDecide = function (tc) {
    stored = tc; localStorage.setItem('cmp-tc', tc);
    listeners.forEach(function (f) { f(data('useractioncomplete'), true); });
  };
})();</script>`;
const TAGS = `<script async src="https://www.googletagmanager.com/gtag/js?id=G-TCF1"></script>
<script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);} gtag('js', new Date()); gtag('config', 'G-TCF1');</script>
<script>(function(d){var s=d.createElement('script');s.async=true;s.src='https://static.criteo.net/js/ld/publishertag.js';d.head.appendChild(s);})(document);</script>`;

const CMP = cmp(true);
function page(path, config, withCmp) {
  env.loopback.route('site.test', new RegExp(`^${path.replace(/\./g, '\\.')}$`), () => ({ type: 'html', body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>TCF</title>
<script type="application/json" id="sekisho-config">${JSON.stringify(config)}</script>
<script src="/sekisho/sekisho.js"></script>
${withCmp === true ? CMP : withCmp || ''}
${TAGS}
</head><body><h1>Article</h1></body></html>` }));
}
// Criteo is not named here: the CMP's vendor list names it ("Criteo SA", the catalog's recipient).
const CONFIG = { revision: 1, regime: 'opt-in', signals: { tcfBridge: true } };

/** The last gtag consent command in the page's dataLayer. */
async function lastConsent(p) {
  await runAsPageScript(p, `document.documentElement.setAttribute('data-last', JSON.stringify(Array.prototype.slice.call(
    dataLayer.filter(function (e) { return e && e[0] === 'consent'; }).pop())))`);
  return JSON.parse(await p.evaluate(() => document.documentElement.getAttribute('data-last')));
}

test('tcf-1. a registered CMP drives Sekisho: no banner of its own; the CMP\'s strings become the choice (categories by purposes, services by vendor consent — Google by its id, Criteo by the CMP\'s vendor list), the checkpoint and Consent Mode follow; a later page\'s "tcloaded" changes nothing', async () => {
  await env.fresh();
  const lb = env.loopback;
  page('/tcf/bridge.html', CONFIG, true);
  const context = await env.ctx();
  const { page: p } = await open(context, '/tcf/bridge.html', { loopback: lb });
  await p.waitForFunction(() => document.getElementById('sekisho-root'), null, { timeout: 8000 });
  assert.equal(await p.evaluate(() => Boolean(document.getElementById('sekisho-root').shadowRoot.querySelector('.banner'))), false, 'the CMP asks, not Sekisho');
  assert.equal((await get(p)).decided, false);
  const early = await settleThenCount(lb, (e) => e.host === 'static.criteo.net' || e.host === 'www.google-analytics.com');
  assert.deepEqual(early, [], `held until the CMP says so:\n  ${listRequests(early)}`);
  assert.equal(lb.countFor({ host: 'site.test', path: '/sekisho/sekisho-tcf.js' }), 1, 'the bridge\'s module, once');

  // The visitor consents to everything in the CMP.
  await runAsPageScript(p, `__cmpDecide(${JSON.stringify(tcString([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [755, 91]))})`);
  await until(async () => (await get(p)).decided);
  let st = await get(p);
  assert.deepEqual([st.categories.ads, st.categories.analytics, st.categories.functional, st.categories.sns], [true, true, true, false], 'SNS stays Sekisho\'s own opt-in');
  assert.deepEqual(st.services, { criteo: true, 'google-ads': true, 'google-analytics': true, 'google-marketing-platform': true, 'google-adsense': true, 'google-tag-manager': true });
  await until(() => lb.countFor({ host: 'static.criteo.net' }) && lb.countFor({ host: 'www.google-analytics.com', path: '/g/collect' }), { timeout: 8000 });
  assert.ok(lb.countFor({ host: 'static.criteo.net' }) >= 1, 'Criteo loads');
  assert.equal((await lastConsent(p))[2].ad_storage, 'granted');

  // Then refuses ads and Criteo, keeps measurement: ads withdrawn, Google Analytics still allowed.
  await runAsPageScript(p, `__cmpDecide(${JSON.stringify(tcString([1, 8, 9], [755]))})`);
  await until(async () => !(await get(p)).categories.ads);
  st = await get(p);
  assert.deepEqual([st.categories.ads, st.categories.analytics], [false, true]);
  assert.equal(st.services.criteo, false);
  assert.equal(st.services['google-analytics'], true);
  assert.equal(st.services['google-ads'], false);
  const consent = (await lastConsent(p))[2];
  assert.deepEqual([consent.ad_storage, consent.analytics_storage], ['denied', 'granted']);
  const decidedAt = st.updatedAt;

  // A later page: the CMP says "tcloaded" with the same string; nothing is decided again.
  lb.reset();
  const next = await open(context, '/tcf/bridge.html', { loopback: lb });
  await next.page.waitForFunction(() => document.getElementById('sekisho-root'), null, { timeout: 8000 });
  const again = await get(next.page);
  assert.equal(again.updatedAt, decidedAt, 'the same choice, not a new decision');
  assert.equal(again.categories.ads, false);
  const criteo = await settleThenCount(lb, (e) => e.host === 'static.criteo.net');
  assert.deepEqual(criteo, [], `Criteo stays held:\n  ${listRequests(criteo)}`);
  await context.close();
});

test('tcf-2. without the config switch (no bridge module loaded), without a CMP, or with a CMP that says the GDPR does not apply: Sekisho asks the visitor itself (and exposes no __tcfapi)', async () => {
  await env.fresh();
  page('/tcf/none.html', { revision: 1, regime: 'opt-in' }, false);
  page('/tcf/no-cmp.html', CONFIG, false);
  // A CMP that says the GDPR does not apply to this visitor (it shows nothing): Sekisho asks.
  page('/tcf/not-gdpr.html', CONFIG, cmp(false));
  const context = await env.ctx();
  for (const url of ['/tcf/none.html', '/tcf/no-cmp.html', '/tcf/not-gdpr.html']) {
    const { page: p, messages } = await open(context, url, { loopback: env.loopback });
    await p.waitForFunction(() => document.getElementById('sekisho-root')?.shadowRoot?.querySelector('.banner'), null, { timeout: 8000 });
    if (url !== '/tcf/not-gdpr.html') assert.equal(await p.evaluate(() => typeof window.__tcfapi), 'undefined', url);
    if (url === '/tcf/none.html') {
      assert.equal(env.loopback.countFor({ host: 'site.test', path: '/sekisho/sekisho-tcf.js' }), 0, 'no bridge module without the switch');
    }
    if (url === '/tcf/no-cmp.html') {
      assert.ok(messages.some((m) => m.type === 'error' && /tcfBridge/.test(m.text)), `a console error says the CMP is missing: ${JSON.stringify(messages)}`);
    }
  }
  await context.close();
});
