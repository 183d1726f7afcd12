// An HTTP proxy on loopback that sends every request to the loopback server (loopback.mjs), so that browsers
// without Chromium's --host-resolver-rules (Firefox, WebKit) reach the impersonated site and tracker hosts and get
// counted there. CONNECT host:port is tunnelled to the loopback server as it is (TLS ends there, with its
// self-signed certificate: sessions accept insecure certificates; its Host header and SNI tell the hosts apart);
// a plain-HTTP request in absolute form is forwarded with the same method, headers and body.
//
// The browsers' own services (Firefox's remote settings, updates, telemetry; WebKit's) are refused here and never
// reach the log: no page caused them.
import http from 'node:http';
import net from 'node:net';

const BROWSER_SERVICES = /(^|\.)(mozilla\.(com|net|org)|firefox\.com|mozaws\.net|webkit\.org|gnome\.org)$/;
const hostOf = (authority) => authority.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');

/** Starts the proxy in front of `loopback` (anything with a `port`). Returns { port, close() }. */
export async function startProxy(loopback) {
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    let target;
    try { target = new URL(req.url); } catch { res.writeHead(400).end('proxy: absolute URL expected'); return; }
    if (BROWSER_SERVICES.test(target.hostname)) { res.writeHead(403).end('proxy: browser service refused'); return; }
    const upstream = http.request({ host: '127.0.0.1', port: loopback.port, method: req.method,
      path: target.pathname + target.search, headers: { ...req.headers, host: target.host } }, (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end(); });
    req.pipe(upstream);
  });
  server.on('connect', (req, client, head) => {
    if (BROWSER_SERVICES.test(hostOf(req.url))) { client.end('HTTP/1.1 403 Forbidden\r\n\r\n'); return; }
    const upstream = net.connect(loopback.port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head && head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    const drop = () => { upstream.destroy(); client.destroy(); };
    upstream.on('error', drop);
    client.on('error', drop);
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
