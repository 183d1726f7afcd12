// Main-thread CPU time of script at load, by trace: builds of sekisho.js (and vanilla-cookieconsent) side by
// side, for decisions finer than ScriptDuration's noise.
//
//   node tests/bench/cpu.mjs [--runs N] [--returning] [--vcc] [--breakdown] [--gaps] a/sekisho.js [b/sekisho.js …]
//
// Why: Performance.getMetrics' ScriptDuration (peers.mjs, the budget's figure) is wall time; on these shared VMs a
// thread preempted mid-script or a synchronous IPC (the first cookie or storage access) moves it by ±30 %. A trace
// records each event's thread time (`tdur`: CPU time of the renderer's main thread), which moves by a few percent:
// enough to see a 0.3 ms change. Tracing costs the same for every variant, so compare variants, not absolutes.
//
// Each load: a new browser context, a browser-level trace (devtools.timeline, v8.execute) around the load of
// tests/bench/peers/page.html with the variant in <head> (the `none` variant: nothing), and the sum of `tdur` of the
// top-level script events on the page's main thread (EvaluateScript, FunctionCall, RunMicrotasks, EventDispatch,
// timers, idle callbacks, GC), and of their `dur` (wall). Variants alternate load by load; the first round is a
// warm-up. --returning sets a `sekisho` cookie (accept all, decided a day ago) in each context first. --vcc adds
// vanilla-cookieconsent with its banner (its files from tests/bench/peers/node_modules: run peers.mjs once first).
// A build's sekisho-deferred.js is served from beside it (else from dist/).
//
// --breakdown also prints, per build, where that CPU time goes: each top-level script event by its script (the
// synchronous run of sekisho.js; the deferred module's glue and Wasm in microtasks; observer callbacks, events,
// timers), and inside them what V8 did for the Wasm — `wasm.CompileLazy` (a function compiled by Liftoff on the
// main thread the first time it is called: the count is how many distinct functions ran), `wasm.SyncCompile`,
// `wasm.SyncInstantiate` — and for JavaScript (`V8.CompileCode`: lazy compilation), with garbage collection.
//
// --gaps prints, per variant, where its script's wall time is not CPU time (ScriptDuration, the budget's figure, is
// wall): the wall minus CPU of each event inside its script events, by the innermost event it falls in (a blocking
// IPC such as `StorageArea::GetAll`, the first localStorage access; `Job.WaitForParticipationOpportunity`, the main
// thread waiting for the worker threads that validate a Wasm module; `v8.run`, the thread preempted while running
// script), and the CPU time the renderer's worker threads spent on the load (script streaming: parsing and compiling
// the scripts off the main thread; Wasm compilation): on two cores, that work competes with the main thread.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLoopback, DIST_DIR } from '../e2e/loopback.mjs';
import { launchBare } from './cdp.mjs';
import { articlePage, routeArticleAssets, returningChoice, sekishoHead } from './article.mjs';
import { CATEGORIES, SCRIPT_EVENTS, mainThread, scriptTime } from './trace.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const RUNS = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 10;
const RETURNING = args.includes('--returning');
const BREAKDOWN = args.includes('--breakdown');
const GAPS = args.includes('--gaps');
const builds = args.filter((a, i) => a.endsWith('.js') && args[i - 1] !== '--runs').map((f) => path.resolve(f));
const variants = ['none', ...(args.includes('--vcc') ? ['vanilla-cookieconsent'] : []), ...builds];
if (!builds.length) { console.error('cpu: give one or more builds of sekisho.js'); process.exit(2); }

const VCC = path.join(HERE, 'peers', 'node_modules', 'vanilla-cookieconsent', 'dist');
const VCC_BODY = `<script src="/vcc/cookieconsent.umd.js"></script><script>CookieConsent.run({hideFromBots:false,
categories:{necessary:{enabled:true,readOnly:true},analytics:{},ads:{}},language:{default:'en',translations:{en:{
consentModal:{title:'We use cookies',description:'We use cookies to measure the audience of this site and to show relevant ads.',
acceptAllBtn:'Accept all',acceptNecessaryBtn:'Reject all',showPreferencesBtn:'Manage preferences'},preferencesModal:{
title:'Cookie preferences',acceptAllBtn:'Accept all',acceptNecessaryBtn:'Reject all',savePreferencesBtn:'Save',closeIconLabel:'Close',
sections:[{title:'Analytics',description:'Audience',linkedCategory:'analytics'}]}}}}});</script>`;
const CACHEABLE = { 'cache-control': 'max-age=3600' };

