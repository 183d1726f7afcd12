// Issue #3 (runtime checkpoint): the vendors' PUBLISHED snippets, UNMARKED, next to a first-party and a neutral CDN
// script (pages/rt/unmarked.html, pages/rt/gtm.html). No action, reject all, analytics only, accept all, GTM.
//
// Tags written as <script src> in the HTML (GA4's gtag.js, Yahoo! JAPAN ytag.js and conversion.js, Clarity with
// defer, a <link rel=preload>) are fetched by the preload scanner before any script runs, and a parsed <iframe src>
// (YouTube) may send its navigation request before the guard sees it: for them the assertion is that the code NEVER
// EXECUTES / the document never commits and nothing follows (no hit, no cookie); zero requests need markup or the
// header checkpoint. Tags inserted by script (Meta Pixel, X pixel, UET, LINE Tag, GTM) must make ZERO requests.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  setup, open, get, audit, call, flags, cookies, waitForRequests, listRequests, parseConsentCookie, leaks,
  trackerCookies, TRACKER_COOKIES, UNMARKED, WAIT_MS,
} from './harness.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });
beforeEach(() => env.fresh());

const TAGS = UNMARKED.tags;
const ALWAYS = ['__firstPartyRan', '__cdnRan', '__pageEndRan'];
const tagFlags = (cats) => Object.values(TAGS).filter((t) => t.flag && cats.includes(t.category)).map((t) => t.flag);
const expectFlags = (names, v) => Object.fromEntries(names.map((n) => [n, v]));

/** Everything a page with nothing allowed must show: no execution, no data, no cookie, the audit, held elements. */
async function assertNothingRuns(page, context, lb, when) {
  const leaked = await leaks(lb, [], { except: UNMARKED.isPreloadFetch });
  assert.equal(leaked.length, 0, `${when}: tracker requests other than the preload scanner's fetches:\n  ${listRequests(leaked)}`);
  assert.deepEqual(await flags(page, tagFlags(['analytics', 'ads', 'sns'])), expectFlags(tagFlags(['analytics', 'ads', 'sns']), null),
    `${when}: no tracker code executed`);
  assert.deepEqual(await flags(page, ALWAYS), expectFlags(ALWAYS, true), `${when}: first-party, neutral CDN and inline page code ran`);
  assert.deepEqual(await trackerCookies(context), [], `${when}: no tracker cookie in the jar`);
  // the parsed YouTube iframe: its navigation request may race out (see UNMARKED.parsedFrames), its document never commits
  assert.deepEqual(lb.requests('youtube.com').filter((e) => !UNMARKED.isPreloadFetch(e)).map((e) => e.url), [],
    `${when}: the YouTube embed never loaded anything (player script)`);
  assert.equal(await page.evaluate(() => document.getElementById('yt').contentDocument?.URL ?? 'cross-origin'), 'about:blank',
    `${when}: the YouTube iframe shows about:blank (no youtube.com document committed)`);
  // what the page shows: the parsed tags are inert markup now
  const held = await page.evaluate(() => ({
    scripts: [...document.querySelectorAll('script[data-src], script[type="text/plain"]')].map((s) => ({
      type: s.getAttribute('type'), src: s.getAttribute('src'), dataSrc: s.getAttribute('data-src'), consent: s.getAttribute('data-consent') })),
    yt: { src: document.getElementById('yt').getAttribute('src'), dataSrc: document.getElementById('yt').getAttribute('data-src'),
      consent: document.getElementById('yt').getAttribute('data-consent') },
    preload: [...document.querySelectorAll('link[rel=preload]')].map((l) => ({ href: l.getAttribute('href'), dataHref: l.getAttribute('data-href') })),
  }));
  for (const s of held.scripts) {
    assert.equal(s.type, 'text/plain', `${when}: held script is inert: ${JSON.stringify(s)}`);
    assert.match(s.consent || '', /^service:[a-z0-9-]+$/, `${when}: held script says what it waits for: ${JSON.stringify(s)}`);
  }
  assert.ok(held.scripts.length >= 8, `${when}: every tracker script is held (8 in the page): ${JSON.stringify(held.scripts)}`);
  assert.ok(held.yt.src === null || held.yt.src === 'about:blank', `${when}: YouTube iframe has no tracker src: ${JSON.stringify(held.yt)}`);
  assert.equal(held.yt.dataSrc, 'https://www.youtube.com/embed/rtParsed01');
  assert.equal(held.yt.consent, 'service:youtube');
  assert.deepEqual(held.preload, [{ href: null, dataHref: 'https://analytics.tiktok.com/i18n/pixel/events.js?sdkid=RTPRELOAD01' }],
    `${when}: the parsed preload link lost its href`);
}

/** audit() has a `blocked` entry for every tag of `cats`, with the right kind, service and category. */
async function assertAuditBlocked(page, cats, when) {
  const au = await audit(page);
  for (const [name, t] of Object.entries(TAGS)) {
    if (!cats.includes(t.category)) continue;
    const hit = au.find((e) => e.action === 'blocked' && t.url.test(e.url || ''));
    assert.ok(hit, `${when}: audit lists ${name} (${t.url}) as blocked: ${JSON.stringify(au)}`);
    assert.deepEqual({ kind: hit.kind, service: hit.service, category: hit.category }, { kind: t.kind, service: t.service, category: t.category },
      `${when}: audit entry of ${name}`);
  }
  return au;
}

