// Size and start-time figures for dist/sekisho.js (docs/contracts.md §9), as a Markdown table for BENCHMARKS.md.
//
//   node tests/bench/bench.mjs [--runs N] [--fetch-calls N] [--json]
//   node tests/bench/bench.mjs --compare [--runs N] a/sekisho.js b/sekisho.js …   (A/B of builds, start only)
//
// - size: raw, gzip -9, brotli q11 of the ONE file a visitor downloads;
// - start: `sekisho:start` (the SDK measures from the top of sekisho.js to the gate installed) and its phases,
//   reported by the page itself. First page view: one load per FRESH browser context; returning visitor: one
//   context whose page reloads itself. Both without a DevTools session on the page (tests/bench/cdp.mjs), as a
//   visitor's browser runs it. The page is the e2e suite's tags.html (config + marked GA4 / Meta Pixel / YouTube);
//   the first load of each series is discarded as warm-up. --compare interleaves builds load by load, so that
//   machine noise hits them alike;
// - guarded fetch: cost of a fetch() call to an allowed third-party URL with a pre-aborted signal (no network),
//   blocks of calls through the guarded fetch and the native one (kept before sekisho.js wrapped it) alternate
//   in one page; the figure is the median difference (Playwright: it needs to run code in the page).
// - DOM overhead: what the guards add to common framework operations (import a template row and insert it, create
//   and insert elements, innerHTML, a non-URL setAttribute), the MutationObserver's work included: pages with and
//   without sekisho.js alternate, 6 each;
//   the figure is the difference of the medians, per operation (informational: no budget covers it).
// Figures only: this never fails on a budget (budgets are not timed tests).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { startLoopback, DIST_DIR, PAGES_DIR } from '../e2e/loopback.mjs';
import { launch } from '../e2e/harness.mjs';
import { launchBare } from './cdp.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : dflt; };
const RUNS = opt('--runs', 25);
const FETCH_CALLS = opt('--fetch-calls', 5000);
const JSON_OUT = args.includes('--json');
const COMPARE = args.includes('--compare') ? args.filter((a, i) => a.endsWith('.js') && args[i - 1] !== '--runs') : null;
const LOAD0 = os.loadavg();

