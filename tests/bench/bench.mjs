// Size and start-time figures for dist/sekisho.js (DESIGN §10), as a Markdown table for BENCHMARKS.md.
//
//   node tests/bench/bench.mjs [--runs N] [--fetch-calls N] [--json]
//
// - size: raw, gzip -9, brotli q11 of the ONE file a visitor downloads;
// - start: `performance.getEntriesByName('sekisho:start')[0].duration` (the SDK measures from the top of
//   sekisho.js to the gate installed), one load per FRESH browser context, page with a config and marked tags,
//   first load discarded as warm-up;
// - guarded fetch: cost of a fetch() call to an allowed third-party URL with a pre-aborted signal (no network),
//   page with the SDK minus the same page without it.
// Figures only: this never fails on a budget (budgets are not timed tests).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { startLoopback, DIST_DIR } from '../e2e/loopback.mjs';
import { launch } from '../e2e/harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : dflt; };
const RUNS = opt('--runs', 25);
const FETCH_CALLS = opt('--fetch-calls', 5000);
const JSON_OUT = args.includes('--json');
const LOAD0 = os.loadavg();

const bundle = path.join(DIST_DIR, 'sekisho.js');
if (!fs.existsSync(bundle)) { console.error(`bench: ${bundle} is missing; run scripts/build.sh first`); process.exit(2); }
const raw = fs.readFileSync(bundle);
const gzip = zlib.gzipSync(raw, { level: 9 }).length;
const brotli = zlib.brotliCompressSync(raw, { params: {
  [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
  [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
  [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
} }).length;
const version = (/Sekisho ([\w.+-]+)/.exec(raw.subarray(0, 200).toString('utf8')) || [])[1] || '?';

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]; // nearest rank
  return { n: s.length, min: s[0], p10: q(0.1), median: s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2,
    p90: q(0.9), max: s[s.length - 1] };
}

const lb = await startLoopback();
// The start figures load the e2e suite's tags.html (config + the marked GA4 / Meta Pixel / YouTube
// snippets); nosdk.html is the same page without Sekisho, for the fetch baseline.
for (const f of ['nosdk.html']) {
  lb.route('site.test', new RegExp(`^/${f.replace('.', '\\.')}$`), () => ({ type: 'html', body: fs.readFileSync(path.join(HERE, f)) }));
}
lb.route('api.partner.test', /^\/ping$/, () => ({ status: 204, type: 'txt', body: '' }));
const browser = await launch(lb);
const chromiumVersion = browser.version();

const starts = [];
const warmStarts = [];
const others = {};
let missing = 0;
let errors = [];
try {
  for (let i = 0; i <= RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto('https://site.test/tags.html', { waitUntil: 'load' });
    const m = await page.evaluate(() => performance.getEntriesByType('measure')
      .filter((e) => e.name.startsWith('sekisho:')).map((e) => ({ name: e.name, duration: e.duration })));
    await context.close();
    if (i === 0) continue; // warm-up
    const start = m.find((e) => e.name === 'sekisho:start');
    if (start) starts.push(start.duration); else missing++;
    for (const e of m) if (e.name !== 'sekisho:start') (others[e.name] ||= []).push(e.duration);
  }

  // A returning visitor: reloads in ONE context (warm cookie store; V8 caches the script's code from
  // the third load on). The first two loads are discarded.
  {
    const context = await browser.newContext();
    const page = await context.newPage();
    for (let i = 0; i < RUNS + 2; i++) {
      await page.goto('https://site.test/tags.html', { waitUntil: 'load' });
      const d = await page.evaluate(() => performance.getEntriesByName('sekisho:start')[0]?.duration);
      if (i >= 2 && d !== undefined) warmStarts.push(d);
    }
    await context.close();
  }

  // guarded fetch: cost per call with the SDK minus without it. The signal is already aborted, so the browser
  // rejects without touching the network: what is left is the JS entry cost (+ the SDK's guard, if it wraps fetch).
  async function fetchCost(url) {
    const per = [];
    let patched = null;
    for (let r = 0; r < 7; r++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(url, { waitUntil: 'load' });
      const out = await page.evaluate((n) => {
        const u = 'https://api.partner.test/ping';
        const signal = AbortSignal.abort();
        const call = () => { try { const p = fetch(u, { mode: 'no-cors', signal }); if (p && p.catch) p.catch(() => {}); } catch (e) { /* blocked synchronously */ } };
        for (let i = 0; i < 200; i++) call(); // warm the path
        const t0 = performance.now();
        for (let i = 0; i < n; i++) call();
        return { us: ((performance.now() - t0) / n) * 1000, patched: !/\[native code\]/.test(Function.prototype.toString.call(window.fetch)) };
      }, FETCH_CALLS);
      per.push(out.us);
      patched = out.patched;
      await context.close();
    }
    return { us: stats(per).median, patched };
  }
  var fetchWith = await fetchCost('https://site.test/tags.html');
  var fetchWithout = await fetchCost('https://site.test/nosdk.html');
} finally {
  await browser.close();
  await lb.close();
}

const st = starts.length ? stats(starts) : null;
const fetchAdded = fetchWith.us - fetchWithout.us;
const KB = (b) => `${(b / 1000).toFixed(1)} KB`;
const ms = (x) => `${x.toFixed(2)} ms`;
const status = (v, ceiling, goal) => (v === null || Number.isNaN(v) ? 'n/a' : v <= goal ? 'meets goal' : v <= ceiling ? 'within ceiling' : '**OVER ceiling**');

const rows = [
  ['`sekisho.js` raw', `${raw.length.toLocaleString('en-US')} B (${KB(raw.length)})`, '–', '–', ''],
  ['`sekisho.js` gzip -9', `${gzip.toLocaleString('en-US')} B (${KB(gzip)})`, '–', '–', ''],
  ['`sekisho.js` brotli q11 (what a visitor downloads)', `${brotli.toLocaleString('en-US')} B (${KB(brotli)})`, '64 KB', '14 KB', status(brotli, 64000, 14000)],
  [`start (\`sekisho:start\`), median of ${st ? st.n : 0} fresh-context loads`, st ? ms(st.median) : `n/a (no measure in ${missing} loads)`, '8 ms', '2 ms', st ? status(st.median, 8, 2) : 'n/a'],
  ['start p10 / p90', st ? `${ms(st.p10)} / ${ms(st.p90)}` : 'n/a', '', '', ''],
  ...(warmStarts.length ? [(() => { const w = stats(warmStarts); return [`start, returning visitor (median of ${w.n} reloads in one context; p10 / p90)`, `${ms(w.median)} (${ms(w.p10)} / ${ms(w.p90)})`, '8 ms', '2 ms', status(w.median, 8, 2)]; })()] : []),
  ['start min / max', st ? `${ms(st.min)} / ${ms(st.max)}` : 'n/a', '', '', ''],
  ...Object.entries(others).map(([name, xs]) => { const s = stats(xs); return [`\`${name}\` median (p10 / p90)`, `${ms(s.median)} (${ms(s.p10)} / ${ms(s.p90)})`, '', '', '']; }),
  [`added cost of an allowed third-party \`fetch\` call (median of 7 × ${FETCH_CALLS.toLocaleString('en-US')} calls, pre-aborted signal, with − without SDK)`
    + (fetchWith.patched ? '' : ' — fetch NOT wrapped by this build'),
    `${fetchAdded.toFixed(2)} µs (${fetchWith.us.toFixed(2)} − ${fetchWithout.us.toFixed(2)})`, '20 µs', '2 µs', fetchWith.patched ? status(fetchAdded, 20, 2) : 'n/a (not wrapped)'],
  ['matcher, catalog lookup per URL (host, release build)', 'not measured here (host bench)', '1 µs', '100 ns', ''],
  ['server ingest, SQLite, 2 cores', 'not measured here (server bench)', '2,000 records/s', '20,000 records/s', ''],
];

if (JSON_OUT) {
  console.log(JSON.stringify({ version, chromium: chromiumVersion, loadavg: { start: LOAD0, end: os.loadavg() }, raw: raw.length, gzip, brotli, start: st, startWarm: warmStarts.length ? stats(warmStarts) : null, startOthers: others,
    fetch: { withSdkUs: fetchWith.us, withoutSdkUs: fetchWithout.us, addedUs: fetchAdded, wrapped: fetchWith.patched }, consoleErrors: errors }, null, 2));
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