/** Waits for the hit of every tag of `cats` (all of them, then reports every one missing at once). */
async function assertHits(lb, cats, when, skip = []) {
  const names = Object.entries(TAGS).filter(([n, t]) => t.hit && cats.includes(t.category) && !skip.includes(n)).map(([n]) => n);
  const res = await Promise.allSettled(names.map((n) => waitForRequests(lb, TAGS[n].hit)));
  const missing = names.filter((n, i) => res[i].status === 'rejected');
  assert.deepEqual(missing, [], `${when}: tags whose data hit never arrived: ${missing.map((n) => `${n} (${TAGS[n].hit.host}${TAGS[n].hit.path})`).join(', ')}\n`
    + `  requests: ${listRequests(lb.requests((e) => e.host !== 'site.test'))}`);
}

test('rt-a. unmarked tags, no action (opt-in): no tracker code runs, no hit, no cookie; first party and CDN run; audit lists each', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const { page, sekishoMessages } = await open(context, UNMARKED.page, { loopback: lb });
  const st = await get(page);
  assert.equal(st.decided, false);
  assert.equal(st.regime, 'opt-in');
  await assertNothingRuns(page, context, lb, 'no action');
  await assertAuditBlocked(page, ['analytics', 'ads', 'sns'], 'no action');
  // the dynamically inserted tags never reached the network at all
  for (const n of ['meta', 'xpixel', 'uet', 'line']) {
    assert.equal(lb.countFor((e) => TAGS[n].url.test(e.url)), 0, `${n} (inserted by script) was not even fetched`);
  }
  assert.ok(sekishoMessages().every((m) => m.type !== 'error'), `no SDK errors: ${JSON.stringify(sekishoMessages())}`);
  await context.close();
});

test('rt-b. unmarked tags, rejectAll(): nothing runs, no hit, no cookie', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, UNMARKED.page, { loopback: lb });
  const st = await call(page, 'rejectAll');
  assert.deepEqual(st.categories, { necessary: true, functional: false, analytics: false, ads: false, sns: false });
  await assertNothingRuns(page, context, lb, 'after rejectAll');
  assert.equal(parseConsentCookie((await cookies(context)).sekisho)?.bits, 1);
  await context.close();
});

test('rt-c. unmarked tags, set({analytics:true}): GA4 and Clarity run and send hits without reload; ads and sns stay silent', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, UNMARKED.page, { loopback: lb });
  const navs = lb.countFor({ host: 'site.test', path: UNMARKED.page });
  await call(page, 'set', { analytics: true });
  await assertHits(lb, ['analytics'], 'analytics only');
  const ga = lb.requests(TAGS.ga4.hit);
  assert.equal(ga[0].query.tid, 'G-RT000001');
  assert.equal(ga[0].query.en, 'page_view');
  const leaked = await leaks(lb, ['analytics'], { except: UNMARKED.isPreloadFetch });
  assert.equal(leaked.length, 0, `ads / sns requests with analytics only:\n  ${listRequests(leaked)}`);
  assert.equal(lb.countFor({ host: 'site.test', path: UNMARKED.page }), navs, 'no reload');
  assert.deepEqual(await flags(page, tagFlags(['analytics'])), expectFlags(tagFlags(['analytics']), true), 'analytics tags executed');
  assert.deepEqual(await flags(page, tagFlags(['ads'])), expectFlags(tagFlags(['ads']), null), 'ads tags did not execute');
  const jar = await cookies(context);
  assert.match(jar._ga || '', /^GA1\.1\./, '_ga written');
  assert.ok(jar._clck, '_clck written');
  assert.deepEqual(await trackerCookies(context, TRACKER_COOKIES.ads), [], 'no ads cookie');
  const au = await audit(page);
  for (const n of ['ga4', 'clarity']) {
    assert.ok(au.some((e) => e.action === 'released' && TAGS[n].url.test(e.url || '') && e.service === TAGS[n].service),
      `audit: ${n} released: ${JSON.stringify(au)}`);
  }
  await context.close();
});