const bundle = path.join(DIST_DIR, 'sekisho.js');
if (!fs.existsSync(bundle)) { console.error(`bench: ${bundle} is missing; run scripts/build.sh first`); process.exit(2); }
const raw = fs.readFileSync(bundle);
const gzip = zlib.gzipSync(raw, { level: 9 }).length;
const brotliOf = (buf) => zlib.brotliCompressSync(buf, { params: {
  [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
  [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
  [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length,
} }).length;
const brotli = brotliOf(raw);
// The deferred module: downloaded by a visitor who has not decided (and when the config has problems).
const deferredFile = path.join(DIST_DIR, 'sekisho-deferred.js');
const deferredBrotli = fs.existsSync(deferredFile) ? brotliOf(fs.readFileSync(deferredFile)) : 0;
const version = (/Sekisho ([\w.+-]+)/.exec(raw.subarray(0, 200).toString('utf8')) || [])[1] || '?';

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]; // nearest rank
  return { n: s.length, min: s[0], p10: q(0.1), median: s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2,
    p90: q(0.9), max: s[s.length - 1] };
}

const lb = await startLoopback();
// The start page: tags.html with the bundle under test and a reporter that posts the page's measures (and,
// for a returning visitor, reloads the page until it has loaded `reloads` times).
const REPORTER = `<script>addEventListener('load', function () { setTimeout(function () {
  var m = {}; performance.getEntriesByType('measure').forEach(function (e) { if (e.name.indexOf('sekisho:') === 0) m[e.name] = e.duration; });
  var n = Number(sessionStorage.getItem('bench-n') || 0) + 1; sessionStorage.setItem('bench-n', n);
  var again = n < Number(new URLSearchParams(location.search).get('reloads') || 0);
  fetch('/bench/report', { method: 'POST', body: JSON.stringify(m) }).then(function () { if (again) location.reload(); });
}, 30); });</script>`;
const TAGS = fs.readFileSync(path.join(PAGES_DIR, 'tags.html'), 'utf8');
lb.route('site.test', /^\/bench\/start\.html$/, (req, u) => {
  const v = u.searchParams.get('v');
  const html = TAGS.replace('/sekisho/sekisho.js', v === null ? '/sekisho/sekisho.js' : `/bench/v/${v}.js`).replace('</body>', `${REPORTER}</body>`);
  return { type: 'html', body: html };
});
lb.route('site.test', /^\/bench\/v\/\d+\.js$/, (req, u) => ({ type: 'js', body: fs.readFileSync(COMPARE[Number(/\d+/.exec(u.pathname)[0])]) }));
const reports = [];
let wake = () => {};
lb.route('site.test', /^\/bench\/report$/, async (req) => {
  let text = '';
  for await (const chunk of req) text += chunk;
  reports.push(JSON.parse(text));
  wake();
  return { status: 204, type: 'txt', body: '' };
});
async function nextReport(timeout = 20000) {
  const end = Date.now() + timeout;
  while (!reports.length && Date.now() < end) await new Promise((r) => { wake = r; setTimeout(r, 250); });
  return reports.shift() || null;
}
// The fetch page keeps the native fetch before sekisho.js wraps it (no tags on it: nothing else runs).
lb.route('site.test', /^\/bench\/fetch\.html$/, () => ({ type: 'html',
  body: '<!doctype html><html><head><meta charset=utf-8><script>window.__nativeFetch = window.fetch;</script>'
    + '<script type="application/json" id="sekisho-config">{"revision":1,"regime":"opt-in"}</script>'
    + '<script src="/sekisho/sekisho.js"></script></head><body></body></html>' }));
lb.route('api.partner.test', /^\/ping$/, () => ({ status: 204, type: 'txt', body: '' }));
// The DOM page: a template row of first-party content, with or without the SDK.
lb.route('site.test', /^\/bench\/dom-(with|without)\.html$/, (req, u) => ({ type: 'html', body: '<!doctype html><html><head><meta charset=utf-8>'
  + (u.pathname.includes('without') ? '' : '<script src="/sekisho/sekisho.js"></script>')
  + '<template id=row><div class=row><span class=a>x</span><a href="/item">y</a><img alt="" src="/pixel.gif"><button>z</button></div></template>'
  + '</head><body><div id=host></div></body></html>' }));
const DOM_OPS = {
  'import a template row and insert it (`importNode` + `appendChild`)': 'importRow',
  'create a `div` with a child, set two attributes, insert it': 'createRow',
  '`innerHTML` of a row (one `img`, one link)': 'innerHTML',
  '`setAttribute("class", …)`': 'setAttribute',
};

/** Fresh-context loads of the start page, `variants` interleaved: one { measure: [durations] } per variant. */
async function freshStarts(bare, variants, runs) {
  const out = variants.map(() => ({}));
  let missing = 0;
  for (let i = 0; i <= runs; i++) {
    for (let k = 0; k < variants.length; k++) {
      reports.length = 0;
      const dispose = await bare.open(`https://site.test/bench/start.html${variants[k] === null ? '' : `?v=${variants[k]}`}`);
      const m = await nextReport();
      await dispose();
      if (!m || m['sekisho:start'] === undefined) { missing++; continue; }
      if (i === 0) continue; // warm-up
      for (const [name, d] of Object.entries(m)) (out[k][name] ||= []).push(d);
    }
  }
  return { out, missing };
}

const bare = await launchBare(lb);
const chromiumVersion = bare.version;
if (COMPARE) {
  const { out, missing } = await freshStarts(bare, COMPARE.map((_, k) => k), RUNS);
  await bare.close();
  await lb.close();
  const names = [...new Set(out.flatMap((o) => Object.keys(o)))];
  console.log(`fresh-context start, median of ${RUNS} interleaved loads per build (ms), load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`
    + (missing ? `, ${missing} loads without a measure` : ''));
  console.log(`| measure | ${COMPARE.join(' | ')} |`);
  console.log(`| --- |${COMPARE.map(() => ' ---: |').join('')}`);
  for (const n of names) console.log(`| \`${n}\` | ${out.map((o) => (o[n] ? stats(o[n]).median.toFixed(2) : '–')).join(' | ')} |`);
  process.exit(0);
}

let starts = [];
let others = {};
let missing = 0;
const warmStarts = [];
const errors = [];
try {
  ({ out: [others], missing } = await freshStarts(bare, [null], RUNS));
  starts = others['sekisho:start'] || [];
  delete others['sekisho:start'];

  // A returning visitor: one context, the page reloads itself (warm cookie store; V8 caches the script's code
  // from the third load on). The first two loads are discarded.
  {
    reports.length = 0;
    const dispose = await bare.open(`https://site.test/bench/start.html?reloads=${RUNS + 2}`);
    for (let i = 0; i < RUNS + 2; i++) {
      const m = await nextReport();
      if (!m) break;
      if (i >= 2 && m['sekisho:start'] !== undefined) warmStarts.push(m['sekisho:start']);
    }
    await dispose();
  }
} finally {
  await bare.close();
}

const browser = await launch(lb);
try {
  // guarded fetch: the page keeps the native fetch in a variable before sekisho.js wraps it, then alternates
  // blocks of calls through the guarded and the native function (same page, same JIT state, so the machine's
  // drift hits both alike). The signal is already aborted, so the browser rejects without touching the network:
  // the difference is the guard's own cost. Two URLs, after acceptAll(): a catalog service's (Google Analytics:
  // allowed by the choice, so the Wasm policy is asked and an "allowed" audit line written on every call: the
  // figure held against the ceiling), and an unknown third party's (allowed whatever the choice: remembered).
  const fetchRounds = [];
  const partnerRounds = [];
  let patched = true;
  for (let c = 0; c < 3; c++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto('https://site.test/bench/fetch.html', { waitUntil: 'load' });
    const out = await page.evaluate((n) => {
      window.sekisho.acceptAll();
      const signal = AbortSignal.abort();
      const run = (f, u, calls) => {
        const t0 = performance.now();
        for (let i = 0; i < calls; i++) { try { f(u, { mode: 'no-cors', signal }).catch(() => {}); } catch (e) { /* blocked synchronously */ } }
        return ((performance.now() - t0) / calls) * 1000;
      };
      const guarded = window.fetch;
      const native = window.__nativeFetch;
      const measure = (u) => {
        run(guarded, u, 500); run(native, u, 500); // warm both paths
        const rounds = [];
        for (let r = 0; r < 9; r++) rounds.push({ with: run(guarded, u, n), without: run(native, u, n) });
        return rounds;
      };
      return { rounds: measure('https://www.google-analytics.com/g/collect?v=2&tid=G-BENCH'), partner: measure('https://api.partner.test/ping'),
        patched: guarded !== native };
    }, FETCH_CALLS);
    fetchRounds.push(...out.rounds);
    partnerRounds.push(...out.partner);
    patched = patched && out.patched;
    await context.close();
  }
  var fetchWith = { us: stats(fetchRounds.map((p) => p.with)).median, patched };
  var fetchWithout = { us: stats(fetchRounds.map((p) => p.without)).median };
  var fetchAddedMedian = stats(fetchRounds.map((p) => p.with - p.without)).median;
  var partnerAddedMedian = stats(partnerRounds.map((p) => p.with - p.without)).median;

  // DOM overhead: alternate pages with and without the SDK; each reports µs per operation for every case.
  var domRuns = { with: {}, without: {} };
  for (let c = 0; c < 12; c++) {
    const variant = c % 2 ? 'with' : 'without';
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`https://site.test/bench/dom-${variant}.html`, { waitUntil: 'load' });
    const out = await page.evaluate(async () => {
      const host = document.getElementById('host');
      const row = document.getElementById('row').content;
      // Includes the MutationObserver's work: its callback is a microtask queued before the `await`'s continuation.
      const time = async (f, n) => { const t0 = performance.now(); for (let i = 0; i < n; i++) f(i); await null; return ((performance.now() - t0) / n) * 1000; };
      const cases = {
        importRow: () => time(() => host.appendChild(document.importNode(row, true)), 2000),
        createRow: () => time((i) => { const d = document.createElement('div'); d.setAttribute('class', 'c' + i); d.setAttribute('data-i', String(i));
          d.appendChild(document.createElement('span')); host.appendChild(d); }, 2000),
        innerHTML: () => time(() => { host.innerHTML = '<div class=row><span>x</span><a href="/item">y</a><img alt="" src="/pixel.gif"></div>'; }, 2000),
        setAttribute: () => time((i) => host.setAttribute('class', 'k' + (i & 7)), 20000),
      };
      const res = {};
      for (const [name, run] of Object.entries(cases)) { await run(); host.textContent = ''; res[name] = await run(); host.textContent = ''; await null; }
      return res;
    });
    for (const [name, us] of Object.entries(out)) (domRuns[variant][name] ||= []).push(us);
    await context.close();
  }
} finally {
  await browser.close();
  await lb.close();
}

