// Issue #13, the signals vendors read (research/standards.md §1–3): Google Consent Mode v2 in `dataLayer`, Microsoft
// UET's `uetq`, Clarity's `consentv2`, GPC. A page pastes the vendors' published snippets (GA4's gtag.js, GTM, UET,
// Clarity) with no markup; the loopback's fake tags read the queues as the real ones do (tests/e2e/vendors.mjs).
// The queues are read by a script of the page (engines' drivers may evaluate in a sandbox).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, open, get, call, cookies, waitForRequests, parseConsentCookie, runAsPageScript, settleThenCount, listRequests, bannerShown, until, ENGINE } from './harness.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const REGIMES = { EEA: 'opt-in', GB: 'opt-in', CH: 'opt-in', JP: 'opt-out', default: 'opt-in' };
const SNIPPETS = {
  ga4: `<script async src="https://www.googletagmanager.com/gtag/js?id=G-SIGNALS1"></script>
<script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);} gtag('js', new Date()); gtag('config', 'G-SIGNALS1');</script>`,
  gtm: `<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src='https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);})(window,document,'script','dataLayer','GTM-SIGNALS');</script>`,
  uet: `<script>(function(w,d,t,r,u){var f,n,i;w[u]=w[u]||[],f=function(){var o={ti:"5500001"};o.q=w[u],w[u]=new UET(o),w[u].push("pageLoad")},n=d.createElement(t),n.src=r,n.async=1,n.onload=n.onreadystatechange=function(){var s=this.readyState;s&&s!=="loaded"&&s!=="complete"||(f(),n.onload=n.onreadystatechange=null)},i=d.getElementsByTagName(t)[0],i.parentNode.insertBefore(n,i)})(window,document,"script","//bat.bing.com/bat.js","uetq");</script>`,
  clarity: `<script>(function(c,l,a,r,i,t,y){c[a]=c[a]||function(){(c[a].q=c[a].q||[]).push(arguments)};t=l.createElement(r);t.async=1;t.src="https://www.clarity.ms/tag/"+i;y=l.getElementsByTagName(r)[0];y.parentNode.insertBefore(t,y);})(window,document,"clarity","script","sigclarity");</script>`,
  // The same snippets with queues of their own names (GTM's fourth argument, gtag.js' `&l=`).
  gtmNamed: `<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src='https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);})(window,document,'script','gtmQueue','GTM-NAMED');</script>`,
  // …and one written into the page as an HTML string (its script stays held until allowed: inert markup)
  gtmHtml: `<script>document.head.insertAdjacentHTML('beforeend', '<script async src="https://www.googletagmanager.com/gtm.js?id=GTM-HTML&amp;l=htmlQueue"><\\/script>'); window.htmlQueue = window.htmlQueue || []; htmlQueue.push({ event: 'own' });</script>`,
  ga4Named: `<script async src="https://www.googletagmanager.com/gtag/js?id=G-NAMED1&l=tagQueue"></script>
<script>window.tagQueue = window.tagQueue || []; function gtag2(){tagQueue.push(arguments);} gtag2('js', new Date()); gtag2('config', 'G-NAMED1');</script>`,
  googleAds: `<script>(function(d){var s=d.createElement('script');s.async=true;s.src='https://www.googleadservices.com/pagead/conversion_async.js';d.head.appendChild(s);})(document);</script>`,
};

/** A page with Sekisho first, then the snippets (`tags`, keys of SNIPPETS). */
function page(path, config, tags) {
  env.loopback.route('site.test', new RegExp(`^${path.replace(/\./g, '\\.')}$`), () => ({ type: 'html', body: `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>signals</title>
<script type="application/json" id="sekisho-config">${JSON.stringify(config)}</script>
<script src="/sekisho/sekisho.js"></script>
${tags.map((t) => SNIPPETS[t]).join('\n')}
</head><body><h1>記事</h1></body></html>` }));
}

// What the page's queues hold, as plain JSON: dataLayer entries as {args: bool, v: [...]} (an Arguments object, as
// gtag() pushes, or anything else), uetq as its items while it is still an array, clarity.q as argument lists.
const SNAPSHOT = `(function () {
  var isArgs = function (x) { return Object.prototype.toString.call(x) === '[object Arguments]'; };
  var dl = (window.dataLayer || []).map(function (e) { return isArgs(e) ? { args: true, v: Array.prototype.slice.call(e) } : { args: false, v: e }; });
  var uetq = Array.isArray(window.uetq) ? window.uetq : (window.uetq && window.uetq.consent ? { consent: window.uetq.consent } : null);
  var clarity = window.clarity && window.clarity.q ? window.clarity.q.map(function (a) { return Array.prototype.slice.call(a); }) : null;
  return { dataLayer: dl, uetq: uetq, clarity: clarity };
})()`;
async function queues(p) {
  await runAsPageScript(p, `document.documentElement.setAttribute('data-queues', JSON.stringify(${SNAPSHOT}));`);
  return JSON.parse(await p.evaluate(() => document.documentElement.getAttribute('data-queues')));
}

