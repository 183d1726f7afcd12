// Issue #9, services: the preference center's per-service switches (name, recipient, purpose, policy), the 外部送信
// disclosure table a page asks for with [data-sekisho-disclosure], a site service the config refuses (its Japanese
// disclosure incomplete: held whatever the visitor chooses), the "notice" presentation (publication only: no banner,
// a "privacy settings" control) and the UI's own control on a returning visitor's pages — each choice counted at
// the loopback tracker server.
import fs from 'node:fs';
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  setup, open, get, waitForRequests, settleThenCount, listRequests, axe, bannerShown, UNMARKED, WAIT_MS, ENGINE,
} from './harness.mjs';


let env;
before(async () => {
  env = await setup();
  // A site's own services: one described in Japanese (allowed by its category), one not (refused).
  env.loopback.route('crm.acme.test', /\.js$/, () => ({ type: 'js', body: 'window.__crmRan = true;' }));
  env.loopback.route('tracker.broken.test', /\.js$/, () => ({ type: 'js', body: 'window.__brokenRan = true;' }));
  env.loopback.route('site.test', /^\/gaibu\.html$/, (req, u) => ({ type: 'html', body: disclosurePage(u.searchParams.get('lang') || 'ja') }));
});
after(async () => { await env?.close(); });
beforeEach(() => env.fresh());

const TAGS = UNMARKED.tags;
const SITE_SERVICES = {
  'google-analytics': {},
  youtube: { category: 'sns' },
  crm: {
    category: 'analytics', name: 'Acme CRM', hosts: ['crm.acme.test'],
    recipient: { ja: 'Acme株式会社（Acme CRM）', en: 'Acme Inc. (Acme CRM)' },
    sent: ['ip', 'url', { ja: '会員ID', en: 'member ID' }],
    purpose: { ja: '会員向け記事の改善', en: 'improving articles for members' },
    recipientPurpose: { ja: '分析サービスの提供', en: 'providing the analytics service' },
    country: 'JP', policy: 'https://acme.example/privacy', optOut: 'https://acme.example/opt-out',
  },
  // English only: the law asks for Japanese.
  broken: { category: 'analytics', hosts: ['tracker.broken.test'], recipient: { en: 'Broken Inc.' }, sent: ['ip'], purpose: 'x', recipientPurpose: 'y' },
};