const st = starts.length ? stats(starts) : null;
const fetchAdded = fetchAddedMedian;
const KB = (b) => `${(b / 1000).toFixed(1)} KB`;
const ms = (x) => `${x.toFixed(2)} ms`;
const status = (v, ceiling, goal) => (v === null || Number.isNaN(v) ? 'n/a' : v <= goal ? 'meets goal' : v <= ceiling ? 'within ceiling' : '**OVER ceiling**');

const rows = [
  ['`sekisho.js` raw', `${raw.length.toLocaleString('en-US')} B (${KB(raw.length)})`, '–', '–', ''],
  ['`sekisho.js` gzip -9', `${gzip.toLocaleString('en-US')} B (${KB(gzip)})`, '–', '–', ''],
  ['`sekisho.js` brotli q11: the synchronous critical path', `${brotli.toLocaleString('en-US')} B (${KB(brotli)})`, '32 KB', '14 KB', status(brotli, 32000, 14000)],
  ['`sekisho-deferred.js` brotli q11', `${deferredBrotli.toLocaleString('en-US')} B (${KB(deferredBrotli)})`, '–', '–', ''],
  ['brotli a first-time visitor downloads in all (both files)', `${(brotli + deferredBrotli).toLocaleString('en-US')} B (${KB(brotli + deferredBrotli)})`, '64 KB', '30 KB', status(brotli + deferredBrotli, 64000, 30000)],
  [`start (\`sekisho:start\`: from the first line of sekisho.js to its end), median of ${st ? st.n : 0} fresh-context loads (the budget is peers.mjs's ratio)`, st ? ms(st.median) : `n/a (no measure in ${missing} loads)`, '–', '–', ''],
  ['start p10 / p90', st ? `${ms(st.p10)} / ${ms(st.p90)}` : 'n/a', '', '', ''],
  ...(warmStarts.length ? [(() => { const w = stats(warmStarts); return [`start, returning visitor (median of ${w.n} reloads in one context; p10 / p90)`, `${ms(w.median)} (${ms(w.p10)} / ${ms(w.p90)})`, '–', '–', '']; })()] : []),
  ['start min / max', st ? `${ms(st.min)} / ${ms(st.max)}` : 'n/a', '', '', ''],
  ...Object.entries(others).map(([name, xs]) => { const s = stats(xs); return [`\`${name}\` median (p10 / p90)`, `${ms(s.median)} (${ms(s.p10)} / ${ms(s.p90)})`, '', '', '']; }),
  [`added cost of an allowed \`fetch\` call to a catalog service (Google Analytics after \`acceptAll()\`: policy asked, audit line written; median of 27 paired blocks of ${FETCH_CALLS.toLocaleString('en-US')} calls, pre-aborted signal, guarded − native in one page)`
    + (fetchWith.patched ? '' : ' — fetch NOT wrapped by this build'),
    `${fetchAdded.toFixed(2)} µs (medians ${fetchWith.us.toFixed(2)} with, ${fetchWithout.us.toFixed(2)} without)`, '20 µs', '2 µs', fetchWith.patched ? status(fetchAdded, 20, 2) : 'n/a (not wrapped)'],
  ['added cost of a `fetch` call to an unknown third party (allowed whatever the choice: remembered after the first call)', `${partnerAddedMedian.toFixed(2)} µs`, '', '', ''],
  ...Object.entries(DOM_OPS).map(([label, name]) => {
    const w = stats(domRuns.with[name]).median;
    const wo = stats(domRuns.without[name]).median;
    return [`added cost per DOM operation: ${label} (medians of 6 pages each)`, `${(w - wo).toFixed(2)} µs (${w.toFixed(2)} with, ${wo.toFixed(2)} without)`, '', '', ''];
  }),
  ['matcher, catalog lookup per URL (host, release build)', 'not measured here (host bench)', '1 µs', '100 ns', ''],
  ['server ingest, SQLite, 2 cores', 'not measured here (server bench)', '2,000 records/s', '20,000 records/s', ''],
];