const TYPES = ['ad_storage', 'ad_user_data', 'ad_personalization', 'analytics_storage', 'functionality_storage', 'personalization_storage', 'security_storage'];
const consentOf = (values) => Object.fromEntries(TYPES.map((t) => [t, t === 'security_storage' || values === 'granted' ? 'granted' : values[t] || 'denied']));
/** Position of the first gtag command `name` (and first argument `arg`, if given) in a snapshot's dataLayer. */
const at = (dl, name, arg) => dl.findIndex((e) => e.args && e.v[0] === name && (arg === undefined || e.v[1] === arg));
const types = (o) => Object.fromEntries(Object.entries(o).filter(([k]) => TYPES.includes(k)));

test('sig-1. Consent Mode, UET and Clarity: defaults before any tag (regional and waiting while undecided), an update in the same task as the banner click, and on every later page right after the default', async () => {
  await env.fresh();
  const lb = env.loopback;
  page('/signals/first.html', { revision: 1, regime: REGIMES, signals: { clarity: true } }, ['ga4', 'gtm', 'uet', 'clarity']);
  const context = await env.ctx(); // UTC: the region is unknown → the strictest regime (opt-in)
  const { page: p } = await open(context, '/signals/first.html', { loopback: lb });

  const q = await queues(p);
  const dl = q.dataLayer;
  const defaults = dl.filter((e) => e.args && e.v[0] === 'consent' && e.v[1] === 'default');
  assert.equal(defaults.length, 2, `a regional default and one for the rest: ${JSON.stringify(dl)}`);
  const [regional, rest] = defaults.map((e) => e.v[2]);
  assert.ok(Array.isArray(regional.region) && ['DE', 'FR', 'IS', 'NO', 'GB', 'CH'].every((r) => regional.region.includes(r)) && !regional.region.includes('JP'),
    `the opt-in regions: ${JSON.stringify(regional.region)}`);
  assert.equal(rest.region, undefined);
  for (const d of [regional, rest]) {
    assert.deepEqual(types(d), consentOf({}), 'all seven types, denied but security');
    assert.equal(d.wait_for_update, 500, 'waits for the update while undecided');
  }
  const firstDefault = at(dl, 'consent', 'default');
  const gtmStart = dl.findIndex((e) => !e.args && e.v && e.v.event === 'gtm.js');
  assert.ok(firstDefault === 0, 'the default is the first entry');
  for (const [what, i] of [['js', at(dl, 'js')], ['config', at(dl, 'config')], ['gtm.js', gtmStart]]) {
    assert.ok(i > firstDefault, `default before ${what} (${i})`);
  }
  const redaction = at(dl, 'set', 'ads_data_redaction');
  assert.ok(redaction >= 0 && redaction < at(dl, 'config') && dl[redaction].v[2] === true, 'ads_data_redaction set before config');
  assert.equal(at(dl, 'set', 'url_passthrough'), -1, 'url_passthrough is off by default');
  assert.equal(at(dl, 'consent', 'update'), -1, 'no update before a choice');
  assert.deepEqual(q.uetq.slice(0, 3), ['consent', 'default', { ad_storage: 'denied' }], 'UET: the default first');
  assert.deepEqual(q.clarity, [['consentv2', { ad_Storage: 'denied', analytics_Storage: 'denied' }]], 'Clarity: consentv2 queued');
  // (gtag.js, a <script src> of the HTML, is fetched by the preload scanner but never runs: README "Not guarded".)
  const early = await settleThenCount(lb, (e) => ['bat.bing.com', 'www.clarity.ms', 'www.google-analytics.com'].includes(e.host) || e.path === '/gtm.js');
  assert.deepEqual(early, [], `the tags wait for consent:\n  ${listRequests(early)}`);
  assert.equal(await p.evaluate(() => window.__gtagLoaded ?? null), null, 'gtag.js has not run');

  // The visitor accepts in the banner: the updates are in the queues when the click returns (the same task).
  await bannerShown(p);
  await runAsPageScript(p, `(function () {
    var n = dataLayer.length, u = uetq.length, c = clarity.q.length;
    document.getElementById('sekisho-root').shadowRoot.querySelector('[data-sekisho-action="accept-all"]').click();
    var slice = function (a, from) { return Array.prototype.slice.call(a, from).map(function (e) { return Array.prototype.slice.call(e); }); };
    document.documentElement.setAttribute('data-same-task', JSON.stringify({ dataLayer: slice(dataLayer, n), uetq: uetq.slice(u), clarity: slice(clarity.q, c) }));
  })();`);
  const sameTask = JSON.parse(await p.evaluate(() => document.documentElement.getAttribute('data-same-task')));
  assert.deepEqual(sameTask.dataLayer, [['consent', 'update', consentOf('granted')]], 'gtag update, all granted');
  assert.deepEqual(sameTask.uetq, ['consent', 'update', { ad_storage: 'granted' }]);
  assert.deepEqual(sameTask.clarity, [['consentv2', { ad_Storage: 'granted', analytics_Storage: 'granted' }]]);

  // The released tags read the queues: GA4 and UET send hits with storage granted, Clarity collects.
  await until(() => lb.countFor({ host: 'www.google-analytics.com', path: '/g/collect' }) && lb.countFor({ host: 'bat.bing.com', path: '/action/0' }), { timeout: 8000 });
  const ga = lb.requests({ host: 'www.google-analytics.com', path: '/g/collect' });
  assert.ok(ga.length && ga.every((e) => /gcs=G111/.test(e.search)), `GA4 hits say granted: ${listRequests(ga)}`);
  const uet = lb.requests({ host: 'bat.bing.com', path: '/action/0' });
  assert.ok(uet.length && uet.every((e) => /asc=G/.test(e.search)), `UET hits say granted: ${listRequests(uet)}`);

  // The next page: the default, then the stored choice's update right after it, before the tags; no waiting.
  const next = await open(context, '/signals/first.html', { loopback: lb });
  const dl2 = (await queues(next.page)).dataLayer;
  const update = at(dl2, 'consent', 'update');
  assert.ok(update > at(dl2, 'consent', 'default') && update < at(dl2, 'js') && update < at(dl2, 'config'), `update before the tags: ${JSON.stringify(dl2.map((e) => e.v[0] || e.v.event))}`);
  assert.deepEqual(dl2[update].v[2], consentOf('granted'));
  assert.ok(dl2.filter((e) => e.args && e.v[1] === 'default').every((e) => e.v[2].wait_for_update === undefined), 'no wait_for_update once decided');
  await context.close();
});

