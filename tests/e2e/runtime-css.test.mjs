// Issue #11, CSS: the URLs a style sheet or a declaration loads — `url()` (images, fonts), `@import`, `image-set()` —
// written by page code through every path (a `style` attribute by setAttribute, an attribute node, `cssText`,
// `setProperty` and the CSS properties with no setter to guard, `el.style.backgroundImage`; a <style>'s text before
// and after it is connected, by `textContent`, `innerHTML`, an inserted text node or string, an edited text node; HTML
// strings; the CSSOM: `insertRule` on sheets and `@media` rules, constructed sheets' `replaceSync`/`replace`). Held ones
// reach the ads host zero times before a choice; once it is allowed, each is given back and loads (counted at the
// loopback); first-party CSS is never touched (its requests arrive, its text node stays the same node).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, open, audit, call, runAsPageScript, until } from './harness.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const PX = 'https://www.facebook.com/tr/?id=333333333333333&ev=';

/** Probe name → page code (`U(name)` is the ads host's URL for it; `box(id)` a 9×9 div, `#css-<id>`, in the body;
 * `unsupported(name)`: this engine has no such API, nothing to load — Firefox sets no descriptor of an @font-face rule). */
const PROBES = {
  // style attributes
  setAttribute: "box().setAttribute('style', 'width:9px;height:9px;background-image:url(' + U('setAttribute') + ')');",
  escapedUrl: "box().setAttribute('style', 'width:9px;height:9px;background-image:\\\\75 rl(' + U('escapedUrl') + ')');",
  attrNode: "var a = document.createAttribute('style'); a.value = 'width:9px;height:9px;background:url(' + U('attrNode') + ')'; box().setAttributeNode(a);",
  namedProperty: "box().style.backgroundImage = 'url(\"' + U('namedProperty') + '\")';",
  // a property set by its name, then a style recalc forced in the same script (Firefox and WebKit have a setter per
  // property; Chromium answers the names itself, and Sekisho's accessors stand in: OWN_SETTERS in every engine)
  namedForced: "var d = box(); d.style.backgroundImage = 'url(' + U('namedForced') + ')'; if (OWN_SETTERS(d)) { getComputedStyle(d).backgroundImage; d.offsetWidth; }",
  dashedForced: "var d = box(); d.style['background-image'] = 'url(' + U('dashedForced') + ')'; if (OWN_SETTERS(d)) d.getBoundingClientRect();",
  shorthandForced: "var d = box(); d.style.background = 'red url(' + U('shorthandForced') + ') no-repeat'; if (OWN_SETTERS(d)) d.clientWidth;",
  prefixedForced: "var d = box(); d.style.webkitMaskImage = 'url(' + U('prefixedForced') + ')'; if (OWN_SETTERS(d)) getComputedStyle(d).webkitMaskImage; d.offsetWidth;",
  listStyleForced: "var d = document.createElement('ul'); var li = document.createElement('li'); li.textContent = 'x'; d.appendChild(li); document.body.appendChild(d); d.style.listStyle = 'url(' + U('listStyleForced') + ') inside'; d.offsetHeight;",
  valueObjectForced: "var d = box(); d.style.backgroundImage = { toString: function () { return 'url(' + U('valueObjectForced') + ')'; } }; d.offsetWidth;",
  namedBeforeInsert: "var d = document.createElement('div'); d.style.width = '9px'; d.style.height = '9px'; d.style.background = 'url(' + U('namedBeforeInsert') + ')'; document.body.appendChild(d);",
  cssText: "box().style.cssText = 'width:9px;height:9px;background:url(\"' + U('cssText') + '\")';",
  setProperty: "box().style.setProperty('background-image', 'image-set(\"' + U('setProperty') + '\" 1x)');",
  // a URL in a custom property, used by image-set() through var()
  imageSetVar: "var d = box(); d.style.setProperty('--u', '\"' + U('imageSetVar') + '\"'); d.style.backgroundImage = 'image-set(var(--u) 1x)'; getComputedStyle(d).backgroundImage;",
  imageSetVarAttr: "box().setAttribute('style', 'width:9px;height:9px;--u:\"' + U('imageSetVarAttr') + '\";background-image:-webkit-image-set(var(--u) 1x)');",
  imageSetVarSheet: "var s = document.createElement('style'); s.textContent = ':root{--trk:\"' + U('imageSetVarSheet') + '\"} #css-imageSetVarSheet{background-image:image-set(var(--trk) 1x)}'; document.head.appendChild(s); box('imageSetVarSheet');",
  // <style> text
  styleText: "var s = document.createElement('style'); s.textContent = '#css-styleText{background:url(' + U('styleText') + ')}'; document.head.appendChild(s); box('styleText');",
  styleImport: "var s = document.createElement('style'); s.textContent = '@import url(' + U('styleImport') + ');'; document.head.appendChild(s);",
  connectedText: "var s = document.createElement('style'); document.head.appendChild(s); s.textContent = '@import \"' + U('connectedText') + '\";';",
  connectedInnerHTML: "var s = document.createElement('style'); document.head.appendChild(s); s.innerHTML = '@import url(' + U('connectedInnerHTML') + ');';",
  appendTextNode: "var s = document.createElement('style'); document.head.appendChild(s); s.appendChild(document.createTextNode('@import url(' + U('appendTextNode') + ');'));",
  appendString: "var s = document.createElement('style'); s.textContent = 'p{}'; document.head.appendChild(s); s.firstChild.before('@import url(' + U('appendString') + ');');",
  textNodeData: "var s = document.createElement('style'); s.textContent = 'p{}'; document.head.appendChild(s); s.firstChild.data = '@import url(' + U('textNodeData') + ');';",
  textNodeAppendData: "var s = document.createElement('style'); s.textContent = '@import url('; document.head.appendChild(s); s.firstChild.appendData(U('textNodeAppendData') + ');');",
  fontFace: "var s = document.createElement('style'); s.textContent = '@font-face{font-family:trk;src:url(' + U('fontFace') + ')} #css-fontFace{font-family:trk}'; document.head.appendChild(s); box('fontFace').textContent = 'x';",
  // HTML strings
  htmlStyle: "document.body.insertAdjacentHTML('beforeend', '<style>@import url(' + U('htmlStyle') + ');</style>');",
  htmlStyleAttr: "document.body.insertAdjacentHTML('beforeend', '<div style=\"width:9px;height:9px;background:url(&quot;' + U('htmlStyleAttr') + '&quot;)\"></div>');",
  svgStyle: "document.body.insertAdjacentHTML('beforeend', '<svg width=9 height=9><style>@import url(' + U('svgStyle') + ');</style><rect width=9 height=9 /></svg>');",
  // CSSOM
  insertRule: "var s = document.createElement('style'); document.head.appendChild(s); s.sheet.insertRule('#css-insertRule{background:url(' + U('insertRule') + ')}', 0); box('insertRule');",
  insertImportRule: "var s = document.createElement('style'); document.head.appendChild(s); s.sheet.insertRule('@import url(' + U('insertImportRule') + ')', 0);",
  mediaInsertRule: "var s = document.createElement('style'); document.head.appendChild(s); s.sheet.insertRule('@media all {}', 0); s.sheet.cssRules[0].insertRule('#css-mediaInsertRule{background:url(' + U('mediaInsertRule') + ')}', 0); box('mediaInsertRule');",
  replaceSync: "var sh = new CSSStyleSheet(); sh.replaceSync('#css-replaceSync{background:url(' + U('replaceSync') + ')}'); document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sh]); box('replaceSync');",
  ruleNamedProperty: "var s = document.createElement('style'); s.textContent = '#css-ruleNamedProperty{width:9px}'; document.head.appendChild(s); s.sheet.cssRules[0].style.backgroundImage = 'url(' + U('ruleNamedProperty') + ')'; box('ruleNamedProperty');",
  ruleSetProperty: "var s = document.createElement('style'); s.textContent = '#css-ruleSetProperty{width:9px}'; document.head.appendChild(s); var st = s.sheet.cssRules[0].style; st.setProperty('background-image', 'url(' + U('ruleSetProperty') + ')'); box('ruleSetProperty');",
  fontFaceRuleSrc: "var s = document.createElement('style'); s.textContent = '@font-face{font-family:trk2;src:local(x)} #css-fontFaceRuleSrc{font-family:trk2}'; document.head.appendChild(s); try { s.sheet.cssRules[0].style.src = 'url(' + U('fontFaceRuleSrc') + ')'; } catch (e) { unsupported('fontFaceRuleSrc'); } box('fontFaceRuleSrc').textContent = 'x';",
  typedOm: "var d = box(); if (d.attributeStyleMap) d.attributeStyleMap.set('background-image', CSSStyleValue.parse('background-image', 'url(' + U('typedOm') + ')')); else d.style.backgroundImage = 'url(' + U('typedOm') + ')';",
  typedOmForced: "var d = box(); if (d.attributeStyleMap) { d.attributeStyleMap.set('background-image', CSSStyleValue.parse('background-image', 'url(' + U('typedOmForced') + ')')); d.offsetWidth; } else unsupported('typedOmForced');",
  typedOmString: "var d = box(); if (d.attributeStyleMap) { d.attributeStyleMap.set('background', 'red url(' + U('typedOmString') + ')'); getComputedStyle(d).backgroundImage; } else unsupported('typedOmString');",
  typedOmAppend: "var d = box(); if (d.attributeStyleMap) { d.style.backgroundImage = 'linear-gradient(red, red)'; try { d.attributeStyleMap.append('background-image', 'url(' + U('typedOmAppend') + ')'); } catch (e) { unsupported('typedOmAppend'); } d.offsetWidth; } else unsupported('typedOmAppend');", // (WebKit refuses to append to this list)
  ruleStyleMap: "var s = document.createElement('style'); s.textContent = '#css-ruleStyleMap{width:9px}'; document.head.appendChild(s); var r = s.sheet.cssRules[0]; if (r.styleMap) r.styleMap.set('background-image', 'url(' + U('ruleStyleMap') + ')'); else unsupported('ruleStyleMap'); box('ruleStyleMap').offsetWidth;",
  replace: "var sh = new CSSStyleSheet(); sh.replace('#css-replace{background:url(' + U('replace') + ')}'); document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sh]); box('replace');",
  // page code that deletes Chromium's stand-in accessor (on CSSStyleDeclaration.prototype, which Chromium asks before
  // answering the name itself) gets no unguarded way back to the declaration (elsewhere the name is not there)
  deletedAccessor: "delete CSSStyleDeclaration.prototype.backgroundImage; var d = box(); d.style.backgroundImage = 'url(' + U('deletedAccessor') + ')'; getComputedStyle(d).backgroundImage; d.offsetWidth;",
};

