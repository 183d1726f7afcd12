// Issue #2, cases f (revision bump) and g (corrupt / foreign / future cookie): re-ask, never granted.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { setup, open, get, call, cookies, waitForRequests, settleThenCount, listRequests, parseConsentCookie, bannerShown, HOSTS, ENGINE, WAIT_MS } from './harness.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });
beforeEach(() => env.loopback.reset());

const CONFIG = (revision) => ({ revision, regime: 'opt-in', services: { youtube: { category: 'sns' } } });

/**
 * acceptAll in a throw-away context and return the cookie value the SDK wrote (so the consentId has whatever
 * format the SDK uses). Waits until the released tags are done, so none of their requests leaks into the next case.
 */
let acceptCookie;
async function realAcceptCookie() {
  if (acceptCookie) return acceptCookie;
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, '/tags.html', { quiet: 0 });
  await call(page, 'acceptAll');
  await waitForRequests(lb, { host: 'www.google-analytics.com', path: '/g/collect' });
  await waitForRequests(lb, { host: 'www.facebook.com', path: '/tr/' });
  await waitForRequests(lb, { host: 'www.youtube.com', path: '/s/player/fake.js' });
  const v = (await cookies(context)).sekisho;
  await context.close();
  await lb.quiet();
  assert.ok(parseConsentCookie(v), `acceptAll wrote a well-formed cookie: ${v}`);
  assert.equal(parseConsentCookie(v).bits, 31);
  acceptCookie = v;
  return v;
}

async function assertUndecidedAndSilent(cookieValue, label) {
  const lb = env.loopback;
  lb.reset();
  const context = await env.ctx({ cookies: [{ name: 'sekisho', value: cookieValue }] });
  const { page, errors } = await open(context, '/tags.html', { loopback: lb });
  const reqs = await settleThenCount(lb, (e) => lb.trackerRequests().includes(e));
  assert.equal(reqs.length, 0, `${label}: tracker requests:\n  ${listRequests(reqs)}`);
  const st = await get(page);
  assert.equal(st.decided, false, `${label}: undecided`);
  assert.deepEqual(st.categories, { necessary: true, functional: false, analytics: false, ads: false, sns: false }, `${label}: never granted`);
  assert.deepEqual(await page.evaluate(() => [window.__gtagLoaded ?? null, window.__fbqLoaded ?? null]), [null, null]);
  assert.deepEqual(errors().filter((m) => m.type === 'pageerror'), [], `${label}: no uncaught exception`);
  await context.close();
}

test('f. revision bump: a choice made at revision 1 is re-asked at revision 2', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, '/tags.html', { config: CONFIG(1), loopback: lb });
  await call(page, 'acceptAll');
  await waitForRequests(lb, { host: 'www.google-analytics.com', path: '/g/collect' });
  assert.equal(parseConsentCookie((await cookies(context)).sekisho)?.revision, 1);
  await page.close();
  await lb.quiet();
  lb.reset();

  const p2 = await open(context, '/tags.html', { config: CONFIG(2), loopback: lb });
  const st = await get(p2.page);
  assert.equal(st.revision, 2);
  assert.equal(st.decided, false, 'revision 2 → undecided');
  assert.equal(st.categories.analytics, false);
  const reqs = await settleThenCount(lb, (e) => lb.trackerRequests().includes(e));
  assert.equal(reqs.length, 0, `nothing marked loads at revision 2:\n  ${listRequests(reqs)}`);

  // deciding again writes revision 2
  await call(p2.page, 'rejectAll');
  assert.equal(parseConsentCookie((await cookies(context)).sekisho)?.revision, 2);
  await context.close();
});

test('g. control: the real cookie copied into a fresh browser is honoured', async () => {
  const lb = env.loopback;
  const v = await realAcceptCookie();
  await lb.quiet();
  lb.reset();
  const context = await env.ctx({ cookies: [{ name: 'sekisho', value: v }] });
  const { page } = await open(context, '/tags.html', { quiet: 0 });
  assert.equal((await get(page)).decided, true);
  await waitForRequests(lb, { host: 'www.google-analytics.com', path: '/g/collect' }, { timeout: WAIT_MS });
  await context.close();
});

test('g. corrupt cookie "garbage" → undecided, nothing loads', async () => {
  await assertUndecidedAndSilent('garbage', 'sekisho=garbage');
});

test('g. structurally valid cookie with a wrong version (2.…) → undecided, nothing loads', async () => {
  const v = await realAcceptCookie();
  await assertUndecidedAndSilent(v.replace(/^1\./, '2.'), 'version 2');
});

test('g. cookie granting ads (bits 9) with a future timestamp → undecided, nothing loads', async () => {
  const v = await realAcceptCookie();
  const p = v.split('.');
  p[3] = '9';
  p[4] = String(Math.floor(Date.now() / 1000) + 10 * 365 * 86400);
  await assertUndecidedAndSilent(p.join('.'), 'future timestamp');
});

test('g. more corrupt forms (bad bits, missing fields, expired) → undecided, nothing loads', async () => {
  const v = await realAcceptCookie();
  const p = v.split('.');
  const now = Math.floor(Date.now() / 1000);
  const variants = {
    'bits out of range (999)': [p[0], p[1], p[2], '999', p[4]].join('.'),
    'bits not a number': [p[0], p[1], p[2], 'all', p[4]].join('.'),
    'missing timestamp': [p[0], p[1], p[2], p[3]].join('.'),
    'empty consentId': [p[0], '', p[2], p[3], p[4]].join('.'),
    'expired (200 days > consentMaxAgeDays 180)': [p[0], p[1], p[2], p[3], String(now - 200 * 86400)].join('.'),
  };
  for (const [label, value] of Object.entries(variants)) await assertUndecidedAndSilent(value, label);
});

test('h. the localStorage copy: where script-set cookies are capped (WebKit: Safari\'s ITP) it gives back the choice of a visitor whose cookie went, once the page is parsed; elsewhere a cleared cookie asks again and the copy is not read', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const first = await open(context, '/tags.html', { config: CONFIG(1), quiet: 0 });
  const chosen = await call(first.page, 'rejectAll');
  const written = (await cookies(context)).sekisho;
  assert.equal(await first.page.evaluate(() => localStorage.getItem('sekisho')), written, 'the copy is written in every browser');
  await first.page.evaluate(() => { document.cookie = 'sekisho=; Max-Age=0; Path=/; Secure; SameSite=Lax'; });
  assert.equal((await cookies(context)).sekisho, undefined, 'the cookie is gone');
  await first.page.close();
  lb.reset();
  const { page } = await open(context, '/tags.html', { config: CONFIG(1), loopback: lb });
  const capped = await page.evaluate(() => /^Apple/.test(navigator.vendor || ''));
  assert.equal(capped, ENGINE === 'webkit', `navigator.vendor says whether ${ENGINE} caps script-set cookies`);
  const st = await get(page);
  if (capped) {
    assert.equal(st.decided, true, 'the choice is back');
    assert.equal(st.consentId, chosen.consentId);
    assert.equal((await cookies(context)).sekisho, written, 'and the cookie with it');
  } else {
    assert.equal(st.decided, false, 'asked again');
    await bannerShown(page);
    assert.equal(await page.evaluate(() => localStorage.getItem('sekisho')), written, 'the copy is left as it was');
  }
  const trackers = await settleThenCount(lb, (e) => HOSTS.all.some((h) => e.host === h || e.host.endsWith('.' + h)));
  assert.equal(trackers.length, 0, `nothing sent either way:\n  ${listRequests(trackers)}`);
  await context.close();
});