test('sig-2. GPC: ads denied in every signal over a stored "accept all", the opt-out stored (a later page without GPC keeps it), analytics unchanged', async (t) => {
  if (!env.supports.gpc) { t.skip(`${ENGINE} implements no Global Privacy Control: no visitor of it sends the signal`); return; }
  await env.fresh();
  const lb = env.loopback;
  page('/signals/gpc.html', { revision: 1, regime: 'opt-in' }, ['ga4', 'uet']);
  const accepted = `1.7df3f352-046c-4343-ae94-28d0584de477.1.31.${Math.floor(Date.now() / 1000) - 60}`;
  const context = await env.ctx({ gpc: true, cookies: [{ name: 'sekisho', value: accepted }] });
  const { page: p } = await open(context, '/signals/gpc.html', { loopback: lb });
  const state = await get(p);
  assert.equal(state.gpc, true);
  assert.equal(state.categories.ads, false, 'GPC withdraws ads');
  assert.equal(state.categories.analytics, true, 'and only ads');
  const q = await queues(p);
  const update = q.dataLayer.find((e) => e.args && e.v[0] === 'consent' && e.v[1] === 'update');
  assert.deepEqual(types(update.v[2]), consentOf({ analytics_storage: 'granted', functionality_storage: 'granted', personalization_storage: 'granted' }));
  assert.deepEqual(q.uetq.slice(3, 6), ['consent', 'update', { ad_storage: 'denied' }], 'UET: ad_storage denied');
  const stored = (await cookies(context)).sekisho;
  assert.equal(parseConsentCookie(stored).categories.ads, false, 'the opt-out is stored');
  assert.equal(parseConsentCookie(stored).categories.analytics, true);
  const early = await settleThenCount(lb, (e) => e.host === 'bat.bing.com');
  assert.deepEqual(early, [], `the ad tag stays held:\n  ${listRequests(early)}`);
  await context.close();

  // A later visit without GPC, with what the browser kept: the opt-out stands (GPC's absence is not consent).
  lb.reset();
  const later = await env.ctx({ cookies: [{ name: 'sekisho', value: stored }] });
  const again = await open(later, '/signals/gpc.html', { loopback: lb });
  const st = await get(again.page);
  assert.equal(st.gpc, false);
  assert.equal(st.categories.ads, false, 'still opted out of ads');
  const dl = (await queues(again.page)).dataLayer;
  assert.equal(dl.find((e) => e.args && e.v[1] === 'update').v[2].ad_storage, 'denied');
  const bat = await settleThenCount(lb, (e) => e.host === 'bat.bing.com');
  assert.deepEqual(bat, [], `UET stays held:\n  ${listRequests(bat)}`);
  await later.close();
});

