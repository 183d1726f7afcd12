// One loopback server impersonating the first-party site and every tracker host.
//
// Chromium maps host names to it with --host-resolver-rules (see `resolverRules()`); the server tells the
// hosts apart by the Host header. One port speaks both HTTPS (self-signed certificate, generated at start with
// the openssl CLI; Chromium runs with --ignore-certificate-errors) and plain HTTP (first byte sniffed), so
// `http://` tag URLs are logged too instead of failing silently.
//
//   https://site.test/<page>.html      fixture pages from tests/e2e/pages/ (query `config=<json>` replaces the
//                                      text of <script id="sekisho-config">, `lang=<tag>` the <html lang>, `embeds=0` drops its
//                                      iframes; a `<page>.html.headers.json`
//                                      sidecar adds response headers, e.g. a CSP, and with "$page" serves
//                                      another page under that name: csp.html is tags.html + a CSP)
//   https://site.test/sekisho/*        the built SDK from <repo>/dist/ (env SEKISHO_DIST overrides the dir)
//   https://site.test/order/<n>.js     a script pushing <n> to window.__order (any file: `?delay=<ms>`)
//   https://cdn.jsdelivr.net/…         a neutral CDN script (window.__cdnRan = true)
//   tracker hosts                      FAKE vendor files (tests/e2e/vendors.mjs), pixels, collect endpoints
//   <any host>/es|/events|/sse         a server-sent events stream (one message, no reconnect)
//   ws:// and wss:// to any host       a WebSocket handshake (logged with dest "websocket"), then one "hello" frame
//
// Every request is logged as {host, path, query, search, method, time, cookie, cookies, dest, referer, status, url,
// and for a POST to a tracker host its body as text};
// requests Chromium makes on its own (Sec-Fetch-Site: none, not a navigation) go to a separate log.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TYPES, GIF, VENDOR_ROUTES, MAPPED_HOSTS, isTrackerHost, trackerFallback } from './vendors.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..');
export const PAGES_DIR = path.join(HERE, 'pages');
export const DIST_DIR = process.env.SEKISHO_DIST ? path.resolve(process.env.SEKISHO_DIST) : path.join(REPO, 'dist');
export const SITE = 'https://site.test';

const EXT_TYPES = { '.js': 'js', '.mjs': 'js', '.html': 'html', '.json': 'json', '.css': 'css', '.gif': 'gif',
  '.png': 'png', '.svg': 'svg', '.wasm': 'wasm', '.txt': 'txt', '.ts': 'txt', '.map': 'json', '.jpg': 'jpg' };

function makeCert() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sekisho-loopback-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=sekisho-loopback',
    '-keyout', key, '-out', cert], { stdio: 'ignore' });
  const out = { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

/** A request's body as text (what a tracker host was sent: `entry.body`; a route of a test reads its own). */
async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

function hostMatches(pattern, host) {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) { const s = pattern.slice(2); return host === s || host.endsWith('.' + s); }
  return pattern === host;
}