const lb = await startLoopback();
lb.route('site.test', /^\/cpu\.html$/, (req, u) => {
  const v = variants[Number(u.searchParams.get('v'))];
  const head = v === 'vanilla-cookieconsent' ? '<link rel="stylesheet" href="/vcc/cookieconsent.css">'
    : v === 'none' ? ''
      : sekishoHead(`/b/${u.searchParams.get('v')}/sekisho.js`);
  return { type: 'html', body: articlePage(head, v === 'vanilla-cookieconsent' ? VCC_BODY : '') };
});
lb.route('site.test', /^\/b\/\d+\/sekisho(-deferred)?\.js$/, (req, u) => {
  const build = variants[Number(u.pathname.split('/')[2])];
  const name = path.basename(u.pathname);
  const beside = path.join(path.dirname(build), name);
  const file = name === 'sekisho.js' ? build : fs.existsSync(beside) ? beside : path.join(DIST_DIR, name);
  return { type: 'js', body: fs.readFileSync(file), headers: CACHEABLE };
});
lb.route('site.test', /^\/vcc\//, (req, u) => ({ type: u.pathname.endsWith('.css') ? 'css' : 'js',
  body: fs.readFileSync(path.join(VCC, path.basename(u.pathname))), headers: CACHEABLE }));
routeArticleAssets(lb, CACHEABLE);

// The browser, driven over the DevTools pipe at the browser level (no session on the page); the trace comes as events.
let events = null;
let traced = () => {};
const browser = await launchBare(lb, { onEvent(method, params) {
  if (method === 'Tracing.dataCollected') events.push(...params.value);
  else if (method === 'Tracing.tracingComplete') traced();
} });
const { send } = browser;

/** One load of variant `k`: { cpu, wall } in ms of top-level script events on the page's main thread. */
async function load(k) {
  events = [];
  const done = new Promise((resolve) => { traced = resolve; });
  const { browserContextId } = await send('Target.createBrowserContext', { disposeOnDetach: true });
  if (RETURNING) {
    await send('Storage.setCookies', { browserContextId, cookies: [{ name: 'sekisho', value: returningChoice(),
      domain: 'site.test', path: '/', secure: true, sameSite: 'Lax' }] });
  }
  const categories = [...CATEGORIES, ...(BREAKDOWN || GAPS ? ['v8', 'v8.wasm'] : []),
    ...(GAPS ? ['blink', 'loading', 'base', 'mojom', 'toplevel'] : [])];
  await send('Tracing.start', { traceConfig: { includedCategories: categories }, transferMode: 'ReportEvents' });
  await send('Target.createTarget', { url: `https://site.test/cpu.html?v=${k}`, browserContextId });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await send('Tracing.end');
  await done;
  await send('Target.disposeBrowserContext', { browserContextId });
  const main = mainThread(events, '/cpu.html');
  if (!main) return null;
  const mine = main.events.filter((e) => SCRIPT_EVENTS.has(e.name));
  return { ...scriptTime(main.events), parts: BREAKDOWN ? breakdown(main.events) : null,
    gaps: GAPS ? gaps(main.events, mine, events.filter((e) => e.pid === main.pid && e.tid !== main.tid)) : null };
}

const TOP = new Set(['EvaluateScript', 'FunctionCall', 'RunMicrotasks', 'TimerFire', 'EventDispatch', 'FireIdleCallback']);
const INNER = new Set(['wasm.CompileLazy', 'wasm.SyncCompile', 'wasm.SyncInstantiate', 'V8.CompileCode', 'MajorGC', 'MinorGC']);
/** A top-level script event's label: its name, its script's file name, its event type. */
const where = (e) => `${e.name} ${(e.args?.data?.url || '').split('/').pop().split('?')[0]} ${e.args?.data?.type || ''}`.replace(/\s+/g, ' ').trim();
/**
 * Main-thread events of one load (in start order, enclosing before enclosed) → Map(label → { ms, n }): top-level
 * script events, and what V8 did inside them (labels indented by two spaces).
 */
function breakdown(evs) {
  const parts = new Map();
  const add = (label, e) => { const p = parts.get(label) || { ms: 0, n: 0 }; p.ms += (e.tdur || 0) / 1000; p.n++; parts.set(label, p); };
  const open = []; // the events enclosing the current one
  for (const e of evs) {
    while (open.length && open.at(-1).ts + open.at(-1).dur <= e.ts) open.pop();
    const top = open.find((a) => TOP.has(a.name));
    if (TOP.has(e.name) && !top) add(where(e), e);
    else if (INNER.has(e.name)) add(`  ${e.name} in ${top ? where(top) : '(no script)'}`, e);
    open.push(e);
  }
  return parts;
}

