// Issue #12, the catalog. cat-1: its base layer (catalog/base.json, from third-party-web) — a page pasting the tags of
// 40 services the curated catalog does not list (ad exchanges, analytics, session replay, marketing automation, chat
// widgets, video players) without any markup. cat-2: the Japanese services a Japanese media site pastes (curated:
// ad networks, affiliates, CDP, heatmaps, native ads, Hatena), deployed as a tag manager's Custom HTML tags. Each is
// held before consent (0 requests at the loopback, audited under its id) and loads, and runs, after acceptAll(); what
// a site needs (payments, captchas, CDNs) loads from the start.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, open, audit, call, until } from './harness.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

/** service id (base layer) → [how the tag loads, URL]. */
const TAGS = {
  'hubspot': ['script', 'https://js.hs-analytics.net/analytics/1700000000000/1234567.js'],
  'mixpanel': ['script', 'https://cdn.mxpnl.com/libs/mixpanel-2-latest.min.js'],
  'taboola': ['script', 'https://cdn.taboola.com/libtrc/example-site/loader.js'],
  'outbrain': ['script', 'https://widgets.outbrain.com/outbrain.js'],
  'the-trade-desk': ['script', 'https://js.adsrvr.org/up_loader.1.1.0.js'],
  'fullstory': ['script', 'https://edge.fullstory.com/s/fs.js'],
  'intercom': ['script', 'https://widget.intercom.io/widget/abc123'],
  'segment': ['script', 'https://cdn.segment.com/analytics.js/v1/KEY/analytics.min.js'],
  'heap': ['script', 'https://cdn.heapanalytics.com/js/heap-123.js'],
  'quantcast': ['script', 'https://secure.quantserve.com/quant.js'],
  'scorecard-research': ['script', 'https://sb.scorecardresearch.com/cs/1234567/beacon.js'],
  'yandex-metrica': ['script', 'https://mc.yandex.ru/metrika/tag.js'],
  'adroll': ['script', 'https://s.adroll.com/j/roundtrip.js'],
  'marketo': ['script', 'https://munchkin.marketo.net/munchkin.js'],
  'drift': ['script', 'https://js.driftt.com/include/1700000000/abc.js'],
  'zendesk': ['script', 'https://static.zdassets.com/ekr/snippet.js?key=abc'],
  'livechat': ['script', 'https://cdn.livechatinc.com/tracking.js'],
  'tawk-to': ['script', 'https://embed.tawk.to/abc/default'],
  'crazy-egg': ['script', 'https://script.crazyegg.com/pages/scripts/0012/3456.js'],
  'mouseflow': ['script', 'https://cdn.mouseflow.com/projects/abc.js'],
  'optimizely': ['script', 'https://cdn.optimizely.com/js/123456.js'],
  'rubicon-project': ['script', 'https://micro.rubiconproject.com/prebid/dynamic/12345.js'],
  'pubmatic': ['script', 'https://ads.pubmatic.com/AdServer/js/pwt/123/456/pwt.js'],
  'appnexus': ['script', 'https://acdn.adnxs.com/ast/ast.js'],
  'index-exchange': ['script', 'https://js-sec.indexww.com/ht/p/123-456.js'],
  'media-net': ['script', 'https://contextual.media.net/dmedianet.js?cid=ABC'],
  'sharethrough': ['script', 'https://native.sharethrough.com/assets/sfp.js'],
  'gumgum': ['script', 'https://js.gumgum.com/javascripts/ggv2.js'],
  'klaviyo': ['script', 'https://static.klaviyo.com/onsite/js/klaviyo.js?company_id=ABC'],
  'braze': ['script', 'https://js.appboycdn.com/web-sdk/4.0/braze.min.js'],
  'snapchat': ['script', 'https://sc-static.net/scevent.min.js'],
  'teads': ['script', 'https://a.teads.tv/page/12345/tag'],
  'openx': ['pixel', 'https://u.openx.net/w/1.0/pd?ph=abc'],
  'triplelift': ['pixel', 'https://eb2.3lift.com/sync?px=1'],
  'sovrn': ['pixel', 'https://ap.lijit.com/pixel?redir=1'],
  'quora-ads': ['pixel', 'https://q.quora.com/_/ad/abc/pixel?tag=ViewContent'],
  'matomo': ['fetch', 'https://example.matomo.cloud/matomo.php?idsite=1&rec=1'],
  'vimeo': ['iframe', 'https://player.vimeo.com/video/76979871'],
  'wistia': ['iframe', 'https://fast.wistia.net/embed/iframe/abc123'],
  'kakao': ['script', 'https://t1.daumcdn.net/kas/static/ba.min.js'],
};
/** What a site needs: never held, before any choice. */
const NEEDED = {
  stripe: 'https://js.stripe.com/v3/',
  recaptcha: 'https://www.google.com/recaptcha/api.js',
  turnstile: 'https://challenges.cloudflare.com/turnstile/v0/api.js',
  cdnjs: 'https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js',
  jsdelivr: 'https://cdn.jsdelivr.net/npm/swiper@11/swiper-bundle.min.js',
  unpkg: 'https://unpkg.com/htmx.org@2.0.0/dist/htmx.min.js',
  jquery: 'https://code.jquery.com/jquery-3.7.1.min.js',
};

