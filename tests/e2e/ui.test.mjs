// Issue #9 (first slice): the banner and the preference center, used as a visitor uses them — by pointer and by
// keyboard alone — with every choice counted at the loopback tracker server, as the API's are (pages/ui.html: the
// marked tags of tags.html and a page's own "privacy settings" control; `?lang=ja` makes it a Japanese page;
// ui-csp.html is it with style-src 'self').
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  setup, open, get, cookies, parseConsentCookie, waitForRequests, settleThenCount, listRequests, HOSTS, WAIT_MS, ENGINE, axe, bannerShown,
} from './harness.mjs';


let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });
beforeEach(() => env.fresh());

// The first layer is drawn by sekisho.js on a page without embeds (the UI module comes when the visitor opens
// the preferences), by the UI module on a page with one (it comes for the placeholder): both, alike.
const DRAWN = [['sekisho.js', '/ui.html?embeds=0'], ['the UI module', '/ui.html']];
const GA4_HIT = { host: 'www.google-analytics.com', path: '/g/collect' };
const META_HIT = { host: 'www.facebook.com', path: '/tr/' };
const trackers = (lb) => settleThenCount(lb, (e) => HOSTS.all.some((h) => e.host === h || e.host.endsWith('.' + h)));

/** What the UI shows, read in its shadow root; `focus` names the focused control (or the page element's id). */
function uiState(page) {
  return page.evaluate(() => {
    const root = document.getElementById('sekisho-root');
    const sr = root && root.shadowRoot;
    if (!sr) return null;
    const banner = sr.querySelector('.banner');
    const dialog = sr.querySelector('dialog');
    const act = sr.activeElement;
    const name = (el) => el.getAttribute('data-sekisho-action') || (el.hasAttribute('data-sekisho-category') ? `switch:${el.getAttribute('data-sekisho-category')}` : el.localName);
    return {
      lang: root.getAttribute('lang'),
      banner: banner && { text: banner.textContent, actions: [...banner.querySelectorAll('button')].map(name),
        labels: [...banner.querySelectorAll('button')].map((b) => b.textContent), position: getComputedStyle(banner).position },
      dialogOpen: Boolean(dialog && dialog.open),
      switches: dialog && Object.fromEntries([...dialog.querySelectorAll('[data-sekisho-category]')]
        .map((i) => [i.getAttribute('data-sekisho-category'), { checked: i.checked, disabled: i.disabled, role: i.getAttribute('role') }])),
      focus: act ? name(act) : (document.activeElement && document.activeElement.id) || null,
      focusInDialog: Boolean(act && dialog && dialog.contains(act)),
      status: (sr.querySelector('[role=status]') || {}).textContent || '',
    };
  });
}
/** Waits for the preference center to be open. */
const dialogOpened = (page) => page.waitForFunction(() => Boolean(document.getElementById('sekisho-root')?.shadowRoot?.querySelector('dialog')?.open),
  null, { timeout: WAIT_MS });
/** Clicks a control of the UI (in the banner, else in the dialog). */
const click = (page, action) => page.evaluate((a) => {
  const sr = document.getElementById('sekisho-root').shadowRoot;
  (sr.querySelector(`.banner [data-sekisho-action="${a}"]`) || sr.querySelector(`dialog [data-sekisho-action="${a}"]`)).click();
}, action);
/** Presses Tab (or Shift+Tab) until `target` has the focus; fails after 30 presses. */
async function tabTo(page, target, key = 'Tab') {
  const seen = [];
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press(key);
    const { focus } = await uiState(page);
    seen.push(focus);
    if (focus === target) return;
  }
  assert.fail(`${target} never got the focus by ${key}: ${seen.join(' → ')}`);
}

