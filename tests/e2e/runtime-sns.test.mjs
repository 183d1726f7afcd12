// Issue #3 (runtime checkpoint): UNMARKED social tags (pages/rt/sns.html): the Facebook JavaScript SDK (classic
// dynamic snippet) with login status, FB.api and AppEvents; the X post button (published as a parsed
// <script async src=widgets.js>: fetched by the preload scanner, must never run); the YouTube IFrame API loader.
// sns is always opt-in; `sekisho.require('sns')` / `require('service:facebook-login')` resolve once granted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  setup, open, get, audit, call, flags, waitForRequests, listRequests, leaks, until, WAIT_MS,
} from './harness.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });
// (no beforeEach: node:test runs it before every SUBTEST too; each case resets the log itself)

const PAGE = '/rt/sns.html';
const WIDGETS = 'https://platform.twitter.com/widgets.js';
const preloadFetch = (e) => e.method === 'GET' && e.url === WIDGETS && e.dest === 'script';
const SNS_FLAGS = ['__fbSdkLoaded', '__fbInit', '__twttrLoaded', '__ytApiLoaded'];
const nulls = (ns) => Object.fromEntries(ns.map((n) => [n, null]));

test('rt-s1. no action: no social SDK runs, nothing sent (only the preload fetch of the parsed widgets.js); require() pending; audited', async () => {
  await env.fresh();
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, PAGE, { loopback: lb });
  const leaked = await leaks(lb, [], { except: preloadFetch });
  assert.equal(leaked.length, 0, `social requests before a choice:\n  ${listRequests(leaked)}`);
  assert.deepEqual(await flags(page, SNS_FLAGS), nulls(SNS_FLAGS), 'no social SDK executed');
  assert.deepEqual(await flags(page, ['__firstPartyRan', '__cdnRan', '__snsRequire', '__fbLoginRequire']),
    { __firstPartyRan: true, __cdnRan: true, __snsRequire: 'pending', __fbLoginRequire: 'pending' });
  const au = await audit(page);
  const want = [
    ['script', 'facebook-login', /connect\.facebook\.net\/ja_JP\/sdk\.js/],
    ['script', 'x-widgets', /platform\.twitter\.com\/widgets\.js/],
    ['script', 'youtube', /youtube\.com\/iframe_api/],
  ];
  for (const [kind, service, re] of want) {
    assert.ok(au.some((e) => e.action === 'blocked' && e.kind === kind && e.service === service && e.category === 'sns' && re.test(e.url)),
      `audit: ${service} blocked: ${JSON.stringify(au)}`);
  }
  await context.close();
});

test('rt-s2. set({sns:true}): require("sns") resolves, the FB SDK loads (login status, FB.api), X button and YouTube player load; revoking sns stops FB.api', async (t) => {
  await env.fresh();
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, PAGE, { loopback: lb });
  const navs = lb.countFor({ host: 'site.test', path: PAGE });

  await t.test('granting sns', async () => {
    await call(page, 'set', { sns: true });
    await page.waitForFunction(() => window.__snsRequire === 'granted' && window.__fbLoginRequire === 'granted', null, { timeout: WAIT_MS });
    await waitForRequests(lb, { host: 'connect.facebook.net', path: '/ja_JP/sdk.js' });
    await waitForRequests(lb, { host: 'www.facebook.com', path: '/x/oauth/status' });
    await waitForRequests(lb, { host: 'www.facebook.com', path: '/plugins/login_button.php' });
    await waitForRequests(lb, { host: 'platform.twitter.com', path: '/widgets/tweet_button.html' });
    await waitForRequests(lb, { host: 'www.youtube.com', path: '/embed/snsApi01' });
    await page.waitForFunction((ns) => ns.every((n) => window[n]), SNS_FLAGS, { timeout: WAIT_MS });
    assert.equal(await page.evaluate(() => window.__whoAmI()), 'ok: FAKE Graph API', 'FB.api works once sns is granted');
    await waitForRequests(lb, { host: 'graph.facebook.com', path: '/v19.0/me' });
    assert.equal(lb.countFor({ host: 'site.test', path: PAGE }), navs, 'no reload');
    const leaked = await leaks(lb, ['sns']);
    assert.equal(leaked.length, 0, `non-sns requests:\n  ${listRequests(leaked)}`);
  });

  await t.test('revoking sns: the loaded SDK can no longer reach Facebook (login status, Graph API)', async () => {
    await lb.quiet();
    const t0 = Date.now();
    await call(page, 'set', { sns: false });
    const status = await page.evaluate(() => new Promise((r) => FB.getLoginStatus((s) => r(s.status))));
    const who = await page.evaluate(() => window.__whoAmI());
    await lb.quiet();
    const after = lb.requests((e) => e.time >= t0 && /(^|\.)facebook\.(com|net)$/.test(e.host));
    assert.equal(status, 'unknown');
    assert.equal(after.length, 0, `Facebook requests after set({sns:false}) (FB.getLoginStatus, FB.api → graph.facebook.com):\n  ${listRequests(after)}`);
    assert.match(who, /^error:/, 'FB.api fails (network error) once sns is revoked');
  });
  await context.close();
});

test('rt-s3. set({services:{"facebook-login":true}}): only the FB SDK loads; require("sns") stays pending, X and YouTube stay held', async () => {
  await env.fresh();
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, PAGE, { loopback: lb });
  const st = await call(page, 'set', { services: { 'facebook-login': true } });
  assert.equal(st.categories.sns, false);
  await page.waitForFunction(() => window.__fbLoginRequire === 'granted', null, { timeout: WAIT_MS });
  await waitForRequests(lb, { host: 'connect.facebook.net', path: '/ja_JP/sdk.js' });
  await page.waitForFunction(() => window.__fbInit, null, { timeout: WAIT_MS });
  await waitForRequests(lb, { host: 'www.facebook.com', path: '/x/oauth/status' });
  const other = await leaks(lb, [], { except: (e) => preloadFetch(e) || /(^|\.)facebook\.(com|net)$/.test(e.host) });
  assert.equal(other.length, 0, `X / YouTube requests with only facebook-login granted:\n  ${listRequests(other)}`);
  assert.deepEqual(await flags(page, ['__snsRequire', '__twttrLoaded', '__ytApiLoaded']), { __snsRequire: 'pending', __twttrLoaded: null, __ytApiLoaded: null });
  // facebook-plugins (the XFBML login button iframe) is another service of sns: it stays held
  const plugin = lb.requests({ host: 'www.facebook.com', path: /^\/plugins\// });
  assert.equal(plugin.length, 0, `facebook-plugins iframe with only facebook-login granted:\n  ${listRequests(plugin)}`);
  await context.close();
});

test('rt-s4. JP opt-out (Asia/Tokyo): sns stays opt-in — no social SDK before a choice', async () => {
  await env.fresh();
  const lb = env.loopback;
  const context = await env.ctx({ timezoneId: 'Asia/Tokyo', locale: 'ja-JP' });
  const { page } = await open(context, PAGE, { loopback: lb });
  assert.equal((await get(page)).regime, 'opt-out');
  const leaked = await leaks(lb, [], { except: preloadFetch });
  assert.equal(leaked.length, 0, `social requests before a choice in opt-out:\n  ${listRequests(leaked)}`);
  assert.deepEqual(await flags(page, SNS_FLAGS), nulls(SNS_FLAGS));
  assert.equal(await until(() => page.evaluate(() => window.__snsRequire !== 'pending'), { timeout: 300 }), false, 'require("sns") pending');
  await context.close();
});