const hostOf = (url) => new URL(url).hostname;
/** A page that pastes every tag as its vendor's loader does (a script inserted by script, a pixel, a beacon, an iframe). */
function page() {
  const load = (id, [how, url]) => ({
    script: `(function(d){var s=d.createElement('script');s.async=true;s.src=${JSON.stringify(url)};d.head.appendChild(s);})(document);`,
    pixel: `new Image().src=${JSON.stringify(url)};`,
    fetch: `fetch(${JSON.stringify(url)},{mode:'no-cors',keepalive:true}).catch(function(){});`,
    iframe: `(function(d){var f=d.createElement('iframe');f.src=${JSON.stringify(url)};f.title=${JSON.stringify(id)};d.body.appendChild(f);})(document);`,
  })[how];
  const tags = Object.entries(TAGS).map(([id, tag]) => `<!-- ${id} -->\n<script>${load(id, tag)}</script>`).join('\n');
  const needed = Object.entries(NEEDED).map(([id, url]) => `<script>${load(id, ['script', url])}</script>`).join('\n');
  return `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>base layer</title>
<script type="application/json" id="sekisho-config">{"revision":1,"regime":"opt-in"}</script>
<script src="/sekisho/sekisho.js"></script>
${needed}
</head><body><h1>記事</h1>
${tags}
</body></html>`;
}

test('cat-1. 40 services only the base layer knows: held before consent, loaded and run after acceptAll(); what a site needs loads from the start', async () => {
  await env.fresh();
  const lb = env.loopback;
  lb.route('site.test', /^\/catalog\/base\.html$/, () => ({ type: 'html', body: page() }));
  // Every tag's host answers: a script that says it ran, a pixel, a page.
  for (const url of [...Object.values(TAGS).map(([, u]) => u), ...Object.values(NEEDED)]) {
    const id = Object.entries(TAGS).find(([, [, u]]) => u === url)?.[0] || Object.entries(NEEDED).find(([, u]) => u === url)[0];
    lb.route(hostOf(url), /.*/, (req, u) => (u.pathname.includes('pixel') || u.pathname.includes('sync') || u.pathname.endsWith('/pd')
      ? { type: 'gif', body: Buffer.from('R0lGODlhAQABAAAAACw=', 'base64') }
      : TAGS[id]?.[0] === 'iframe' ? { type: 'html', body: `<!doctype html><title>${id}</title>` }
        : { type: 'js', body: `(window.__ran = window.__ran || []).push(${JSON.stringify(id)});` }));
  }
  const context = await env.ctx();
  const { page: p } = await open(context, '/catalog/base.html', { loopback: lb });
  const hits = (url) => lb.requests((e) => e.host === hostOf(url)).length;

  // Before a choice: nothing of the 40; everything a site needs.
  const leaked = Object.entries(TAGS).filter(([, [, url]]) => hits(url)).map(([id]) => id);
  assert.deepEqual(leaked, [], 'no request to a base-layer service before a choice');
  const ran = await p.evaluate(() => window.__ran || []);
  assert.deepEqual(Object.keys(NEEDED).filter((id) => !ran.includes(id)), [], 'payments, captchas and CDNs load and run before a choice');
  const au = await audit(p);
  const wrong = Object.entries(TAGS).filter(([id, [, url]]) => !au.some((l) => l.action === 'blocked' && l.url === url && l.service === id))
    .map(([id, [, url]]) => `${id}: ${JSON.stringify(au.filter((l) => l.url === url))}`);
  assert.deepEqual(wrong, [], 'each is audited as blocked, named by its base-layer id');

  // After acceptAll(): each reaches its host, and each script runs.
  await call(p, 'acceptAll');
  await until(() => Object.values(TAGS).every(([, url]) => hits(url)), { timeout: 8000 }).catch(() => {});
  assert.deepEqual(Object.entries(TAGS).filter(([, [, url]]) => !hits(url)).map(([id]) => id), [], 'each loads once allowed');
  const scripts = Object.entries(TAGS).filter(([, [how]]) => how === 'script').map(([id]) => id);
  await until(async () => { const r = await p.evaluate(() => window.__ran || []); return scripts.every((id) => r.includes(id)); }, { timeout: 5000 }).catch(() => {});
  const after = await p.evaluate(() => window.__ran || []);
  assert.deepEqual(scripts.filter((id) => !after.includes(id)), [], 'each released script runs');
  await context.close();
});