for (const [by, url] of DRAWN) {
  test(`ui-a. (${by}) opt-in banner: accept all, reject all and preferences on the first layer, equal; nothing sent before; accept all releases without reload`, async () => {
    const lb = env.loopback;
    const context = await env.ctx();
    const { page } = await open(context, url, { quiet: 0 });
    await bannerShown(page);
    const ui = await uiState(page);
    assert.deepEqual(ui.banner.actions, ['accept-all', 'reject-all', 'preferences']);
    assert.deepEqual(ui.banner.labels, ['Accept all', 'Reject all', 'Preferences']);
    assert.equal(ui.lang, 'en');
    assert.equal(ui.banner.position, 'fixed', 'styled (its stylesheet adopted)');
    // equal in size, style and contrast: same font, same colours, areas within 10 %, targets ≥ 24 px
    const look = await page.evaluate(() => [...document.getElementById('sekisho-root').shadowRoot.querySelectorAll('.banner button')].map((b) => {
      const r = b.getBoundingClientRect();
      const s = getComputedStyle(b);
      return { area: r.width * r.height, w: r.width, h: r.height, font: `${s.fontSize} ${s.fontWeight}`, colors: `${s.color} ${s.backgroundColor}` };
    }));
    const [accept, reject] = look;
    assert.equal(accept.font, reject.font);
    assert.equal(accept.colors, reject.colors);
    assert.ok(Math.abs(accept.area - reject.area) / Math.max(accept.area, reject.area) <= 0.1, JSON.stringify(look));
    for (const b of look) assert.ok(b.w >= 24 && b.h >= 24, `target ≥ 24×24 px: ${JSON.stringify(b)}`);
    assert.equal((await trackers(lb)).length, 0, 'nothing sent while the banner shows');
    assert.equal((await get(page)).decided, false);

    await click(page, 'accept-all');
    await waitForRequests(lb, GA4_HIT);
    await waitForRequests(lb, META_HIT);
    const after = await uiState(page);
    assert.equal(after.banner, null, 'the banner is gone');
    assert.match(after.status, /saved/, 'the status region announces the choice');
    assert.equal(parseConsentCookie((await cookies(context)).sekisho)?.bits, 31);
    assert.equal(lb.countFor({ host: 'site.test', path: '/ui.html' }), 1, 'no reload');
    if (by === 'sekisho.js') assert.deepEqual(lb.requests({ path: '/sekisho/sekisho-deferred.js' }), [], 'no UI module for the first layer');
    await context.close();
  });
}

for (const [by, url] of DRAWN) {
  test(`ui-b. (${by}) keyboard only: Tab reaches the banner, Enter on reject all refuses; nothing is sent, the choice is stored`, async () => {
    const lb = env.loopback;
    const context = await env.ctx();
    const { page } = await open(context, url, { quiet: 0 });
    await bannerShown(page);
    await tabTo(page, 'reject-all');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.sekisho.get().decided, null, { timeout: WAIT_MS });
    const st = await get(page);
    assert.deepEqual(st.categories, { necessary: true, functional: false, analytics: false, ads: false, sns: false });
    assert.equal((await uiState(page)).banner, null);
    const reqs = await trackers(lb);
    assert.equal(reqs.length, 0, `after reject all:\n  ${listRequests(reqs)}`);
    assert.equal(parseConsentCookie((await cookies(context)).sekisho)?.bits, 1);
    await context.close();
  });
}

for (const [by, url] of DRAWN) {
  test(`ui-c. (${by}) preference center by keyboard: a modal dialog with a switch per category; Esc records nothing and gives the focus back; Space and save record that choice`, async () => {
    const lb = env.loopback;
    const context = await env.ctx();
    const { page } = await open(context, url, { quiet: 0 });
    await bannerShown(page);
    await tabTo(page, 'preferences');
    await page.keyboard.press('Enter');
    await dialogOpened(page); // (sekisho.js's first layer: once the UI module has come)
    let ui = await uiState(page);
    assert.equal(ui.dialogOpen, true, 'the dialog opened');
    assert.equal(ui.focusInDialog, true, `the focus moved into the dialog (${ui.focus})`);
    assert.deepEqual(ui.switches, {
      necessary: { checked: true, disabled: true, role: 'switch' }, functional: { checked: false, disabled: false, role: 'switch' },
      analytics: { checked: false, disabled: false, role: 'switch' }, ads: { checked: false, disabled: false, role: 'switch' },
      sns: { checked: false, disabled: false, role: 'switch' },
    }, 'necessary on and disabled, nothing pre-ticked');

    await page.keyboard.press('Escape');
    ui = await uiState(page);
    assert.equal(ui.dialogOpen, false, 'Esc closed it');
    await page.waitForFunction(() => document.getElementById('sekisho-root').shadowRoot.activeElement?.getAttribute('data-sekisho-action') === 'preferences',
      null, { timeout: WAIT_MS });
    assert.equal((await get(page)).decided, false, 'Esc recorded nothing');
    assert.notEqual((await uiState(page)).banner, null, 'the banner is still there');

    await page.keyboard.press('Enter');
    assert.equal((await uiState(page)).dialogOpen, true);
    await tabTo(page, 'switch:analytics');
    await page.keyboard.press('Space');
    assert.equal((await uiState(page)).switches.analytics.checked, true);
    await tabTo(page, 'save');
    await page.keyboard.press('Enter');
    await waitForRequests(lb, GA4_HIT);
    const st = await get(page);
    assert.equal(st.decided, true);
    assert.deepEqual(st.categories, { necessary: true, functional: false, analytics: true, ads: false, sns: false });
    ui = await uiState(page);
    assert.equal(ui.dialogOpen, false);
    assert.equal(ui.banner, null);
    assert.equal(lb.countFor(META_HIT), 0, 'ads stay held');
    await context.close();
  });
}

