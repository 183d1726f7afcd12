// Browser side of the e2e suite: Debian Chromium driven by playwright-core, every host mapped to the
// loopback server. One browser per test file (`setup()`), a fresh context per case (`ctx()`).
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startLoopback, SITE, DIST_DIR, REPO } from './loopback.mjs';

export { SITE, DIST_DIR, REPO };
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
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

export async function launch(loopback, extraArgs = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
      `--host-resolver-rules=${loopback.resolverRules()}`, '--ignore-certificate-errors', ...extraArgs],
  });
}

/**
 * Per-file setup: loopback server + browser. Use with node:test before/after:
 *   const env = await setup(); … after(() => env.close())
 */
export async function setup({ needBundle = true } = {}) {
  if (needBundle) requireBundle();
  const loopback = await startLoopback();
  const browser = await launch(loopback);
  return {
    loopback, browser,
    /** A fresh context. opts: timezoneId, locale, gpc (bool), cookies ([{name,value}] on site.test), storage ({key:value}). */
    ctx: (opts) => newContext(browser, opts),
    async close() { await browser.close().catch(() => {}); await loopback.close(); },
  };
}

export async function newContext(browser, { timezoneId = 'UTC', locale = 'en-US', gpc = false, cookies = [], ...rest } = {}) {
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
 * Parse the `sekisho` cookie: 1.<consentId>.<revision>.<bits>.<unixSeconds>[.<overrides>] (DESIGN §6).
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
  await context.addInitScript(() => {
    window.__events = [];
    for (const t of ['change', 'blocked', 'released', 'ready']) {
      document.addEventListener('sekisho:' + t, (e) => window.__events.push({ type: t, detail: JSON.parse(JSON.stringify(e.detail ?? null)) }));
    }
  });
}