/** Runs `code` as the page's own script, with U() and box() defined. */
const runProbe = (page, name, code) => runAsPageScript(page, `(function () {
  window.U = function (ev) { return ${JSON.stringify(PX)} + ev; };
  window.OWN_SETTERS = function (d) { return !!Object.getOwnPropertyDescriptor(Object.getPrototypeOf(d.style), 'backgroundImage'); };
  window.unsupported = function (name) { window.__cssUnsupported = (window.__cssUnsupported || []).concat([name]); };
  window.box = function (id) { var d = document.createElement('div'); if (id) d.id = 'css-' + id; d.style.width = '9px'; d.style.height = '9px'; document.body.appendChild(d); return d; };
  try { ${code} } catch (e) { window.__cssThrew = (window.__cssThrew || []).concat([${JSON.stringify(name)} + ': ' + e]); }
})();`);

const hitsOf = (lb, name) => lb.requests((e) => e.host === 'www.facebook.com' && e.query.ev === name);

test('rt-css1. CSS by every path: nothing reaches the ads host before a choice; all of it loads once allowed', async () => {
  await env.fresh();
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, '/rt/gtm.html', { loopback: lb });
  for (const [name, code] of Object.entries(PROBES)) await runProbe(page, name, code);
  // (Rendering is what loads a background image: let a few frames go.)
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 300)))));
  await lb.quiet();
  assert.deepEqual(await page.evaluate(() => window.__cssThrew || []), [], 'no probe threw');
  const leaked = Object.keys(PROBES).filter((name) => hitsOf(lb, name).length);
  assert.deepEqual(leaked, [], 'nothing reached the ads host before a choice');
  const unsupported = await page.evaluate(() => window.__cssUnsupported || []);
  const loads = Object.keys(PROBES).filter((name) => !unsupported.includes(name));
  const au = await audit(page);
  const blocked = loads.filter((name) => au.some((l) => l.action === 'blocked' && l.url.endsWith(`ev=${name}`)));
  assert.deepEqual(loads.filter((name) => !blocked.includes(name)), [], 'each is audited as blocked');

  await call(page, 'set', { ads: true });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 300)))));
  await until(async () => loads.every((name) => hitsOf(lb, name).length), { timeout: 5000 }).catch(() => {});
  const missing = loads.filter((name) => !hitsOf(lb, name).length);
  assert.deepEqual(missing, [], 'each loads once its service is allowed');
  const released = (await audit(page)).filter((l) => l.action === 'released' && l.url.includes('ev=')).length;
  assert.ok(released >= loads.length, `given back with a released line each (${released})`);
  // Given back as written: the page reads its own CSS again.
  assert.equal(await page.evaluate(() => document.querySelectorAll('[data-held-style], style[data-held-css]').length), 0, 'nothing left held');
  await context.close();
});