test('ui-d. a returning visitor: no banner, no UI download; the page\'s own control opens the preferences with the choice in effect, and withdrawing is as easy', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const first = await open(context, '/ui.html', { quiet: 0 });
  await bannerShown(first.page);
  await click(first.page, 'accept-all');
  await waitForRequests(lb, META_HIT);
  await first.page.close();
  await lb.quiet();
  lb.reset();

  const { page } = await open(context, '/ui.html', { loopback: lb });
  assert.equal(await uiState(page), null, 'no banner for a returning visitor');
  assert.equal(lb.countFor({ host: 'site.test', path: '/sekisho/sekisho-deferred.js' }), 0, 'the UI is not downloaded until asked for');
  await page.evaluate(() => { const c = document.getElementById('reopen'); c.focus(); c.click(); }); // as a pointer does
  await page.waitForFunction(() => Boolean(document.getElementById('sekisho-root')?.shadowRoot?.querySelector('dialog')?.open), null, { timeout: WAIT_MS });
  const ui = await uiState(page);
  assert.equal(ui.banner, null);
  assert.deepEqual(Object.values(ui.switches).map((s) => s.checked), [true, true, true, true, true], 'the switches show the choice in effect');
  await page.evaluate(() => document.getElementById('sekisho-root').shadowRoot.querySelector('[data-sekisho-category="ads"]').click());
  await click(page, 'save');
  const st = await get(page);
  assert.equal(st.categories.ads, false);
  assert.equal(st.categories.analytics, true);
  assert.equal(parseConsentCookie((await cookies(context)).sekisho)?.categories.ads, false);
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'reopen', null, { timeout: WAIT_MS });
  await context.close();
});

test('ui-e. a Japanese page: the UI speaks Japanese', async () => {
  const context = await env.ctx({ locale: 'en-US' });
  const { page } = await open(context, '/ui.html?lang=ja', { quiet: 0 });
  await bannerShown(page);
  const ui = await uiState(page);
  assert.equal(ui.lang, 'ja');
  assert.deepEqual(ui.banner.labels, ['すべて許可', 'すべて拒否', '設定']);
  assert.match(ui.banner.text, /プライバシーの選択/);
  await click(page, 'preferences');
  assert.match(await page.evaluate(() => document.getElementById('sekisho-root').shadowRoot.querySelector('dialog').textContent), /アクセス解析.*広告/);
  await context.close();
});

test("ui-f. a strict CSP (style-src 'self'): the banner is styled and its choices work", async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const { page, errors } = await open(context, '/ui-csp.html', { quiet: 0 });
  await bannerShown(page);
  assert.equal((await uiState(page)).banner.position, 'fixed', 'styled under style-src \'self\'');
  // The embed's placeholder is sized through the CSSOM, which the CSP allows (a style attribute it would refuse).
  const size = await page.evaluate(() => {
    const host = document.querySelector('[data-sekisho-placeholder="youtube"]');
    return host && [Math.round(host.getBoundingClientRect().width), getComputedStyle(document.getElementById('yt')).display];
  });
  assert.deepEqual(size, [560, 'none'], 'the placeholder has the frame\'s width; the frame is hidden');
  await click(page, 'accept-all');
  await waitForRequests(lb, GA4_HIT);
  assert.deepEqual(errors().filter((m) => /sekisho|Content Security/i.test(m.text)), [], 'no error');
  await context.close();
});

test('ui-h. 320 CSS px wide: nothing scrolls sideways, and both choice buttons are inside the viewport, focusable', async () => {
  // A 320 px frame is the page's viewport in every engine (Firefox's and MiniBrowser's windows stop at 450–500 px).
  env.loopback.route('site.test', /^\/ui-320\.html$/, () => ({ type: 'html',
    body: '<!doctype html><title>320 px</title><iframe id="narrow" title="page" src="/ui.html?lang=ja" width="320" height="640"></iframe>' }));
  const context = await env.ctx();
  const { page } = await open(context, '/ui-320.html', { quiet: 0 });
  await page.waitForFunction(() => Boolean(document.getElementById('narrow').contentDocument?.getElementById('sekisho-root')?.shadowRoot?.querySelector('.banner')),
    null, { timeout: WAIT_MS });
  const geometry = await page.evaluate(() => {
    const win = document.getElementById('narrow').contentWindow;
    const banner = win.document.getElementById('sekisho-root').shadowRoot.querySelector('.banner');
    return {
      viewport: win.innerWidth,
      pageScrollsSideways: win.document.documentElement.scrollWidth > win.innerWidth,
      bannerScrollsSideways: banner.scrollWidth > banner.clientWidth,
      buttons: [...banner.querySelectorAll('button')].map((b) => {
        const r = b.getBoundingClientRect();
        b.focus();
        return { action: b.getAttribute('data-sekisho-action'), left: Math.round(r.left), right: Math.round(r.right), height: Math.round(r.height),
          focusable: b.getRootNode().activeElement === b };
      }),
    };
  });
  assert.equal(geometry.viewport, 320);
  assert.equal(geometry.pageScrollsSideways, false, JSON.stringify(geometry));
  assert.equal(geometry.bannerScrollsSideways, false, JSON.stringify(geometry));
  for (const b of geometry.buttons) {
    assert.ok(b.left >= 0 && b.right <= 320 && b.height >= 24 && b.focusable, JSON.stringify(b));
  }
  assert.deepEqual(geometry.buttons.map((b) => b.action), ['accept-all', 'reject-all', 'preferences']);
  await context.close();
});

