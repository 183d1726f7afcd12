// Issue #11, leak classes: each closed by a general fix, proven by several probes. Counted at the loopback: a held
// URL never reaches the wire before a choice; once its service is allowed it loads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, open, call, settleThenCount, listRequests, until, runAsPageScript } from './harness.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

test('leak-6. srcset lists: every candidate is judged, in attributes, setters and HTML strings alike', async () => {
  env.loopback.reset();
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, '/rt/beacons.html', { loopback: lb, config: { revision: 1, beaconQueue: 0 } });
  await page.evaluate(() => {
    // The tracker is the candidate the browser picks (1x at a device pixel ratio of 1, or the width that fits
    // `sizes`), never the first in the list: a list judged as one string would let it through.
    const px = (n) => `https://www.facebook.com/tr/?id=7&ev=srcset${n}`;
    const box = document.createElement('div');
    document.body.appendChild(box);
    const img = (setup) => { const i = document.createElement('img'); i.alt = ''; setup(i); box.appendChild(i); return i; };
    img((i) => i.setAttribute('srcset', `/own.gif?a 2x, ${px(1)} 1x`));
    img((i) => { i.srcset = `/own.gif?b 2x,${px(2)} 1x`; });
    img((i) => { i.srcset = `/own.gif?c 3x, /own.gif?d 2x, ${px(3)}&x=(1,2) 1x`; });
    img((i) => { i.sizes = '100px'; i.srcset = `/own.gif?e 1w, ${px(4)} 100w`; });
    box.insertAdjacentHTML('beforeend', `<img alt="" srcset="/own.gif?f 2x, ${px(5)} 1x">`
      + `<picture><source srcset="/own.gif?g 2x, ${px(6)} 1x"><img alt="" src="/own.gif?h"></picture>`);
    const link = document.createElement('link');
    link.rel = 'preload'; link.as = 'image';
    link.setAttribute('imagesrcset', `/own.gif?i 2x, ${px(7)} 1x`);
    document.head.appendChild(link);
  });
  const before = await settleThenCount(lb, (e) => e.host === 'www.facebook.com');
  assert.equal(before.length, 0, `before a choice:\n  ${listRequests(before)}`);
  const held = await page.evaluate(() => [...document.querySelectorAll('[data-srcset],[data-imagesrcset]')].length);
  assert.equal(held, 7, 'each list is held whole, under data-srcset / data-imagesrcset');
  await call(page, 'set', { ads: true });
  await until(async () => lb.requests((e) => e.host === 'www.facebook.com').length >= 6);
  const evs = new Set(lb.requests((e) => e.host === 'www.facebook.com').map((e) => e.query.ev));
  for (const n of [1, 2, 3, 4, 5, 6]) assert.ok(evs.has(`srcset${n}`), `candidate ${n} loads once allowed: ${[...evs]}`);
  await context.close();
});