test('rt-css3. a CSS property read and written by its name is the engine\'s own: the same names known, the same values, the same errors', async () => {
  await env.fresh();
  const context = await env.ctx();
  const { page } = await open(context, '/rt/gtm.html', { loopback: env.loopback });
  const bare = await context.newPage(); // the same engine without Sekisho
  await bare.goto('about:blank');
  const names = ['background', 'backgroundImage', 'background-image', 'maskImage', 'mask-image', 'maskBorder', 'maskBorderSource',
    'webkitMaskImage', 'WebkitMaskImage', '-webkit-mask-image', 'webkitBoxReflect', 'offsetPath', 'backdropFilter', 'listStyle', 'cursor',
    'noSuchProperty', 'backgroundColor'];
  const observe = (names) => {
    const d = document.createElement('div');
    document.body.appendChild(d);
    const s = d.style;
    const seen = {};
    for (const name of names) {
      const row = { known: name in s };
      if (row.known) {
        s[name] = 'url("/own.gif")';
        row.afterUrl = s[name];
        s[name] = 'red url("/own.gif") no-repeat';
        row.afterList = s[name];
        s[name] = null;
        row.afterNull = s[name];
        try { getComputedStyle(d)[name] = 'none'; row.computed = 'no error'; } catch (e) { row.computed = e.name; }
      }
      seen[name] = row;
    }
    seen.onPrototype = [CSSStyleDeclaration.prototype.backgroundImage, CSSStyleDeclaration.prototype.maskImage];
    try { s.backgroundImage = Symbol('x'); seen.symbol = 'no error'; } catch (e) { seen.symbol = e.name; }
    try { s.setProperty('background-image', Symbol('x')); seen.symbolSetProperty = 'no error'; } catch (e) { seen.symbolSetProperty = e.name; }
    if (d.attributeStyleMap) { // (a property that takes one value, given two, one of them held: the engine's own error)
      try { d.attributeStyleMap.set('cursor', 'url("https://www.facebook.com/tr/?id=333333333333333&ev=arity")', 'pointer'); seen.arity = 'no error'; } catch (e) { seen.arity = e.name; }
    }
    s.cssText = 'background-image: url("/own.gif") !important';
    s.backgroundImage = 'url("/own.gif?b")';
    seen.important = s.cssText;
    d.remove();
    return seen;
  };
  assert.deepEqual(await page.evaluate(observe, names), await bare.evaluate(observe, names));
  await context.close();
});

