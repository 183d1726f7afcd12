// Browser side of the e2e suite: Debian Chromium driven by playwright-core, every host mapped to the
// loopback server. One browser per test file (`setup()`), a fresh context per case (`ctx()`).
// `E2E_ENGINE=firefox` or `E2E_ENGINE=webkit` runs the same files in that engine instead (engines.mjs: WebDriver
// behind a playwright-shaped adapter, the loopback reached through a proxy).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { startLoopback, freePort, SITE, DIST_DIR, REPO } from './loopback.mjs';
import { launchEngine } from './engines.mjs';

export { SITE, DIST_DIR, REPO };
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
/** The engine of this run: chromium (playwright-core), firefox or webkit (engines.mjs). */
export const ENGINE = process.env.E2E_ENGINE || 'chromium';
/** Quiet period before asserting that something did NOT happen. */
export const QUIET_MS = Number(process.env.E2E_QUIET_MS || 500);
/** Upper bound for waiting for something that SHOULD happen (2 shared cores: be generous). */
export const WAIT_MS = Number(process.env.E2E_WAIT_MS || 8000);

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Hosts of the tags used by the fixture pages, grouped by what they are. */
export const HOSTS = {
  ga4: ['www.googletagmanager.com', 'google-analytics.com'],
  meta: ['connect.facebook.net', 'facebook.com'],
  youtube: ['youtube.com', 'youtube-nocookie.com', 'ytimg.com'],
};
HOSTS.all = [...HOSTS.ga4, ...HOSTS.meta, ...HOSTS.youtube];

/** Fail early with a clear message when the SDK bundle is missing. */
export function requireBundle() {
  const f = path.join(DIST_DIR, 'sekisho.js');
  if (!fs.existsSync(f)) throw new Error(`${f} is missing: run scripts/build.sh first (or set SEKISHO_DIST)`);
  return f;
}

/** Chromium flags of every run (tests and bench): headless, quiet, certificates of the loopback accepted. */
export const BROWSER_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
  '--ignore-certificate-errors'];

export async function launch(loopback, extraArgs = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [...BROWSER_ARGS, `--host-resolver-rules=${loopback.resolverRules()}`, ...extraArgs],
  });
}

/**
 * Per-file setup: loopback server + browser. Use with node:test before/after:
 *   const env = await setup(); … after(() => env.close())
 */
export async function setup({ needBundle = true } = {}) {
  if (needBundle) requireBundle();
  const loopback = await startLoopback({ recorder: ENGINE !== 'chromium' });
  const browser = ENGINE === 'chromium' ? await launch(loopback) : await launchEngine(ENGINE, loopback);
  return {
    loopback, browser,
    /** What this engine can be asked for: { gpc }. */
    supports: browser.supports || { gpc: true },
    /** A fresh context. opts: timezoneId, locale, gpc (bool), cookies ([{name,value}] on site.test), storage ({key:value}). */
    ctx: (opts) => newContext(browser, opts),
    /** Start a case clean: close contexts a failed case left open (their pages keep sending), forget the log. */
    async fresh() {
      for (const c of browser.contexts()) await c.close().catch(() => {});
      loopback.reset();
    },
    async close() { await browser.close().catch(() => {}); await loopback.close(); },
  };
}

export async function newContext(browser, { timezoneId = 'UTC', locale = 'en-US', gpc = false, cookies = [], ...rest } = {}) {
  if (browser.supports) { // another engine (engines.mjs): the options it knows, from its process or its session
    if (Object.keys(rest).length) throw new Error(`${browser.name}: context options not supported: ${Object.keys(rest).join(', ')}`);
    const context = await browser.newContext({ timezoneId, locale, gpc });
    if (cookies.length) await context.addCookies(cookies);
    return context;
  }
  const context = await browser.newContext({ timezoneId, locale, ...rest });
  if (gpc) {
    await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true, configurable: true }));
  }
  if (cookies.length) {
    await context.addCookies(cookies.map((c) => ({ domain: 'site.test', path: '/', secure: true, sameSite: 'Lax', ...c })));
  }
  return context;
}

/**
 * Open `url` (relative to https://site.test) in a new page of `context`, wait for `load`, then for the loopback
 * to be quiet for `quiet` ms. Returns { page, messages, errors() (console errors + page errors) }.
 * opts.config: object or string → passed as ?config= (replaces the page's inline config).
 */