test('leak-7. a connected script that gains a type a browser runs (set, removed, toggled, by any path) has its src judged first', async () => {
  env.loopback.reset();
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, '/rt/beacons.html', { loopback: lb, config: { revision: 1, beaconQueue: 0 } });
  const errors = await page.evaluate(() => {
    const url = (p) => `https://connect.facebook.net/en_US/fbevents.js?probe=${p}`;
    const failures = {};
    // An inert script with a src is connected (nothing loads), its type becomes runnable, then a change of its
    // children makes the browser prepare it: it would fetch its src.
    const probe = (p, makeRunnable, inertType = 'text/plain', attr = 'type') => {
      try {
        const s = document.createElement('script');
        s.setAttribute(attr, inertType);
        s.src = url(p);
        document.head.appendChild(s);
        makeRunnable(s);
        s.appendChild(document.createTextNode('/* run */'));
      } catch (e) { failures[p] = String(e); }
    };
    probe('property', (s) => { s.type = 'text/javascript'; });
    probe('setAttribute', (s) => s.setAttribute('type', 'module'));
    probe('setAttributeNS', (s) => s.setAttributeNS(null, 'type', ''));
    probe('removeAttribute', (s) => s.removeAttribute('type'));
    probe('removeAttributeNode', (s) => s.removeAttributeNode(s.getAttributeNode('type')));
    probe('toggleAttribute', (s) => s.toggleAttribute('type'));
    probe('removeNamedItem', (s) => s.attributes.removeNamedItem('type'));
    probe('attrValue', (s) => { s.getAttributeNode('type').value = 'application/javascript'; });
    probe('attrTextContent', (s) => { s.getAttributeNode('type').textContent = ''; });
    probe('setNamedItem', (s) => { const a = document.createAttribute('type'); a.value = 'text/javascript'; s.attributes.setNamedItem(a); });
    probe('language', (s) => s.setAttribute('language', 'javascript'), 'vbscript', 'language');
    return failures;
  });
  assert.deepEqual(errors, {}, 'no probe threw');
  const before = await settleThenCount(lb, (e) => e.host === 'connect.facebook.net');
  assert.equal(before.length, 0, `before a choice:\n  ${listRequests(before)}`);
  await call(page, 'set', { ads: true });
  await until(async () => lb.requests((e) => e.host === 'connect.facebook.net').length >= 11);
  const probes = new Set(lb.requests((e) => e.host === 'connect.facebook.net').map((e) => e.query.probe));
  assert.equal(probes.size, 11, `each held script loads once allowed: ${[...probes]}`);
  await context.close();
});

test("leak-10. cookie writes are deletions only when the browser deletes (Max-Age wins); Google Ads' cookies and its ad paths on Google's country domains are known", async () => {
  env.loopback.reset();
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, '/rt/beacons.html', { loopback: lb, config: { revision: 1, beaconQueue: 0 } });
  const jar = await page.evaluate(() => {
    document.cookie = '_gcl_au=1.1.123; Max-Age=7776000; Expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/';
    document.cookie = '_gcl_aw=GCL.1.x; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=7776000; path=/';
    document.cookie = '_gac_UA-1234-1=1.1.x; path=/';
    document.cookie = 'first_party=1; path=/';
    return document.cookie;
  });
  assert.doesNotMatch(jar, /_gcl_|_gac_/, `ad cookies written before a choice: ${jar}`);
  assert.match(jar, /first_party=1/);
  await page.evaluate(() => {
    for (const host of ['www.google.de', 'www.google.co.uk', 'www.google.com.au', 'google.fr']) {
      new Image().src = `https://${host}/pagead/1p-conversion/123/?probe=${host}`;
      fetch(`https://${host}/ccm/collect?probe=${host}`, { mode: 'no-cors' }).catch(() => {});
    }
  });
  const google = await settleThenCount(lb, (e) => /^(www\.)?google\./.test(e.host));
  assert.equal(google.length, 0, `Google ad paths before a choice:\n  ${listRequests(google)}`);
  const au = await page.evaluate(() => window.sekisho.audit().filter((l) => l.service === 'google-ads' && l.action === 'blocked').length);
  assert.ok(au >= 8 + 3, `blocked lines for the ad paths and the cookies: ${au}`);
  await context.close();
});