test('rt-d. unmarked tags, acceptAll(): every tag runs and sends its hit, without reload; cookies written; audit has released', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  // ?twclid: the visitor came from an X ad (uwt.js keeps the click id in _twclid)
  const { page } = await open(context, `${UNMARKED.page}?twclid=rtclick01`, { loopback: lb });
  const navs = lb.countFor({ host: 'site.test', path: UNMARKED.page });
  await call(page, 'acceptAll');
  // every tag but UET first (UET is checked last, with its own diagnosis)
  await assertHits(lb, ['analytics', 'ads', 'sns'], 'accept all', ['uet']);
  await waitForRequests(lb, { host: 't.co', path: '/i/adsct' });
  assert.equal(lb.requests(TAGS.meta.hit)[0].query.id, '111111111111111');
  assert.equal(lb.requests(TAGS.line.hit)[0].query.e, 'pv');
  assert.equal(lb.requests(TAGS.yjconv.hit)[0].query.label, 'RTLEGACYLABEL', 'the legacy blocking conversion.js read its globals');
  assert.equal(lb.countFor({ host: 'site.test', path: UNMARKED.page }), navs, 'no reload');
  const all = tagFlags(['analytics', 'ads', 'sns']);
  await page.waitForFunction((ns) => ns.every((n) => window[n]), all, { timeout: WAIT_MS }).catch(() => {});
  assert.deepEqual(await flags(page, all), expectFlags(all, true), 'every tag executed');
  const present = (await context.cookies()).map((c) => c.name);
  const missing = TRACKER_COOKIES.all.filter((n) => !['_gcl_au', '_uetsid', '_uetvid'].includes(n) && !present.includes(n));
  assert.deepEqual(missing, [], `every tag wrote its cookies; jar: ${present.join(', ')}`);
  const au = await audit(page);
  for (const [n, t] of Object.entries(TAGS)) {
    assert.ok(au.some((e) => e.action === 'released' && t.url.test(e.url || '')), `audit: ${n} released: ${JSON.stringify(au.filter((e) => e.action === 'released'))}`);
  }
  assert.equal(await page.evaluate(() => document.getElementById('yt').getAttribute('src')), 'https://www.youtube.com/embed/rtParsed01');
  // UET: the published snippet starts the tag from the inserted script's `onload` (`n.onload=function(){… new UET(o) …}`).
  // The released script must still call it, or bat.js loads and never sends pageLoad.
  const uetHit = await waitForRequests(lb, TAGS.uet.hit).catch(() => null);
  const uet = await page.evaluate(() => ({ batJsRan: window.__uetLoaded === true, uetq: Array.isArray(window.uetq) ? 'still the snippet\'s array: onload never ran' : typeof window.uetq }));
  assert.ok(uetHit, `UET sent no pageLoad hit after acceptAll: ${JSON.stringify(uet)} — the released <script> lost the onload handler `
    + 'the inserting code set on the held one');
  assert.equal(uetHit[0].query.evt, 'pageLoad');
  const uetCookies = (await context.cookies()).map((c) => c.name).filter((n) => n.startsWith('_uet'));
  assert.deepEqual(uetCookies.sort(), ['_uetsid', '_uetvid'], 'UET wrote _uetsid / _uetvid');
  await context.close();
});

test('rt-e. unmarked GTM container: nothing before a choice; analytics → gtm.js + gtag.js collect, its Meta Pixel stays held; accept all → Meta too', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, '/rt/gtm.html', { loopback: lb });
  const before = await leaks(lb, []);
  assert.equal(before.length, 0, `GTM is inserted by script: zero tracker requests before a choice:\n  ${listRequests(before)}`);
  assert.deepEqual(await flags(page, ['__gtmLoaded', '__firstPartyRan', '__cdnRan']), { __gtmLoaded: null, __firstPartyRan: true, __cdnRan: true });
  const au0 = await audit(page);
  assert.ok(au0.some((e) => e.action === 'blocked' && e.kind === 'script' && /gtm\.js\?id=GTM-RT0001/.test(e.url) && e.service === 'google-tag-manager'
    && e.category === 'analytics'), `audit: gtm.js blocked: ${JSON.stringify(au0)}`);

  await call(page, 'set', { analytics: true });
  await waitForRequests(lb, { host: 'www.googletagmanager.com', path: '/gtm.js' });
  await waitForRequests(lb, { host: 'www.googletagmanager.com', path: '/gtag/js' });
  const ga = await waitForRequests(lb, { host: 'www.google-analytics.com', path: '/g/collect' });
  assert.equal(ga[0].query.tid, 'G-GTMRT0001');
  await page.waitForFunction(() => window.__gtmCustomHtmlRan, null, { timeout: WAIT_MS });
  const ads = await leaks(lb, ['analytics']);
  assert.equal(ads.length, 0, `the Meta Pixel GTM injected must not load with analytics only:\n  ${listRequests(ads)}`);
  assert.equal(await flags(page, ['__fbqLoaded']).then((f) => f.__fbqLoaded), null);
  const au1 = await audit(page);
  assert.ok(au1.some((e) => e.action === 'blocked' && e.kind === 'script' && /connect\.facebook\.net\/en_US\/fbevents\.js/.test(e.url)
    && e.service === 'meta-pixel' && e.category === 'ads'), `audit: fbevents.js injected by GTM blocked: ${JSON.stringify(au1)}`);
  assert.deepEqual(await trackerCookies(context, TRACKER_COOKIES.ads), []);

  await call(page, 'acceptAll');
  const px = await waitForRequests(lb, { host: 'www.facebook.com', path: '/tr/' });
  assert.equal(px[0].query.id, '900010000000000', 'the pixel configured in the GTM container');
  assert.match((await cookies(context))._fbp || '', /^fb\.1\./);
  await context.close();
});
