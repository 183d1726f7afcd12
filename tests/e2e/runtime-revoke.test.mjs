// Issue #3 (runtime checkpoint): withdrawing consent from UNMARKED tags that are already running, and the regimes.
// - accept → revoke ads → reject all → reload: the running tags' periodic hits stop at once (the fake gtag.js and
//   fbevents.js send a heartbeat every 300 ms with ?hb=300), their cookies are gone within ~1.5 s (host-only, domain
//   and path cookies), and after a reload with the revoked choice nothing runs;
// - config "reloadOnRevoke": true reloads the page;
// - JP opt-out: analytics and ads unmarked tags load before a choice, sns never; GPC still blocks ads.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  setup, open, get, audit, call, flags, cookies, waitForRequests, listRequests, leaks, trackerCookies, until, categoryOf,
  TRACKER_COOKIES, UNMARKED, WAIT_MS, sleep, ENGINE
} from './harness.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });
beforeEach(() => env.fresh());

const TAGS = UNMARKED.tags;
const gaBeat = (e) => e.host === 'www.google-analytics.com' && e.path === '/g/collect' && e.query.en === 'heartbeat';
const metaBeat = (e) => e.host === 'www.facebook.com' && e.path === '/tr/' && e.query.ev === 'Heartbeat';
/** Requests matching `m` that arrived in [from, to] (ms timestamps). */
const between = (lb, m, from, to) => lb.requests((e) => m(e) && e.time >= from && e.time <= to);
/** Grace for a request already in flight when the choice changed. */
const IN_FLIGHT_MS = 150;
const COOKIE_DEADLINE_MS = 1500;

/** Polls the jar until none of `names` is left (or the deadline): returns what is left and how long it took. */
async function cookiesGone(context, names, since) {
  const left = await until(async () => {
    const l = await trackerCookies(context, names);
    return l.length === 0 ? [] : null;
  }, { timeout: COOKIE_DEADLINE_MS - (Date.now() - since), interval: 50 });
  return { left: left || await trackerCookies(context, names), ms: Date.now() - since };
}

