// The other engines a visitor uses: Firefox ESR (geckodriver) and WebKit (WebKitGTK's MiniBrowser, driven by
// WebKitWebDriver), through a thin W3C WebDriver client of our own, shaped like the part of playwright-core the suite
// uses — so the same test files, with the same assertions at the wire, run in every engine (`E2E_ENGINE=firefox`,
// `E2E_ENGINE=webkit`; harness.mjs picks the engine).
//
//   browser = await launchEngine(name, loopback)   { name, supports: {gpc}, contexts(), newContext(opts), close() }
//   context = await browser.newContext(opts)       { newPage(), cookies(url), addCookies([…]), close() }
//   page    = await context.newPage()              { goto, reload, evaluate, waitForFunction, waitForEvent('load'),
//                                                    on('console'|'pageerror'), close }
//
// Requests still reach the loopback server, through proxy.mjs (neither driver has Chromium's host resolver rules; both
// honour a proxy). A context is a WebDriver session: a fresh browser profile (no cookie, no storage), as a fresh
// Chromium context is. What WebDriver classic cannot do (init scripts, console events) the loopback does instead: it
// writes a small recorder into every page it serves to an engine (loopback.mjs `recorder`), which keeps the console,
// uncaught errors and sekisho:* events in the page; each `evaluate` drains them into the page's listeners.
//
// Each context has a driver of its own (a driver takes one session at a time), started with the options the engines
// take from their process rather than the session (time zone; WebKit's language and proxy).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { SITE, freePort } from './loopback.mjs';
import { startProxy } from './proxy.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const CARGO_BIN = path.join(process.env.CARGO_HOME || path.join(os.homedir(), '.cargo'), 'bin');
const WAIT_MS = Number(process.env.E2E_WAIT_MS || 8000);

/** The first of `paths` that exists. */
const firstExisting = (...paths) => paths.find((p) => p && fs.existsSync(p)) || null;

/** POSIX locale name for the process environment (`ja-JP` → `ja_JP.UTF-8`). */
const posixLocale = (locale) => `${locale.replace('-', '_')}.UTF-8`;

export const ENGINES = {
  firefox: {
    browser: firstExisting('/usr/bin/firefox-esr', '/usr/lib/firefox-esr/firefox-esr'),
    driver: firstExisting(path.join(CARGO_BIN, 'geckodriver'), '/usr/local/bin/geckodriver', '/usr/bin/geckodriver'),
    driverArgs: (port) => ['--port', String(port), '--log', 'fatal'],
    driverEnv: ({ timezoneId }) => ({ TZ: timezoneId }),
    supports: { gpc: true },
    capabilities: (proxyPort, { locale, gpc }) => ({
      browserName: 'firefox',
      acceptInsecureCerts: true,
      proxy: { proxyType: 'manual', httpProxy: `127.0.0.1:${proxyPort}`, sslProxy: `127.0.0.1:${proxyPort}` },
      'moz:firefoxOptions': {
        binary: ENGINES.firefox.browser,
        args: ['-headless'],
        prefs: {
          'intl.accept_languages': locale, 'intl.locale.requested': locale,
          'privacy.globalprivacycontrol.enabled': gpc, 'privacy.globalprivacycontrol.functionality.enabled': true,
          // No traffic of the browser's own (updates, telemetry, safe browsing, remote settings, …).
          'app.update.enabled': false, 'browser.safebrowsing.malware.enabled': false, 'browser.safebrowsing.phishing.enabled': false,
          'browser.safebrowsing.downloads.enabled': false, 'datareporting.policy.dataSubmissionEnabled': false,
          'toolkit.telemetry.enabled': false, 'network.captive-portal-service.enabled': false,
          'network.connectivity-service.enabled': false, 'extensions.getAddons.cache.enabled': false,
          'browser.newtabpage.enabled': false, 'network.dns.disablePrefetch': true, 'network.prefetch-next': false,
        },
      },
    }),
  },
  webkit: {
    browser: firstExisting('/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser', '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
      '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.0/MiniBrowser'),
    driver: firstExisting('/usr/bin/WebKitWebDriver'),
    driverArgs: (port) => [`--port=${port}`],
    // WebKitGTK takes its proxy, time zone and languages from the environment (set on the driver, inherited by the
    // browser). The driver talks to the browser on loopback: never through the proxy.
    driverEnv: ({ timezoneId, locale }, proxyPort) => ({
      TZ: timezoneId, LANG: posixLocale(locale), LANGUAGE: locale.replace('-', '_'), LC_ALL: '',
      http_proxy: `http://127.0.0.1:${proxyPort}`, https_proxy: `http://127.0.0.1:${proxyPort}`, no_proxy: '127.0.0.1,localhost',
    }),
    display: true,
    // WebKit implements no Global Privacy Control (navigator.globalPrivacyControl is undefined; no Sec-GPC header).
    supports: { gpc: false },
    capabilities: () => ({
      browserName: 'MiniBrowser',
      acceptInsecureCerts: true,
      'webkitgtk:browserOptions': { binary: ENGINES.webkit.browser, args: ['--automation'] },
    }),
  },
};