test('sig-4. GPC on a first visit in the opt-out regime (Japan): ads refused and nothing else decided; the opt-out is remembered (a later page without GPC keeps ads off) until the visitor chooses; the notice says GPC was honoured', async (t) => {
  if (!env.supports.gpc) { t.skip(`${ENGINE} implements no Global Privacy Control: no visitor of it sends the signal`); return; }
  await env.fresh();
  const lb = env.loopback;
  page('/signals/gpc-jp.html', { revision: 1, regime: REGIMES }, ['ga4', 'uet']);
  const context = await env.ctx({ gpc: true, timezoneId: 'Asia/Tokyo' });
  const { page: p } = await open(context, '/signals/gpc-jp.html', { loopback: lb });
  const st = await get(p);
  assert.deepEqual([st.regime, st.decided, st.categories.ads, st.categories.analytics, st.categories.sns], ['opt-out', false, false, true, false]);
  const jar = await cookies(context);
  assert.equal(jar.sekisho, undefined, 'no choice is made for the visitor');
  assert.equal(jar.sekisho_gpc, '1', 'the opt-out is remembered');
  const dl = (await queues(p)).dataLayer;
  assert.equal(dl.find((e) => e.args && e.v[1] === 'default' && !e.v[2].region).v[2].ad_storage, 'denied');
  await until(() => lb.countFor({ host: 'www.google-analytics.com', path: '/g/collect' }), { timeout: 8000 });
  assert.ok(lb.countFor({ host: 'www.google-analytics.com', path: '/g/collect' }) >= 1, 'analytics loads (opt-out)');
  assert.deepEqual(await settleThenCount(lb, (e) => e.host === 'bat.bing.com'), [], 'UET held');
  await p.waitForFunction(() => document.getElementById('sekisho-root')?.shadowRoot?.querySelector('.banner .gpc'), null, { timeout: 8000 });
  await context.close();

  // A later visit without GPC: still no ads, still undecided; then the visitor's own "accept all" speaks.
  lb.reset();
  const later = await env.ctx({ timezoneId: 'Asia/Tokyo', cookies: [{ name: 'sekisho_gpc', value: '1' }] });
  const again = await open(later, '/signals/gpc-jp.html', { loopback: lb });
  const st2 = await get(again.page);
  assert.deepEqual([st2.gpc, st2.decided, st2.categories.ads], [true, false, false], 'GPC\'s absence is not consent');
  assert.deepEqual(await settleThenCount(lb, (e) => e.host === 'bat.bing.com'), [], 'UET still held');
  await call(again.page, 'acceptAll');
  assert.equal((await get(again.page)).categories.ads, true, 'an explicit choice');
  await until(async () => (await cookies(later)).sekisho_gpc === undefined, { timeout: 3000 });
  assert.equal((await cookies(later)).sekisho_gpc, undefined, 'the marker goes once the visitor chooses');
  await waitForRequests(lb, { host: 'bat.bing.com', path: '/bat.js' });
  await later.close();
});

