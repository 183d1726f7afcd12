// Issue #9, embeds: a held <iframe> (marked, or held by the guards) is hidden behind an accessible placeholder of its
// size naming the service and what it would send, with "load this once" (this page view, no choice recorded) and
// "always allow" (a recorded choice for that service) — each counted at the loopback tracker server.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { setup, open, get, cookies, waitForRequests, settleThenCount, axe, WAIT_MS } from './harness.mjs';


let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });
beforeEach(() => env.fresh());

const YT = { host: 'www.youtube.com', path: '/embed/dQw4w9WgXcQ' };

/** The placeholder of frame `#id`: its service, label, text, size and buttons; the frame's display. */
const placeholderOf = (page, id = 'yt') => page.evaluate((frameId) => {
  const frame = document.getElementById(frameId);
  const host = frame.previousElementSibling;
  const shown = getComputedStyle(frame).display;
  if (!host || !host.hasAttribute('data-sekisho-placeholder')) return { frame: shown, placeholder: null };
  const r = host.getBoundingClientRect();
  return {
    frame: shown,
    placeholder: {
      service: host.getAttribute('data-sekisho-placeholder'), role: host.getAttribute('role'), label: host.getAttribute('aria-label'),
      text: host.shadowRoot.textContent, width: Math.round(r.width), height: Math.round(r.height),
      actions: [...host.shadowRoot.querySelectorAll('button')].map((b) => [b.getAttribute('data-sekisho-action'), b.textContent]),
    },
  };
}, id);
const placeholderShown = (page, id = 'yt') => page.waitForFunction((frameId) => Boolean(document.getElementById(frameId)?.previousElementSibling?.hasAttribute('data-sekisho-placeholder')),
  id, { timeout: WAIT_MS });
const press = (page, action, id = 'yt') => page.evaluate(([a, frameId]) => document.getElementById(frameId).previousElementSibling.shadowRoot
  .querySelector(`[data-sekisho-action="${a}"]`).click(), [action, id]);


test('pe-a. a held YouTube embed: a placeholder of its size names YouTube and what it sends; "load this once" loads it for this view only', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, '/ui.html', { loopback: lb });
  await placeholderShown(page);
  const { frame, placeholder } = await placeholderOf(page);
  assert.equal(frame, 'none', 'the empty frame is hidden behind it');
  assert.equal(placeholder.service, 'youtube');
  assert.equal(placeholder.role, 'region');
  assert.match(placeholder.label, /YouTube/);
  assert.match(placeholder.text, /Google LLC.*IP address/);
  assert.deepEqual(placeholder.actions, [['load-once', 'Load this once'], ['always-allow', 'Always allow YouTube']]);
  assert.equal(placeholder.width, 560, 'as wide as the frame');
  assert.ok(placeholder.height >= 315, `at least as tall as the frame: ${placeholder.height}`);
  assert.deepEqual(await axe(page, '[data-sekisho-placeholder]'), [], 'the placeholder');
  assert.equal(lb.countFor('youtube.com'), 0, 'nothing sent to YouTube before');

  await press(page, 'load-once');
  await waitForRequests(lb, YT);
  assert.deepEqual(await placeholderOf(page), { frame: 'inline', placeholder: null }, 'the frame shows, the placeholder is gone');
  const st = await get(page);
  assert.equal(st.decided, false, 'no choice recorded');
  assert.equal(st.categories.sns, false);
  assert.equal((await cookies(context)).sekisho, undefined);

  // The next view asks again.
  await lb.quiet();
  lb.reset();
  const next = await open(context, '/ui.html', { quiet: 0 });
  await placeholderShown(next.page);
  assert.equal((await settleThenCount(lb, 'youtube.com')).length, 0, 'held again on the next view');
  await context.close();
});

