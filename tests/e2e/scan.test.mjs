// Issue #14, the site scan: `sekisho-scan` (dist/scan.mjs, run as a package's command) on the demo site served
// by `sekisho-server --demo`, its trackers answered by the loopback (the same Chromium flags the suite uses).
// It lists exactly the services the demo uses, finds the leak planted on www/leak.html (a page without Sekisho),
// exits 1 for it, and its draft disclosure has the catalog's fields — the same rows `sekisho-server disclosure`
// prints for the demo's config — with what the catalog lacks marked to fill in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { setup, startDemoServer, BROWSER_ARGS, CHROMIUM, REPO, DIST_DIR, ENGINE } from './harness.mjs';

let env, demo, dir;
before(async () => {
  env = await setup();
  demo = await startDemoServer();
  // A project that installed the package and playwright-core (what `npx sekisho-scan` runs).
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sekisho-scan-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(DIST_DIR, path.join(dir, 'node_modules', 'sekisho'), 'dir');
  fs.symlinkSync(path.join(REPO, 'tests', 'node_modules', 'playwright-core'), path.join(dir, 'node_modules', 'playwright-core'), 'dir');
});
after(async () => {
  await demo?.stop();
  await env?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** `node …args` to its end: { status, stdout, stderr }. */
function runNode(args, { cwd, timeout }) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`timed out:\n${stdout}\n${stderr}`)); }, timeout);
    child.on('exit', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });
}

/** The demo's config, from its page. */
function demoConfig() {
  const html = fs.readFileSync(path.join(REPO, 'www', 'index.html'), 'utf8');
  return JSON.parse(/<script type="application\/json" id="sekisho-config">([\s\S]*?)<\/script>/.exec(html)[1]);
}

