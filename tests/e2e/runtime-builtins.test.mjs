// Issue #11, leak class 9: page code that changes built-ins after sekisho.js must not open the gate. Each probe runs in
// a fresh page: it patches one built-in the way an attacker (or a careless polyfill) would, then reaches the tracker
// by the usual paths (a script, an image by property and by setAttribute, an HTML string, fetch, a beacon). Counted at
// the loopback: nothing reaches it before a choice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, open, settleThenCount, listRequests, runAsPageScript } from './harness.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

/** name → the patch (page code, run after sekisho.js). */
const PATCHES = {
  'Function.prototype.call': `const apply = Reflect.apply; Function.prototype.call = function (self, ...args) {
    return this === Element.prototype.getAttribute ? null : apply(this, self, args); };`,
  'Function.prototype.apply (stashing natives)': `const apply = Reflect.apply; window.__natives = new Set();
    Function.prototype.apply = function (self, args) { window.__natives.add(this); return apply(this, self, args || []); };
    fetch('/own.json').catch(() => {}); navigator.sendBeacon('/own-beacon', 'x');
    for (const f of window.__natives) { try { apply(f, window, ['https://www.facebook.com/tr/?id=9&ev=stash' + f.name]); } catch (e) {} try { apply(f, navigator, ['https://www.facebook.com/tr/?id=9&ev=stash' + f.name, 'x']); } catch (e) {} }`,
  'RegExp.prototype.test': `RegExp.prototype.test = () => false;`,
  'RegExp.prototype.exec': `RegExp.prototype.exec = () => null;`,
  'String.prototype.toLowerCase': `String.prototype.toLowerCase = function () { return 'text/plain'; };`,
  'String.prototype.trim': `String.prototype.trim = function () { return 'text/plain'; };`,
  'String.prototype.charCodeAt': `String.prototype.charCodeAt = function () { return 47; };`,
  'Array.prototype.indexOf': `Array.prototype.indexOf = () => -1;`,
  'Array.prototype.forEach, some, filter': `Array.prototype.forEach = function () {}; Array.prototype.some = () => false; Array.prototype.filter = function () { return []; };`,
  'WeakSet.prototype.has': `WeakSet.prototype.has = () => true;`,
  'Map.prototype.has': `Map.prototype.has = () => true;`,
  'WeakMap.prototype.get': `WeakMap.prototype.get = () => undefined;`,
  'String (the global)': `window.String = () => '/own.gif';`,
  'TextEncoder.prototype.encodeInto': `TextEncoder.prototype.encodeInto = function (s, view) { view.fill(47); return { read: s.length, written: view.length }; };`,
  'Node.prototype.nodeType': `Object.defineProperty(Node.prototype, 'nodeType', { get() { return 3; }, configurable: true });`,
  'Element.prototype.localName': `Object.defineProperty(Element.prototype, 'localName', { get() { return 'div'; }, configurable: true });`,
  'Node.prototype.isConnected': `Object.defineProperty(Node.prototype, 'isConnected', { get() { return false; }, configurable: true });`,
};

/** The usual ways page code reaches a tracker (each URL tagged with the probe). */
const REACH = `(tag) => {
  const px = (how) => 'https://www.facebook.com/tr/?id=9&ev=' + tag + '-' + how + '&q=%C3%A9';
  const run = (how, f) => { try { f(); } catch (e) { (window.__threw = window.__threw || []).push(how + ': ' + e); } };
  run('script', () => { const s = document.createElement('script'); s.src = 'https://connect.facebook.net/en_US/fbevents.js?p=' + tag; document.head.appendChild(s); });
  run('imgProperty', () => { const i = new Image(); i.src = px('imgProperty'); document.body.appendChild(i); });
  run('setAttribute', () => { const i = document.createElement('img'); i.setAttribute('src', px('setAttribute')); document.body.appendChild(i); });
  run('innerHTML', () => { const d = document.createElement('div'); d.innerHTML = '<img src="' + px('innerHTML') + 'é">'; document.body.appendChild(d); });
  run('fetch', () => { fetch(px('fetch'), { mode: 'no-cors' }).catch(() => {}); });
  run('beacon', () => navigator.sendBeacon(px('beacon'), 'x'));
  run('iframe', () => { const f = document.createElement('iframe'); f.src = px('iframe'); document.body.appendChild(f); });
  run('xhr', () => { const x = new XMLHttpRequest(); x.open('GET', px('xhr')); x.send(); });
  run('requestObject', () => { fetch({ url: '/own.json', toString() { return px('requestObject'); } }, { mode: 'no-cors' }).catch(() => {}); });
}`;

test('leak-9. built-ins changed by page code after sekisho.js do not open the gate', async (t) => {
  const lb = env.loopback;
  for (const [name, patch] of Object.entries(PATCHES)) {
    await t.test(name, async () => {
      lb.reset();
      const context = await env.ctx();
      const { page } = await open(context, '/rt/beacons.html', { loopback: lb, config: { revision: 1, beaconQueue: 0 } });
      await runAsPageScript(page, `${patch}\n(${REACH})(${JSON.stringify(name.replace(/\W+/g, '_'))});`);
      const reqs = await settleThenCount(lb, (e) => e.host === 'www.facebook.com' || e.host === 'connect.facebook.net');
      await context.close();
      assert.equal(reqs.length, 0, `after ${name} was patched:\n  ${listRequests(reqs)}`);
    });
  }
});

test('leak-9. hosts are judged as the browser normalises them (full-width, mathematical, circled letters, the Kelvin sign)', async () => {
  const lb = env.loopback;
  lb.reset();
  const context = await env.ctx();
  const { page } = await open(context, '/rt/beacons.html', { loopback: lb, config: { revision: 1, beaconQueue: 0 } });
  await runAsPageScript(page, `(${() => {
    const hosts = ['www.ｆａｃｅｂｏｏｋ.com', 'www.𝐟𝐚𝐜𝐞𝐛𝐨𝐨𝐤.com', 'www.𝒻𝒶𝒸ℯ𝒷ℴℴ𝓀.com', 'www.𝕗𝕒𝕔𝕖𝕓𝕠𝕠𝕜.𝕔𝕠𝕞', 'www.ⓕⓐⓒⓔⓑⓞⓞⓚ.com',
      'WWW.FACEBOO\u212A.COM', 'www.face\u00adbook.com'];
    hosts.forEach((h, i) => {
      const img = new Image(); img.src = `https://${h}/tr/?id=9&ev=host${i}`; document.body.appendChild(img);
      fetch(`https://${h}/tr/?id=9&ev=hostFetch${i}`, { mode: 'no-cors' }).catch(() => {});
    });
  }})()`);
  const reqs = await settleThenCount(lb, (e) => e.host === 'www.facebook.com');
  await context.close();
  assert.equal(reqs.length, 0, `requests to the tracker by another spelling of its host:\n  ${listRequests(reqs)}`);
});
