// Issue #2, cases a–e and l: marked GA4 / Meta Pixel / YouTube tags before and after a choice.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  setup, open, get, audit, call, flags, cookies, cookie, waitForRequests, settleThenCount, countsFor, zeroCounts,
  listRequests, parseConsentCookie, recordEvents, HOSTS, WAIT_MS, sleep,
} from './harness.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });
beforeEach(() => env.loopback.reset());

const TAG_FLAGS = ['__gtagLoaded', '__fbqLoaded', '__firstPartyRan', '__cdnRan'];

async function assertNoTrackerRequests(lb, when) {
  const reqs = await settleThenCount(lb, (e) => HOSTS.all.some((h) => e.host === h || e.host.endsWith('.' + h)));
  assert.deepEqual(countsFor(lb, HOSTS.all), zeroCounts(HOSTS.all), `${when}: tracker requests:\n  ${listRequests(reqs)}`);
  const any = lb.trackerRequests();
  assert.equal(any.length, 0, `${when}: requests to some tracker host:\n  ${listRequests(any)}`);
}

async function waitGa4Collect(lb) {
  await waitForRequests(lb, { host: 'www.googletagmanager.com', path: '/gtag/js' });
  const hits = await waitForRequests(lb, { host: 'www.google-analytics.com', path: '/g/collect' });
  assert.equal(hits[0].query.tid, 'G-E2ETEST01');
  assert.equal(hits[0].query.en, 'page_view');
}
async function waitMetaHit(lb) {
  await waitForRequests(lb, { host: 'connect.facebook.net', path: '/en_US/fbevents.js' });
  const hits = await waitForRequests(lb, { host: 'www.facebook.com', path: '/tr/' });
  assert.equal(hits[0].query.id, '123456789012345');
  assert.equal(hits[0].query.ev, 'PageView');
}
async function waitYouTube(lb) {
  const doc = await waitForRequests(lb, { host: 'www.youtube.com', path: /^\/embed\/dQw4w9WgXcQ$/ });
  assert.equal(doc[0].dest, 'iframe');
  await waitForRequests(lb, { host: 'www.youtube.com', path: '/s/player/fake.js' });
}

test('a. before any choice (opt-in): marked tags send 0 requests, first-party and CDN run, audit lists them as blocked', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  await recordEvents(context);
  const { page, sekishoMessages } = await open(context, '/tags.html', { loopback: lb });
  await assertNoTrackerRequests(lb, 'before any choice');
  // The checkpoint is one request (its Wasm inlined); the deferred module one more, fetched
  // beside it once the checkpoint runs (off the critical path), and nothing else.
  const sdkRequests = lb.requests((e) => e.host === 'site.test' && e.path.startsWith('/sekisho/'));
  assert.deepEqual(sdkRequests.map((e) => e.path).sort(), ['/sekisho/sekisho-deferred.js', '/sekisho/sekisho.js'],
    `the SDK is two files, each requested once: ${listRequests(sdkRequests)}`);
  assert.equal(sdkRequests.find((e) => e.path === '/sekisho/sekisho-deferred.js').dest, 'script');
  assert.equal(lb.countFor({ host: 'cdn.jsdelivr.net' }), 1, 'neutral CDN script requested');

  assert.deepEqual(await flags(page, TAG_FLAGS), { __gtagLoaded: null, __fbqLoaded: null, __firstPartyRan: true, __cdnRan: true });
  const st = await get(page);
  assert.ok(st, 'window.sekisho exists');
  assert.equal(st.decided, false);
  assert.equal(st.regime, 'opt-in');
  assert.deepEqual(st.categories, { necessary: true, functional: false, analytics: false, ads: false, sns: false });
  assert.equal(st.revision, 1);
  assert.equal(typeof (await page.evaluate(() => window.sekisho.version)), 'string');

  const au = await audit(page);
  assert.ok(Array.isArray(au), 'audit() returns an array');
  const blocked = (pred) => au.some((e) => e.action === 'blocked' && pred(e));
  assert.ok(blocked((e) => e.kind === 'script' && e.category === 'analytics' && /googletagmanager\.com\/gtag\/js/.test(e.url || '')),
    `audit lists gtag.js as blocked: ${JSON.stringify(au)}`);
  assert.ok(blocked((e) => e.kind === 'script' && e.category === 'ads'), `audit lists the Meta Pixel inline script as blocked: ${JSON.stringify(au)}`);
  assert.ok(blocked((e) => e.kind === 'iframe' && e.via === 'markup' && e.category === 'sns' && /youtube\.com\/embed\//.test(e.url || '')),
    `audit lists the YouTube iframe as blocked: ${JSON.stringify(au)}`);
  assert.ok(au.every((e) => typeof e.at === 'number' && ['blocked', 'released', 'allowed'].includes(e.action)), 'audit entry shape');

  const held = await page.evaluate(() => [...document.querySelectorAll('[data-consent]')].map((el) => el.getAttribute('data-sekisho')));
  assert.equal(held.length, 4);
  assert.ok(held.every((v) => v === 'held'), `marked elements carry data-sekisho="held": ${held}`);
  assert.equal(await page.evaluate(() => document.getElementById('yt').getAttribute('src')), null, 'iframe has no src while held');

  const events = await page.evaluate(() => window.__events.map((e) => e.type));
  assert.ok(events.includes('ready'), `sekisho:ready dispatched on document: ${events}`);
  assert.ok(sekishoMessages().every((m) => m.type !== 'error'), `no SDK errors: ${JSON.stringify(sekishoMessages())}`);
  assert.equal((await cookies(context)).sekisho, undefined, 'no consent cookie before a choice');
  await context.close();
});