test('scan-1. the demo site and a planted leak: every service the demo uses, the leak (exit 1), the hosts nothing describes, cookies by service, and a draft disclosure with the catalog\'s fields', async (t) => {
  if (ENGINE !== 'chromium') { t.skip('sekisho-scan drives Chromium'); return; }
  const out = path.join(dir, 'report');
  const args = ['--preserve-symlinks', '--preserve-symlinks-main', path.join(dir, 'node_modules', 'sekisho', 'scan.mjs'),
    '--out', out, '--depth', '1', '--max-pages', '5', '--chromium', CHROMIUM, '--settle', '500', '--no-progress',
    ...[...BROWSER_ARGS, `--host-resolver-rules=${env.loopback.resolverRules()}`].flatMap((a) => ['--browser-arg', a]),
    `${demo.origin}/`, `${demo.origin}/leak.html`];
  // (Not spawnSync: the loopback answering the trackers runs in this process.)
  const run = await runNode(args, { cwd: dir, timeout: 240000 });
  assert.equal(run.status, 1, `exit 1: a page leaked\n${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /LEAK .*leak\.html.*static\.criteo\.net.*criteo \(ads\)/);
  assert.match(run.stderr, /\] \d+\/\d+ (no action|reject all|accept all)/, 'progress');
  const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
  const byUrl = Object.fromEntries(report.pages.map((p) => [new URL(p.url).pathname, p]));

  // Pages: the two given and the disclosure page the article links (depth 1, same origin).
  assert.deepEqual(Object.keys(byUrl).sort(), ['/', '/gaibu-soshin.html', '/leak.html']);
  // The demo leaks nothing in any scenario; the planted page leaks its ad tags and the base-layer one.
  for (const [id, sc] of Object.entries(byUrl['/'].scenarios)) assert.deepEqual(sc.leaks, [], `demo, ${id}`);
  const planted = byUrl['/leak.html'].scenarios['no-action'];
  assert.equal(planted.hasSekisho, false);
  assert.deepEqual(planted.leaks.map((l) => l.service).sort(), ['criteo', 'hubspot', 'meta-pixel']);
  assert.equal(byUrl['/leak.html'].scenarios.reject.skipped, 'no Sekisho on the page: nothing to choose');

  // What the demo sends once everything is allowed: the services its config declares, and nothing else.
  const config = demoConfig();
  const accepted = byUrl['/'].scenarios['accept-all'];
  const declared = Object.keys(config.services);
  assert.deepEqual(accepted.services.filter((s) => !declared.includes(s)), [], 'only declared services');
  for (const s of ['google-tag-manager', 'google-analytics', 'meta-pixel', 'microsoft-uet', 'youtube']) {
    assert.ok(accepted.services.includes(s), `${s} seen after accept all: ${accepted.services}`);
  }
  // Before a choice (Asia/Tokyo: the demo's opt-out regime) the SNS embeds wait: YouTube is not seen.
  assert.ok(!byUrl['/'].scenarios['no-action'].services.includes('youtube'));
  // Cookies, by service: the choice's own, and the ad tags' once ads are allowed.
  assert.ok(accepted.cookies.some((c) => c.name === 'sekisho' && c.category === 'necessary'));
  assert.ok(accepted.cookies.some((c) => c.name === '_fbp' && c.service === 'meta-pixel'), JSON.stringify(accepted.cookies));
  assert.ok(accepted.cookies.some((c) => c.name === '_uetvid' && c.service === 'microsoft-uet'), JSON.stringify(accepted.cookies));
  assert.deepEqual(byUrl['/'].scenarios.reject.cookies.filter((c) => c.category && c.category !== 'necessary'), [], 'no tracker cookie after reject');
  // What nothing describes: HubSpot (only the base layer knows it).
  assert.deepEqual(report.undescribed, ['hubspot']);

  // The draft: exactly the services seen (the demo's and the planted page's), in Japanese and English.
  const draft = fs.readFileSync(path.join(out, 'disclosure.ja.html'), 'utf8');
  const rows = [...draft.matchAll(/data-sekisho-service="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(rows.sort(), [...new Set([...declared, 'criteo', 'hubspot'])].sort());
  assert.match(draft, /<tr data-sekisho-service="hubspot">.*【要記入】/s, 'what the catalog lacks is marked');
  assert.match(fs.readFileSync(path.join(out, 'disclosure.en.csv'), 'utf8'), /hubspot,\[to fill in\]/);
  // Its catalog rows are the ones `sekisho-server disclosure` prints for the demo's config.
  const configFile = path.join(dir, 'demo-config.json');
  fs.writeFileSync(configFile, JSON.stringify(config));
  const bin = process.env.SEKISHO_SERVER || path.join(REPO, 'target', 'debug', 'sekisho-server');
  for (const lang of ['ja', 'en']) {
    const expected = execFileSync(bin, ['disclosure', configFile, '--lang', lang, '--format', 'csv', '--with', 'criteo'], { encoding: 'utf8' });
    const csv = fs.readFileSync(path.join(out, `disclosure.${lang}.csv`), 'utf8');
    const withoutHubspot = csv.split('\r\n').filter((line) => !line.startsWith('hubspot,')).join('\r\n');
    assert.equal(withoutHubspot, expected, `${lang}: the catalog's fields, as sekisho-server prints them`);
  }
  assert.match(fs.readFileSync(path.join(out, 'report.md'), 'utf8'), /\*\*3 leak\(s\)\*\*/);
});

test('scan-2. bad input: a clear message and exit 2', () => {
  const scan = path.join(DIST_DIR, 'scan.mjs');
  for (const [args, message] of [[[], /no URL to scan/], [['ftp://x.example/'], /not an http\(s\) URL/], [['--depth', 'two', 'https://a.example/'], /--depth two/],
    [['--colour', 'https://a.example/'], /unknown option --colour/]]) {
    const run = spawnSync(process.execPath, [scan, ...args], { encoding: 'utf8' });
    assert.equal(run.status, 2, args.join(' '));
    assert.match(run.stderr, message);
    assert.match(run.stderr, /usage: sekisho-scan/);
  }
});
