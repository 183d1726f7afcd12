// Headless Chromium driven over the DevTools protocol at the BROWSER level only (--remote-debugging-pipe):
// pages are opened in fresh browser contexts without any DevTools session attached to them, as a visitor's
// are. (A session on the page, as Playwright keeps, makes V8 and Blink collect extra data: start is slower.)
// Pages report what they measured to the loopback server, so nothing needs to be read from the page.
// `send` is the raw protocol for benches that need more (peers.mjs): with a `sessionId` from
// `Target.attachToTarget {flatten: true}` it reaches that page's session on the same pipe.
import { spawn } from 'node:child_process';
import { CHROMIUM, BROWSER_ARGS } from '../e2e/harness.mjs';

/** `onEvent(method, params)` gets the protocol's events (those of the browser target: Tracing, …). */
export async function launchBare(loopback, { onEvent = () => {} } = {}) {
  const proc = spawn(CHROMIUM, [...BROWSER_ARGS, `--host-resolver-rules=${loopback.resolverRules()}`,
    '--remote-debugging-pipe', 'about:blank'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
  const [, , , toBrowser, fromBrowser] = proc.stdio;
  const waiting = new Map();
  let nextId = 0;
  let buffered = '';
  fromBrowser.on('data', (chunk) => {
    buffered += chunk;
    for (let end; (end = buffered.indexOf('\0')) >= 0; buffered = buffered.slice(end + 1)) {
      const msg = JSON.parse(buffered.slice(0, end));
      if (!msg.id && msg.method) { onEvent(msg.method, msg.params); continue; }
      const w = msg.id && waiting.get(msg.id);
      if (!w) continue;
      waiting.delete(msg.id);
      if (msg.error) w.reject(new Error(`${w.method}: ${msg.error.message}`)); else w.resolve(msg.result);
    }
  });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
    const id = ++nextId;
    waiting.set(id, { resolve, reject, method });
    toBrowser.write(JSON.stringify({ id, method, params, sessionId }) + '\0');
  });
  const { product } = await send('Browser.getVersion');
  return {
    version: product.replace(/^[^/]*\//, ''),
    send,
    /** Opens `url` in a new browser context; returns a function that disposes of it. */
    async open(url) {
      const { browserContextId } = await send('Target.createBrowserContext', { disposeOnDetach: true });
      await send('Target.createTarget', { url, browserContextId });
      return () => send('Target.disposeBrowserContext', { browserContextId });
    },
    async close() { proc.kill(); await exited; },
  };
}
