// Main-thread script time of one page load, read from a browser-level trace (cpu.mjs, peers.mjs).
//
// Performance.getMetrics' ScriptDuration leaves out the work V8 runs as microtasks (a promise's reactions: measured
// with a 20 ms busy loop, in a `<script>` 20.2 ms, in a DOMContentLoaded listener 20.3, in a timer 20.6, in
// `Promise.resolve().then(…)` 0.1 ms), so a consent manager whose work runs after a promise (a module compiled
// with WebAssembly.compile, a loader's `.then`) looks cheaper than one whose work runs in a script or an event. A
// trace sees every top-level script event, microtasks included.

/** The trace categories `scriptTime` reads. */
export const CATEGORIES = ['devtools.timeline', 'v8.execute'];

/** Top-level events of script on a renderer's main thread (microtask checkpoints and GC included). */
export const SCRIPT_EVENTS = new Set(['EvaluateScript', 'FunctionCall', 'v8.compile', 'TimerFire', 'EventDispatch', 'RunMicrotasks',
  'v8.run', 'v8.callFunction', 'FireIdleCallback', 'v8.evaluateModule', 'MajorGC', 'MinorGC']);

/**
 * The main thread of the renderer that parsed the page whose URL contains `urlPart`: `{ pid, tid, events }` (its
 * complete events in start order, enclosing before enclosed), or null when the trace has no such page.
 */
export function mainThread(events, urlPart) {
  const parse = events.find((e) => e.name === 'ParseHTML' && (e.args?.beginData?.url || '').includes(urlPart));
  if (!parse) return null;
  const own = events.filter((e) => e.pid === parse.pid && e.tid === parse.tid && e.ph === 'X').sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  return { pid: parse.pid, tid: parse.tid, events: own };
}

/** The script events of a main thread's `events` that no other encloses. */
export const topScriptEvents = (events) => {
  const out = [];
  let end = 0;
  for (const e of events) if (SCRIPT_EVENTS.has(e.name) && e.ts >= end) { out.push(e); end = e.ts + e.dur; }
  return out;
};

/** `{ cpu, wall }`: the main thread's CPU time (`tdur`) and wall time (`dur`) in top-level script events, ms. */
export function scriptTime(events) {
  let cpu = 0;
  let wall = 0;
  for (const e of topScriptEvents(events)) { cpu += e.tdur || 0; wall += e.dur || 0; }
  return { cpu: cpu / 1000, wall: wall / 1000 };
}