test('sig-3. Advanced consent mode for GA4: gtag.js loads before consent and sends cookieless pings (no _ga); Google Ads (basic) stays held; after acceptAll, cookies and granted hits', async () => {
  await env.fresh();
  const lb = env.loopback;
  page('/signals/advanced.html', { revision: 1, regime: 'opt-in', signals: { googleConsentMode: { advanced: ['google-analytics'] } } }, ['ga4', 'googleAds']);
  const context = await env.ctx();
  const { page: p } = await open(context, '/signals/advanced.html', { loopback: lb });
  await until(() => lb.countFor({ host: 'www.google-analytics.com', path: '/g/collect' }), { timeout: 8000 });
  const pings = lb.requests({ host: 'www.google-analytics.com', path: '/g/collect' });
  assert.ok(pings.length && pings.every((e) => /gcs=G100/.test(e.search) && /cid=(&|$)/.test(e.search)), `cookieless pings before consent: ${listRequests(pings)}`);
  assert.equal((await cookies(context))._ga, undefined, 'no _ga cookie before consent');
  const ads = await settleThenCount(lb, (e) => e.host === 'www.googleadservices.com');
  assert.deepEqual(ads, [], `Google Ads in basic mode waits:\n  ${listRequests(ads)}`);
  const held = (await p.evaluate(() => window.sekisho.audit())).filter((l) => l.action === 'blocked').map((l) => l.service);
  assert.ok(held.includes('google-ads') && !held.includes('google-analytics') && !held.includes('google-tag-manager'), JSON.stringify(held));
  assert.equal(await p.evaluate(() => typeof window.clarity), 'undefined', 'no Clarity queue unless configured');

  await call(p, 'acceptAll');
  await until(async () => (await cookies(context))._ga, { timeout: 5000 });
  assert.ok((await cookies(context))._ga, '_ga once analytics is granted');
  await until(() => lb.countFor({ host: 'www.googleadservices.com' }), { timeout: 5000 });
  assert.ok(lb.countFor({ host: 'www.googleadservices.com' }) >= 1, 'Google Ads loads once allowed');
  await p.evaluate(() => window.gtag('event', 'after_consent'));
  await until(() => lb.requests({ host: 'www.google-analytics.com', path: '/g/collect' }).some((e) => /en=after_consent/.test(e.search)), { timeout: 5000 });
  const granted = lb.requests({ host: 'www.google-analytics.com', path: '/g/collect' }).filter((e) => /en=after_consent/.test(e.search));
  assert.ok(granted.length && granted.every((e) => /gcs=G111/.test(e.search)), listRequests(granted));
  await context.close();
});

test('sig-5. Google\'s tags reading a queue of another name (GTM\'s snippet argument, gtag.js &l=, one written in an HTML string): the defaults are at its front, before the tag\'s own entries, and each update goes there too', async () => {
  await env.fresh();
  page('/signals/named.html', { revision: 1, regime: 'opt-in' }, ['gtmNamed', 'ga4Named', 'gtmHtml']);
  const context = await env.ctx();
  const { page: p } = await open(context, '/signals/named.html', { loopback: env.loopback });
  const read = async () => {
    await runAsPageScript(p, `(function () {
      var isArgs = function (x) { return Object.prototype.toString.call(x) === '[object Arguments]'; };
      var snap = function (q) { return (q || []).map(function (e) { return isArgs(e) ? { args: true, v: Array.prototype.slice.call(e) } : { args: false, v: e }; }); };
      document.documentElement.setAttribute('data-named', JSON.stringify({ gtm: snap(window.gtmQueue), gtag: snap(window.tagQueue), html: snap(window.htmlQueue), dataLayer: snap(window.dataLayer) }));
    })();`);
    return JSON.parse(await p.evaluate(() => document.documentElement.getAttribute('data-named')));
  };
  const q = await read();
  for (const [name, dl, first] of [['gtmQueue', q.gtm, q.gtm.findIndex((e) => !e.args && e.v.event === 'gtm.js')], ['tagQueue', q.gtag, at(q.gtag, 'js')],
    ['htmlQueue', q.html, q.html.findIndex((e) => !e.args && e.v.event === 'own')]]) {
    const d = at(dl, 'consent', 'default');
    assert.equal(d, 0, `${name}: the default is the first entry: ${JSON.stringify(dl)}`);
    assert.deepEqual(types(dl[d].v[2]), consentOf({}), `${name}: denied but security`);
    assert.ok(first > d && at(dl, 'set', 'ads_data_redaction') < first, `${name}: the default and ads_data_redaction before the tag's own entries (${first})`);
  }
  assert.equal(at(q.dataLayer, 'consent', 'default'), 0, 'dataLayer has them too');

  await call(p, 'set', { analytics: true });
  const after = await read();
  // (The released tags may have pushed entries of their own since.)
  for (const [name, dl, before] of [['gtmQueue', after.gtm, q.gtm], ['tagQueue', after.gtag, q.gtag], ['htmlQueue', after.html, q.html], ['dataLayer', after.dataLayer, q.dataLayer]]) {
    const updates = dl.slice(before.length).filter((e) => e.args && e.v[0] === 'consent' && e.v[1] === 'update');
    assert.equal(updates.length, 1, `${name}: one update: ${JSON.stringify(dl.slice(before.length))}`);
    assert.ok(updates[0].v[2].analytics_storage === 'granted' && updates[0].v[2].ad_storage === 'denied', `${name}: analytics granted, ads denied`);
  }
  await context.close();
});