test('rt-f. accept all → set({ads:false}) → rejectAll → reload: heartbeats stop at once, cookies gone in ~1.5 s, nothing runs after reload', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, `${UNMARKED.page}?hb=300&twclid=rtclick02`, { quiet: 0 });
  await call(page, 'acceptAll');
  await waitForRequests(lb, gaBeat, { count: 2 });
  await waitForRequests(lb, metaBeat, { count: 2 });
  await until(() => page.evaluate(() => window.__ltLoaded && window.__ytagLoaded && window.__twqLoaded));
  // a cookie of an ads service on the page's directory (no Path: /rt) and one on the parent domain, as tags write them
  await page.evaluate(() => {
    document.cookie = '_gcl_au=1.1.111.222; max-age=3600; SameSite=Lax; Secure';
    document.cookie = '_fbc=fb.1.1.rtclick; domain=site.test; path=/; max-age=3600; SameSite=Lax; Secure';
  });
  const jar = (await context.cookies()).map((c) => `${c.name}@${c.domain}${c.path}`);
  for (const n of ['_ga', '_clck', '_fbp', '_fbc', '__lt__cid', '_ycl_yjad', '_twclid', '_gcl_au']) {
    assert.ok(jar.some((c) => c.startsWith(n + '@')), `before revoking, ${n} is set: ${jar.join(', ')}`);
  }
  assert.ok(jar.includes('_gcl_au@site.test/rt'), `the test cookie is on path /rt: ${jar.join(', ')}`);
  assert.ok(jar.some((c) => /^_ga@\.?site\.test\/$/.test(c)), `_ga is a domain cookie, as gtag.js writes it: ${jar.join(', ')}`);

  // 1. revoke ads only
  const t1 = Date.now();
  const st1 = await call(page, 'set', { ads: false });
  assert.equal(st1.categories.ads, false);
  assert.equal(st1.categories.analytics, true);
  const ads = await cookiesGone(context, [...TRACKER_COOKIES.ads, '_fbc'], t1);
  assert.deepEqual(ads.left, [], `ads cookies still in the jar ${ads.ms} ms after set({ads:false})`);
  await sleep(Math.max(0, t1 + COOKIE_DEADLINE_MS - Date.now()));
  const metaAfter = between(lb, metaBeat, t1 + IN_FLIGHT_MS, Date.now());
  assert.equal(metaAfter.length, 0, `Meta heartbeats after set({ads:false}):\n  ${listRequests(metaAfter)}`);
  const adsAfter = between(lb, (e) => categoryOf(e) === 'ads', t1 + IN_FLIGHT_MS, Date.now());
  assert.equal(adsAfter.length, 0, `ads requests after set({ads:false}):\n  ${listRequests(adsAfter)}`);
  const gaAfter = between(lb, gaBeat, t1 + IN_FLIGHT_MS, Date.now());
  assert.ok(gaAfter.length >= 2, `GA4 (analytics, still granted) keeps its heartbeat: ${gaAfter.length} in ${Date.now() - t1} ms`);
  const jar1 = await cookies(context);
  assert.ok(jar1._ga && jar1._clck, `analytics cookies stay: ${Object.keys(jar1).join(', ')}`);
  const au1 = await audit(page);
  assert.ok(au1.some((e) => e.action === 'blocked' && e.at >= t1 - 5 && e.service === 'meta-pixel' && /facebook\.com\/tr/.test(e.url)),
    `audit: the running pixel's next hit is blocked: ${JSON.stringify(au1.filter((e) => e.at >= t1 - 5))}`);

  // 2. reject everything
  const t2 = Date.now();
  await call(page, 'rejectAll');
  const an = await cookiesGone(context, TRACKER_COOKIES.all, t2);
  assert.deepEqual(an.left, [], `tracker cookies still in the jar ${an.ms} ms after rejectAll`);
  await sleep(Math.max(0, t2 + COOKIE_DEADLINE_MS - Date.now()));
  const gaAfter2 = between(lb, gaBeat, t2 + IN_FLIGHT_MS, Date.now());
  assert.equal(gaAfter2.length, 0, `GA4 heartbeats after rejectAll:\n  ${listRequests(gaAfter2)}`);
  const any2 = between(lb, (e) => categoryOf(e) !== null, t2 + IN_FLIGHT_MS, Date.now());
  assert.equal(any2.length, 0, `tracker requests after rejectAll:\n  ${listRequests(any2)}`);
  // the later sweeps (tags still running re-create cookies: the cookie guard and the 4 s sweep keep them out)
  await sleep(800);
  assert.deepEqual(await trackerCookies(context), [], 'still no tracker cookie 2.3 s after rejectAll');

  // the YouTube iframe released by acceptAll: is it still showing youtube.com after sns was revoked?
  const ytAfterReject = await page.evaluate(() => { const f = document.getElementById('yt');
    return { src: f.getAttribute('src'), dataSrc: f.getAttribute('data-src'), state: f.getAttribute('data-sekisho') }; });

  // 3. reload with the revoked choice: nothing runs
  lb.reset();
  await page.reload({ waitUntil: 'load' });
  assert.equal((await get(page)).decided, true);
  const leaked = await leaks(lb, [], { except: UNMARKED.isPreloadFetch });
  assert.equal(leaked.length, 0, `after reload: tracker requests other than the unstoppable parser fetches:\n  ${listRequests(leaked)}`);
  const all = Object.values(TAGS).filter((t) => t.flag).map((t) => t.flag);
  assert.deepEqual(await flags(page, all), Object.fromEntries(all.map((n) => [n, null])), 'after reload: no tracker code ran');
  assert.deepEqual(await trackerCookies(context), [], 'after reload: no tracker cookie');
  assert.equal(await page.evaluate(() => document.getElementById('yt').contentDocument?.URL ?? 'cross-origin'), 'about:blank',
    'after reload: the YouTube iframe committed no youtube.com document');
  // A released iframe of a revoked service must stop (its own requests are cross-origin, out of the guards' reach).
  assert.ok(ytAfterReject.src === null || ytAfterReject.src === 'about:blank',
    `after rejectAll the released YouTube iframe still shows youtube.com (src=${ytAfterReject.src}, data-sekisho=${ytAfterReject.state})`);
  assert.equal(ytAfterReject.dataSrc, 'https://www.youtube.com/embed/rtParsed01', 'its URL is kept for a later release');
  await context.close();
});