test('pe-b. "always allow" records a choice for that service alone: the embed loads now and on the next view; the preference center shows it', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  let { page } = await open(context, '/ui.html?lang=ja', { loopback: lb });
  await placeholderShown(page);
  const { placeholder } = await placeholderOf(page);
  assert.deepEqual(placeholder.actions, [['load-once', '今回だけ表示'], ['always-allow', 'YouTubeを常に許可']]);
  assert.match(placeholder.text, /表示すると、Google LLC（YouTube）に次の情報が送信されます/);
  assert.deepEqual(await axe(page, '[data-sekisho-placeholder]'), [], 'the placeholder (ja)');

  await press(page, 'always-allow');
  await waitForRequests(lb, YT);
  await page.waitForFunction(() => !document.querySelector('[data-sekisho-placeholder]'), null, { timeout: WAIT_MS });
  const st = await get(page);
  assert.equal(st.services.youtube, true);
  assert.equal(st.categories.sns, false, 'only YouTube: the category stays off');
  assert.equal(lb.countFor({ host: 'www.facebook.com', path: '/tr/' }), 0, 'nothing else was allowed');

  // The next view (a new page: a reload may restore the frame from session history instead).
  await lb.quiet();
  lb.reset();
  ({ page } = await open(context, '/ui.html?lang=ja', { quiet: 0 }));
  await waitForRequests(lb, YT);
  assert.equal(await page.evaluate(() => document.querySelector('[data-sekisho-placeholder]')), null);
  await page.evaluate(() => window.sekisho.showPreferences());
  await page.waitForFunction(() => document.getElementById('sekisho-root')?.shadowRoot?.querySelector('dialog')?.open, null, { timeout: WAIT_MS });
  assert.equal(await page.evaluate(() => document.getElementById('sekisho-root').shadowRoot.querySelector('[data-sekisho-service="youtube"]')?.checked), true);

  // Switching YouTube off again holds the frame and brings its placeholder back.
  await page.evaluate(() => window.sekisho.set({ services: { youtube: false } }));
  await placeholderShown(page);
  assert.equal((await placeholderOf(page)).frame, 'none');
  await context.close();
});

test('pe-c. a frame the guards held (an unmarked YouTube embed) gets the same placeholder', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, '/rt/unmarked.html', { loopback: lb });
  await placeholderShown(page);
  const { placeholder } = await placeholderOf(page);
  assert.equal(placeholder.service, 'youtube');
  lb.reset();
  await press(page, 'load-once');
  await waitForRequests(lb, { host: 'www.youtube.com', path: '/embed/rtParsed01' });
  assert.equal((await placeholderOf(page)).placeholder, null);
  assert.equal((await get(page)).decided, false);
  await context.close();
});

test('pe-d. by keyboard alone: Tab reaches the placeholder\'s "load this once", Enter loads the embed and the focus goes to it', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, '/ui.html', { loopback: lb });
  await placeholderShown(page);
  const focused = () => page.evaluate(() => {
    const a = document.activeElement;
    if (a && a.hasAttribute('data-sekisho-placeholder')) return `placeholder:${a.shadowRoot.activeElement?.getAttribute('data-sekisho-action')}`;
    return a ? a.id || a.localName : null;
  });
  const seen = [];
  for (let i = 0; i < 30 && seen.at(-1) !== 'placeholder:load-once'; i++) {
    await page.keyboard.press('Tab');
    seen.push(await focused());
  }
  assert.equal(seen.at(-1), 'placeholder:load-once', `Tab order: ${seen.join(' → ')}`);
  await page.keyboard.press('Enter');
  await waitForRequests(lb, YT);
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'yt', null, { timeout: WAIT_MS });
  assert.equal((await get(page)).decided, false);
  await context.close();
});

test('pe-e. script-built embeds and buttons (X share button, Facebook login button): placeholders before their markup; "load this once" runs X\'s script for this view only, Facebook stays held', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, '/rt/sns.html', { loopback: lb });
  await page.waitForFunction(() => document.querySelector('[data-sekisho-placeholder="x-widgets"]') && document.querySelector('[data-sekisho-placeholder="facebook-login"]'),
    null, { timeout: WAIT_MS });
  const shown = await page.evaluate(() => [...document.querySelectorAll('[data-sekisho-placeholder]')].map((p) => ({
    service: p.getAttribute('data-sekisho-placeholder'), before: p.nextElementSibling && (p.nextElementSibling.className || p.nextElementSibling.localName),
    hidden: p.nextElementSibling && getComputedStyle(p.nextElementSibling).display === 'none' })));
  assert.deepEqual(shown.find((p) => p.service === 'x-widgets'), { service: 'x-widgets', before: 'twitter-share-button', hidden: true });
  assert.deepEqual(shown.find((p) => p.service === 'facebook-login'), { service: 'facebook-login', before: 'fb-login-button', hidden: true });
  assert.deepEqual(await axe(page, '[data-sekisho-placeholder]'), []);
  lb.reset();
  await page.evaluate(() => document.querySelector('[data-sekisho-placeholder="x-widgets"]').shadowRoot.querySelector('[data-sekisho-action="load-once"]').click());
  await waitForRequests(lb, { host: 'platform.twitter.com', path: '/widgets/tweet_button.html' });
  await page.waitForFunction(() => !document.querySelector('[data-sekisho-placeholder="x-widgets"]'), null, { timeout: WAIT_MS });
  assert.equal((await get(page)).decided, false, 'nothing recorded');
  assert.ok(await page.evaluate(() => Boolean(document.querySelector('[data-sekisho-placeholder="facebook-login"]'))), 'Facebook still waits');
  assert.equal((await settleThenCount(lb, (e) => /facebook\.(com|net)$/.test(e.host))).length, 0, 'nothing sent to Facebook');
  await context.close();
});