export async function open(context, url, { config, quiet = QUIET_MS, loopback, waitUntil = 'load' } = {}) {
  const page = await context.newPage();
  const messages = [];
  page.on('console', (m) => messages.push({ type: m.type(), text: m.text() }));
  page.on('pageerror', (e) => messages.push({ type: 'pageerror', text: String(e && e.message || e) }));
  const full = withConfig(new URL(url, SITE).href, config);
  await page.goto(full, { waitUntil });
  if (loopback && quiet) await loopback.quiet(quiet);
  else if (quiet) await sleep(quiet);
  if (page.drain) await page.drain(); // another engine: the console so far (engines.mjs)
  return {
    page, messages,
    errors: () => messages.filter((m) => m.type === 'error' || m.type === 'pageerror'),
    sekishoMessages: () => messages.filter((m) => m.text.startsWith('[sekisho]')),
  };
}

export function withConfig(url, config) {
  if (config === undefined) return url;
  const u = new URL(url);
  u.searchParams.set('config', typeof config === 'string' ? config : JSON.stringify(config));
  return u.href;
}

/** `sekisho.get()` in the page (null when window.sekisho is missing). */
export const get = (page) => page.evaluate(() => (window.sekisho ? window.sekisho.get() : null));
/** `sekisho.audit()` in the page. */
export const audit = (page) => page.evaluate(() => (window.sekisho && window.sekisho.audit ? window.sekisho.audit() : null));
/** Call `sekisho.<method>(arg)` and return its result (the new state). */
export const call = (page, method, arg) => page.evaluate(([m, a]) => window.sekisho[m](a), [method, arg]);
/** Read window globals set by the fixtures / fake vendors. */
export const flags = (page, names) => page.evaluate((ns) => Object.fromEntries(ns.map((n) => [n, window[n] === undefined ? null : window[n]])), names);

/** Cookies of site.test as {name: value}. */
export async function cookies(context, url = SITE) {
  return Object.fromEntries((await context.cookies(url)).map((c) => [c.name, c.value]));
}
/** The full cookie object (attributes) of `name`. */
export async function cookie(context, name, url = SITE) {
  return (await context.cookies(url)).find((c) => c.name === name) || null;
}

/** Wait until the loopback saw `count` requests matching `m` (see loopback.countFor). */
export const waitForRequests = (loopback, m, { timeout = WAIT_MS, count = 1 } = {}) => loopback.waitFor(m, { timeout, count });

/**
 * Settle, then count: waits at least `quiet` ms and until the loopback has been quiet that long, then returns
 * the matching requests. For asserting ZERO requests it can never pass by not waiting.
 */
export async function settleThenCount(loopback, m, { quiet = QUIET_MS } = {}) {
  await loopback.quiet(quiet);
  return loopback.requests(m);
}

/** Count requests for each host of a list: {host: n}. */
export function countsFor(loopback, hosts) {
  return Object.fromEntries(hosts.map((h) => [h, loopback.countFor(h)]));
}
export const zeroCounts = (hosts) => Object.fromEntries(hosts.map((h) => [h, 0]));

/** Summarise requests for assertion messages. */
export const listRequests = (reqs) => reqs.map((e) => `${e.method} ${e.host}${e.path}${e.search}`).join('\n  ') || '(none)';

/**
 * Parse the `sekisho` cookie: 1.<consentId>.<revision>.<bits>.<unixSeconds>[.<overrides>] (docs/contracts.md §4).
 * bit0 necessary, bit1 functional, bit2 analytics, bit3 ads, bit4 sns. Overrides: ids joined by '~', '!' = denied.
 */
export function parseConsentCookie(v) {
  const m = /^1\.([^.]+)\.(\d+)\.(\d+)\.(\d+)(?:\.([^.]*))?$/.exec(decodeURIComponent(v || ''));
  if (!m) return null;
  const bits = Number(m[3]);
  const names = ['necessary', 'functional', 'analytics', 'ads', 'sns'];
  const services = {};
  if (m[5]) for (const s of m[5].split('~').filter(Boolean)) services[s.replace(/^!/, '')] = !s.startsWith('!');
  return { consentId: m[1], revision: Number(m[2]), bits, unixSeconds: Number(m[4]), services,
    categories: Object.fromEntries(names.map((n, i) => [n, Boolean(bits & (1 << i))])) };
}