/** Host → curated service id: the tags of pages/catalog/japan.html. */
const JAPAN = {
  'j.microad.net': 'microad',
  'js.rfp.fout.jp': 'freakout',
  'pdn.adingo.jp': 'fluct',
  'js.gsspcln.jp': 'geniee',
  'taj1.ebis.ne.jp': 'ad-ebis',
  'statics.a8.net': 'a8net',
  'aml.valuecommerce.com': 'valuecommerce',
  'imp-adedge.i-mobile.co.jp': 'i-mobile',
  'cdn.treasuredata.com': 'treasure-data',
  'cdn-edge.karte.io': 'karte',
  'api.popin.cc': 'popin',
  'l.logly.co.jp': 'logly-lift',
  'cdn.smartnews-ads.com': 'smartnews-ads',
  'cs.nakanohito.jp': 'user-insight',
  'js.ptengine.jp': 'ptengine',
  'hm.mieru-ca.com': 'mieruca-heatmap',
  'b.st-hatena.com': 'hatena-bookmark',
};

test('cat-2. 17 Japanese services deployed as tag-manager Custom HTML: held before consent, loaded and run after acceptAll()', async () => {
  await env.fresh();
  const lb = env.loopback;
  for (const [host, id] of Object.entries(JAPAN)) {
    lb.route(host, /.*/, (req, u) => (/\.(png|gif)$/.test(u.pathname)
      ? { type: 'gif', body: Buffer.from('R0lGODlhAQABAAAAACw=', 'base64') }
      : { type: 'js', body: `(window.__ran = window.__ran || []).push(${JSON.stringify(id)});` }));
  }
  const context = await env.ctx();
  const { page: p } = await open(context, '/catalog/japan.html', { loopback: lb });
  await until(() => false, { timeout: 800 }).catch(() => {}); // (Mieruca loads its script 500 ms after load)
  const hits = (host) => lb.requests((e) => e.host === host).length;
  assert.deepEqual(Object.keys(JAPAN).filter((h) => hits(h)), [], 'no request to a Japanese service before a choice');
  const au = await audit(p);
  const unnamed = Object.entries(JAPAN).filter(([host, id]) => !au.some((l) => l.action === 'blocked' && new URL(l.url, 'https://site.test').hostname === host && l.service === id));
  assert.deepEqual(unnamed.map(([h]) => h), [], `each is audited as blocked under its id: ${JSON.stringify(au.map((l) => [l.action, l.service, l.url]))}`);

  await call(p, 'acceptAll');
  await until(() => Object.keys(JAPAN).every((h) => hits(h)), { timeout: 8000 }).catch(() => {});
  assert.deepEqual(Object.keys(JAPAN).filter((h) => !hits(h)), [], 'each loads once allowed');
  const ids = [...new Set(Object.values(JAPAN))];
  await until(async () => { const r = await p.evaluate(() => window.__ran || []); return ids.every((id) => r.includes(id)); }, { timeout: 5000 }).catch(() => {});
  const ran = await p.evaluate(() => window.__ran || []);
  assert.deepEqual(ids.filter((id) => !ran.includes(id)), [], 'each released script runs');
  await context.close();
});