test('pe-f. an embedded post keeps its fallback text under the placeholder; "always allow X" runs the script and the post becomes the embed', async () => {
  const lb = env.loopback;
  lb.route('site.test', /^\/tweet\.html$/, () => ({ type: 'html', body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A post</title>
<script src="/sekisho/sekisho.js"></script></head><body><main><h1>A post</h1>
<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Hello from the fallback text.</p>&mdash; Someone (@someone)
<a href="https://twitter.com/someone/status/1234567890">December 6, 2026</a></blockquote>
<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script></main></body></html>` }));
  const context = await env.ctx();
  const { page } = await open(context, '/tweet.html', { loopback: lb });
  await page.waitForFunction(() => Boolean(document.querySelector('[data-sekisho-placeholder="x-widgets"]')), null, { timeout: WAIT_MS });
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('blockquote.twitter-tweet')).display), 'block', 'the fallback text stays');
  await page.evaluate(() => document.querySelector('[data-sekisho-placeholder="x-widgets"]').shadowRoot.querySelector('[data-sekisho-action="always-allow"]').click());
  await waitForRequests(lb, { host: 'platform.twitter.com', path: '/embed/Tweet.html' });
  assert.equal((await get(page)).services['x-widgets'], true);
  await page.waitForFunction(() => !document.querySelector('[data-sekisho-placeholder]'), null, { timeout: WAIT_MS });
  await context.close();
});

test('pe-g. a frame in a responsive 16:9 wrapper (absolutely positioned over its padding): the placeholder fills the wrapper, its buttons reachable', async () => {
  const lb = env.loopback;
  lb.route('site.test', /^\/wrapped\.html$/, () => ({ type: 'html', body: `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>動画</title>
<style>.video { position: relative; height: 0; padding-top: 56.25%; overflow: hidden; } .video iframe { position: absolute; top: 0; left: 0; width: 100%; height: 100%; border: 0; }</style>
<script src="/sekisho/sekisho.js"></script></head><body><main><h1>動画</h1>
<div class="video"><iframe id="yt" data-consent="sns" data-src="https://www.youtube.com/embed/dQw4w9WgXcQ" title="動画"></iframe></div></main></body></html>` }));
  const context = await env.ctx();
  const { page } = await open(context, '/wrapped.html', { loopback: lb });
  await placeholderShown(page);
  const box = await page.evaluate(() => {
    const wrapper = document.querySelector('.video').getBoundingClientRect();
    const host = document.querySelector('[data-sekisho-placeholder]');
    const r = host.getBoundingClientRect();
    const button = host.shadowRoot.querySelector('[data-sekisho-action="load-once"]');
    button.focus();
    return { wrapper: [Math.round(wrapper.width), Math.round(wrapper.height)], placeholder: [Math.round(r.width), Math.round(r.height)],
      focusable: host.shadowRoot.activeElement === button };
  });
  assert.deepEqual(box.placeholder, box.wrapper, JSON.stringify(box));
  assert.ok(box.wrapper[1] > 100 && box.focusable, JSON.stringify(box));
  await press(page, 'load-once');
  await waitForRequests(lb, YT);
  assert.equal((await placeholderOf(page)).placeholder, null);
  await context.close();
});

test('pe-h. an embed inserted after the page was parsed, on a page whose first layer sekisho.js drew (no UI module yet): the module comes for its placeholder, and the banner stays one', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, '/ui.html?embeds=0', { quiet: 0, loopback: lb });
  await page.waitForFunction(() => Boolean(document.getElementById('sekisho-root')?.shadowRoot?.querySelector('.banner')), null, { timeout: WAIT_MS });
  assert.equal(lb.requests({ path: '/sekisho/sekisho-deferred.js' }).length, 0, 'no UI module for the first layer');
  await page.evaluate(() => {
    const frame = document.createElement('iframe');
    frame.id = 'late';
    frame.width = '560';
    frame.height = '315';
    frame.src = 'https://www.youtube.com/embed/dQw4w9WgXcQ';
    document.body.appendChild(frame);
  });
  await placeholderShown(page, 'late');
  const p = await placeholderOf(page, 'late');
  assert.equal(p.placeholder.service, 'youtube');
  assert.equal(p.frame, 'none', 'the frame is hidden behind it');
  assert.equal(lb.requests({ path: '/sekisho/sekisho-deferred.js' }).length, 1, 'the module, once');
  assert.equal(await page.evaluate(() => document.getElementById('sekisho-root').shadowRoot.querySelectorAll('.banner').length), 1, 'the module adopted the banner');
  assert.equal((await settleThenCount(lb, 'youtube.com')).length, 0, 'nothing sent to YouTube');
  await context.close();
});