function disclosurePage(lang) {
  const config = { revision: 1, regime: 'opt-in', services: SITE_SERVICES };
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>外部送信について</title>
<script type="application/json" id="sekisho-config">${JSON.stringify(config)}</script>
<script src="/sekisho/sekisho.js"></script>
<script>
  // Inserted by script (as tag managers do), so that no preload scanner fetches them early.
  for (const src of ['https://crm.acme.test/t.js', 'https://tracker.broken.test/t.js']) {
    const s = document.createElement('script'); s.src = src; document.head.appendChild(s);
  }
</script>
</head><body><main><h1>外部送信について</h1><div id="table" data-sekisho-disclosure></div></main></body></html>`;
}

/** `f(shadowRoot, arg)` in the page (`f` travels as its source: every engine's evaluate takes a function and one argument). */
const shadow = (page, f, arg = null) => page.evaluate(([src, a]) => new Function(`return (${src})`)()(document.getElementById('sekisho-root')?.shadowRoot, a),
  [String(f), arg]);
const dialogOpen = (page) => page.waitForFunction(() => Boolean(document.getElementById('sekisho-root')?.shadowRoot?.querySelector('dialog')?.open),
  null, { timeout: WAIT_MS });
const clickIn = (page, selector) => shadow(page, (sr, s) => sr.querySelector(s).click(), selector);

/** The preference center's services by category: {category: [{id, checked, text}]}. */
const servicesShown = (page) => shadow(page, (sr) => Object.fromEntries([...sr.querySelectorAll('.category')].map((row) => [
  row.querySelector('[data-sekisho-category]').getAttribute('data-sekisho-category'),
  [...row.querySelectorAll('.service')].map((li) => {
    const input = li.querySelector('[data-sekisho-service]');
    return { id: input && input.getAttribute('data-sekisho-service'), checked: input ? input.checked : null, text: li.textContent };
  }),
])));


test('us-a. per-service switches: the services met on the page, by category, with their recipient; one ad service allowed alone is the only one sent to', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, '/rt/unmarked.html', { loopback: lb });
  await bannerShown(page);
  await clickIn(page, '.banner [data-sekisho-action="preferences"]');
  await dialogOpen(page);
  const shown = await servicesShown(page);
  const ids = (c) => shown[c].map((s) => s.id);
  for (const id of ['meta-pixel', 'x-pixel', 'microsoft-uet', 'line-tag']) assert.ok(ids('ads').includes(id), `ads lists ${id}: ${ids('ads')}`);
  assert.ok(ids('analytics').includes('microsoft-clarity'), `analytics lists Clarity: ${ids('analytics')}`);
  assert.deepEqual(ids('sns'), ['youtube']);
  assert.ok(Object.values(shown).flat().every((s) => s.checked === false), 'nothing pre-ticked');
  const meta = shown.ads.find((s) => s.id === 'meta-pixel');
  assert.match(meta.text, /Meta Platforms/, 'the recipient is named');
  assert.deepEqual(await axe(page, '#sekisho-root'), [], 'the dialog with its service lists');

  // A category's switch moves its services' switches (nothing recorded until saved).
  await clickIn(page, '[data-sekisho-category="ads"]');
  assert.ok((await servicesShown(page)).ads.every((s) => s.checked), 'ads on: every ad service on');
  await clickIn(page, '[data-sekisho-category="ads"]');
  assert.ok((await servicesShown(page)).ads.every((s) => !s.checked), 'ads off: every ad service off');
  assert.equal((await get(page)).decided, false);

  // Meta Pixel alone.
  await clickIn(page, '[data-sekisho-service="meta-pixel"]');
  await clickIn(page, 'dialog [data-sekisho-action="save"]');
  await waitForRequests(lb, TAGS.meta.hit);
  const st = await get(page);
  assert.equal(st.categories.ads, false);
  assert.equal(st.services['meta-pixel'], true);
  const others = await settleThenCount(lb, (e) => [TAGS.xpixel, TAGS.uet, TAGS.line, TAGS.ga4, TAGS.clarity]
    .some((t) => e.host === t.hit.host && e.path.startsWith(t.hit.path)));
  assert.equal(others.length, 0, `only Meta Pixel was allowed:\n  ${listRequests(others)}`);

  // Reopened: the switches show the choice in effect.
  await page.evaluate(() => window.sekisho.showPreferences());
  await dialogOpen(page);
  const again = await servicesShown(page);
  assert.equal(again.ads.find((s) => s.id === 'meta-pixel').checked, true);
  assert.equal(again.ads.find((s) => s.id === 'x-pixel').checked, false);
  // …and switching it off withdraws it.
  await clickIn(page, '[data-sekisho-service="meta-pixel"]');
  await clickIn(page, 'dialog [data-sekisho-action="save"]');
  assert.equal((await get(page)).services['meta-pixel'], false);
  await context.close();
});

for (const lang of ['ja', 'en']) {
  test(`us-b. the 外部送信 disclosure (${lang}): one row per service in use, with what, to whom, why at both ends, how to stop it; a service without its Japanese disclosure is refused and stays held`, async () => {
    const lb = env.loopback;
    const context = await env.ctx();
    const { page, sekishoMessages } = await open(context, `/gaibu.html?lang=${lang}`, { loopback: lb });
    await page.waitForFunction(() => Boolean(document.querySelector('[data-sekisho-disclosure] table')), null, { timeout: WAIT_MS });
    const table = await page.evaluate(() => {
      const t = document.querySelector('[data-sekisho-disclosure] table');
      return {
        caption: t.caption.textContent,
        headers: [...t.tHead.rows[0].cells].map((c) => c.textContent),
        rows: [...t.tBodies[0].rows].map((r) => ({ id: r.getAttribute('data-sekisho-service'), cells: [...r.cells].map((c) => c.textContent),
          links: [...r.querySelectorAll('a')].map((a) => a.getAttribute('href')), items: [...r.querySelectorAll('li')].map((li) => li.textContent) })),
      };
    });
    assert.deepEqual(table.rows.map((r) => r.id), ['google-analytics', 'youtube', 'crm'], 'the refused service is not listed: nothing is sent to it');
    if (lang === 'ja') {
      assert.deepEqual(table.headers, ['サービス', '送信先', '送信される情報', '当サイトの利用目的', '送信先での利用目的', '送信を止める方法']);
      const crm = table.rows[2];
      assert.equal(crm.cells[0], 'Acme CRM');
      assert.match(crm.cells[1], /Acme株式会社（Acme CRM）.*所在国：日本/);
      assert.deepEqual(crm.items, ['IPアドレス', '閲覧しているページのURL', '会員ID']);
      assert.deepEqual(crm.cells.slice(3, 5), ['会員向け記事の改善', '分析サービスの提供']);
      assert.match(crm.cells[5], /プライバシー設定/);
      assert.deepEqual(crm.links, ['https://acme.example/privacy', 'https://acme.example/opt-out']);
      assert.match(table.rows[0].cells[1], /Google LLC/);
      assert.ok(table.rows[0].items.length >= 3, 'the catalog lists what Google Analytics receives, item by item');
    } else {
      assert.deepEqual(table.headers, ['Service', 'Recipient', 'Information sent', 'Our purpose', "The recipient's purpose", 'How to stop it']);
      assert.deepEqual(table.rows[2].items, ['IP address', 'URL of the page you are viewing', 'member ID']);
    }
    assert.deepEqual(await axe(page, '[data-sekisho-disclosure]'), [], 'the disclosure table');
    // The config names the refused service and field.
    assert.ok(sekishoMessages().some((m) => m.type === 'error' && /config\.services\.broken\.recipient: missing in Japanese.*stays held/.test(m.text)),
      JSON.stringify(sekishoMessages()));

    // Accept all: the described service loads; the refused one stays held.
    await page.evaluate(() => window.sekisho.acceptAll());
    await waitForRequests(lb, { host: 'crm.acme.test', path: '/t.js' });
    await page.waitForFunction(() => window.__crmRan === true, null, { timeout: WAIT_MS });
    assert.equal((await settleThenCount(lb, 'tracker.broken.test')).length, 0, 'the refused service stays held after accept all');
    assert.equal(await page.evaluate(() => window.__brokenRan ?? null), null);
    // The table's own control opens the preference center.
    await page.evaluate(() => document.querySelector('[data-sekisho-disclosure] [data-sekisho-action="reopen"]').click());
    await dialogOpen(page);
    const refused = await shadow(page, (sr) => [...sr.querySelectorAll('.service')].filter((li) => !li.querySelector('input'))
      .map((li) => li.textContent));
    assert.equal(refused.length, 1, 'the refused service has no switch');
    assert.match(refused[0], lang === 'ja' ? /broken.*読み込みません/ : /broken.*Not loaded/);
    await context.close();
  });
}

test('us-f. the disclosure at 320 CSS px: nothing scrolls sideways, one block per service', async () => {
  env.loopback.route('site.test', /^\/gaibu-320\.html$/, () => ({ type: 'html',
    body: '<!doctype html><title>320 px</title><iframe id="narrow" title="page" src="/gaibu.html?lang=ja" width="320" height="640"></iframe>' }));
  const context = await env.ctx();
  const { page } = await open(context, '/gaibu-320.html', { quiet: 0 });
  await page.waitForFunction(() => Boolean(document.getElementById('narrow').contentDocument?.querySelector('table.sekisho-disclosure')),
    null, { timeout: WAIT_MS });
  const geometry = await page.evaluate(() => {
    const win = document.getElementById('narrow').contentWindow;
    const rows = [...win.document.querySelectorAll('table.sekisho-disclosure tbody tr')];
    return { viewport: win.innerWidth, scrollsSideways: win.document.documentElement.scrollWidth > win.innerWidth,
      rowDisplay: win.getComputedStyle(rows[0]).display, widest: Math.max(...rows.map((r) => r.getBoundingClientRect().right)) };
  });
  assert.equal(geometry.viewport, 320);
  assert.equal(geometry.scrollsSideways, false, JSON.stringify(geometry));
  assert.equal(geometry.rowDisplay, 'block');
  assert.ok(geometry.widest <= 320, JSON.stringify(geometry));
  await context.close();
});

test('us-c. presentation "notice" (publication only, opt-out): no banner; the UI\'s "privacy settings" control, in the site\'s words, opens the preferences; refusing stops the sending', async () => {
  const lb = env.loopback;
  const config = { revision: 1, regime: 'opt-out', presentation: 'notice', services: { youtube: { category: 'sns' } },
    texts: { en: { privacySettings: 'Cookie settings' } } };
  const context = await env.ctx();
  const { page } = await open(context, '/tags.html', { config, loopback: lb });
  await waitForRequests(lb, { host: 'www.google-analytics.com', path: '/g/collect' }); // opt-out: sent until refused
  await page.waitForFunction(() => Boolean(document.getElementById('sekisho-root')?.shadowRoot?.querySelector('[data-sekisho-action="reopen"]')),
    null, { timeout: WAIT_MS });
  const ui = await shadow(page, (sr) => ({ banner: Boolean(sr.querySelector('.banner')), control: sr.querySelector('[data-sekisho-action="reopen"]').textContent }));
  assert.deepEqual(ui, { banner: false, control: 'Cookie settings' });
  assert.deepEqual(await axe(page, '#sekisho-root'), []);
  await clickIn(page, '[data-sekisho-action="reopen"]');
  await dialogOpen(page);
  assert.equal(await shadow(page, (sr) => sr.querySelector('[data-sekisho-category="analytics"]').checked), true,
    'opt-out: analytics is on until refused');
  await clickIn(page, 'dialog [data-sekisho-action="reject-all"]');
  assert.equal((await get(page)).categories.analytics, false);
  await lb.quiet();
  lb.reset();
  await page.reload();
  assert.equal((await settleThenCount(lb, 'google-analytics.com')).length, 0, 'nothing sent after refusing');
  await context.close();
});

test('us-d. a returning visitor: on a page without embeds the control comes once the page has loaded, drawn by sekisho.js (the UI module is downloaded only when it is used), and reopens the preferences; on a page with a held embed the module comes for its placeholder', async () => {
  const lb = env.loopback;
  const context = await env.ctx();
  const config = { revision: 1, services: { youtube: { category: 'sns' } }, texts: { 'en-US': { privacySettings: 'Cookie settings' } } };
  // A page with no embed: a marked Google tag only.
  const plain = (cfg) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>No embeds</title>
<script type="application/json" id="sekisho-config">${JSON.stringify(cfg)}</script><script src="/sekisho/sekisho.js"></script>
<script type="text/plain" data-consent="analytics" async src="https://www.googletagmanager.com/gtag/js?id=G-E2ETEST01"></script>
</head><body><main><h1>An article</h1><p>Text.</p></main></body></html>`;
  lb.route('site.test', /^\/us-d\.html$/, (req, u) => ({ type: 'html', body: plain(u.searchParams.get('off') ? { ...config, reopenControl: false } : config) }));
  const first = await open(context, '/us-d.html', { quiet: 0 });
  await first.page.evaluate(() => window.sekisho.rejectAll());
  await first.page.close();
  lb.reset();
  const { page } = await open(context, '/us-d.html', { loopback: lb });
  await page.waitForFunction(() => Boolean(document.getElementById('sekisho-root')?.shadowRoot?.querySelector('[data-sekisho-action="reopen"]')),
    null, { timeout: WAIT_MS });
  const control = await shadow(page, (sr) => ({ banner: Boolean(sr.querySelector('.banner')), label: sr.querySelector('[data-sekisho-action="reopen"]').textContent,
    lang: sr.host.getAttribute('lang'), fixed: getComputedStyle(sr.querySelector('.reopen')).position, roots: document.querySelectorAll('#sekisho-root').length }));
  assert.deepEqual(control, { banner: false, label: 'Cookie settings', lang: 'en', fixed: 'fixed', roots: 1 });
  assert.deepEqual(lb.requests({ path: '/sekisho/sekisho-deferred.js' }), [], 'the UI module is not downloaded for the control');
  assert.deepEqual(await axe(page, '#sekisho-root'), []);
  // keyboard: the control takes the focus; Enter opens the preferences (the module comes now); Esc gives the focus back
  await page.evaluate(() => document.getElementById('sekisho-root').shadowRoot.querySelector('.reopen').focus());
  await page.keyboard.press('Enter');
  await dialogOpen(page);
  assert.equal(lb.requests({ path: '/sekisho/sekisho-deferred.js' }).length, 1);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.getElementById('sekisho-root').shadowRoot.activeElement?.classList.contains('reopen'),
    null, { timeout: WAIT_MS });
  assert.equal(await shadow(page, (sr) => sr.querySelectorAll('[data-sekisho-action="reopen"]').length), 1, 'the UI adopted the control: one');
  await clickIn(page, '[data-sekisho-action="reopen"]');
  await dialogOpen(page);
  await clickIn(page, 'dialog [data-sekisho-action="accept-all"]');
  await waitForRequests(lb, { host: 'www.googletagmanager.com', path: '/gtag/js' });
  // with reopenControl: false, the site places its own
  const off = await open(context, '/us-d.html?off=1', { loopback: lb });
  assert.equal(await off.page.evaluate(() => document.getElementById('sekisho-root')), null, 'no UI drawn');
  // A page with a held embed (YouTube, refused): its placeholder, and the control, from the module.
  await off.page.evaluate(() => window.sekisho.rejectAll());
  lb.reset();
  const embeds = await open(context, '/tags.html', { config, loopback: lb });
  await embeds.page.waitForFunction(() => Boolean(document.querySelector('[data-sekisho-placeholder="youtube"]'))
    && Boolean(document.getElementById('sekisho-root')?.shadowRoot?.querySelector('.reopen')), null, { timeout: WAIT_MS });
  assert.equal(lb.requests({ path: '/sekisho/sekisho-deferred.js' }).length, 1, 'the module, once, for the placeholder');
  assert.equal(lb.countFor({ host: 'www.youtube.com' }), 0, 'the embed stays held');
  await context.close();
});