/** Event recorder installed before the page's scripts: window.__events gets {type, detail} for every sekisho:* event. */
export async function recordEvents(context) {
  if (context.engine) return; // the loopback's recorder does it in every page (loopback.mjs RECORDER)
  await context.addInitScript(() => {
    window.__events = [];
    for (const t of ['change', 'blocked', 'released', 'ready']) {
      document.addEventListener('sekisho:' + t, (e) => window.__events.push({ type: t, detail: JSON.parse(JSON.stringify(e.detail ?? null)) }));
    }
  });
}

// ---------------------------------------------------------------------------------------------------------
// Runtime checkpoint (unmarked tags) helpers.

/**
 * The consent category a request to a tracker host belongs to, decided by the TEST (an oracle independent of the
 * SDK's catalog): what the real service does with that host and path. `unknown` for a tracker host it does not
 * know, `null` for a non-tracker host (first party, neutral CDN).
 */
export function categoryOf(e) {
  const h = e.host;
  const p = e.path;
  const on = (...ss) => ss.some((s) => h === s || h.endsWith('.' + s));
  if (on('google-analytics.com', 'googletagmanager.com', 'clarity.ms', 'hotjar.com')) return 'analytics';
  if (on('facebook.net')) return /\/fbevents\.js$|^\/signals\//.test(p) ? 'ads' : 'sns';
  if (on('facebook.com')) return /^\/tr(\/|$)|^\/privacy_sandbox/.test(p) ? 'ads' : 'sns';
  if (on('youtube.com', 'youtube-nocookie.com', 'ytimg.com', 'googlevideo.com')) return 'sns';
  if (on('platform.twitter.com', 'syndication.twitter.com', 'twimg.com', 'instagram.com')) return 'sns';
  if (on('ads-twitter.com', 'analytics.twitter.com', 't.co')) return 'ads';
  if (on('bing.com', 'line.me', 'line-scdn.net', 'yimg.jp', 'yahoo.co.jp', 'tiktok.com', 'criteo.com', 'criteo.net',
    'licdn.com', 'linkedin.com', 'pinimg.com', 'pinterest.com', 'doubleclick.net', 'googlesyndication.com',
    'googleadservices.com', 'amazon-adsystem.com')) return 'ads';
  return isTrackerEntry(e) ? 'unknown' : null;
}
const TRACKER_HOST_RE = /(^|\.)(googletagmanager\.com|google-analytics\.com|doubleclick\.net|googlesyndication\.com|googleadservices\.com|google\.com|facebook\.net|facebook\.com|instagram\.com|youtube\.com|youtube-nocookie\.com|ytimg\.com|googlevideo\.com|bing\.com|clarity\.ms|twitter\.com|ads-twitter\.com|t\.co|x\.com|twimg\.com|line-scdn\.net|line\.me|line-apps\.com|yimg\.jp|yahoo\.co\.jp|tiktok\.com|criteo\.com|criteo\.net|amazon-adsystem\.com|linkedin\.com|licdn\.com|pinterest\.com|pinimg\.com|hotjar\.com)$/;
const isTrackerEntry = (e) => TRACKER_HOST_RE.test(e.host);

/**
 * Requests to tracker hosts whose category is not in `allowed`, after a settle period. `except(e)` excuses a request
 * (e.g. the preload scanner's fetch of a `<script src>` written in the HTML, which no script can stop).
 */
export async function leaks(loopback, allowed = [], { except = () => false, quiet = QUIET_MS } = {}) {
  await loopback.quiet(quiet);
  return loopback.requests((e) => isTrackerEntry(e) && !except(e) && !allowed.includes(categoryOf(e)));
}

/** First-party cookies the vendors' tags write, by category (the fakes write the real names). */
export const TRACKER_COOKIES = {
  analytics: ['_ga', '_clck'],
  ads: ['_fbp', '_twclid', '_uetsid', '_uetvid', '__lt__cid', '_ycl_yjad', '_gcl_au'],
};
TRACKER_COOKIES.all = [...TRACKER_COOKIES.analytics, ...TRACKER_COOKIES.ads];
/**
 * Runs `code` as a script of the page (an inline <script>), in the page's own realm, as page code runs: Firefox's
 * test driver evaluates `page.evaluate` functions in a sandbox that sees the natives, not the page's guards.
 */