test('cat-3. sekisho.uncovered(): the third-party hosts nothing describes, with their kinds — unknown ones, and the base layer\'s (named); not the curated catalog\'s, the site\'s services, first party or CDNs', async () => {
  await env.fresh();
  const lb = env.loopback;
  const config = {
    revision: 1, regime: 'opt-in',
    services: { 'partner-widget': { category: 'functional', hosts: ['widgets.partner.example'], recipient: '株式会社パートナー（ウィジェット）',
      sent: ['ip', 'url'], purpose: '記事内ウィジェットの表示', recipientPurpose: 'ウィジェットの提供' } },
  };
  lb.route('site.test', /^\/catalog\/uncovered\.html$/, () => ({ type: 'html', body: `<!doctype html><html lang="ja"><head><meta charset="utf-8">
<script type="application/json" id="sekisho-config">${JSON.stringify(config)}</script>
<script src="/sekisho/sekisho.js"></script></head><body>
<script>
function load(src) { var s = document.createElement('script'); s.async = true; s.src = src; document.head.appendChild(s); }
load('https://cdn.some-widget.example/w.js');
load('https://cdn.some-widget.example/w2.js');
fetch('https://api.recommend.example/v1/items?page=1', { mode: 'no-cors' }).catch(function () {});
new Image().src = 'https://images.unknown-cdn.example/a.png';
load('https://widgets.partner.example/x.js');
load('https://cdn.mxpnl.com/libs/mixpanel-2-latest.min.js');
load('https://www.googletagmanager.com/gtm.js?id=GTM-X');
load('https://cdn.jsdelivr.net/npm/a@1/x.js');
load('/own.js');
new Image().src = 'https://img.site.test/hero.png';
</script></body></html>` }));
  const context = await env.ctx();
  const { page: p } = await open(context, '/catalog/uncovered.html', { loopback: lb });
  const report = await p.evaluate(() => window.sekisho.uncovered());
  assert.deepEqual(report.hosts.map(({ host, service, kinds }) => ({ host, service, kinds })), [
    { host: 'cdn.some-widget.example', service: null, kinds: ['script'] },
    { host: 'api.recommend.example', service: null, kinds: ['fetch'] },
    { host: 'images.unknown-cdn.example', service: null, kinds: ['img'] },
    // held by the base layer, which has no disclosure for it: the site describes it in `services`
    { host: 'cdn.mxpnl.com', service: 'mixpanel', kinds: ['script'] },
  ]);
  assert.equal(report.hosts[0].urls, 2, 'two URLs of one host count twice');
  assert.equal(report.more, 0);
  assert.ok(report.hosts.every((h) => typeof h.firstAt === 'number' && h.firstAt > 1.7e12), 'firstAt is a time');
  await context.close();
});

test('cat-4. a base-layer service\'s cookies (the Open Cookie Database\'s names): refused before consent, written once allowed, deleted on revoke', async () => {
  await env.fresh();
  const lb = env.loopback;
  // HubSpot (only the base layer knows it): its script writes its first-party cookies, as the real one does.
  lb.route('js.hs-scripts.com', /.*/, () => ({ type: 'js', body: `document.cookie = 'hubspotutk=5f1c; path=/; max-age=3600';
document.cookie = '__hstc=1.5f1c.1700000000; path=/; max-age=3600'; window.__hubspotRan = true;` }));
  lb.route('site.test', /^\/catalog\/hubspot\.html$/, () => ({ type: 'html', body: `<!doctype html><html lang="ja"><head><meta charset="utf-8">
<script type="application/json" id="sekisho-config">{"revision":1,"regime":"opt-in"}</script>
<script src="/sekisho/sekisho.js"></script></head><body>
<script>(function(d){var s=d.createElement('script');s.async=true;s.src='https://js.hs-scripts.com/1234567.js';d.head.appendChild(s);})(document);
// A page's own script writing HubSpot's cookie before consent: refused too.
document.cookie = 'hubspotutk=early; path=/';</script></body></html>` }));
  const context = await env.ctx();
  const { page: p } = await open(context, '/catalog/hubspot.html', { loopback: lb });
  const jar = async () => (await context.cookies('https://site.test')).map((c) => c.name).filter((n) => ['hubspotutk', '__hstc'].includes(n)).sort();
  assert.deepEqual(await jar(), [], 'no HubSpot cookie before consent');
  assert.equal(lb.countFor({ host: 'js.hs-scripts.com' }), 0);
  assert.ok((await audit(p)).some((l) => l.kind === 'cookie' && l.service === 'hubspot' && l.action === 'blocked'), 'the refused write is audited under hubspot');

  await call(p, 'acceptAll');
  await until(async () => (await jar()).length === 2, { timeout: 8000 });
  assert.deepEqual(await jar(), ['__hstc', 'hubspotutk'], 'written once allowed');

  await call(p, 'rejectAll');
  await until(async () => (await jar()).length === 0, { timeout: 8000 });
  assert.deepEqual(await jar(), [], 'deleted on revoke');
  await context.close();
});
