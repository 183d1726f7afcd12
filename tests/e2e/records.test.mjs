// Issue #10, the browser half: each decision becomes one consent record, kept in localStorage until the real
// `sekisho-server` (spawned here, SQLite file) has it. The page's `sync.endpoint` is `/v1/records` on site.test; the
// loopback forwards it to the server (so every engine sends it same-origin, as a site would through its own
// domain), and can take the server "down" (the connection dropped: what a browser offline sees).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { setup, open, get, bannerShown, until as pollUntil, WAIT_MS, REPO, sleep, ENGINE } from './harness.mjs';
import { freePort } from './loopback.mjs';

const BIN = process.env.SEKISHO_SERVER || path.join(REPO, 'target', 'debug', 'sekisho-server');
const ADMIN = 'admin-token-for-the-e2e-records';
const SUBJECT_KEY = 'subject-key-shared-by-the-site-backend-and-the-server';
/** A subject token as the site's backend issues one for a logged-in member (docs/contracts.md §6). */
function subjectToken(sub) {
  const payload = Buffer.from(JSON.stringify({ sub, site: 'https://site.test', exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url');
  return `${payload}.${crypto.createHmac('sha256', SUBJECT_KEY).update(payload).digest('base64url')}`;
}
let env, server, base, log = '';
/** Forwarding: 'up', 'down' (connections dropped), or a number of ms to hold each answer. */
let link = 'up';
/** POSTs seen, by recordId. */
const posts = new Map();

before(async () => {
  if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing: build it first (cargo build -p sekisho-server)`);
  env = await setup();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sekisho-e2e-records-'));
  fs.writeFileSync(path.join(dir, 'admin'), ADMIN);
  fs.writeFileSync(path.join(dir, 'subject'), SUBJECT_KEY);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(BIN, ['--listen', `127.0.0.1:${port}`, '--database', `sqlite:${path.join(dir, 'records.db')}`,
    '--key-file', path.join(dir, 'server.key'), '--admin-token-file', path.join(dir, 'admin'), '--site', 'https://site.test',
    '--rate-per-ip', '0', '--subject-key-file', path.join(dir, 'subject')], { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.on('data', (d) => { log += d; });
  server.stderr.on('data', (d) => { log += d; });
  for (let i = 0; ; i++) {
    try { if ((await fetch(base + '/healthz')).ok) break; } catch { /* not up yet */ }
    if (i > 150) throw new Error(`sekisho-server did not start:\n${log}`);
    await sleep(100);
  }
  env.loopback.route('site.test', /^\/v1\//, async (req, u) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    if (req.method === 'POST') {
      try { const id = JSON.parse(body.toString()).recordId; posts.set(id, (posts.get(id) || 0) + 1); } catch { /* counted as sent */ }
    }
    if (link === 'down') { req.socket.destroy(); return null; }
    if (typeof link === 'number') await sleep(link);
    const r = await fetch(base + u.pathname + u.search, { method: req.method, body: req.method === 'POST' ? body : undefined,
      headers: { 'content-type': req.headers['content-type'] || 'text/plain', origin: 'https://site.test',
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) } });
    return { status: r.status, type: 'application/json; charset=utf-8', body: await r.text() };
  });
});
after(async () => {
  if (server && server.exitCode === null) { server.kill('SIGTERM'); await new Promise((r) => server.once('exit', r)); }
  await env?.close();
});
beforeEach(() => { env.fresh(); link = 'up'; });

const POLICY_SHA256 = crypto.createHash('sha256').update('the privacy policy, 2026-12-01').digest('hex');
const CONFIG = { revision: 1, regime: 'opt-in', services: { 'google-analytics': {}, youtube: { category: 'sns' } },
  sync: { endpoint: '/v1/records' }, policySha256: POLICY_SHA256 };

/** The records the server stored for a consent, in chain order. */
async function stored(consentId) {
  const res = await fetch(base + '/v1/export', { headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(res.status, 200);
  return (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((r) => r.consentId === consentId);
}
const queued = (page) => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('sekisho:record:')).length);
/** `harness.until`, failing with `what` at the deadline. */
const until = async (what, f) => (await pollUntil(f, { timeout: WAIT_MS * 2 })) || assert.fail(`timed out: ${what}`);
const bannerButton = (page, action) => page.evaluate((a) => document.getElementById('sekisho-root').shadowRoot
  .querySelector(`.banner [data-sekisho-action="${a}"]`).click(), action);

test('rec-a. the banner\'s reject all: one record at the server, its choices those of get(), signed and chained', async () => {
  const context = await env.ctx();
  const { page } = await open(context, '/ui.html', { config: CONFIG, quiet: 0 });
  await bannerShown(page);
  await bannerButton(page, 'reject-all');
  const state = await get(page);
  const [record] = await until('the record stored', async () => (await stored(state.consentId)).length === 1 && stored(state.consentId));
  assert.equal(record.event, 'reject');
  assert.equal(record.method, 'banner');
  assert.deepEqual(record.choices.categories, state.categories);
  assert.deepEqual(record.recipients, []);
  assert.equal(record.site, 'https://site.test');
  assert.equal(record.revision, 1);
  assert.equal(record.policySha256, POLICY_SHA256, 'the policy the visitor was shown');
  assert.equal(record.seq, 1);
  assert.match(record.sig, /^[A-Za-z0-9+/]+=*$/);
  assert.equal(record.ip, undefined);
  // The UI's fingerprint: the SHA-256 of the deferred module's Wasm as shipped.
  const shipped = fs.readFileSync(path.join(REPO, 'dist', 'sekisho-deferred.js'), 'utf8');
  const wasmHex = /"((?:00)?61736d[0-9a-f]+)"/.exec(shipped)[1];
  assert.equal(record.uiSha256, crypto.createHash('sha256').update(Buffer.from(wasmHex, 'hex')).digest('hex'));
  await until('the queue emptied', async () => (await queued(page)) === 0);

  // Then accept all through the preference center: a second record, chained to the first.
  await page.evaluate(() => window.sekisho.showPreferences());
  await page.waitForFunction(() => document.getElementById('sekisho-root').shadowRoot.querySelector('dialog')?.open, null, { timeout: WAIT_MS });
  await page.evaluate(() => document.getElementById('sekisho-root').shadowRoot.querySelector('dialog [data-sekisho-action="accept-all"]').click());
  const both = await until('two records', async () => { const r = await stored(state.consentId); return r.length === 2 && r; });
  assert.equal(both[1].event, 'grant');
  assert.equal(both[1].method, 'preferences');
  assert.equal(both[1].prevHash, both[0].hash);
  // The recipients it covers: the services the config lists, then those met on the page (gtag.js: Google Tag Manager).
  for (const id of ['google-analytics', 'youtube', 'google-tag-manager']) assert.ok(both[1].recipients.includes(id), `${id} in ${both[1].recipients}`);
  assert.deepEqual(both[1].recipients.slice(0, 2), ['google-analytics', 'youtube']);
  assert.deepEqual(both[1].choices.categories, (await get(page)).categories);
  await context.close();
});

test('rec-b. offline → reject → online: the record waits in localStorage, then reaches the server exactly once', async () => {
  const context = await env.ctx();
  const { page } = await open(context, '/ui.html', { config: CONFIG, quiet: 0 });
  await bannerShown(page);
  link = 'down';
  await bannerButton(page, 'reject-all');
  const { consentId } = await get(page);
  await until('the record queued', async () => (await queued(page)) === 1);
  await sleep(1500); // a failed try and its retry timer
  assert.equal((await stored(consentId)).length, 0, 'nothing reached the server');
  assert.equal((await get(page)).decided, true, 'the choice itself did not wait');
  link = 'up';
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await until('the record stored', async () => (await stored(consentId)).length === 1);
  await until('the queue emptied', async () => (await queued(page)) === 0);
  await sleep(1000);
  assert.equal((await stored(consentId)).length, 1, 'exactly one');
  await context.close();
});

test('rec-c. a reload while the POST is in flight: still exactly one record', async () => {
  const context = await env.ctx();
  const { page } = await open(context, '/ui.html', { config: CONFIG, quiet: 0 });
  await bannerShown(page);
  link = 1500; // the server answers late
  await bannerButton(page, 'accept-all');
  const { consentId } = await get(page);
  await sleep(200);
  link = 'up';
  await page.reload();
  await until('the record stored', async () => (await stored(consentId)).length >= 1);
  await until('the queue emptied', async () => (await queued(page)) === 0);
  await sleep(2000);
  const records = await stored(consentId);
  assert.equal(records.length, 1, `exactly one stored (${[...posts.values()].join(', ')} POSTs)`);
  assert.equal(records[0].event, 'grant');
  await context.close();
});

test('rec-d. two tabs, a record queued while the server was down: one tab sends it, no second POST', async () => {
  const context = await env.ctx();
  const a = await open(context, '/ui.html', { config: CONFIG, quiet: 0 });
  const b = await open(context, '/ui.html', { config: CONFIG, quiet: 0 });
  await bannerShown(a.page);
  link = 'down';
  await a.page.evaluate(() => window.sekisho.set({ analytics: true }, { method: 'preferences' }));
  const { consentId } = await get(a.page);
  await until('the record queued', async () => (await queued(a.page)) === 1);
  const recordId = await a.page.evaluate(() => Object.keys(localStorage).find((k) => k.startsWith('sekisho:record:')).split(':').pop());
  const postsBefore = posts.get(recordId) || 0;
  link = 'up';
  // Both tabs are told the network is back at once.
  await Promise.all([a.page, b.page].map((p) => p.evaluate(() => window.dispatchEvent(new Event('online')))));
  await until('the record stored', async () => (await stored(consentId)).length === 1);
  await until('the queue emptied', async () => (await queued(b.page)) === 0);
  await sleep(1000);
  assert.equal((posts.get(recordId) || 0) - postsBefore, 1, 'one POST once the server was back');
  const [record] = await stored(consentId);
  assert.equal(record.event, 'save');
  assert.equal(record.method, 'preferences');
  await context.close();
});

test('rec-e. API decisions say what they were: a withdrawal, and an embed\'s "always allow"', async () => {
  const context = await env.ctx();
  const { page } = await open(context, '/ui.html', { config: CONFIG, quiet: 0 });
  await page.evaluate(() => window.sekisho.acceptAll());
  await page.evaluate(() => window.sekisho.set({ ads: false }));
  const { consentId } = await get(page);
  const records = await until('two records', async () => { const r = await stored(consentId); return r.length === 2 && r; });
  assert.deepEqual(records.map((r) => [r.event, r.method]), [['grant', 'api'], ['withdraw', 'api']]);
  assert.equal(records[1].choices.categories.ads, false);
  await context.close();

  // A new visitor allows YouTube from its embed's placeholder.
  const other = await env.ctx();
  const next = await open(other, '/ui.html', { config: CONFIG, quiet: 0 });
  await next.page.waitForFunction(() => Boolean(document.querySelector('[data-sekisho-placeholder="youtube"]')), null, { timeout: WAIT_MS });
  await next.page.evaluate(() => document.querySelector('[data-sekisho-placeholder="youtube"]').shadowRoot
    .querySelector('[data-sekisho-action="always-allow"]').click());
  const visitor = (await get(next.page)).consentId;
  const [allowed] = await until('the record stored', async () => { const r = await stored(visitor); return r.length === 1 && r; });
  assert.deepEqual([allowed.event, allowed.method], ['always_allow', 'placeholder']);
  assert.equal(allowed.choices.services.youtube, true);
  assert.equal(allowed.choices.categories.sns, false);
  assert.deepEqual(allowed.recipients, ['youtube']);
  await other.close();
});

test('rec-f. identify(): a member\'s choice follows them to another browser (adopted, the banner closes), is kept under a pseudonym, and a choice made before logging in is linked', async () => {
  const member = `member-${Date.now()}`;
  // Browser A: logged in, undecided; its choice carries the member's token.
  const ctxA = await env.ctx();
  const a = await open(ctxA, '/ui.html', { config: CONFIG, quiet: 0 });
  await bannerShown(a.page);
  await a.page.evaluate((t) => window.sekisho.identify(t), subjectToken(member));
  await sleep(500);
  assert.equal((await get(a.page)).decided, false, 'nothing to adopt yet');
  await bannerButton(a.page, 'accept-all');
  const consentA = (await get(a.page)).consentId;
  const [granted] = await until('A\'s record', async () => { const r = await stored(consentA); return r.length === 1 && r; });
  assert.match(granted.subject, /^hmac:[0-9a-f]{64}$/);
  assert.ok(!JSON.stringify(granted).includes(member), 'never the member id');

  // Browser B (another device): the member logs in; their choice is adopted.
  const ctxB = await env.ctx();
  const b = await open(ctxB, '/ui.html', { config: CONFIG, quiet: 0 });
  await bannerShown(b.page);
  await b.page.evaluate((t) => window.sekisho.identify(t), subjectToken(member));
  await b.page.waitForFunction(() => window.sekisho.get().decided, null, { timeout: WAIT_MS });
  assert.deepEqual((await get(b.page)).categories, { necessary: true, functional: true, analytics: true, ads: true, sns: true });
  await b.page.waitForFunction(() => !document.getElementById('sekisho-root').shadowRoot.querySelector('.banner'), null, { timeout: WAIT_MS });
  const consentB = (await get(b.page)).consentId;
  const [adopted] = await until('B\'s record', async () => { const r = await stored(consentB); return r.length === 1 && r; });
  assert.deepEqual([adopted.event, adopted.method, adopted.subject], ['adopt', 'signal', granted.subject]);

  // Browser C decided before logging in as another member: its choice is linked to them.
  const ctxC = await env.ctx();
  const c = await open(ctxC, '/ui.html', { config: CONFIG, quiet: 0 });
  await c.page.evaluate(() => window.sekisho.rejectAll());
  await c.page.evaluate((t) => window.sekisho.identify(t), subjectToken(`${member}-c`));
  const consentC = (await get(c.page)).consentId;
  const linked = await until('C\'s two records', async () => { const r = await stored(consentC); return r.length === 2 && r; });
  assert.deepEqual(linked.map((r) => r.event), ['reject', 'link']);
  assert.equal(linked[0].subject, undefined);
  assert.match(linked[1].subject, /^hmac:/);
  assert.deepEqual(linked[1].choices.categories, (await get(c.page)).categories);
  // A token the backend did not sign: the server does not take it; the next choice is still recorded, without it.
  await c.page.evaluate(() => window.sekisho.identify('eyJzdWIiOiJ4In0.forged'));
  await sleep(800);
  assert.equal((await stored(consentC)).length, 2);
  await c.page.evaluate(() => window.sekisho.set({ analytics: true }));
  const after = await until('C\'s third record', async () => { const r = await stored(consentC); return r.length === 3 && r; });
  assert.deepEqual([after[2].event, after[2].subject], ['save', undefined]);
  for (const ctx of [ctxA, ctxB, ctxC]) await ctx.close();
});

test('rec-g. what a page load decides is recorded once: a lapsed choice (expire), and GPC withdrawing the ads a choice granted', async () => {
  const consentId = crypto.randomUUID();
  const longAgo = Math.floor(Date.now() / 1000) - 400 * 86400;
  const ctx = await env.ctx({ cookies: [{ name: 'sekisho', value: `1.${consentId}.1.31.${longAgo}`}] });
  const { page } = await open(ctx, '/ui.html', { config: CONFIG, quiet: 0 });
  await bannerShown(page); // asked again
  const [expired] = await until('the expire record', async () => { const r = await stored(consentId); return r.length === 1 && r; });
  assert.deepEqual([expired.event, expired.method], ['expire', 'signal']);
  await page.reload();
  await bannerShown(page);
  await sleep(1500);
  assert.equal((await stored(consentId)).length, 1, 'once, not on every page');
  await ctx.close();

  if (!env.supports.gpc) return; // (WebKit sends no GPC: README "By engine")
  const gpcConsent = crypto.randomUUID();
  const recently = Math.floor(Date.now() / 1000) - 60;
  const gpcCtx = await env.ctx({ gpc: true, cookies: [{ name: 'sekisho', value: `1.${gpcConsent}.1.31.${recently}`}] });
  const second = await open(gpcCtx, '/ui.html', { config: CONFIG, quiet: 0 });
  assert.equal((await get(second.page)).categories.ads, false, 'GPC over the stored accept-all');
  const [optOut] = await until('the gpc_opt_out record', async () => { const r = await stored(gpcConsent); return r.length === 1 && r; });
  assert.deepEqual([optOut.event, optOut.method, optOut.signals.gpc, optOut.choices.categories.ads], ['gpc_opt_out', 'signal', true, false]);
  await second.page.reload();
  await sleep(1500);
  assert.equal((await stored(gpcConsent)).length, 1, 'once');
  await gpcCtx.close();
});

test('rec-h. a GPC opt-out of a visitor who leaves before the page has loaded is still recorded, on their next page, once', async (t) => {
  if (!env.supports.gpc) { t.skip('WebKit sends no GPC (README "By engine")'); return; }
  const consentId = crypto.randomUUID();
  const recently = Math.floor(Date.now() / 1000) - 60;
  // A page whose load takes seconds (a slow image): the visitor is gone before it.
  env.loopback.route('site.test', /^\/slow-image\.gif$/, async () => { await sleep(4000); return { type: 'gif', body: Buffer.from('R0lGODlhAQABAAAAACw=', 'base64') }; });
  env.loopback.route('site.test', /^\/records\/slow\.html$/, () => ({ type: 'html', body: `<!doctype html><html lang="ja"><head><meta charset="utf-8">
<script type="application/json" id="sekisho-config">${JSON.stringify(CONFIG)}</script>
<script src="/sekisho/sekisho.js"></script></head><body><img alt="" src="/slow-image.gif"></body></html>` }));
  const ctx = await env.ctx({ gpc: true, cookies: [{ name: 'sekisho', value: `1.${consentId}.1.31.${recently}` }] });
  const first = await ctx.newPage();
  await first.goto('https://site.test/records/slow.html', { waitUntil: 'domcontentloaded' });
  assert.equal((await get(first)).categories.ads, false, 'GPC withdrew ads');
  await first.close(); // (before `load`: the note was not recorded on this page)
  await sleep(500);
  // (Other engines' drivers wait for `load` in goto: there the first page may have recorded it already.)
  if (ENGINE === 'chromium') assert.equal((await stored(consentId)).length, 0, 'nothing recorded yet');
  const { page } = await open(ctx, '/ui.html', { config: CONFIG, quiet: 0 });
  const [optOut] = await until('the gpc_opt_out record', async () => { const r = await stored(consentId); return r.length === 1 && r; });
  assert.deepEqual([optOut.event, optOut.method, optOut.choices.categories.ads], ['gpc_opt_out', 'signal', false]);
  await page.reload();
  await sleep(1500);
  assert.equal((await stored(consentId)).length, 1, 'once');
  await ctx.close();
});
