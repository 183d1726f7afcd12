// Issue #11, over-block 4 and leak class 5: HTML strings are read as the browser reads them. The browser's own parser
// is the oracle: for seeded random strings built from the tokenizer's hard parts (text elements, every comment form,
// attribute values, script escapes, SVG/MathML content and its break-outs, character references, <base href>), each
// is parsed natively (DOMParser: an inert document) and through the guards (innerHTML of a <body> element of the live
// page, whose images load even detached). Then:
//   A. no element the native parse would make load a held host is live after the guards (and none reached the wire);
//   B. a string that loads nothing held comes out exactly as the native parse makes it (the guards changed nothing).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, open, settleThenCount, listRequests } from './harness.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const HELD_HOST = 'www.facebook.com'; // its /tr pixel: meta-pixel (ads), held before a choice

/** A small seeded PRNG (mulberry32): the same strings on every run and engine. */
function prng(seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generator(random) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  let n = 0;
  const url = () => {
    n++;
    return pick([
      `https://${HELD_HOST}/tr/?ev=${n}`, `//${HELD_HOST}/tr/?ev=${n}`, `HTTPS://WWW.FACEBOOK.COM/tr/?ev=${n}`,
      `https&#58;//${HELD_HOST}/tr/?ev=${n}`, `https&#x3a;//${HELD_HOST}/tr/?ev=${n}`, `https&colon;&sol;&sol;www&period;facebook.com/tr/?ev=${n}`,
      `&#x68;ttps://${HELD_HOST}/tr/?ev=${n}&amp;a=1`, `https://${HELD_HOST}/tr/?ev=${n}&ampb=2`,
      `/own.gif?n=${n}`, `/own.gif?n=${n}&copy=1`, `own.gif?n=${n}&amp;x`, `https://site.test/own.gif?n=${n}`,
    ]);
  };
  const quote = (v) => pick([`"${v}"`, `'${v}'`, v.includes(' ') ? `"${v}"` : v]);
  const loader = () => pick([
    () => `<img alt="" src=${quote(url())}>`,
    () => `<img alt="" srcset=${quote(url() + ' 1x')}>`,
    () => `<script src=${quote(url())}></script>`,
    () => `<iframe src=${quote(url())}></iframe>`,
    () => `<link rel="stylesheet" href=${quote(url())}>`,
    () => `<video poster=${quote(url())}></video>`,
    () => `<input type="image" src=${quote(url())}>`,
    () => `<table background=${quote(url())}><tr><td>t</td></tr></table>`,
    () => `<svg><image href=${quote(url())} /></svg>`,
    () => `<IMG/SRC=${quote(url())}>`,
    () => `<img =x src=${quote(url())}>`,
  ])();
  const noise = () => pick(['<b>bold</b>', '1 < 2 & 3 > 2', '<p>para', '</p>', '<span title="a>b">s</span>', 'text', '&amp; &lt;']);
  const wrap = (inner) => pick([
    (x) => `<textarea>${x}</textarea>`, (x) => `<title>${x}</title>`, (x) => `<style>${x}</style>`,
    (x) => `<xmp>${x}</xmp>`, (x) => `<noscript>${x}</noscript>`, (x) => `<noembed>${x}</noembed>`,
    (x) => `<iframe>${x}</iframe>`, (x) => `<TEXTAREA>${x}</textarea >`,
    (x) => `<script>var s = '${x.replace(/'/g, '"').replace(/<\/script/gi, '<\\/script')}';</script>`,
    (x) => `<script>/*<!--<script>*/ var t = 1; /*${x.replace(/<\/script/gi, '')}*/ //--></script>`,
    (x) => `<!-- ${x} -->`, (x) => `<!-->${x}`, (x) => `<!--->${x}`, (x) => `<!-- a --!>${x}`, (x) => `<?pi ${x.replace(/>/g, '')}>`,
    (x) => `<!x ${x.replace(/>/g, '')}>`, (x) => `<div title="${x.replace(/"/g, "'")}">d</div>`,
    (x) => `<div data-x='${x.replace(/'/g, '"')}'>d</div>`, (x) => `</div class="${x.replace(/"/g, "'")}">`,
    (x) => `<svg><style>${x}</style></svg>`, (x) => `<math><style>${x}</style></math>`, (x) => `<svg><script>${x}</script></svg>`,
    (x) => `<svg><foreignObject><style>${x}</style></foreignObject></svg>`, (x) => `<svg><![CDATA[ ${x} ]]></svg>`,
    (x) => `<svg><desc>${x}</desc></svg>`, (x) => `<math><mi>${x}</mi></math>`, (x) => `<template>${x}</template>`,
    (x) => `<base href="https://${HELD_HOST}/">${x}`, (x) => `<plaintext>${x}`,
    (x) => `<svg><script src=${quote(url())}></script></svg>`, (x) => x,
  ])(inner);
  return () => {
    const parts = [];
    const count = 1 + Math.floor(random() * 4);
    for (let i = 0; i < count; i++) parts.push(random() < 0.6 ? wrap(random() < 0.8 ? loader() : noise()) : random() < 0.5 ? loader() : noise());
    return parts.join(pick(['', ' ', '\n']));
  };
}

