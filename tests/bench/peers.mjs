// Sekisho next to other consent managers, on the same page, in one run, as a Markdown table.
//
//   node tests/bench/peers.mjs [--runs N] [--only a,b] [--sekisho FILE] [--also FILE]… [--json]
//
// `--also FILE` (repeatable) adds another build of sekisho.js as a variant (`sekisho-2`, …): an A/B of builds
// measured side by side with the peers, in one run.
//
// The page (tests/bench/peers/page.html: a Japanese article with a header, nav, paragraphs, two first-party images,
// a stylesheet and a footer; no tracker) is the same for every variant; each variant inserts its consent manager
// as its documentation says (VARIANTS below); `none` inserts nothing and is the baseline. The peers are npm packages
// pinned in tests/bench/peers/package.json and installed here on first use (`npm ci`), not by CI: klaro alone
// drags in a build toolchain. c15t is headless: its variant is c15t's quickstart plus the bench's own minimal
// banner (tests/bench/peers/c15t-entry.mjs), bundled with esbuild. Every static file is served cacheable
// (max-age=3600), so that a returning visitor gets the HTTP and V8 code caches; the HTML document is not.
//
// Per load, over the browser-level DevTools pipe (cdp.mjs, no Playwright): a new target on about:blank, a
// flattened session on it with ONLY the Performance domain enabled, Page.navigate, then wait for the page's own
// report (the reporter, first in <head>: ~300 ms after `load` once no new resource arrived, it posts its long tasks
// (PerformanceObserver, buffered) and whether the variant's banner is visible), then Performance.getMetrics:
// ScriptDuration, TaskDuration, LayoutDuration, RecalcStyleDuration. These durations belong to the document:
// they restart at every navigation of the target (Chromium 156: same target, same renderer process, same URL
// alike; Performance.disable/enable does not reset them), so the figure read after a report is that one load's.
// A probe at start checks this (two navigations of one target) and stops the bench if they accumulate. Each load is
// also traced at the browser level: the main thread's script CPU and wall time with the microtasks, which
// ScriptDuration leaves out (trace.mjs); the second table, and the budget's figure.
//
// - first page view: --runs rounds (+1 warm-up round, discarded), every variant once per round in a rotating
//   order (interleaved: machine noise hits them alike), each load in a NEW browser context, disposed after;
// - returning visitor: one browser context per variant; a first load with `?decide=accept` where the page accepts
//   all through the manager's own API, 2 warm-up loads, then --runs measured loads of the same URL (same target,
//   navigated again each time), interleaved across variants; the banner must NOT show on those;
// - bytes: brotli (q11, text mode, as bench.mjs) of each file the server served under the variant's path
//   (/peers/<variant>/, /sekisho/ for Sekisho), each file once; the HTML document and the page's own files are
//   not counted; the inline snippet the variant adds to the HTML is given apart;
// - Δ: a variant's median minus the `none` median of the same run.
// Figures only: it never fails on a figure (it exits non-zero on a real error only).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startLoopback, DIST_DIR, REPO } from '../e2e/loopback.mjs';
import { launchBare } from './cdp.mjs';
import { CATEGORIES, mainThread, scriptTime } from './trace.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PEERS = path.join(HERE, 'peers');
const NM = path.join(PEERS, 'node_modules');

const args = process.argv.slice(2);
const arg = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const RUNS = Number(arg('--runs') || 9);
const ONLY = arg('--only') ? arg('--only').split(',') : null;
const SEKISHO_FILE = path.resolve(arg('--sekisho') || path.join(DIST_DIR, 'sekisho.js'));
const JSON_OUT = args.includes('--json');
const ALSO = args.flatMap((a, i) => (a === '--also' ? [path.resolve(args[i + 1])] : []));
const LOAD0 = os.loadavg();
const REPORT_TIMEOUT_MS = 20000;