test('rt-j. storage keys of services not allowed are cleared: at once on revoke, again while tags re-create them, and at the next page load', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, UNMARKED.page, { quiet: 0 });
  // What the vendors' tags leave in the site's storage (catalog `storage`), next to the site's own keys.
  const KEYS = {
    local: { _uetsid: 'ads', _uetvid_exp: 'ads', cto_bundle: 'ads', _hjLocalStorageTest: 'analytics', cart: 'site' },
    session: { tt_sessionId: 'ads', hjViewportId: 'analytics', step: 'site' },
  };
  const write = (keys) => page.evaluate((k) => {
    for (const key of Object.keys(k.local)) localStorage.setItem(key, '1');
    for (const key of Object.keys(k.session)) sessionStorage.setItem(key, '1');
  }, keys);
  const present = () => page.evaluate((k) => [
    ...Object.keys(k.local).filter((key) => localStorage.getItem(key) !== null),
    ...Object.keys(k.session).filter((key) => sessionStorage.getItem(key) !== null),
  ].sort(), KEYS);
  const owned = (...kinds) => [...Object.entries(KEYS.local), ...Object.entries(KEYS.session)]
    .filter(([, k]) => kinds.includes(k)).map(([key]) => key).sort();

  await call(page, 'acceptAll');
  await write(KEYS);
  assert.deepEqual(await present(), owned('ads', 'analytics', 'site'), 'all written while everything is allowed');

  await call(page, 'set', { ads: false });
  assert.deepEqual(await present(), owned('analytics', 'site'), 'set({ads:false}): the ads keys are gone at once');
  // A tag still running re-creates its key: swept again within ~1 s.
  await page.evaluate(() => localStorage.setItem('_uetsid', 'again'));
  const swept = await until(async () => !(await present()).includes('_uetsid'), { timeout: 2500, interval: 100 });
  assert.equal(swept, true, 'a re-created ads key is swept again');

  await call(page, 'rejectAll');
  assert.deepEqual(await present(), owned('site'), 'rejectAll: only the site\'s own keys are left');
  // Cookies written through the Cookie Store API follow the same rule as document.cookie.
  await page.evaluate(() => Promise.all([cookieStore.set('_fbp', 'fb.1.2.3'), cookieStore.set({ name: '_uetvid', value: 'x' }),
    cookieStore.set('site_pref', 'dark')]));
  const jar = (await context.cookies()).map((c) => c.name);
  assert.ok(!jar.includes('_fbp') && !jar.includes('_uetvid'), `cookieStore.set of ads cookies is dropped: ${jar.join(', ')}`);
  assert.ok(jar.includes('site_pref'), `the site's own cookieStore.set goes through: ${jar.join(', ')}`);

  // Keys left from an earlier grant (here written by hand while nothing is allowed) go at the next page load.
  await write(KEYS);
  await page.reload({ waitUntil: 'load' });
  await until(async () => (await present()).length === owned('site').length, { timeout: 2000 });
  assert.deepEqual(await present(), owned('site'), 'after a reload with nothing allowed');
  await context.close();
});