test('leak-11. smaller vectors: <track src>, a form whose action a control clobbers, a script clicking a download link, setAttributeNS case, constructors as page code sees them', async () => {
  env.loopback.reset();
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, '/rt/beacons.html', { loopback: lb, config: { revision: 1, beaconQueue: 0 } });
  const seen = await page.evaluate(() => {
    const px = (p) => `https://www.facebook.com/tr/?id=11&ev=${p}`;
    const out = {};
    // <track src>: by property, attribute and HTML string, on a video whose track is shown.
    const video = document.createElement('video');
    const track = document.createElement('track');
    track.kind = 'subtitles'; track.default = true; track.src = px('trackProperty');
    video.appendChild(track);
    video.insertAdjacentHTML('beforeend', `<track kind="captions" default src="${px('trackHtml')}">`);
    document.body.appendChild(video);
    track.track.mode = 'showing';
    // A form whose `action` property is one of its controls.
    const form = document.createElement('form');
    form.method = 'post'; form.setAttribute('action', px('formClobbered')); form.target = 'sink';
    form.innerHTML = '<input name="action" value="x"><button>go</button>';
    const sink = document.createElement('iframe'); sink.name = 'sink';
    document.body.append(sink, form);
    out.clobbered = String(form.action);
    form.requestSubmit();
    // A script's click on a download link.
    const a = document.createElement('a');
    a.href = px('download'); a.download = 'x.gif';
    document.body.appendChild(a);
    a.click();
    // setAttributeNS keeps the case: `SRC` is not a URL attribute; `src` is judged.
    const img = document.createElement('img');
    img.setAttributeNS(null, 'SRC', px('upper'));
    out.upper = img.getAttributeNS(null, 'SRC');
    img.setAttributeNS(null, 'src', px('lower'));
    out.lower = img.getAttribute('src');
    document.body.appendChild(img);
    // Patched constructors look as they did (asked by a script of the page: Firefox's test driver evaluates in a
    // sandbox that sees the natives).
    const probe = document.createElement('script');
    probe.textContent = `window.__constructors = (() => { const ws = new WebSocket('wss://ws.hotjar.com/x');
      return [WebSocket.name, WebSocket.length, WebSocket.OPEN, ws.constructor === WebSocket, ws instanceof WebSocket,
        EventSource.name, EventSource.CLOSED, new EventSource('https://tr.line.me/es').constructor === EventSource]; })();`;
    document.head.appendChild(probe);
    out.constructors = window.__constructors;
    // A font face of a held font service: no request; its load fails as a network error does.
    const face = document.createElement('script');
    face.textContent = `window.__face = new FontFace('held', 'url("https://fonts.gstatic.com/s/notosansjp/v1/held.woff2?probe=fontFace") format("woff2")');
      window.__face.load().then(() => { window.__faceLoad = 'loaded'; }, (e) => { window.__faceLoad = e.name; });
      window.__faceOk = new FontFace('own', 'url(/own.woff2)') instanceof FontFace;
      // A refresh written into a frame, and a payment method's manifest.
      const frame = document.createElement('iframe'); document.body.appendChild(frame);
      frame.contentDocument.write('<meta http-equiv="refresh" content="0;url=https://www.facebook.com/tr/?id=11&ev=metaRefresh">');
      frame.contentDocument.close();
      try {
        new PaymentRequest([{ supportedMethods: 'https://www.facebook.com/tr/pay?ev=paymentManifest' }],
          { total: { label: 'x', amount: { currency: 'JPY', value: '1' } } }).canMakePayment()
          .then((can) => { window.__payment = String(can); }, (e) => { window.__payment = e.name; });
      } catch (e) { window.__payment = 'threw ' + e.name; }`;
    document.head.appendChild(face);
    return out;
  });
  assert.equal(seen.upper, 'https://www.facebook.com/tr/?id=11&ev=upper', 'SRC stays SRC (and loads nothing)');
  assert.equal(seen.lower, null, 'src is held');
  assert.deepEqual(seen.constructors, ['WebSocket', 1, 1, true, true, 'EventSource', 2, true]);
  assert.equal(await until(() => page.evaluate(() => window.__faceLoad)), 'NetworkError', 'a held font face fails to load');
  assert.equal(await page.evaluate(() => window.__faceOk), true);
  const reqs = await settleThenCount(lb, (e) => e.host === 'www.facebook.com' || e.host === 'fonts.gstatic.com');
  assert.equal(reqs.length, 0, `before a choice:\n  ${listRequests(reqs)}`);
  await call(page, 'set', { ads: true });
  await until(async () => lb.requests((e) => e.host === 'www.facebook.com' && /^track/.test(e.query.ev)).length >= 1);
  await context.close();
});