/**
 * One load's waits and background work (--gaps) → Map(label → ms): `wait <event>`, the wall minus CPU time spent in
 * `event` itself (not in the events it encloses) inside the script events `scripts`; `worker <event>`, the CPU time
 * of the renderer's worker threads (`others`: the renderer's other threads' events) in their outermost events.
 */
function gaps(threadEvents, scripts, others) {
  const out = new Map();
  const add = (label, us) => out.set(label, (out.get(label) || 0) + us / 1000);
  const inside = (e, a) => e !== a && e.ts >= a.ts && e.ts + e.dur <= a.ts + a.dur;
  const within = threadEvents.filter((e) => scripts.some((m) => e === m || inside(e, m)));
  for (const e of within) {
    const enclosed = within.filter((c) => inside(c, e));
    const direct = enclosed.filter((c) => !enclosed.some((d) => inside(c, d)));
    add(`wait ${e.name}`, direct.reduce((g, c) => g - (c.dur - (c.tdur || 0)), e.dur - (e.tdur || 0)));
  }
  const names = new Map(others.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, e.args.name]));
  const work = others.filter((e) => e.ph === 'X' && /ThreadPool/.test(names.get(e.tid) || '')
    && !/ThreadController|RunTask|WorkerThread/.test(e.name));
  for (const e of work) if (!work.some((d) => d.tid === e.tid && inside(e, d))) add(`worker ${e.name}`, e.tdur || 0);
  return out;
}

const results = variants.map(() => []);
for (let round = 0; round <= RUNS; round++) {
  for (let k = 0; k < variants.length; k++) {
    const r = await load(k);
    if (round > 0 && r) results[k].push(r);
  }
}
await browser.close();
await lb.close();

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const base = { cpu: median(results[0].map((r) => r.cpu)), wall: median(results[0].map((r) => r.wall)) };
const variantName = (v) => (v === 'vanilla-cookieconsent' ? v : path.relative(process.cwd(), v));
console.log(`main-thread script time at load, ${RETURNING ? 'returning visitor' : 'first page view'}, median of ${RUNS} traced loads each, Δ vs none (ms)`);
console.log('| variant | CPU Δ | wall Δ |');
console.log('| --- | ---: | ---: |');
variants.forEach((v, k) => {
  if (k === 0) return;
  const cpu = median(results[k].map((r) => r.cpu)) - base.cpu;
  const wall = median(results[k].map((r) => r.wall)) - base.wall;
  console.log(`| ${variantName(v)} | ${cpu.toFixed(2)} | ${wall.toFixed(2)} |`);
});
if (BREAKDOWN) {
  variants.forEach((v, k) => {
    if (k === 0 || v === 'vanilla-cookieconsent') return;
    console.log(`\n${variantName(v)}: CPU ms and count per load (medians; events nested in a top-level one are part of its time)`);
    console.log('| event | CPU ms | count |');
    console.log('| --- | ---: | ---: |');
    const labels = [...new Set(results[k].flatMap((r) => [...r.parts.keys()]))];
    const rows = labels.map((label) => {
      const per = results[k].map((r) => r.parts.get(label) || { ms: 0, n: 0 });
      return [label, median(per.map((p) => p.ms)), median(per.map((p) => p.n))];
    }).filter(([, ms]) => ms >= 0.05).sort((a, b) => b[1] - a[1]);
    for (const [label, ms, n] of rows) console.log(`| ${label.startsWith('  ') ? '&nbsp;&nbsp;' + label.trim() : label} | ${ms.toFixed(2)} | ${n} |`);
  });
}
if (GAPS) {
  variants.forEach((v, k) => {
    if (k === 0) return;
    console.log(`\n${variantName(v)}: wall time not on the CPU inside its script events (wait), and the renderer's worker threads' CPU (worker), ms per load (mean; ≥ 0.1)`);
    console.log('| event | ms |');
    console.log('| --- | ---: |');
    const sum = new Map();
    for (const r of results[k]) for (const [label, ms] of r.gaps) sum.set(label, (sum.get(label) || 0) + ms / results[k].length);
    for (const [label, ms] of [...sum].filter(([, ms]) => ms >= 0.1).sort((a, b) => b[1] - a[1])) console.log(`| ${label} | ${ms.toFixed(2)} |`);
  });
}