test('b. after rejectAll(): still 0 requests, no _ga/_fbp, cookie sekisho = 1.<id>.1.1.<ts>', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, '/tags.html', { loopback: lb });
  const t0 = Math.floor(Date.now() / 1000);
  const st = await call(page, 'rejectAll');
  assert.equal(st.decided, true);
  assert.deepEqual(st.categories, { necessary: true, functional: false, analytics: false, ads: false, sns: false });
  await assertNoTrackerRequests(lb, 'after rejectAll');
  const jar = await cookies(context);
  assert.equal(jar._ga, undefined);
  assert.equal(jar._fbp, undefined);
  const c = await cookie(context, 'sekisho');
  assert.ok(c, 'cookie sekisho written');
  const parsed = parseConsentCookie(c.value);
  assert.ok(parsed, `cookie format 1.<consentId>.<revision>.<bits>.<unixSeconds>[.<overrides>]: ${c.value}`);
  assert.equal(parsed.bits, 1, `rejectAll → bits 1: ${c.value}`);
  assert.equal(parsed.revision, 1);
  assert.ok(Math.abs(parsed.unixSeconds - t0) <= 5, `timestamp is now (unix seconds): ${parsed.unixSeconds} vs ${t0}`);
  assert.equal(parsed.consentId, st.consentId, 'cookie consentId = get().consentId');
  assert.equal(c.path, '/');
  assert.equal(c.sameSite, 'Lax');
  assert.equal(c.secure, true, 'Secure on https');
  assert.ok(c.expires > t0 && c.expires <= t0 + 180 * 86400 + 60, `Max-Age ≤ consentMaxAgeDays (180): expires ${c.expires}`);
  assert.equal(await page.evaluate(() => localStorage.getItem('sekisho')), c.value, 'localStorage sekisho = cookie value');
  assert.deepEqual(await flags(page, ['__gtagLoaded', '__fbqLoaded']), { __gtagLoaded: null, __fbqLoaded: null });
  await context.close();
});

test('c. after acceptAll(): everything loads without reload and works; audit has released; change fired', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  await recordEvents(context);
  const { page, errors } = await open(context, '/tags.html', { loopback: lb });
  await page.evaluate(() => { window.__onChange = []; window.sekisho.on('change', (s) => window.__onChange.push(s)); });
  assert.equal(lb.trackerRequests().length, 0, `before the choice:\n  ${listRequests(lb.trackerRequests())}`);
  const navs = lb.countFor({ host: 'site.test', path: '/tags.html' });

  const st = await call(page, 'acceptAll');
  assert.equal(st.decided, true);
  assert.deepEqual(st.categories, { necessary: true, functional: true, analytics: true, ads: true, sns: true });

  await waitGa4Collect(lb);
  await waitMetaHit(lb);
  await waitYouTube(lb);
  assert.equal(lb.countFor({ host: 'site.test', path: '/tags.html' }), navs, 'no reload');
  await page.waitForFunction(() => window.__gtagLoaded && window.__fbqLoaded, null, { timeout: WAIT_MS });
  const jar = await cookies(context);
  assert.match(jar._ga || '', /^GA1\.1\./, 'gtag wrote _ga');
  assert.match(jar._fbp || '', /^fb\.1\./, 'pixel wrote _fbp');
  assert.equal(parseConsentCookie(jar.sekisho)?.bits, 31, `acceptAll → bits 31: ${jar.sekisho}`);

  const au = await audit(page);
  const released = au.filter((e) => e.action === 'released');
  assert.ok(released.some((e) => e.kind === 'script' && /gtag\/js/.test(e.url || '')), `gtag.js released: ${JSON.stringify(au)}`);
  assert.ok(released.some((e) => e.kind === 'script' && e.category === 'ads'), 'Meta Pixel released');
  assert.ok(released.some((e) => e.kind === 'iframe' && /youtube\.com\/embed/.test(e.url || '')), 'YouTube iframe released');
  const states = await page.evaluate(() => [...document.querySelectorAll('[data-consent]')].map((el) => el.getAttribute('data-sekisho')));
  assert.ok(states.length >= 4 && states.every((v) => v === 'released'), `released elements carry data-sekisho="released": ${states}`);
  assert.equal(await page.evaluate(() => document.getElementById('yt').getAttribute('src')), 'https://www.youtube.com/embed/dQw4w9WgXcQ');

  const onChange = await page.evaluate(() => window.__onChange);
  assert.ok(onChange.length >= 1 && onChange.at(-1).decided === true, `sekisho.on('change') called with the state: ${JSON.stringify(onChange)}`);
  const events = await page.evaluate(() => window.__events);
  assert.ok(events.some((e) => e.type === 'change' && e.detail && e.detail.decided === true), 'sekisho:change on document with the state');
  assert.ok(events.some((e) => e.type === 'released'), 'sekisho:released on document');
  assert.deepEqual(errors().filter((m) => m.text.startsWith('[sekisho]')), []);
  await context.close();
});