/** In the page: what each string loads natively and through the guards. */
function compare(strings, heldHost) {
  const LOADS = 'img[src],img[srcset],script[src],iframe[src],link[href],video[poster],video[src],audio[src],source[src],source[srcset],'
    + 'input[src],embed[src],object[data],table[background],td[background],body[background]';
  const svgLoads = (root) => [...root.querySelectorAll('image,script,feImage')].filter((e) => e.namespaceURI === 'http://www.w3.org/2000/svg');
  const held = (el, base) => {
    const values = [];
    const svg = el.namespaceURI === 'http://www.w3.org/2000/svg';
    for (const a of svg ? ['href', 'xlink:href'] : ['src', 'href', 'srcset', 'poster', 'data', 'background']) {
      const v = el.getAttribute(a);
      if (v == null) continue;
      if (a === 'srcset') values.push(...v.split(',').map((c) => c.trim().split(/\s+/)[0]));
      else values.push(v);
    }
    if (el.localName === 'script' && el.namespaceURI !== 'http://www.w3.org/2000/svg' && el.type && el.type !== 'text/javascript') return false;
    if (el.localName === 'link' && !/stylesheet|preload|prefetch|icon/.test(el.rel)) return false;
    // (The pixel's path: another path of the host is not the pixel's.)
    return values.some((v) => { try { const u = new URL(v, base); return u.hostname === heldHost && u.pathname.startsWith('/tr'); } catch { return false; } });
  };
  // (What a <template> holds loads once page code clones it into the document: it counts.)
  const loading = (root, base) => [root, ...[...root.querySelectorAll('template')].map((t) => t.content)].flatMap((r) =>
    [...r.querySelectorAll(LOADS)].filter((e) => e.namespaceURI === 'http://www.w3.org/1999/xhtml').concat(svgLoads(r)))
    .filter((e) => held(e, base));
  return strings.map((s) => {
    const doc = new DOMParser().parseFromString('<!doctype html><body>' + s, 'text/html');
    const nativeLoads = loading(doc.body, doc.baseURI).map((e) => e.outerHTML);
    const body = document.createElement('body');
    body.innerHTML = s;
    // (A <base> in the string moves the native document's URLs; a detached one moves nothing.)
    const live = loading(body, doc.baseURI).map((e) => e.outerHTML);
    return { s, nativeLoads, live, same: body.innerHTML === doc.body.innerHTML, guarded: body.innerHTML, native: doc.body.innerHTML };
  });
}

test('html-a. seeded random HTML strings: the guards hold what the browser would load, and change nothing else', async () => {
  env.loopback.reset();
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, '/rt/beacons.html', { loopback: lb, config: { revision: 1, beaconQueue: 0 } });
  const next = generator(prng(20261206));
  const strings = Array.from({ length: 600 }, next);
  const results = await page.evaluate(([ss, host]) => (0, eval)(`(${ss.fn})`)(ss.strings, host), [{ fn: compare.toString(), strings }, HELD_HOST]);
  const leaks = results.filter((r) => r.live.length);
  assert.deepEqual(leaks.slice(0, 3).map((r) => ({ s: r.s, live: r.live })), [], `${leaks.length} strings left a held URL live`);
  // (DOMParser's document runs no script: its <noscript> holds markup, the page's holds text. Not comparable.)
  const changed = results.filter((r) => !r.nativeLoads.length && !r.same && !/<noscript/i.test(r.s));
  assert.deepEqual(changed.slice(0, 3).map((r) => ({ s: r.s, guarded: r.guarded, native: r.native })), [],
    `${changed.length} strings that load nothing held were changed`);
  const loaded = results.filter((r) => r.nativeLoads.length).length;
  assert.ok(loaded > 150 && loaded < 500, `the strings mix held loads (${loaded}) and none`);
  const reqs = await settleThenCount(lb, (e) => e.host === HELD_HOST);
  assert.equal(reqs.length, 0, `requests to the held host:\n  ${listRequests(reqs)}`);
  await context.close();
});