test('leak-8. every same-origin realm is guarded before page code can reach it', async (t) => {
  const lb = env.loopback;
  /** Runs `make` (page code that builds a frame and uses its realm's APIs) in a fresh page; requests to the tracker. */
  const probe = async (name, make) => {
    await t.test(name, async () => {
      lb.reset();
      const context = await env.ctx();
      const { page } = await open(context, '/rt/beacons.html', { loopback: lb, config: { revision: 1, beaconQueue: 0 } });
      await runAsPageScript(page, `(() => { const px = (how) => 'https://www.facebook.com/tr/?id=8&ev=' + how; ${make} })()`);
      const reqs = await settleThenCount(lb, (e) => e.host === 'www.facebook.com');
      await context.close();
      assert.equal(reqs.length, 0, `${name}:\n  ${listRequests(reqs)}`);
    });
  };
  await probe('a frame inserted in a closed shadow root', `
    const host = document.createElement('div'); document.body.appendChild(host);
    const root = host.attachShadow({ mode: 'closed' });
    const f = document.createElement('iframe'); root.appendChild(f);
    new f.contentWindow.Image().src = px('closedShadow');
    f.contentWindow.fetch(px('closedShadowFetch'), { mode: 'no-cors' }).catch(() => {});
    root.innerHTML += '<iframe></iframe>';
    new (root.lastChild.contentWindow.Image)().src = px('closedShadowHtml');`);
  await probe('a frame made by outerHTML', `
    const old = document.createElement('p'); document.body.appendChild(old);
    old.outerHTML = '<iframe id="oh"></iframe>';
    new (document.getElementById('oh').contentWindow.Image)().src = px('outerHTML');`);
  await probe('frames made by insertAdjacentHTML beside an element', `
    const el = document.createElement('p'); document.body.appendChild(el);
    el.insertAdjacentHTML('beforebegin', '<iframe id="bb"></iframe>');
    el.insertAdjacentHTML('afterend', '<iframe id="ae"></iframe>');
    new (document.getElementById('bb').contentWindow.Image)().src = px('beforebegin');
    document.getElementById('ae').contentWindow.fetch(px('afterend'), { mode: 'no-cors' }).catch(() => {});`);
  await probe('a frame that is moved, and one of a frame', `
    const f = document.createElement('iframe'); document.body.appendChild(f);
    const inner = f.contentDocument.createElement('iframe'); f.contentDocument.body.appendChild(inner);
    new inner.contentWindow.Image().src = px('nested');
    f.contentWindow.navigator.sendBeacon(px('frameBeacon'), 'x');`);
  await probe('a javascript: URL document', `
    const f = document.createElement('iframe');
    f.src = 'javascript:' + JSON.stringify('<p>js</p><script>new Image().src = ' + JSON.stringify(px('javascriptUrl')) + ';<' + '/script>');
    document.body.appendChild(f);`);
  await probe('a blob: document the page built', `
    const html = '<p>blob</p><script>new Image().src = ' + JSON.stringify(px('blobDocument')) + '; fetch(' + JSON.stringify(px('blobFetch')) + ', { mode: "no-cors" }).catch(() => {});<' + '/script>';
    const f = document.createElement('iframe');
    f.src = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
    document.body.appendChild(f);`);
  await probe('an object of one realm driven with a method of another', `
    const f = document.createElement('iframe'); document.body.appendChild(f);
    const img = document.createElement('img');
    f.contentWindow.Element.prototype.setAttribute.call(img, 'src', px('crossSetAttribute'));
    document.body.appendChild(img);
    const x = new XMLHttpRequest();
    f.contentWindow.XMLHttpRequest.prototype.open.call(x, 'GET', px('crossXhr'));
    x.send();
    f.contentWindow.fetch.call(window, px('crossFetch'), { mode: 'no-cors' }).catch(() => {});`);
});