test('rt-css2. first-party CSS is never touched: its URLs load, its text node stays, a framework\'s style writes pass straight', async () => {
  await env.fresh();
  const lb = env.loopback;
  const context = await env.ctx();
  const { page } = await open(context, '/rt/gtm.html', { loopback: lb });
  await runAsPageScript(page, `(function () {
    var s = document.createElement('style'); document.head.appendChild(s);
    s.textContent = '@import url(/own.css?probe=ownImport); #own{width:9px;height:9px;background:url(/own.gif?probe=ownRule)}';
    window.__ownText = s.firstChild; window.__ownStyle = s;
    var d = document.createElement('div'); d.id = 'own'; document.body.appendChild(d);
    var e = document.createElement('div'); e.style.cssText = 'width:9px;height:9px'; e.style.backgroundImage = 'url(/own.gif?probe=ownNamed)'; document.body.appendChild(e);
    window.__ownDiv = e;
  })();`);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 300)))));
  await lb.quiet();
  for (const probe of ['ownImport', 'ownRule', 'ownNamed']) {
    assert.ok(lb.requests((e) => e.query.probe === probe).length, `first-party ${probe} loaded`);
  }
  const kept = await page.evaluate(() => ({
    sameNode: window.__ownStyle.firstChild === window.__ownText,
    styleAttr: window.__ownDiv.getAttribute('style'),
    marks: document.querySelectorAll('[data-held-style], [data-held-css]').length,
  }));
  assert.deepEqual(kept, { sameNode: true, styleAttr: 'width: 9px; height: 9px; background-image: url("/own.gif?probe=ownNamed");', marks: 0 });
  await context.close();
});