test("ui-i. the site's config: the languages it offers and its own words for a category", async () => {
  const config = { revision: 1, regime: 'opt-in', services: { youtube: { category: 'sns' } }, languages: ['ja'], defaultLanguage: 'ja',
    categories: { analytics: { label: { ja: '計測', en: 'Measurement' }, description: { ja: '当サイトの計測です。' } } } };
  const context = await env.ctx({ locale: 'en-US' });
  const { page } = await open(context, '/ui.html', { config, quiet: 0 }); // an English page, a Japanese-only site
  await bannerShown(page);
  const ui = await uiState(page);
  assert.equal(ui.lang, 'ja');
  assert.deepEqual(ui.banner.labels, ['すべて許可', 'すべて拒否', '設定']);
  await click(page, 'preferences');
  const analytics = await page.evaluate(() => {
    const row = document.getElementById('sekisho-root').shadowRoot.querySelector('[data-sekisho-category="analytics"]').closest('.category');
    return row.textContent;
  });
  assert.match(analytics, /計測/);
  assert.match(analytics, /当サイトの計測です。/);
  await context.close();
});

for (const [by, url] of DRAWN) {
  test(`ui-j. (${by}) opt-out regime: a notice of what is sent, a link to the disclosure, a one-click refuse`, async () => {
    const lb = env.loopback;
    const config = { revision: 1, regime: 'opt-out', services: { youtube: { category: 'sns' } }, disclosure: '/gaibu-soshin.html' };
    const context = await env.ctx();
    const { page } = await open(context, `${url}${url.includes('?') ? '&' : '?'}lang=ja`, { config, quiet: 0 });
    await bannerShown(page);
    await waitForRequests(lb, GA4_HIT); // opt-out: analytics is sent until refused
    const notice = await page.evaluate(() => {
      const banner = document.getElementById('sekisho-root').shadowRoot.querySelector('.banner');
      const link = banner.querySelector('.disclosure a');
      return { link: link && [link.getAttribute('href'), link.textContent] };
    });
    const ui = await uiState(page);
    assert.deepEqual(ui.banner.actions, ['reject-all', 'preferences'], 'refuse and preferences');
    assert.deepEqual(ui.banner.labels, ['送信を拒否', '設定']);
    assert.match(ui.banner.text, /送信しています/);
    assert.deepEqual(notice.link, ['/gaibu-soshin.html', '外部送信について（送信する情報と送信先）']);
    await click(page, 'reject-all');
    const st = await get(page);
    assert.equal(st.decided, true);
    assert.deepEqual(st.categories, { necessary: true, functional: false, analytics: false, ads: false, sns: false });
    assert.equal(parseConsentCookie((await cookies(context)).sekisho)?.bits, 1);
    assert.equal((await uiState(page)).banner, null);
    await context.close();
  });
}

for (const [by, url] of DRAWN) {
  test(`ui-g. (${by}) axe-core (WCAG 2.2 AA): no violation in the banner or the preference center, in both languages and colour schemes`, async () => {
    // (Chromium alone can emulate prefers-color-scheme here: WebDriver has no such setting.)
    for (const colorScheme of ENGINE === 'chromium' ? ['light', 'dark'] : ['light']) {
      for (const page_ of [url, `${url}${url.includes('?') ? '&' : '?'}lang=ja`]) {
        const context = await env.ctx(colorScheme === 'dark' ? { colorScheme } : {});
        const config = { revision: 1, regime: 'opt-in', services: { youtube: { category: 'sns' } }, disclosure: '/gaibu-soshin.html' };
        const { page } = await open(context, page_, { config, quiet: 0 });
        await bannerShown(page);
        assert.deepEqual(await axe(page), [], `${page_} (${colorScheme}): the banner`);
        await click(page, 'preferences');
        await dialogOpened(page);
        assert.deepEqual(await axe(page), [], `${page_} (${colorScheme}): the preference center`);
        await context.close();
      }
    }
  });
}