// Peers: install the pinned packages when node_modules is missing or older than the lock file (npm's output goes
// to stderr: stdout is the table).
const lockTime = (f) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : -1);
if (lockTime(path.join(NM, '.package-lock.json')) < lockTime(path.join(PEERS, 'package-lock.json'))) {
  console.error('peers: npm ci in tests/bench/peers');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: PEERS, stdio: ['ignore', 2, 2] });
}
if (!fs.existsSync(SEKISHO_FILE)) { console.error(`peers: ${SEKISHO_FILE} is missing; run scripts/build.sh first`); process.exit(2); }
const SEKISHO = fs.readFileSync(SEKISHO_FILE); // read once: a build in the tree during the run changes nothing here
// The deferred module beside a build of sekisho.js (else dist/'s), fetched by it when a page needs it.
function deferredBeside(file) {
  const beside = path.join(path.dirname(file), 'sekisho-deferred.js');
  return fs.readFileSync(fs.existsSync(beside) ? beside : path.join(DIST_DIR, 'sekisho-deferred.js'));
}
const SEKISHO_VERSION = (/Sekisho ([\w.+-]+)/.exec(SEKISHO.subarray(0, 200).toString('utf8')) || [])[1] || '?';

const brotli = (buf) => zlib.brotliCompressSync(buf, { params: {
  [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
  [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
  [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length,
} }).length;

// c15t ships no browser bundle: the entry is bundled as a site would (IIFE, minified).
const esbuild = createRequire(path.join(REPO, 'tests', 'package.json'))('esbuild');
const C15T_BUNDLE = Buffer.from(esbuild.buildSync({ entryPoints: [path.join(PEERS, 'c15t-entry.mjs')], bundle: true, format: 'iife',
  minify: true, target: 'es2020', write: false, logLevel: 'warning' }).outputFiles[0].contents);

/**
 * The variants, in table order. `files`: what the server serves under /peers/<name>/ (a directory, or
 * in-memory files by name); `head` / `body`: markup inserted in <head> / at the end of <body>; `banner`: CSS selector of
 * the consent banner (visible = any match visible); `accept`: JS accepting all through the manager's own API
 * (may return a promise); `ui`: a note for the banner column when the variant has no banner by design.
 */
const VARIANTS = [
  { name: 'none', ui: 'baseline' },
  {
    // yett's README: the blacklist, then the script; it has no UI.
    name: 'yett', files: path.join(NM, 'yett', 'dist'), ui: 'no UI (a blocker)',
    head: '<script>window.YETT_BLACKLIST = [/google-analytics\\.com/, /facebook\\.net/];</script>\n'
      + '<script src="/peers/yett/yett.min.js"></script>',
  },
  {
    // The getting-started page: the stylesheet in <head>, the script and its configuration in <body>
    // (run() appends its UI to document.body, so it cannot run in <head>). hideFromBots: false, because headless
    // Chromium sets navigator.webdriver, which that option takes for a bot (no banner then).
    name: 'vanilla-cookieconsent', files: path.join(NM, 'vanilla-cookieconsent', 'dist'),
    head: '<link rel="stylesheet" href="/peers/vanilla-cookieconsent/cookieconsent.css">',
    body: `<script src="/peers/vanilla-cookieconsent/cookieconsent.umd.js"></script>
<script>
CookieConsent.run({
  hideFromBots: false,
  categories: { necessary: { enabled: true, readOnly: true }, analytics: {}, ads: {} },
  language: {
    default: 'en',
    translations: {
      en: {
        consentModal: {
          title: 'We use cookies',
          description: 'We use cookies to measure the audience of this site and to show relevant ads. You can accept all, reject all or choose.',
          acceptAllBtn: 'Accept all', acceptNecessaryBtn: 'Reject all', showPreferencesBtn: 'Manage preferences',
        },
        preferencesModal: {
          title: 'Cookie preferences',
          acceptAllBtn: 'Accept all', acceptNecessaryBtn: 'Reject all', savePreferencesBtn: 'Save preferences', closeIconLabel: 'Close',
          sections: [
            { title: 'Your choices', description: 'Choose which cookies this site may use. You can change your choice at any time.' },
            { title: 'Strictly necessary', description: 'Needed for the site to work; always on.', linkedCategory: 'necessary' },
            { title: 'Analytics', description: 'Audience measurement (Google Analytics).', linkedCategory: 'analytics' },
            { title: 'Advertising', description: 'Ads and their measurement (Meta Pixel).', linkedCategory: 'ads' },
          ],
        },
      },
    },
  },
});
</script>`,
    banner: '#cc-main .cm',
    accept: "CookieConsent.acceptCategory('all');",
  },
  {
    // The README: the configuration (klaroConfig), then klaro.js with `defer` (it includes its CSS). Klaro has no
    // Japanese texts: English, as for the other peers.
    name: 'klaro', files: path.join(NM, 'klaro', 'dist'),
    head: `<script>
var klaroConfig = {
  version: 1, elementID: 'klaro', lang: 'en', storageMethod: 'cookie', cookieName: 'klaro', cookieExpiresAfterDays: 365,
  default: false, mustConsent: false, acceptAll: true, hideDeclineAll: false, noticeAsModal: false, groupByPurpose: true,
  translations: {
    en: {
      privacyPolicyUrl: '/privacy/',
      'google-analytics': { description: 'Audience measurement' },
      'meta-pixel': { description: 'Ads and their measurement' },
      purposes: { analytics: 'Analytics', advertising: 'Advertising' },
    },
  },
  services: [
    { name: 'google-analytics', title: 'Google Analytics', purposes: ['analytics'], cookies: [/^_ga/] },
    { name: 'meta-pixel', title: 'Meta Pixel', purposes: ['advertising'], cookies: ['_fbp'] },
  ],
};
</script>
<script defer src="/peers/klaro/klaro.js"></script>`,
    banner: '.klaro .cookie-notice, .klaro .cookie-modal',
    accept: 'var m = klaro.getManager(); m.changeAll(true); m.saveAndApplyConsents();',
  },
  {
    // The README's snippet; a service defined as its "Create custom service" section shows (a job that loads
    // nothing: gtag would load a tracker once accepted, which no other variant does). tarteaucitron loads its
    // lang/, css/ and services files itself, from its own path; `.min.` in that path makes them the minified ones,
    // as from its CDN (the unminified README path would load 275 KB of services source).
    name: 'tarteaucitron', files: path.join(NM, 'tarteaucitronjs'),
    head: `<script src="/peers/tarteaucitron/tarteaucitron.min.js"></script>
<script>
tarteaucitron.init({
  privacyUrl: '/privacy/', bodyPosition: 'bottom', hashtag: '#tarteaucitron', cookieName: 'tarteaucitron', orientation: 'middle',
  groupServices: false, showDetailsOnClick: true, serviceDefaultState: 'wait', showAlertSmall: false, cookieslist: false,
  showIcon: true, iconPosition: 'BottomRight', adblocker: false, DenyAllCta: true, AcceptAllCta: true, highPrivacy: true,
  handleBrowserDNTRequest: false, removeCredit: false, moreInfoLink: true, useExternalCss: false, useExternalJs: false,
  mandatory: true, mandatoryCta: true, googleConsentMode: true, partnersList: false,
});
tarteaucitron.services.siteanalytics = {
  key: 'siteanalytics', type: 'analytic', name: 'Site analytics', needConsent: true, cookies: ['_sa'],
  js: function () {}, fallback: function () {},
};
(tarteaucitron.job = tarteaucitron.job || []).push('siteanalytics');
</script>`,
    banner: '#tarteaucitronAlertBig',
    accept: 'tarteaucitron.userInterface.respondAll(true);',
  },
  {
    name: 'c15t', files: { 'c15t.js': C15T_BUNDLE },
    head: '<script defer src="/peers/c15t/c15t.js"></script>', // see c15t-entry.mjs
    banner: '#c15t-bench-banner',
    accept: "return window.c15tStore.getState().saveConsents('all');",
  },
  ...[SEKISHO_FILE, ...ALSO].map((file, i) => {
    const name = i ? `sekisho-${i + 1}` : 'sekisho';
    return {
      name, banner: '#sekisho-root >>> .banner', sekisho: { 'sekisho.js': i ? fs.readFileSync(file) : SEKISHO, 'sekisho-deferred.js': deferredBeside(file) },
      head: '<script type="application/json" id="sekisho-config">{"revision":1,"regime":"opt-in"}</script>\n'
        + `<script src="/${name}/sekisho.js"></script>`,
      accept: 'sekisho.acceptAll();',
    };
  }),
];
const C15T_NOTE = "c15t is headless: its banner is the bench's minimal one (c15t-entry.mjs)";

for (const v of ONLY || []) if (!VARIANTS.some((x) => x.name === v)) { console.error(`peers: unknown variant ${v}`); process.exit(2); }
// `none` is always measured: every Δ is against it.
const variants = VARIANTS.filter((v) => !ONLY || v.name === 'none' || ONLY.includes(v.name) || (v.sekisho && ONLY.includes('sekisho')));
for (const v of variants) v.prefix = v.sekisho ? `/${v.name}/` : `/peers/${v.name}/`;

// The reporter, first in <head> of every variant: long tasks from the start, then ~300 ms after `load` once no
// new resource arrived in 300 ms (tarteaucitron loads its files after `load`), the decision if asked, the report.
const reporter = (v) => `<script>(function () {
  var BENCH = { variant: ${JSON.stringify(v.name)}, banner: ${JSON.stringify(v.banner || null)} };
  BENCH.accept = ${v.accept ? `function () { ${v.accept} }` : 'null'};
  var long = { count: 0, ms: 0 }, errors = [];
  function add(list) { list.forEach(function (e) { long.count++; long.ms += e.duration; }); }
  var po = new PerformanceObserver(function (l) { add(l.getEntries()); });
  po.observe({ type: 'longtask', buffered: true });
  addEventListener('error', function (e) { errors.push(String(e.message || (e.target && e.target.src) || e)); }, true);
  addEventListener('unhandledrejection', function (e) { errors.push('unhandled rejection: ' + String(e.reason)); });
  var later = function (ms) { return new Promise(function (r) { setTimeout(r, ms); }); };
  var resources = function () { return performance.getEntriesByType('resource').length; };
  function visible(el) { return el.checkVisibility({ opacityProperty: true, visibilityProperty: true }) && el.getClientRects().length > 0; }
  async function settle() {
    for (var i = 0, n = -1; i < 10 && n !== resources(); i++) { n = resources(); await later(300); }
  }
  addEventListener('load', async function () {
    await settle();
    if (/[?&]decide=accept/.test(location.search) && BENCH.accept) {
      try { await BENCH.accept(); } catch (e) { errors.push('accept: ' + e); }
      await settle();
    }
    add(po.takeRecords());
    // "host >>> selector": inside the host's open shadow root.
    var parts = BENCH.banner ? BENCH.banner.split(' >>> ') : [];
    var scope = parts.length > 1 ? document.querySelector(parts[0]) && document.querySelector(parts[0]).shadowRoot : document;
    var banner = BENCH.banner ? Boolean(scope) && [].some.call(scope.querySelectorAll(parts[parts.length - 1]), visible) : null;
    fetch('/bench/report', { method: 'POST', body: JSON.stringify({ variant: BENCH.variant, longtasks: long, banner: banner, errors: errors }) });
  });
})();</script>`;

const PAGE = fs.readFileSync(path.join(PEERS, 'page.html'), 'utf8');
const pageFor = (v) => PAGE.replace('<!--bench:reporter-->', () => reporter(v))
  .replace('<!--cmp:head-->', () => v.head || '').replace('<!--cmp:body-->', () => v.body || '');

const CACHEABLE = { 'cache-control': 'max-age=3600' };
const EXT = { '.js': 'js', '.css': 'css', '.svg': 'svg' };
/** Path → content of every file served under a variant's prefix (the bytes figure). */
const served = new Map();
function staticFile(dir, rel) {
  const f = path.resolve(dir, '.' + path.posix.normalize('/' + rel));
  if (!f.startsWith(path.resolve(dir) + path.sep) || !fs.existsSync(f) || !fs.statSync(f).isFile()) return null;
  return { type: EXT[path.extname(f)] || 'application/octet-stream', body: fs.readFileSync(f), headers: CACHEABLE };
}

const lb = await startLoopback();
lb.route('site.test', /^\/peers\/page\.html$/, (req, u) => {
  const v = variants.find((x) => x.name === u.searchParams.get('v'));
  return v && { type: 'html', body: pageFor(v), headers: { 'cache-control': 'no-cache' } };
});
lb.route('site.test', /^\/peers\/site\//, (req, u) => staticFile(path.join(PEERS, 'site'), u.pathname.slice('/peers/site/'.length)));
// Each variant's files; Sekisho's from the copy read at start, cacheable (the loopback's own /sekisho/ is no-store).
lb.route('site.test', /^\/(peers\/[\w-]+|sekisho(-\d+)?)\//, (req, u) => {
  const v = variants.find((x) => u.pathname.startsWith(x.prefix));
  if (!v) return null;
  const rel = decodeURIComponent(u.pathname.slice(v.prefix.length));
  let out = null;
  if (v.sekisho) out = v.sekisho[rel] ? { type: 'js', body: v.sekisho[rel], headers: CACHEABLE } : null;
  else if (typeof v.files === 'string') out = staticFile(v.files, rel);
  else if (v.files && v.files[rel]) out = { type: EXT[path.extname(rel)], body: v.files[rel], headers: CACHEABLE };
  if (out) served.set(u.pathname, out.body);
  return out || { status: 404, type: 'txt', body: `peers: no ${u.pathname}` };
});
// The getMetrics probe: one task of script (~30 ms), then a report.
lb.route('site.test', /^\/peers\/probe\.html$/, () => ({ type: 'html', body: '<!doctype html><meta charset=utf-8><script>'
  + 'for (var t = performance.now(); performance.now() - t < 30;);'
  + "addEventListener('load', function () { fetch('/bench/report', { method: 'POST', body: '{}' }); });</script>" }));
const reports = [];
let wake = () => {};
lb.route('site.test', /^\/bench\/report$/, async (req) => {
  let text = '';
  for await (const chunk of req) text += chunk;
  reports.push(JSON.parse(text));
  wake();
  return { status: 204, type: 'txt', body: '' };
});
async function nextReport() {
  const end = Date.now() + REPORT_TIMEOUT_MS;
  while (!reports.length && Date.now() < end) await new Promise((r) => { wake = r; setTimeout(r, 250); });
  return reports.shift() || null;
}

// Each load is traced too (browser level): the main thread's script time with microtasks, which ScriptDuration
// leaves out (trace.mjs).
let traceEvents = [];
let traced = () => {};
const bare = await launchBare(lb, { onEvent(method, params) {
  if (method === 'Tracing.dataCollected') traceEvents.push(...params.value);
  else if (method === 'Tracing.tracingComplete') traced();
} });
const { send } = bare;
const METRICS = { ScriptDuration: 'script', TaskDuration: 'task', LayoutDuration: 'layout', RecalcStyleDuration: 'style' };

/** A new browser context with one page on about:blank, a session on it, the Performance domain enabled. */
async function openPage() {
  const { browserContextId } = await send('Target.createBrowserContext', { disposeOnDetach: true });
  const { targetId } = await send('Target.createTarget', { url: 'about:blank', browserContextId });
  const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
  await send('Performance.enable', {}, sessionId);
  return { sessionId, dispose: () => send('Target.disposeBrowserContext', { browserContextId }) };
}

/** Navigate the page to `url`, wait for its report, read the metrics (ms): one page load, or null (no report). */
async function load(page, url) {
  reports.length = 0;
  traceEvents = [];
  const done = new Promise((resolve) => { traced = resolve; });
  await send('Tracing.start', { traceConfig: { includedCategories: CATEGORIES }, transferMode: 'ReportEvents' });
  const { errorText } = await send('Page.navigate', { url }, page.sessionId);
  if (errorText) throw new Error(`Page.navigate ${url}: ${errorText}`);
  const report = await nextReport();
  await send('Tracing.end');
  await done;
  if (!report) return null;
  const { metrics } = await send('Performance.getMetrics', {}, page.sessionId);
  const out = { ...report };
  for (const { name, value } of metrics) if (METRICS[name]) out[METRICS[name]] = value * 1000;
  const main = mainThread(traceEvents, new URL(url).pathname);
  const time = main ? scriptTime(main.events) : { cpu: NaN, wall: NaN };
  out.traceCpu = time.cpu;
  out.traceWall = time.wall;
  return out;
}

// The probe: two loads of one target. Accumulated durations would make the second about twice the first.
async function probeMetrics() {
  const page = await openPage();
  try {
    const a = await load(page, 'https://site.test/peers/probe.html');
    const b = await load(page, 'https://site.test/peers/probe.html');
    if (!a || !b) throw new Error('peers: the getMetrics probe page did not report');
    if (b.script > 1.5 * a.script) {
      throw new Error(`peers: Performance.getMetrics accumulates across navigations (ScriptDuration ${a.script.toFixed(1)} then `
        + `${b.script.toFixed(1)} ms): the returning-visitor figures would not be one load each`);
    }
    return { first: a.script, second: b.script };
  } finally {
    await page.dispose();
  }
}

const pageUrl = (v, decide) => `https://site.test/peers/page.html?v=${v.name}${decide ? '&decide=accept' : ''}`;
const results = Object.fromEntries(variants.map((v) => [v.name, { first: [], returning: [] }]));
const failures = [];
let probe;
try {
  probe = await probeMetrics();

  // First page view: one new browser context per load, variants in a rotating order; round 0 is the warm-up.
  for (let round = 0; round <= RUNS; round++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(k + round) % variants.length];
      const page = await openPage();
      try {
        const m = await load(page, pageUrl(v));
        if (!m) failures.push(`${v.name}: first view, round ${round}: no report in ${REPORT_TIMEOUT_MS / 1000} s`);
        else if (round > 0) results[v.name].first.push(m);
      } finally {
        await page.dispose();
      }
    }
  }

  // Returning visitor: a context per variant, all open; the decision, 2 warm-up loads, then --runs rounds.
  const pages = new Map();
  try {
    for (const v of variants) {
      const page = await openPage();
      pages.set(v.name, page);
      const decided = await load(page, pageUrl(v, true));
      if (!decided) failures.push(`${v.name}: returning visitor: the decision load did not report`);
      else results[v.name].decideErrors = decided.errors;
    }
    for (let round = -2; round < RUNS; round++) {
      for (let k = 0; k < variants.length; k++) {
        const v = variants[(k + round + 2) % variants.length];
        const m = await load(pages.get(v.name), pageUrl(v));
        if (!m) failures.push(`${v.name}: returning visitor, load ${round + 3}: no report in ${REPORT_TIMEOUT_MS / 1000} s`);
        else if (round >= 0) results[v.name].returning.push(m);
      }
    }
  } finally {
    for (const page of pages.values()) await page.dispose();
  }
} finally {
  await bare.close();
  await lb.close();
}

// Figures.
const quantile = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] : NaN; };
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n ? (n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2) : NaN; };
const col = (loads, key) => loads.map((m) => m[key]);
const base = results.none;
const baseMedian = (series, key) => median(col(base[series], key));
const bytesOf = (v) => {
  const files = Object.fromEntries([...served].filter(([p]) => p.startsWith(v.prefix)).map(([p, body]) => [p, { raw: body.length, brotli: brotli(body) }]));
  const snippet = Buffer.from((v.head || '') + (v.body || ''));
  return { files, brotli: Object.values(files).reduce((s, f) => s + f.brotli, 0), inlineBrotli: snippet.length ? brotli(snippet) : 0 };
};
const summary = Object.fromEntries(variants.map((v) => {
  const r = results[v.name];
  const delta = (series, key) => median(col(r[series], key)) - baseMedian(series, key);
  return [v.name, {
    loads: { first: r.first.length, returning: r.returning.length },
    firstView: {
      script: { median: median(col(r.first, 'script')), delta: delta('first', 'script'),
        deltaP25: quantile(col(r.first, 'script'), 0.25) - baseMedian('first', 'script'),
        deltaP75: quantile(col(r.first, 'script'), 0.75) - baseMedian('first', 'script') },
      task: { median: median(col(r.first, 'task')), delta: delta('first', 'task') },
      traceCpu: { median: median(col(r.first, 'traceCpu')), delta: delta('first', 'traceCpu') },
      traceWall: { median: median(col(r.first, 'traceWall')), delta: delta('first', 'traceWall') },
      layoutStyle: { median: median(r.first.map((m) => m.layout + m.style)),
        delta: median(r.first.map((m) => m.layout + m.style)) - median(base.first.map((m) => m.layout + m.style)) },
      longtasks: { count: median(r.first.map((m) => m.longtasks.count)), ms: median(r.first.map((m) => m.longtasks.ms)) },
      banner: r.first.filter((m) => m.banner).length,
    },
    returning: {
      script: { median: median(col(r.returning, 'script')), delta: delta('returning', 'script') },
      task: { median: median(col(r.returning, 'task')), delta: delta('returning', 'task') },
      traceCpu: { median: median(col(r.returning, 'traceCpu')), delta: delta('returning', 'traceCpu') },
      traceWall: { median: median(col(r.returning, 'traceWall')), delta: delta('returning', 'traceWall') },
      banner: r.returning.filter((m) => m.banner).length,
    },
    bytes: bytesOf(v),
    errors: [...new Set([...r.first, ...r.returning].flatMap((m) => m.errors).concat(r.decideErrors || []))],
  }];
}));
const distBrotli = fs.existsSync(path.join(DIST_DIR, 'sekisho.js')) ? brotli(fs.readFileSync(path.join(DIST_DIR, 'sekisho.js'))) : null;
const LOAD1 = os.loadavg();