if (JSON_OUT) {
  console.log(JSON.stringify({ version, chromium: chromiumVersion, loadavg: { start: LOAD0, end: os.loadavg() }, raw: raw.length, gzip, brotli, deferredBrotli, start: st, startWarm: warmStarts.length ? stats(warmStarts) : null, startOthers: others,
    fetch: { withSdkUs: fetchWith.us, withoutSdkUs: fetchWithout.us, addedUs: fetchAdded, wrapped: fetchWith.patched, unknownThirdPartyAddedUs: partnerAddedMedian },
    dom: Object.fromEntries(Object.values(DOM_OPS).map((n) => [n, { withUs: stats(domRuns.with[n]).median, withoutUs: stats(domRuns.without[n]).median }])),
    consoleErrors: errors }, null, 2));
} else {
  console.log(`Sekisho ${version} — \`node tests/bench/bench.mjs --runs ${RUNS}\` — ${new Date().toISOString().slice(0, 10)}, `
    + `headless Chromium ${chromiumVersion}, node ${process.version}, ${os.cpus().length} CPU cores (${os.cpus()[0]?.model?.trim() || '?'}), `
    + `load average at start ${LOAD0.map((x) => x.toFixed(2)).join(' ')}, at end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log('');
  console.log('| figure | measured | ceiling now | goal | status |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log('');
  console.log('KB = 1,000 bytes. performance.now() is clamped to 0.1 ms here (page not cross-origin isolated), so single loads are coarse; the median over fresh contexts is the figure.');
  if (errors.length) console.log(`\nConsole errors during the runs (${errors.length}): ${[...new Set(errors)].slice(0, 5).join(' | ')}`);
}