export const runAsPageScript = (page, code) => page.evaluate((c) => {
  const s = document.createElement('script');
  s.textContent = c;
  document.head.appendChild(s);
}, code);

/** The tracker cookies present in the jar of `url`. */
export async function trackerCookies(context, names = TRACKER_COOKIES.all, url = SITE) {
  const jar = await context.cookies(url);
  return jar.filter((c) => names.includes(c.name)).map((c) => `${c.name} (domain ${c.domain}, path ${c.path})`);
}

const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's WCAG 2.2 AA violations inside the elements `include` selects (shadow roots included), as "rule: target" lines. */
export async function axe(page, include = '#sekisho-root') {
  return page.evaluate(async ([src, inc]) => {
    if (!window.axe) (0, eval)(src);
    const r = await window.axe.run({ include: [[inc]] },
      { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] });
    return r.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${JSON.stringify(n.target)} ${n.failureSummary || ''}`));
  }, [AXE, include]);
}

/** Waits for Sekisho's first layer (`.banner` in #sekisho-root's shadow root). */
export const bannerShown = (page) => page.waitForFunction(() => Boolean(document.getElementById('sekisho-root')?.shadowRoot?.querySelector('.banner')),
  null, { timeout: WAIT_MS });

/** Poll `fn` (async ok) every `interval` ms until it returns a truthy value; returns that value, or the last one at the deadline. */
export async function until(fn, { timeout = WAIT_MS, interval = 100 } = {}) {
  const end = Date.now() + timeout;
  let v;
  for (;;) {
    v = await fn();
    if (v || Date.now() >= end) return v;
    await sleep(interval);
  }
}

/**
 * pages/rt/unmarked.html: the vendors' published snippets, unmarked. For each tag: its category and catalog
 * service, the window flag its (fake) file sets when it EXECUTES, the audit entry the SDK should write while it is
 * held, the data request ("hit") it sends once it runs, and the first-party cookies it writes.
 */
export const UNMARKED = {
  page: '/rt/unmarked.html',
  /** Written as <script src> / <link rel=preload> in the HTML: the preload scanner fetches these before any
   *  script runs, so for them the assertion is "never executes, no hit, no cookie", not "no request". */
  parsed: [
    'https://www.googletagmanager.com/gtag/js?id=G-RT000001',
    'https://s.yimg.jp/images/listing/tool/cv/ytag.js',
    'https://analytics.tiktok.com/i18n/pixel/events.js?sdkid=RTPRELOAD01',
    'https://s.yimg.jp/images/listing/tool/cv/conversion.js',
    'https://www.clarity.ms/tag/rtdefer01',
  ],
  tags: {
    ga4: { category: 'analytics', service: 'google-tag-manager', flag: '__gtagLoaded', kind: 'script',
      url: /^https:\/\/www\.googletagmanager\.com\/gtag\/js\?id=G-RT000001$/, hit: { host: 'www.google-analytics.com', path: '/g/collect' }, cookies: ['_ga'] },
    clarity: { category: 'analytics', service: 'microsoft-clarity', flag: '__clarityLoaded', kind: 'script',
      url: /^https:\/\/www\.clarity\.ms\/tag\/rtdefer01$/, hit: { host: 'x.clarity.ms', path: '/collect' }, cookies: ['_clck'] },
    meta: { category: 'ads', service: 'meta-pixel', flag: '__fbqLoaded', kind: 'script',
      url: /^https:\/\/connect\.facebook\.net\/en_US\/fbevents\.js$/, hit: { host: 'www.facebook.com', path: '/tr/' }, cookies: ['_fbp'] },
    xpixel: { category: 'ads', service: 'x-pixel', flag: '__twqLoaded', kind: 'script',
      url: /^https:\/\/static\.ads-twitter\.com\/uwt\.js$/, hit: { host: 'analytics.twitter.com', path: '/i/adsct' }, cookies: ['_twclid'] },
    uet: { category: 'ads', service: 'microsoft-uet', flag: '__uetLoaded', kind: 'script',
      url: /bat\.bing\.com\/bat\.js$/, hit: { host: 'bat.bing.com', path: '/action/0' }, cookies: ['_uetsid', '_uetvid'] },
    line: { category: 'ads', service: 'line-tag', flag: '__ltLoaded', kind: 'script',
      url: /^https:\/\/d\.line-scdn\.net\/n\/line_tag\/public\/release\/v1\/lt\.js$/, hit: { host: 'tr.line.me', path: '/tag.gif' }, cookies: ['__lt__cid'] },
    ytag: { category: 'ads', service: 'yahoo-japan-ads', flag: '__ytagLoaded', kind: 'script',
      url: /^https:\/\/s\.yimg\.jp\/images\/listing\/tool\/cv\/ytag\.js$/, hit: { host: 'b91.yahoo.co.jp', path: '/pagead/conversion/1000000002/' }, cookies: ['_ycl_yjad'] },
    yjconv: { category: 'ads', service: 'yahoo-japan-ads', flag: '__yjConvLoaded', kind: 'script',
      url: /^https:\/\/s\.yimg\.jp\/images\/listing\/tool\/cv\/conversion\.js$/, hit: { host: 'b91.yahoo.co.jp', path: '/pagead/conversion/1000000001/' }, cookies: [] },
    preload: { category: 'ads', service: 'tiktok-pixel', flag: null, kind: 'link',
      url: /^https:\/\/analytics\.tiktok\.com\/i18n\/pixel\/events\.js\?sdkid=RTPRELOAD01$/, hit: null, cookies: [] },
    youtube: { category: 'sns', service: 'youtube', flag: null, kind: 'iframe',
      url: /^https:\/\/www\.youtube\.com\/embed\/rtParsed01$/, hit: { host: 'www.youtube.com', path: '/s/player/fake.js' }, cookies: [] },
  },
};
/** An <iframe src> written in the HTML: Chromium may send its navigation request before any script can react (it
 *  races the guard's MutationObserver: a cold first load usually loses the race, a second load in the same tab, with
 *  the connection warm, wins it). The guard can only stop the document from committing (the frame shows about:blank,
 *  the embed's own subresources are never requested). */
UNMARKED.parsedFrames = ['https://www.youtube.com/embed/rtParsed01'];
/** A request no script can stop: the preload scanner's fetch of a parsed <script src> / <link rel=preload>, or the
 *  navigation request of a parsed <iframe src>. In Firefox, also what the parsed frame's document loads: the guard
 *  takes the frame out of the page as soon as it sees it, but the frame's own process may already have the response
 *  (on loopback it arrives in a millisecond) and run on a moment — rarely, and documented in README. */
UNMARKED.isPreloadFetch = (e) => e.method === 'GET' && ((UNMARKED.parsed.includes(e.url) && e.dest === 'script')
  || (UNMARKED.parsedFrames.includes(e.url) && e.dest === 'iframe')
  || (ENGINE === 'firefox' && UNMARKED.parsedFrames.includes(e.referer)));

/**
 * `sekisho-server --demo` (target/debug, or $SEKISHO_SERVER) on a free port, serving www/ and dist/, its records
 * and key in a directory of its own. Returns { origin, log(), stop() } once it serves /sekisho/sekisho.js.
 */
export async function startDemoServer() {
  const bin = process.env.SEKISHO_SERVER || path.join(REPO, 'target', 'debug', 'sekisho-server');
  const www = path.join(REPO, 'www');
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: build it first (cargo build -p sekisho-server)`);
  if (!fs.existsSync(path.join(www, 'index.html'))) throw new Error(`${www}/index.html is missing (the demo site)`);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'sekisho-demo-'));
  const server = spawn(bin, ['--demo', '--listen', `127.0.0.1:${port}`, '--www', www, '--dist', DIST_DIR,
    '--database', `sqlite:${path.join(data, 'records.db')}`, '--key-file', path.join(data, 'server.key')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stdout.on('data', (d) => { log += d; });
  server.stderr.on('data', (d) => { log += d; });
  const deadline = Date.now() + 15000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`sekisho-server exited (${server.exitCode}):\n${log}`);
    try { if ((await fetch(origin + '/sekisho/sekisho.js')).ok) break; } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`sekisho-server did not serve /sekisho/sekisho.js within 15 s:\n${log}`);
    await sleep(100);
  }
  return {
    origin,
    log: () => log,
    async stop() {
      if (server.exitCode === null) { server.kill('SIGTERM'); await new Promise((r) => server.once('exit', r)); }
      fs.rmSync(data, { recursive: true, force: true });
    },
  };
}