test('d. partial set({analytics:true}): exactly GA4 loads and collects; Meta and YouTube stay at 0', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, '/tags.html', { loopback: lb });
  const st = await call(page, 'set', { analytics: true });
  assert.equal(st.decided, true);
  assert.deepEqual(st.categories, { necessary: true, functional: false, analytics: true, ads: false, sns: false });
  await waitGa4Collect(lb);
  const other = await settleThenCount(lb, (e) => [...HOSTS.meta, ...HOSTS.youtube].some((h) => e.host === h || e.host.endsWith('.' + h)));
  assert.equal(other.length, 0, `Meta / YouTube requests after analytics-only:\n  ${listRequests(other)}`);
  const jar = await cookies(context);
  assert.equal(parseConsentCookie(jar.sekisho)?.bits, 5, `set({analytics:true}) → bits 5: ${jar.sekisho}`);
  assert.equal(jar._fbp, undefined);
  assert.deepEqual(await flags(page, ['__gtagLoaded', '__fbqLoaded']), { __gtagLoaded: true, __fbqLoaded: null });
  // unspecified categories keep their value: a later set({sns:true}) keeps analytics
  const st2 = await call(page, 'set', { sns: true });
  assert.deepEqual(st2.categories, { necessary: true, functional: false, analytics: true, ads: false, sns: true });
  await waitYouTube(lb);
  assert.equal(lb.countFor('facebook.net') + lb.countFor('facebook.com'), 0, 'ads still denied');
  assert.equal(parseConsentCookie((await cookies(context)).sekisho)?.bits, 21);
  await context.close();
});

test('e. reload after a choice: honoured without asking (granted load on load, denied stay at 0)', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, '/tags.html', { loopback: lb });
  const chosen = await call(page, 'set', { analytics: true });
  await waitGa4Collect(lb);
  await lb.quiet();
  lb.reset();
  await page.reload({ waitUntil: 'load' });
  const st = await get(page);
  assert.equal(st.decided, true, 'decided after reload');
  assert.deepEqual(st.categories, { necessary: true, functional: false, analytics: true, ads: false, sns: false });
  assert.equal(st.consentId, chosen.consentId, 'same consentId');
  assert.equal(typeof st.updatedAt, 'number');
  await waitGa4Collect(lb);
  const other = await settleThenCount(lb, (e) => [...HOSTS.meta, ...HOSTS.youtube].some((h) => e.host === h || e.host.endsWith('.' + h)));
  assert.equal(other.length, 0, `denied tags after reload:\n  ${listRequests(other)}`);
  await context.close();
});

test('e2. the next page after accept all: every marked tag loads as the page is parsed, the marked YouTube frame too', async () => {
  // (Chromium ignores a `src` given to a parser-inserted frame within the parser's task: the release gives it later.)
  const lb = env.loopback;
  const context = await env.ctx();
  const first = await open(context, '/tags.html', { quiet: 0 });
  await call(first.page, 'acceptAll');
  await first.page.close();
  await lb.quiet();
  lb.reset();
  await open(context, '/tags.html', { loopback: lb });
  await waitGa4Collect(lb);
  await waitMetaHit(lb);
  await waitYouTube(lb);
  await context.close();
});