/** The engines whose browser and driver are installed (and, for WebKit, an X server to show it on). */
export function available() {
  return Object.keys(ENGINES).filter((name) => ENGINES[name].browser && ENGINES[name].driver
    && (!ENGINES[name].display || fs.existsSync('/usr/bin/Xvfb')));
}

/** Xvfb on a free display, for WebKit (MiniBrowser is a GTK application). */
async function startXvfb() {
  for (let n = 90 + Math.floor(Math.random() * 100); n < 400; n++) {
    if (fs.existsSync(`/tmp/.X${n}-lock`)) continue;
    const proc = spawn('/usr/bin/Xvfb', [`:${n}`, '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
    for (let i = 0; i < 50 && !fs.existsSync(`/tmp/.X11-unix/X${n}`) && proc.exitCode === null; i++) await sleep(100);
    if (proc.exitCode === null) return { display: `:${n}`, stop: () => proc.kill() };
  }
  throw new Error('engines: no free X display for Xvfb');
}

/** A WebDriver server (the driver process) with `env`; `call(method, path, body)` speaks to it. */
async function startDriver(name, engine, env) {
  const port = await freePort();
  // Its own process group, so that stopping it also stops the browser it started.
  const proc = spawn(engine.driver, engine.driverArgs(port), { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'],
    detached: true });
  let stderr = '';
  proc.stderr.on('data', (c) => { stderr = (stderr + c).slice(-4000); });
  const call = async (method, url, body, { timeoutMs = 60000 } = {}) => {
    // A hung browser fails the case (and says where) instead of hanging the suite.
    const res = await fetch(`http://127.0.0.1:${port}${url}`, { method, headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) })
      .catch((e) => { throw new Error(`${name} ${method} ${url}: ${e.name === 'TimeoutError' ? `no answer in ${timeoutMs / 1000} s` : e.message}`); });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(`${name} ${method} ${url}: ${json.value?.error || res.status} ${json.value?.message || ''}`.trim());
    return json.value;
  };
  for (let i = 0; ; i++) {
    try { await call('GET', '/status'); break; } catch (e) {
      if (i > 100 || proc.exitCode !== null) throw new Error(`${name}: the driver did not start (${e.message}) ${stderr}`);
      await sleep(100);
    }
  }
  const killGroup = (signal) => { try { process.kill(-proc.pid, signal); } catch { /* already gone */ } };
  return {
    call,
    stop: () => new Promise((r) => {
      if (proc.exitCode !== null) { killGroup('SIGKILL'); r(); return; }
      proc.on('exit', () => { killGroup('SIGKILL'); r(); });
      killGroup('SIGTERM');
    }),
  };
}

/**
 * A driver with a new session on it. A browser that does not come up (WebKitGTK's MiniBrowser now and then hangs at
 * start on a loaded machine) is stopped with its driver and started again, twice at most, before the case fails.
 */
async function startSession(name, engine, env, capabilities) {
  for (let attempt = 1; ; attempt++) {
    const driver = await startDriver(name, engine, env);
    try {
      const session = await driver.call('POST', '/session', { capabilities: { alwaysMatch: capabilities } }, { timeoutMs: 30000 });
      return { driver, session };
    } catch (e) {
      await driver.stop();
      if (attempt === 3) throw e;
      console.error(`engines: ${e.message}; starting ${name} again (attempt ${attempt + 1} of 3)`);
    }
  }
}

/** WebDriver's code points for the keys the suite presses. */
const KEYS = { Tab: '\uE004', Enter: '\uE007', Escape: '\uE00C', Space: ' ', Shift: '\uE008', ArrowDown: '\uE015', ArrowUp: '\uE013' };

/** In the page: what the recorder kept since the last drain (see loopback.mjs RECORDER). */
const DRAIN = 'var c = window.__e2eConsole; return c ? c.splice(0, c.length) : [];';

/**
 * A page: a window of a WebDriver session. `focus()` makes it the session's current window (commands go to that one);
 * `closeWindow()` closes it.
 */
function enginePage(call, sessionPath, focus, closeWindow) {
  const listeners = { console: [], pageerror: [] };
  let documentOrigin = null;
  const deliver = (entries) => {
    for (const m of entries || []) {
      if (m.type === 'pageerror') for (const f of listeners.pageerror) f(new Error(m.text));
      else for (const f of listeners.console) f({ type: () => m.type, text: () => m.text });
    }
  };
  const drain = async () => deliver(await call('POST', `${sessionPath}/execute/sync`, { script: DRAIN, args: [] }).catch(() => []));
  /** `fn(arg)` in the page, awaited there (playwright's page.evaluate, one JSON argument). */
  const evaluate = async (fn, arg) => {
    const script = `var done = arguments[1];
      try { Promise.resolve((${fn})(arguments[0])).then(function (v) { finish({ ok: v === undefined ? null : v }); },
        function (e) { finish({ error: String(e && e.stack || e) }); }); }
      catch (e) { finish({ error: String(e && e.stack || e) }); }
      function finish(r) { var c = window.__e2eConsole; r.console = c ? c.splice(0, c.length) : []; done(r); }`;
    await focus();
    const r = await call('POST', `${sessionPath}/execute/async`, { script, args: [arg === undefined ? null : arg] });
    deliver(r && r.console);
    if (r && 'error' in r) throw new Error(`page.evaluate: ${r.error}`);
    return r && r.ok;
  };
  const loaded = async () => {
    documentOrigin = await evaluate(() => performance.timeOrigin);
  };
  return {
    async goto(url) {
      await focus();
      await call('POST', `${sessionPath}/url`, { url: new URL(url, SITE).href });
      await loaded();
    },
    async reload() {
      await focus();
      await drain();
      await call('POST', `${sessionPath}/refresh`, {});
      await loaded();
    },
    url: async () => { await focus(); return call('GET', `${sessionPath}/url`); },
    evaluate,
    /** Polls `fn(arg)` until it is truthy (playwright's page.waitForFunction). */
    async waitForFunction(fn, arg, { timeout = WAIT_MS } = {}) {
      const end = Date.now() + timeout;
      for (;;) {
        const v = await evaluate(fn, arg).catch(() => null);
        if (v) return v;
        if (Date.now() > end) throw new Error(`page.waitForFunction: ${fn} still false after ${timeout} ms`);
        await sleep(50);
      }
    },
    /** Only 'load': resolves once a new document (another performance.timeOrigin) has loaded. */
    async waitForEvent(type, { timeout = WAIT_MS } = {}) {
      if (type !== 'load') throw new Error(`engines: waitForEvent('${type}') is not supported (only 'load')`);
      const before = documentOrigin;
      const end = Date.now() + timeout;
      for (;;) {
        const now = await evaluate(() => (document.readyState === 'complete' ? performance.timeOrigin : null)).catch(() => null);
        if (now !== null && now !== before) { documentOrigin = now; return; }
        if (Date.now() > end) throw new Error(`page.waitForEvent('load'): no new document in ${timeout} ms`);
        await sleep(50);
      }
    },
    /** Key presses (playwright's names: Tab, Shift+Tab, Enter, Escape, Space, ArrowDown, …), as a visitor types. */
    keyboard: {
      async press(combo) {
        await focus();
        const keys = combo.split('+').map((k) => KEYS[k] || k);
        const actions = [...keys.map((value) => ({ type: 'keyDown', value })), ...keys.reverse().map((value) => ({ type: 'keyUp', value }))];
        await call('POST', `${sessionPath}/actions`, { actions: [{ type: 'key', id: 'keyboard', actions }] });
        await call('DELETE', `${sessionPath}/actions`);
      },
    },
    on(type, f) { (listeners[type] || (listeners[type] = [])).push(f); },
    /** Delivers what the page logged since the last call (evaluate does it too). */
    drain: async () => { await focus(); await drain(); },
    close: () => closeWindow(),
  };
}

/**
 * Starts engine `name` for the tests against `loopback` (its recorder must be on): a proxy in front of it, and
 * drivers on demand. Returns a browser shaped like playwright-core's (see the top of this file).
 */
export async function launchEngine(name, loopback) {
  const engine = ENGINES[name];
  if (!engine) throw new Error(`E2E_ENGINE=${name}: unknown engine (chromium, ${Object.keys(ENGINES).join(', ')})`);
  if (!available().includes(name)) {
    throw new Error(`E2E_ENGINE=${name}: ${engine.browser ? '' : 'the browser, '}${engine.driver ? '' : 'the driver, '}`
      + `${engine.display && !fs.existsSync('/usr/bin/Xvfb') ? 'Xvfb, ' : ''}missing: run scripts/setup.sh`);
  }
  const proxy = await startProxy(loopback);
  const xvfb = engine.display ? await startXvfb() : null;
  const open = new Set();

  return {
    name,
    supports: engine.supports,
    contexts: () => [...open],
    /** A fresh profile. opts: timezoneId, locale, gpc (bool, where supported). */
    async newContext({ timezoneId = 'UTC', locale = 'en-US', gpc = false } = {}) {
      if (gpc && !engine.supports.gpc) throw new Error(`${name} implements no Global Privacy Control`);
      // A driver per context: each takes one session at a time, and a case that fails leaves its context open.
      const { driver, session } = await startSession(name, engine, { ...engine.driverEnv({ timezoneId, locale }, proxy.port),
        ...(xvfb ? { DISPLAY: xvfb.display } : {}) }, engine.capabilities(proxy.port, { locale, gpc }));
      const { call } = driver;
      const s = `/session/${session.sessionId}`;
      await call('POST', `${s}/timeouts`, { script: 30000, pageLoad: 30000 });
      // Pages are the session's windows. The first window is there from the start; a closed page's window is
      // kept (showing about:blank) when it is the last one, since closing the last window ends the session.
      const windows = new Map(); // page → window handle
      let spare = await call('GET', `${s}/window`);
      let current = spare;
      const context = {
        engine: name,
        async newPage() {
          let handle = spare;
          spare = null;
          if (!handle) handle = (await call('POST', `${s}/window/new`, { type: 'tab' })).handle;
          const focus = async () => {
            if (current !== handle) { await call('POST', `${s}/window`, { handle }); current = handle; }
          };
          const page = enginePage(call, s, focus, async () => {
            if (!windows.has(page)) return;
            windows.delete(page);
            await focus();
            if (windows.size) { await call('DELETE', `${s}/window`).catch(() => {}); current = null; }
            else { await call('POST', `${s}/url`, { url: 'about:blank' }).catch(() => {}); spare = handle; }
          });
          windows.set(page, handle);
          return page;
        },
        /** The cookies the current document's site can see (tests only look at site.test's). */
        async cookies() {
          if (current === null || current === spare) { const [first] = windows.values(); if (first) { await call('POST', `${s}/window`, { handle: first }); current = first; } }
          return (await call('GET', `${s}/cookie`)).map((c) => ({ name: c.name, value: c.value, domain: c.domain, path: c.path,
            secure: c.secure, httpOnly: c.httpOnly, sameSite: c.sameSite, expires: c.expiry ?? -1 }));
        },
        /** Cookies of site.test, set before the first page (a document of the site must be showing to set them). */
        async addCookies(cookies) {
          await call('POST', `${s}/url`, { url: `${SITE}/__e2e/blank` });
          for (const c of cookies) {
            await call('POST', `${s}/cookie`, { cookie: { name: c.name, value: c.value, path: c.path || '/', secure: c.secure ?? true,
              sameSite: c.sameSite || 'Lax' } });
          }
        },
        async close() {
          open.delete(context);
          await call('DELETE', s).catch(() => {});
          await driver.stop();
        },
      };
      open.add(context);
      return context;
    },
    async close() {
      for (const c of open) await c.close();
      if (xvfb) xvfb.stop();
      await proxy.close();
    },
  };
}
