// The npm package (dist/package.json): its entry point drives the SDK that sekisho.js installed,
// fails loud without it, and its types hold a consumer's TypeScript to the API of docs/contracts.md §5.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { setup, open, waitForRequests, DIST_DIR, REPO } from './harness.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });
beforeEach(() => env.loopback.reset());

test('package: the entry point calls the page\'s sekisho.js: acceptAll() from a module releases the held tags', async () => {
  const context = await env.ctx();
  const { page, sekishoMessages } = await open(context, '/tags.html', { loopback: env.loopback });
  const out = await page.evaluate(async () => {
    const m = await import('/sekisho/index.mjs');
    const changes = [];
    m.on('change', (s) => changes.push(s.categories.analytics));
    const before = m.get();
    const after = m.acceptAll();
    return {
      before: before.decided, after: after.decided, changes, version: m.version(), global: window.sekisho.version,
      defaultIsSame: m.default.get === m.get && Object.isFrozen(m.default), audit: m.audit().length > 0,
      state: JSON.stringify(m.get()) === JSON.stringify(window.sekisho.get()),
    };
  });
  assert.deepEqual(out, { before: false, after: true, changes: [true], version: out.global, global: out.global,
    defaultIsSame: true, audit: true, state: true });
  // Released at the wire: the GA4 tag loads and sends its page_view.
  const hits = await waitForRequests(env.loopback, { host: 'www.google-analytics.com', path: '/g/collect' });
  assert.equal(hits[0].query.tid, 'G-E2ETEST01');
  assert.deepEqual(sekishoMessages().filter((m) => m.type === 'warning' || m.type === 'error'), []);
  await context.close();
});

test('package: without sekisho.js on the page every call throws a clear error; a version skew is warned about once', async () => {
  env.loopback.route('site.test', /^\/no-sdk\.html$/, () => ({ type: 'html', body: '<!doctype html><title>no SDK</title>' }));
  const context = await env.ctx();
  const { page, messages } = await open(context, '/no-sdk.html', { loopback: env.loopback });
  const thrown = await page.evaluate(async () => {
    const m = await import('/sekisho/index.mjs?missing');
    return ['get', 'acceptAll', 'audit', 'require'].map((f) => { try { m[f]('sns'); return 'no error'; } catch (e) { return e.message; } });
  });
  for (const msg of thrown) assert.match(msg, /^\[sekisho\] window\.sekisho is missing: load sekisho\.js as the first script in <head>/);

  const skew = await page.evaluate(async () => {
    window.sekisho = { version: '0.0.1-other', get: () => ({ decided: false }) };
    const m = await import('/sekisho/index.mjs?skew');
    return [m.get().decided, m.get().decided];
  });
  assert.deepEqual(skew, [false, false]);
  const warnings = messages.filter((m) => m.type === 'warning' && m.text.startsWith('[sekisho]'));
  assert.equal(warnings.length, 1, JSON.stringify(messages));
  assert.match(warnings[0].text, /loads sekisho\.js 0\.0\.1-other but this bundle was built against \d/);
  await context.close();
});

test('package: its types accept the API as documented and reject misuse (tsc --strict, as a consumer resolves the package)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sekisho-types-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(DIST_DIR, path.join(dir, 'node_modules', 'sekisho'), 'dir');
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: {
    strict: true, noEmit: true, target: 'es2020', module: 'esnext', moduleResolution: 'bundler', lib: ['es2020', 'dom'], types: [],
  }, files: ['good.ts', 'bad.ts'] }));
  fs.writeFileSync(path.join(dir, 'good.ts'), `
import sekisho, { get, acceptAll, rejectAll, set, on, off, audit, require as consent, version } from "sekisho";
import init, { judge } from "sekisho/wasm";
const state: SekishoState = get();
const analytics: boolean = state.categories.analytics;
const id: string | null = state.consentId;
set({ analytics: true, services: { youtube: false } });
on("change", (s) => { const d: boolean = s.decided; });
const onBlocked = (e: SekishoAuditEntry) => { const via: string = e.via; };
on("blocked", onBlocked);
off("blocked", onBlocked);
const granted: Promise<SekishoState> = consent("service:youtube");
const entries: SekishoAuditEntry[] = audit();
const v: string = version();
sekisho.acceptAll(); acceptAll(); rejectAll();
const viaGlobal: SekishoState = window.sekisho.get();
export { analytics, id, granted, entries, v, viaGlobal, init, judge };
// sekisho/testing, with anything shaped like Playwright's context and page.
import { recordRequests, choose, LeakError, type Recorder, type ContextLike, type PageLike } from "sekisho/testing";
declare const context: ContextLike;
declare const page: PageLike;
export async function qa(): Promise<number> {
  const recorder: Recorder = await recordRequests(context, { config: { regime: "opt-in" } });
  await recorder.phase("before any choice", page);
  const after = await recorder.decide(page, "after accept all", "accept-all");
  const ads: boolean | undefined = after?.categories.ads;
  await choose(page, "save", { categories: { analytics: false } });
  try { await recorder.assertNoLeaks(); } catch (e) { if (e instanceof LeakError) return e.leaks.length; }
  return recorder.leaks().filter((r) => r.held && r.service === "criteo").length + (ads ? 1 : 0);
}
`);
  fs.writeFileSync(path.join(dir, 'bad.ts'), `
import { set, on, get } from "sekisho"; import { choose, type PageLike } from "sekisho/testing"; declare const pageLike: PageLike;
set({ ads: "yes" });
on("blocked", (s: SekishoState) => s.decided);
const c: "opt-in" = get().categories.ads;
choose(pageLike, "maybe");
export {};
`);
  let output = '';
  try {
    execFileSync(path.join(REPO, 'tests', 'node_modules', '.bin', 'tsc'), ['-p', '.', '--pretty', 'false'], { cwd: dir, encoding: 'utf8' });
  } catch (e) {
    output = String(e.stdout);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const errors = output.split('\n').filter((l) => /error TS\d+/.test(l));
  assert.deepEqual(errors.filter((l) => !l.startsWith('bad.ts')), [], `good.ts must type-check:\n${output}`);
  assert.deepEqual(errors.map((l) => /^bad\.ts\((\d+),/.exec(l)?.[1]), ['3', '4', '5', '6'], `each misuse in bad.ts is an error:\n${output}`);
});
