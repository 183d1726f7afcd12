// Where a page load's script time goes, by function: V8 CPU profiles (25 µs samples) of several loads of the peers'
// article page with sekisho.js first in <head>, each in a fresh browser context, summed. For readable JavaScript and
// named Wasm functions, build a profiling variant first:
//
//   SEKISHO_UNMINIFIED=1 SEKISHO_NAMES=1 scripts/build.sh && node tests/bench/profile-load.mjs [--runs N] [--returning] [--top N] [--callers NAME]
//
// Prints self time by function (JavaScript with file:line, Wasm by name) and by script, in ms per load. A profiler
// attached to the page slows it (more so for JavaScript than for Wasm): read the shares, not the milliseconds; the
// figures are cpu.mjs's and peers.mjs's. `--callers NAME` also prints the call stacks (innermost first) in which the
// functions named NAME spent their self time: who calls a native such as `appendChild` or `getItem`.
import { startLoopback } from '../e2e/loopback.mjs';
import { launch, newContext } from '../e2e/harness.mjs';
import { articlePage, routeArticleAssets, returningChoice, sekishoHead } from './article.mjs';

const args = process.argv.slice(2);
const option = (name, otherwise) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : otherwise);
const RUNS = option('--runs', 10);
const TOP = option('--top', 40);
const RETURNING = args.includes('--returning');
const CALLERS = args.includes('--callers') ? args[args.indexOf('--callers') + 1] : null;

const lb = await startLoopback();
lb.route('site.test', /^\/profile-load\.html$/, () => ({ type: 'html', body: articlePage(sekishoHead('/sekisho/sekisho.js')) }));
routeArticleAssets(lb);

const byFunction = new Map();
const byScript = new Map();
const byStack = new Map();
const add = (map, key, ms) => map.set(key, (map.get(key) || 0) + ms);
const browser = await launch(lb);
try {
  for (let run = 0; run <= RUNS; run++) { // run 0 warms the browser up and is not counted
    const cookies = RETURNING ? [{ name: 'sekisho', value: returningChoice() }] : [];
    const context = await newContext(browser, { cookies });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 25 });
    await cdp.send('Profiler.start');
    await page.goto('https://site.test/profile-load.html', { waitUntil: 'load' });
    await page.waitForTimeout(700);
    const { profile } = await cdp.send('Profiler.stop');
    await context.close();
    if (run === 0) continue;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const parents = new Map(profile.nodes.flatMap((n) => (n.children || []).map((c) => [c, n.id])));
    const label = (f) => `${f.functionName || '(anonymous)'}${f.url && !f.url.startsWith('wasm') ? `:${f.lineNumber + 1}` : ''}`;
    const stack = (id) => {
      const frames = [];
      for (let n = parents.get(id); n !== undefined && frames.length < 6; n = parents.get(n)) {
        const f = nodes.get(n).callFrame;
        if (f.functionName !== '(root)') frames.push(label(f));
      }
      return frames.join(' < ');
    };
    for (let i = 0; i < profile.samples.length; i++) {
      const f = nodes.get(profile.samples[i]).callFrame;
      if (['(idle)', '(program)', '(root)'].includes(f.functionName)) continue;
      const ms = profile.timeDeltas[i + 1] === undefined ? 0.025 : profile.timeDeltas[i + 1] / 1000;
      const file = f.url.split('/').pop().replace(/\?.*/, '') || (f.functionName === '(garbage collector)' ? 'GC' : '(native)');
      add(byFunction, `${f.functionName || '(anonymous)'}  ${file}${f.lineNumber >= 0 && !f.url.startsWith('wasm') ? `:${f.lineNumber + 1}` : ''}`, ms);
      add(byScript, f.url.startsWith('wasm') ? `${file} (Wasm)` : file, ms);
      if (f.functionName === CALLERS) add(byStack, stack(profile.samples[i]), ms);
    }
  }
} finally {
  await browser.close();
  await lb.close();
}

const print = (title, map, top) => {
  const total = [...map.values()].reduce((a, b) => a + b, 0);
  console.log(`\n${title}: ${(total / RUNS).toFixed(2)} ms per load`);
  for (const [key, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(ms / RUNS).toFixed(3).padStart(7)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${key}`);
  }
};
console.log(`${RUNS} loads, ${RETURNING ? 'returning visitor' : 'first page view'}, self time (samples every 25 µs)`);
print('by script', byScript, 15);
print('by function', byFunction, TOP);
if (CALLERS) print(`${CALLERS}: self time by call stack (innermost caller first)`, byStack, TOP);