function parseCookies(header) {
  const out = {};
  for (const part of (header || '').split(/;\s*/)) {
    if (!part) continue;
    const i = part.indexOf('=');
    out[i < 0 ? part : part.slice(0, i)] = i < 0 ? '' : part.slice(i + 1);
  }
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A TCP port free on loopback just now (for a server or driver another process starts). */
export async function freePort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

/**
 * For engines driven over WebDriver (engines.mjs), which has no init scripts and no console events: the first thing
 * in every page served, it keeps in the page what Chromium's tests read from playwright — console messages, uncaught
 * errors and unhandled rejections (`window.__e2eConsole`, drained by each evaluate) and the sekisho:* events
 * (`window.__events`, as harness.mjs recordEvents() does).
 */
export const RECORDER = `<script>(function () {
  var log = window.__e2eConsole = [];
  function text(a) { try { return typeof a === 'string' ? a : a instanceof Error ? String(a) : JSON.stringify(a); } catch (e) { return String(a); } }
  ['log', 'info', 'warn', 'error', 'debug'].forEach(function (t) {
    var f = console[t];
    console[t] = function () { log.push({ type: t === 'warn' ? 'warning' : t, text: [].map.call(arguments, text).join(' ') }); return f.apply(console, arguments); };
  });
  addEventListener('error', function (e) { log.push({ type: 'pageerror', text: String(e.message) }); });
  addEventListener('unhandledrejection', function (e) { log.push({ type: 'pageerror', text: String(e.reason && e.reason.message || e.reason) }); });
  window.__events = [];
  ['change', 'blocked', 'released', 'ready'].forEach(function (t) {
    document.addEventListener('sekisho:' + t, function (e) { window.__events.push({ type: t, detail: JSON.parse(JSON.stringify(e.detail === undefined ? null : e.detail)) }); });
  });
})();</script>`;

/** RECORDER written right after `<head>` (or first, when a page has none): before any script of the page. */
function withRecorder(html) {
  const m = /<head[^>]*>/i.exec(html);
  return m ? html.slice(0, m.index + m[0].length) + RECORDER + html.slice(m.index + m[0].length) : RECORDER + html;
}

/**
 * Start the loopback server. Options: `pagesDir`, `distDir`, `recorder` (write RECORDER into every HTML page).
 * Returns { port, origin, resolverRules(), requests(filter?), countFor(m), trackerRequests(), waitFor(m, opts),
 *           quiet(ms), reset(), route(host, pathRe, handler), close() }.
 */
export async function startLoopback({ pagesDir = PAGES_DIR, distDir = DIST_DIR, recorder = false } = {}) {
  const log = [];
  const browserLog = [];
  const waiters = new Set();
  const extraRoutes = [];
  let lastRequestAt = Date.now();

  function record(req, u) {
    const entry = {
      host: u.hostname, path: u.pathname, search: u.search, query: Object.fromEntries(u.searchParams),
      method: req.method, time: Date.now(), cookie: req.headers.cookie || '', cookies: parseCookies(req.headers.cookie),
      dest: req.headers['sec-fetch-dest'] || '', referer: req.headers.referer || '', scheme: req.socket.encrypted ? 'https' : 'http',
      status: 0, url: `${req.socket.encrypted ? 'https' : 'http'}://${u.hostname}${u.pathname}${u.search}`,
    };
    // Requests Chromium makes by itself (account / update services: `Sec-Fetch-Site: none` and not a navigation)
    // are kept apart: no page caused them, so they are not third-party transmissions of the page.
    if (req.headers['sec-fetch-site'] === 'none' && entry.dest !== 'document') { browserLog.push(entry); return entry; }
    log.push(entry);
    lastRequestAt = entry.time;
    for (const w of waiters) w();
    return entry;
  }

  function send(req, res, entry, { status = 200, type = 'txt', body = '', headers = {} }) {
    const origin = req.headers.origin;
    const h = {
      'content-type': TYPES[type] || type,
      'cache-control': 'no-store',
      'access-control-allow-origin': origin || '*',
      'timing-allow-origin': '*',
      ...(origin ? { 'access-control-allow-credentials': 'true', vary: 'Origin' } : {}),
      ...headers,
    };
    entry.status = status;
    res.writeHead(status, h);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  function serveFile(file, extraHeaders = {}) {
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return null;
    const type = EXT_TYPES[path.extname(file)] || 'application/octet-stream';
    return { type, body: fs.readFileSync(file), headers: extraHeaders };
  }

  function inside(dir, rel) {
    const f = path.resolve(dir, '.' + path.posix.normalize('/' + rel));
    return f.startsWith(path.resolve(dir)) ? f : null;
  }

  function sitePage(u) {
    let rel = decodeURIComponent(u.pathname);
    if (rel.endsWith('/')) rel += 'index.html';
    let file = inside(pagesDir, rel);
    if (!file) return null;
    // A sidecar adds response headers; with "$page" it serves another page under this name.
    let headers = {};
    if (fs.existsSync(file + '.headers.json')) {
      const { $page, ...rest } = JSON.parse(fs.readFileSync(file + '.headers.json', 'utf8'));
      headers = rest;
      if ($page) file = inside(pagesDir, $page);
    }
    if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) return null;
    const out = serveFile(file, headers);
    if (out.type !== 'html') return out;
    // `config=<json>` replaces the page's config; `lang=<tag>` its <html lang>.
    const replace = (re, what, value) => {
      if (value === null) return;
      const html = out.body.toString('utf8');
      if (!re.test(html)) throw new Error(`${rel}: no ${what} to replace`);
      out.body = html.replace(re, (m, a, b, c) => a + value + c);
    };
    const cfg = u.searchParams.get('config');
    replace(/(<script type="application\/json" id="sekisho-config">)([\s\S]*?)(<\/script>)/,
      '<script type="application/json" id="sekisho-config">', cfg === null ? null : cfg.replace(/<\//g, '<\\/'));
    replace(/(<html lang=")([^"]*)(")/, '<html lang="…">', u.searchParams.get('lang'));
    if (u.searchParams.get('embeds') === '0') out.body = out.body.toString('utf8').replace(/<iframe\b[\s\S]*?<\/iframe>\s*/g, '');
    if (recorder) out.body = withRecorder(out.body.toString('utf8'));
    return out;
  }

  async function handle(req, res) {
    const hostHeader = (req.headers.host || 'unknown').replace(/:\d+$/, '');
    const u = new URL(req.url, `http://${hostHeader}`);
    const entry = record(req, u);
    try {
      const delay = Number(u.searchParams.get('delay') || 0);
      if (delay > 0) await sleep(delay);
      if (req.method === 'OPTIONS') {
        return send(req, res, entry, { status: 204, headers: {
          'access-control-allow-methods': 'GET,POST,PUT,DELETE,OPTIONS',
          'access-control-allow-headers': req.headers['access-control-request-headers'] || '*', 'access-control-max-age': '600' } });
      }
      const routed = async (routes) => {
        for (const r of routes) {
          if (!hostMatches(r.host, u.hostname) || !r.path.test(u.pathname)) continue;
          const out = await r.handler(req, u, { log });
          if (!out) continue;
          send(req, res, entry, recorder && out.type === 'html' ? { ...out, body: withRecorder(String(out.body)) } : out);
          return true;
        }
        return false;
      };
      if (await routed(extraRoutes)) return;
      if (req.method === 'POST' && isTrackerHost(u.hostname)) entry.body = await readBody(req);
      if (await routed(VENDOR_ROUTES)) return;
      if (u.hostname === 'site.test') {
        if (u.pathname.startsWith('/sekisho/')) {
          const f = inside(distDir, u.pathname.slice('/sekisho/'.length));
          const out = f && serveFile(f);
          if (out) return send(req, res, entry, out);
          return send(req, res, entry, { status: 404, type: 'txt', body: `not built: ${f}` });
        }
        const m = /^\/order\/([\w-]+)\.js$/.exec(u.pathname);
        if (m) return send(req, res, entry, { type: 'js', body: `(window.__order=window.__order||[]).push(${JSON.stringify(m[1])});` });
        if (u.pathname === '/pixel.gif') return send(req, res, entry, { type: 'gif', body: GIF });
        if (u.pathname === '/favicon.ico') return send(req, res, entry, { status: 204 });
        if (u.pathname === '/__e2e/blank') return send(req, res, entry, { type: 'html', body: '<!doctype html><title>blank</title>' });
        const out = sitePage(u);
        if (out) return send(req, res, entry, out);
        return send(req, res, entry, { status: 404, type: 'txt', body: 'not found' });
      }
      if (isTrackerHost(u.hostname)) return send(req, res, entry, trackerFallback(req, u));
      return send(req, res, entry, { status: 404, type: 'txt', body: `loopback: unknown host ${u.hostname}` });
    } catch (e) {
      return send(req, res, entry, { status: 500, type: 'txt', body: String(e && e.stack || e) });
    }
  }

  // WebSocket upgrades (ws:// and wss:// to any host): logged like every request, then a minimal RFC 6455
  // handshake so an allowed socket opens; the server sends one text frame ("hello") and keeps the socket open.
  function upgrade(req, socket) {
    const hostHeader = (req.headers.host || 'unknown').replace(/:\d+$/, '');
    const u = new URL(req.url, `http://${hostHeader}`);
    const entry = record(req, u);
    entry.dest = entry.dest || 'websocket';
    socket.on('error', () => {});
    const key = req.headers['sec-websocket-key'];
    if (!key || String(req.headers.upgrade).toLowerCase() !== 'websocket') { entry.status = 400; socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'); return; }
    const accept = crypto.createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
    entry.status = 101;
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
      + `Sec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.write(Buffer.from([0x81, 5, ...Buffer.from('hello')]));
  }

  const { key, cert } = makeCert();
  const httpsServer = https.createServer({ key, cert }, handle);
  const httpServer = http.createServer(handle);
  httpsServer.on('upgrade', upgrade);
  httpServer.on('upgrade', upgrade);
  const sockets = new Set();
  const front = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.once('data', (buf) => {
      socket.pause();
      socket.unshift(buf);
      (buf[0] === 0x16 ? httpsServer : httpServer).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
  await new Promise((resolve, reject) => front.listen(0, '127.0.0.1', resolve).once('error', reject));
  const port = front.address().port;

  function matcher(m) {
    if (typeof m === 'function') return m;
    if (m instanceof RegExp) return (e) => m.test(`${e.host}${e.path}${e.search}`);
    if (typeof m === 'string') return (e) => e.host === m || e.host.endsWith('.' + m);
    if (m && typeof m === 'object') {
      return (e) => (!m.host || (m.host instanceof RegExp ? m.host.test(e.host) : e.host === m.host || e.host.endsWith('.' + m.host)))
        && (!m.path || (m.path instanceof RegExp ? m.path.test(e.path) : e.path === m.path))
        && (!m.method || e.method === m.method);
    }
    return () => true;
  }

  const api = {
    port,
    origin: SITE,
    /** The value for Chromium's --host-resolver-rules: explicit rules, then a catch-all (except loopback). */
    resolverRules() {
      const rules = MAPPED_HOSTS.map((h) => `MAP ${h} 127.0.0.1:${port}`);
      rules.push(`MAP * 127.0.0.1:${port}`, 'EXCLUDE localhost', 'EXCLUDE 127.0.0.1');
      return rules.join(', ');
    },
    /** A copy of the request log, optionally filtered (same matchers as countFor). */
    requests(m) { return m === undefined ? log.slice() : log.filter(matcher(m)); },
    /** Count requests: host string (that host or its subdomains), RegExp on host+path+search, predicate, or {host,path,method}. */
    countFor(m) { return log.filter(matcher(m)).length; },
    /** Requests to any tracker / vendor host (vendors.mjs TRACKER_SUFFIXES). */
    trackerRequests() { return log.filter((e) => isTrackerHost(e.host)); },
    /** Resolve with the matching requests once at least `count` arrived; reject after `timeout` ms. */
    waitFor(m, { timeout = 5000, count = 1 } = {}) {
      const f = matcher(m);
      return new Promise((resolve, reject) => {
        const check = () => {
          const hits = log.filter(f);
          if (hits.length >= count) { waiters.delete(check); clearTimeout(t); resolve(hits); return true; }
          return false;
        };
        const t = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`loopback.waitFor: ${count} request(s) matching ${m} not seen in ${timeout} ms; got ${log.filter(f).length}. `
            + `Log: ${log.slice(-15).map((e) => `${e.method} ${e.host}${e.path}`).join(' | ')}`));
        }, timeout);
        if (!check()) waiters.add(check);
      });
    },
    /** Resolve once no request arrived for `ms` (at least `ms` after the call; gives up after `max`). */
    async quiet(ms = 500, max = 5000) {
      const start = Date.now();
      await sleep(ms);
      while (Date.now() - lastRequestAt < ms && Date.now() - start < max) await sleep(ms - (Date.now() - lastRequestAt) + 5);
    },
    /** Requests Chromium made on its own (not counted anywhere else). */
    browserRequests() { return browserLog.slice(); },
    /** Forget the log (call between cases). */
    reset() { log.length = 0; browserLog.length = 0; },
    /** Add a route (tried before the built-in ones): host exact or '*.suffix', path RegExp, handler(req, url) → response. */
    route(host, pathRe, handler) { extraRoutes.push({ host, path: pathRe, handler }); },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => front.close(r));
      httpsServer.close(); httpServer.close();
    },
  };
  return api;
}

// `node tests/e2e/loopback.mjs` runs it standalone (prints the resolver rules) for manual poking.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const lb = await startLoopback();
  console.log(`loopback on 127.0.0.1:${lb.port}\n--host-resolver-rules="${lb.resolverRules()}"`);
}