test('l. service:<id> markup: service:youtube loads after set({services:{youtube:true}}) while sns stays denied', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, '/service.html', { loopback: lb });
  assert.equal(lb.trackerRequests().length, 0, `before a choice:\n  ${listRequests(lb.trackerRequests())}`);
  const au0 = await audit(page);
  assert.ok(au0.some((e) => e.action === 'blocked' && e.kind === 'iframe' && e.service === 'youtube'),
    `audit names the service of a service:<id> element: ${JSON.stringify(au0)}`);

  const st = await call(page, 'set', { services: { youtube: true } });
  assert.equal(st.services.youtube, true);
  assert.equal(st.categories.sns, false, 'category sns stays denied');
  const doc = await waitForRequests(lb, { host: 'www.youtube-nocookie.com', path: '/embed/M7lc1UVf-VE' });
  assert.equal(doc[0].dest, 'iframe');
  await waitForRequests(lb, { host: 'www.youtube-nocookie.com', path: '/s/player/fake.js' });
  const sns = await settleThenCount(lb, 'platform.twitter.com');
  assert.equal(sns.length, 0, `sns-category elements stay held:\n  ${listRequests(sns)}`);
  const states = await page.evaluate(() => ({
    yt: document.getElementById('yt-service').getAttribute('data-sekisho'),
    x: document.getElementById('x-embed').getAttribute('data-sekisho'),
    img: document.getElementById('sns-img').getAttribute('data-sekisho'),
  }));
  assert.deepEqual(states, { yt: 'released', x: 'held', img: 'held' });
  const c = parseConsentCookie((await cookies(context)).sekisho);
  assert.ok(c, 'cookie written');
  assert.equal(c.bits, 1, 'no category granted');
  assert.deepEqual(c.services, { youtube: true }, 'override "youtube" in the cookie');

  // deny the service again (overrides with "!" prefix) — cookie says !youtube
  const st2 = await call(page, 'set', { sns: true, services: { youtube: false } });
  assert.equal(st2.services.youtube, false);
  const c2 = parseConsentCookie((await cookies(context)).sekisho);
  assert.equal(c2.bits, 17);
  assert.deepEqual(c2.services, { youtube: false }, `"!youtube" in the cookie: ${(await cookies(context)).sekisho}`);
  await waitForRequests(lb, { host: 'platform.twitter.com', path: '/embed/Tweet.html' });
  await context.close();
});

test('n. other markup kinds: img data-src/data-srcset, link data-href, data-type="module" (held, then released)', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, '/markup.html', { loopback: lb });
  const before = await settleThenCount(lb, (e) => lb.trackerRequests().includes(e));
  assert.equal(before.length, 0, `before a choice:\n  ${listRequests(before)}`);
  assert.deepEqual(await page.evaluate(() => ({ src: document.getElementById('px').getAttribute('src'),
    srcset: document.getElementById('px').getAttribute('srcset'), href: document.getElementById('css').getAttribute('href'),
    mod: window.__moduleRan ?? null })), { src: null, srcset: null, href: null, mod: null });

  await call(page, 'acceptAll');
  const px = await waitForRequests(lb, { host: 'www.facebook.com', path: '/tr' });
  assert.equal(px[0].dest, 'image');
  assert.equal(px[0].query.dpr, '1', 'the srcset candidate was used (data-srcset → srcset)');
  const css = await waitForRequests(lb, { host: 'platform.twitter.com', path: '/css/fake-widget.css' });
  assert.equal(css[0].dest, 'style');
  await page.waitForFunction(() => window.__moduleRan !== undefined, null, { timeout: WAIT_MS });
  assert.equal(await page.evaluate(() => window.__moduleRan), true, 'data-type="module" restored: ran as a module');
  const attrs = await page.evaluate(() => ({
    type: document.querySelector('script[data-consent="analytics"]')?.getAttribute('type'),
    px: document.getElementById('px').getAttribute('data-sekisho'), css: document.getElementById('css').getAttribute('data-sekisho'),
  }));
  assert.deepEqual(attrs, { type: 'module', px: 'released', css: 'released' });
  await context.close();
});

test('API: require() resolves once granted; off() removes a listener', async () => {
  const context = await env.ctx();
  const { page } = await open(context, '/tags.html', { quiet: 0 });
  await page.evaluate(() => {
    window.__req = 'pending';
    const p = window.sekisho.require('analytics');
    if (!p || typeof p.then !== 'function') window.__req = 'not a promise';
    else p.then(() => { window.__req = 'granted'; }, (e) => { window.__req = 'rejected: ' + e; });
    window.__calls = 0;
    window.__cb = () => { window.__calls++; };
    window.sekisho.on('change', window.__cb);
    window.sekisho.off('change', window.__cb);
  });
  await page.evaluate(() => window.sekisho.set({ ads: true }));
  await sleep(300);
  assert.equal(await page.evaluate(() => window.__req), 'pending', 'not resolved while analytics is denied');
  await page.evaluate(() => window.sekisho.set({ analytics: true }));
  await page.waitForFunction(() => window.__req !== 'pending', null, { timeout: WAIT_MS });
  assert.equal(await page.evaluate(() => window.__req), 'granted');
  assert.equal(await page.evaluate(() => window.__calls), 0, 'off() removed the listener');
  await context.close();
});