if (ENGINE === 'chromium') {
  test('us-e. screenshots of the disclosure, the preference center with services, the banner and an embed placeholder (light, dark), ja and en (look at them: tests/e2e/shots/)', async () => {
    const dir = new URL('./shots/', import.meta.url);
    fs.mkdirSync(dir, { recursive: true });
    for (const lang of ['ja', 'en']) {
      const context = await env.ctx({ viewport: { width: 1100, height: 900 } });
      const { page } = await open(context, `/gaibu.html?lang=${lang}`, { quiet: 0 });
      await page.waitForFunction(() => Boolean(document.querySelector('[data-sekisho-disclosure] table')), null, { timeout: WAIT_MS });
      await page.screenshot({ path: new URL(`disclosure-${lang}.png`, dir).pathname, fullPage: true });
      await page.evaluate(() => window.sekisho.showPreferences());
      await dialogOpen(page);
      await shadow(page, (sr) => sr.querySelectorAll('details').forEach((d) => { d.open = true; }));
      await page.screenshot({ path: new URL(`preferences-services-${lang}.png`, dir).pathname });
      await context.close();
      // The banner and an embed's placeholder, light and dark.
      for (const colorScheme of ['light', 'dark']) {
        const ctx = await env.ctx({ viewport: { width: 900, height: 700 }, colorScheme });
        const ui = await open(ctx, `/ui.html?lang=${lang}`, { quiet: 0 });
        await ui.page.waitForFunction(() => Boolean(document.querySelector('[data-sekisho-placeholder]')
          && document.getElementById('sekisho-root')?.shadowRoot?.querySelector('.banner')), null, { timeout: WAIT_MS });
        await ui.page.waitForTimeout(400); // the banner's slide-in
        await ui.page.screenshot({ path: new URL(`banner-embed-${lang}-${colorScheme}.png`, dir).pathname });
        await ctx.close();
      }
    }
  });
}