if (JSON_OUT) {
  console.log(JSON.stringify({ date: new Date().toISOString(), sekisho: { version: SEKISHO_VERSION, file: SEKISHO_FILE, distBrotli },
    chromium: bare.version, node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model?.trim(),
    loadavg: { start: LOAD0, end: LOAD1 }, runs: RUNS, getMetricsProbe: probe, summary, loads: results, failures }, null, 2));
} else {
  const ms = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');
  const signed = (x) => (Number.isFinite(x) ? (x >= 0 ? '+' : '−') + Math.abs(x).toFixed(1) : '–');
  const kb = (b) => (b / 1000).toFixed(1);
  const sek = summary.sekisho;
  // Sekisho's Δ over the peer's Δ; meaningless when the peer's Δ is within noise of zero.
  const ratio = (mine, theirs) => (Number.isFinite(mine) && Number.isFinite(theirs) && theirs >= 0.5 ? `${(mine / theirs).toFixed(2)}×` : 'n/a');
  const bannerCell = (v, s) => {
    if (!v.banner) return v.ui;
    return `${s.firstView.banner}/${s.loads.first}${v.name === 'c15t' ? ' (bench UI)' : ''}`;
  };

  console.log(`Sekisho ${SEKISHO_VERSION} and peers — \`node tests/bench/peers.mjs --runs ${RUNS}${ONLY ? ` --only ${ONLY.join(',')}` : ''}\` — `
    + `${new Date().toISOString().slice(0, 10)}, headless Chromium ${bare.version}, node ${process.version}, `
    + `${os.cpus().length} CPU cores (${os.cpus()[0]?.model?.trim() || '?'}), load average at start ${LOAD0.map((x) => x.toFixed(2)).join(' ')}, `
    + `at end ${LOAD1.map((x) => x.toFixed(2)).join(' ')}; ${RUNS} rounds (+1 warm-up) of fresh-context loads, ${RUNS} returning-visitor loads per variant`);
  console.log('');
  console.log('| variant | banner on first view | script Δ, first view: median (p25–p75) | TaskDuration Δ | layout + style Δ | long tasks: count / ms (median) | brotli KB (+ inline) | script Δ, returning visitor | Sekisho ÷ this, script Δ: first / returning |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const v of variants) {
    const s = summary[v.name];
    const f = s.firstView;
    const isBase = v.name === 'none';
    const cells = isBase
      ? [`${ms(f.script.median)} (baseline)`, `${ms(f.task.median)} (baseline)`, `${ms(f.layoutStyle.median)} (baseline)`]
      : [`${signed(f.script.delta)} (${signed(f.script.deltaP25)} – ${signed(f.script.deltaP75)})`, signed(f.task.delta), signed(f.layoutStyle.delta)];
    console.log(`| ${v.name} | ${bannerCell(v, s)} | ${cells.join(' | ')} | ${f.longtasks.count} / ${ms(f.longtasks.ms)} `
      + `| ${isBase ? '–' : `${kb(s.bytes.brotli)} (+${kb(s.bytes.inlineBrotli)})`} `
      + `| ${isBase ? `${ms(s.returning.script.median)} (baseline)` : signed(s.returning.script.delta)} `
      + `| ${!sek || isBase ? '–' : v.name === 'sekisho' ? '1×' : `${ratio(sek.firstView.script.delta, f.script.delta)} / ${ratio(sek.returning.script.delta, s.returning.script.delta)}`} |`);
  }
  console.log('');
  // The same loads by trace: every top-level script event of the main thread, microtasks included.
  console.log('| variant | script by trace, first view: CPU Δ / wall Δ | returning visitor: CPU Δ / wall Δ | Sekisho ÷ this, trace wall: first / returning | Sekisho ÷ this, trace CPU: first / returning |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const v of variants) {
    const s = summary[v.name];
    const isBase = v.name === 'none';
    const pair = (x) => (isBase ? `${ms(x.traceCpu.median)} / ${ms(x.traceWall.median)} (baseline)` : `${signed(x.traceCpu.delta)} / ${signed(x.traceWall.delta)}`);
    const ratios = (key) => (!sek || isBase ? '–' : v.name === 'sekisho' ? '1×'
      : `${ratio(sek.firstView[key].delta, s.firstView[key].delta)} / ${ratio(sek.returning[key].delta, s.returning[key].delta)}`);
    console.log(`| ${v.name} | ${pair(s.firstView)} | ${pair(s.returning)} | ${ratios('traceWall')} | ${ratios('traceCpu')} |`);
  }
  console.log('');
  const shown = variants.filter((v) => v.banner && summary[v.name].firstView.banner > 0).map((v) => v.name);
  const noBanner = variants.filter((v) => v.name !== 'none' && !shown.includes(v.name))
    .map((v) => `${v.name} (${v.banner ? 'banner expected but never visible' : v.ui})`);
  console.log(`Banner on a first view: ${shown.join(', ') || 'none'}; without: ${noBanner.join(', ') || 'none'}.`
    + (variants.some((v) => v.name === 'c15t') ? ` ${C15T_NOTE}.` : ''));
  console.log('Trace: the sum of the top-level script events on the page\'s main thread (trace.mjs), CPU (thread time) and wall; '
    + 'ScriptDuration (the first table) leaves out microtasks, the trace does not.');
  console.log('Milliseconds from Performance.getMetrics, one page load each; Δ = the variant\'s median − the `none` median of the same run '
    + '(p25–p75: the variant\'s quartiles − the `none` median). Long tasks: tasks over 50 ms (PerformanceObserver). '
    + 'Brotli: files under the variant\'s own path, each once; "+ inline": the markup it adds to the HTML. KB = 1,000 bytes. '
    + 'Ratio: n/a when the peer\'s Δ is under 0.5 ms.');
  if (sek) console.log(`Sekisho file: ${path.relative(process.cwd(), SEKISHO_FILE)} (brotli ${kb(sek.bytes.brotli)} KB)`
    + (distBrotli !== null ? `; dist/sekisho.js brotli ${kb(distBrotli)} KB (${distBrotli.toLocaleString('en-US')} B)` : '') + '.');
  console.log(`Performance.getMetrics probe: ScriptDuration ${ms(probe.first)} ms then ${ms(probe.second)} ms on two navigations of one target (per load, not cumulative).`);
  const stale = variants.filter((v) => summary[v.name].returning.banner > 0);
  if (stale.length) console.log(`**Banner visible on returning-visitor loads** (after accepting): ${stale.map((v) => `${v.name} ${summary[v.name].returning.banner}/${summary[v.name].loads.returning}`).join(', ')}.`);
  if (failures.length) console.log(`Loads without a report (${failures.length}): ${failures.slice(0, 5).join(' | ')}`);
  const withErrors = variants.filter((v) => summary[v.name].errors.length);
  if (withErrors.length) console.log(`Page errors: ${withErrors.map((v) => `${v.name}: ${summary[v.name].errors.slice(0, 3).join(' / ')}`).join(' | ')}`);
}