test('rt-g. config reloadOnRevoke: true — revoking reloads the page; after it the revoked tags do not run', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const config = { revision: 1, regime: { JP: 'opt-out', default: 'opt-in' }, reloadOnRevoke: true };
  const { page } = await open(context, UNMARKED.page, { config, quiet: 0 });
  await call(page, 'acceptAll');
  await waitForRequests(lb, TAGS.meta.hit);
  await waitForRequests(lb, TAGS.ga4.hit);
  await waitForRequests(lb, TAGS.youtube.hit);
  const navs = lb.countFor({ host: 'site.test', path: UNMARKED.page });
  assert.equal(navs, 1, 'granting does not reload');
  await lb.quiet();
  lb.reset();
  await Promise.all([
    page.waitForEvent('load', { timeout: WAIT_MS }),
    page.evaluate(() => { setTimeout(() => window.sekisho.set({ ads: false }), 0); }),
  ]);
  assert.equal(lb.countFor({ host: 'site.test', path: UNMARKED.page }), 1, 'revoking reloaded the page once');
  const st = await get(page);
  assert.equal(st.categories.ads, false);
  assert.equal(st.categories.analytics, true);
  await waitForRequests(lb, TAGS.ga4.hit);
  await waitForRequests(lb, TAGS.youtube.hit);
  const leaked = await leaks(lb, ['analytics', 'sns'], { except: UNMARKED.isPreloadFetch });
  assert.equal(leaked.length, 0, `after the reload (ads revoked; analytics, sns granted): ads requests:\n  ${listRequests(leaked)}`);
  assert.deepEqual(await flags(page, ['__fbqLoaded', '__ltLoaded', '__gtagLoaded']), { __fbqLoaded: null, __ltLoaded: null, __gtagLoaded: true });
  assert.deepEqual(await trackerCookies(context, TRACKER_COOKIES.ads), []);
  await context.close();
});

test('rt-h. JP opt-out (Asia/Tokyo): unmarked analytics and ads tags run before a choice; sns (YouTube) never', async () => {
  const lb = env.loopback;
  const context = await env.ctx({ timezoneId: 'Asia/Tokyo', locale: 'ja-JP' });
  const { page } = await open(context, UNMARKED.page, { quiet: 0 });
  const st = await get(page);
  assert.equal(st.regime, 'opt-out');
  assert.equal(st.decided, false);
  for (const n of ['ga4', 'clarity', 'meta', 'xpixel', 'line', 'ytag', 'yjconv']) await waitForRequests(lb, TAGS[n].hit);
  const sns = await leaks(lb, ['analytics', 'ads'], { except: UNMARKED.isPreloadFetch });
  assert.equal(sns.length, 0, `sns before a choice in opt-out:\n  ${listRequests(sns)}`);
  assert.equal(await page.evaluate(() => document.getElementById('yt').contentDocument?.URL ?? 'cross-origin'), 'about:blank',
    'the YouTube iframe committed no youtube.com document');
  assert.deepEqual(await flags(page, ['__gtagLoaded', '__fbqLoaded', '__ltLoaded']), { __gtagLoaded: true, __fbqLoaded: true, __ltLoaded: true });
  const au = await audit(page);
  assert.ok(au.some((e) => e.action === 'blocked' && e.kind === 'iframe' && e.service === 'youtube' && e.category === 'sns'),
    `audit: YouTube blocked: ${JSON.stringify(au)}`);
  assert.ok(!au.some((e) => e.action === 'blocked' && ['analytics', 'ads'].includes(e.category)),
    `audit: nothing of analytics / ads blocked in opt-out: ${JSON.stringify(au.filter((e) => e.action === 'blocked'))}`);
  await context.close();
});

test('rt-i. JP opt-out + GPC: analytics runs, every ads tag stays silent (no hit, no cookie)', async (t) => {
  if (!env.supports.gpc) { t.skip(`${ENGINE} implements no Global Privacy Control: no visitor of it sends the signal`); return; }
  const lb = env.loopback;
  const context = await env.ctx({ timezoneId: 'Asia/Tokyo', gpc: true });
  const { page } = await open(context, UNMARKED.page, { quiet: 0 });
  const st = await get(page);
  assert.equal(st.gpc, true);
  assert.equal(st.categories.ads, false);
  await waitForRequests(lb, TAGS.ga4.hit);
  await waitForRequests(lb, TAGS.clarity.hit);
  const leaked = await leaks(lb, ['analytics'], { except: UNMARKED.isPreloadFetch });
  assert.equal(leaked.length, 0, `ads / sns requests with GPC:\n  ${listRequests(leaked)}`);
  const adsFlags = Object.values(TAGS).filter((t) => t.flag && t.category === 'ads').map((t) => t.flag);
  assert.deepEqual(await flags(page, adsFlags), Object.fromEntries(adsFlags.map((n) => [n, null])), 'no ads tag executed');
  assert.deepEqual(await trackerCookies(context, TRACKER_COOKIES.ads), [], 'no ads cookie');
  assert.ok((await cookies(context))._ga, 'analytics cookie written');
  await context.close();
});
