// The module graph a page's own markup declares. An inline module script (`<script
// type="module">` without `src`) loads what its static imports name (found by the policy:
// `policy.moduleImports`, src/core/modules.rs), where the page's import maps send them (resolved
// here, as the browser resolves them): each URL is judged as a script before the browser prepares
// the script, which is held whole while any is held (inert markup the markup checkpoint releases
// by setting its text again, judged once more then). A module script that would run later, when
// its children change (one that arrives without text, or whose type becomes `module`), is kept
// inert until they do: its text is judged then, and it runs (a children change) or is held.
// Whatever path changes its children, the observer sees it (parser.js); the text setters and
// insertions that route a <script>'s changes here (styles.js, elements.js) only see it sooner. A
// module runs asynchronously anyway: the page cannot tell. SVG module scripts (Chromium, Firefox
// and WebKit run them) alike. Not reachable (README): `import()` with a computed specifier, what the
// imported modules import.
import { call, str, lower, trim, test, split, strSlice, charAt, weakMap, weakSet, localName, namespaceURI, isConnected, describe, wrapSetter } from "./natives.js";

var SVG = "http://www.w3.org/2000/svg";
var parseJson = JSON.parse;
var keysOf = Object.keys;

/**
 * Provides `r.inlineScript(el, via, typeChanged)`, `r.scriptText(el, via, change)`,
 * `r.scriptChildren(el)` and `r.heldImport(text, base, via)`.
 * @param {any} r the realm (index.js)
 */
export function guardModules(r) {
  var win = r.win, n = r.natives, policy = r.policy, doc = r.doc;
  var setAttr = n.setAttr, getAttr = n.getAttr, hasAttr = n.hasAttr, removeAttr = n.removeAttr;
  var baseOf = describe(win.Node.prototype, "baseURI").get;
  var textOf = describe(n.N, "textContent");
  var createText = doc.createTextNode;
  var URLOf = win.URL, hrefOf = describe(URLOf.prototype, "href").get;
  var registered = weakSet();
  // Module scripts kept inert by the guards (waiting for text, or held for an import): the type
  // each was given.
  var kept = weakMap();
  // This document's import maps, merged: [specifier key, address] pairs (URL-like ones resolved),
  // from `imports` and every scope alike (which scope applies is not asked: a key any map gives
  // is followed, as the safe mistake).
  /** @type {string[][]} */
  var maps = [];
  // The same pairs for the policy's HTML rewriter (core::modules::ImportMaps), NUL-separated.
  var mapsText = "";

  /** @param {string} s */
  function withoutNul(s) {
    var parts = split(s, "\u0000"), out = parts[0];
    for (var i = 1; i < parts.length; i++) out += "\ufffd" + parts[i];
    return out;
  }
  /** A URL-like specifier (`/x`, `./x`, `../x`, an absolute URL) resolved, else null. @param {string} s @param {string} base */
  function urlLike(s, base) {
    try { return call(hrefOf, test(/^\.{0,2}\//, s) ? new URLOf(s, base) : new URLOf(s)); } catch (e) { return null; }
  }
  /** Whether `text` was JSON (a map's pairs added). @param {string} text @param {string} base */
  function addMap(text, base) {
    var map;
    try { map = parseJson(text); } catch (e) { return false; }
    if (!map || typeof map !== "object") return true;
    var tables = [map.imports];
    var scopes = map.scopes;
    if (scopes && typeof scopes === "object") { var names = keysOf(scopes); for (var i = 0; i < names.length; i++) tables[tables.length] = scopes[names[i]]; }
    for (var t = 0; t < tables.length; t++) {
      var table = tables[t];
      if (!table || typeof table !== "object") continue;
      var keys = keysOf(table);
      for (var k = 0; k < keys.length; k++) {
        var address = typeof table[keys[k]] === "string" && urlLike(table[keys[k]], base);
        if (!address) continue;
        var key = urlLike(keys[k], base) || keys[k];
        maps[maps.length] = [key, address];
        // (NUL-separated for the rewriter: a NUL of their own is U+FFFD there.)
        mapsText += "\u0000" + withoutNul(key) + "\u0000" + withoutNul(address);
      }
    }
    return true;
  }
  /** Every URL `specifier` may load: itself when URL-like, and where any map sends it. @param {string} specifier @param {string} base */
  function destinations(specifier, base) {
    var resolved = urlLike(specifier, base);
    var key = resolved || specifier;
    var out = resolved ? [resolved] : [];
    for (var i = 0; i < maps.length; i++) {
      var k = maps[i][0];
      if (k === key) out[out.length] = maps[i][1];
      else if (charAt(k, k.length - 1) === "/" && strSlice(key, 0, k.length) === k) out[out.length] = maps[i][1] + strSlice(key, k.length);
    }
    return out;
  }

  /**
   * "module", "importmap" (HTML only), or "" for any other script (or one with a `src`, an SVG
   * one's `href`, held or not). @param {any} el
   */
  function inlineType(el) {
    if (localName(el) !== "script" || r.exempt.has(el)) return "";
    var svg = namespaceURI(el) === SVG;
    var external = svg ? call(hasAttr, el, "href") || call(hasAttr, el, "xlink:href") || call(hasAttr, el, "data-href")
      : call(hasAttr, el, "src") || call(hasAttr, el, "data-src");
    if (external) return "";
    var type = lower(trim(call(getAttr, el, "type") || ""));
    return type === "module" || (type === "importmap" && !svg) ? type : "";
  }

  /**
   * The first URL `text`'s imports load that is held, or null (audited `via`, when given: a module
   * script's are audited as it is marked).
   * @param {string} text @param {string} base @param {string} [via]
   */
  function heldImport(text, base, via) {
    var specifiers = split(str(policy.moduleImports(text)), "\u0000");
    for (var i = 0; i < specifiers.length; i++) {
      var urls = destinations(specifiers[i], base);
      for (var j = 0; j < urls.length; j++) if (r.held(urls[j], KIND.script, via || "")) return urls[j];
    }
    return null;
  }
  r.heldImport = heldImport;
  /**
   * The document's import maps for an HTML string's module scripts: its base URL, then the pairs
   * ("" when none, unless the string writes a map of its own: `ownMap`). @param {boolean} ownMap
   */
  r.importMaps = function (ownMap) { return mapsText || ownMap ? str(call(baseOf, doc)) + mapsText : ""; };
  /** The import maps in `root` not added yet (the parser registered them as it wrote them). @param {any} root */
  r.registerMaps = function (root) {
    var scripts = n.findAll(root, "script");
    for (var i = 0; i < scripts.length; i++) if (isConnected(scripts[i]) && inlineType(scripts[i]) === "importmap") register(scripts[i]);
  };
  /** @param {any} el */
  function textIn(el) { return str(call(textOf.get, el)); }

  /** Keeps `el` from running (its type remembered). @param {any} el */
  function keep(el) {
    if (!kept.has(el)) kept.set(el, call(getAttr, el, "type"));
    call(setAttr, el, "type", "text/plain");
  }
  /**
   * Judges a module script's text: held as markup (under its first held import's requirement),
   * or, when `run`, given its type back and run (a children change prepares it); whether held.
   * @param {any} el @param {string} via @param {boolean} run
   */
  function settle(el, via, run) {
    r.memo.unfix(); // (imports go through import maps that may come later)
    var url = heldImport(textIn(el), str(call(baseOf, el)));
    if (url === null) {
      if (!run) return false;
      var type = kept.get(el);
      kept.delete(el);
      call(setAttr, el, "type", type);
      var nudge = call(createText, doc, "");
      call(n.appendChild, el, nudge);
      call(n.removeChild, el, nudge);
      return false;
    }
    keep(el);
    call(setAttr, el, "data-type", kept.get(el));
    call(setAttr, el, "data-sekisho-import", url);
    call(setAttr, el, "data-consent", policy.requirement());
    call(setAttr, el, "data-sekisho-via", via);
    // (Held again as it is released, for another import: the markup checkpoint takes it anew.)
    call(removeAttr, el, "data-sekisho");
    if (isConnected(el) && policy.added) policy.added([el]);
    return true;
  }

  /**
   * An inline script arriving (inserted, parsed, cloned) or whose type changed: an import map is
   * added to the maps; a module script with text is judged (it runs as it is inserted: held, or
   * let be), one without (or whose type just became `module`: it runs at its next children
   * change) is kept inert until its children change. Whether it was held or kept.
   * @param {any} el @param {string} via @param {boolean} [typeChanged]
   */
  r.inlineScript = function (el, via, typeChanged) {
    // (A marked script is the markup checkpoint's; one of the guards' own, being released, is
    // settled by `scriptText`.)
    if (call(hasAttr, el, "data-consent")) return false;
    var type = inlineType(el);
    if (type === "importmap") { register(el); return false; }
    if (type !== "module") return false;
    if (settle(el, via, false)) return true;
    if (textIn(el) && !typeChanged) return false; // (it runs as it is inserted)
    keep(el);
    return true;
  };

  /**
   * An import map with text is added to the maps (once: the browser runs it once; text that is no
   * JSON yet — written in pieces — is read again when its children change). @param {any} el
   */
  function register(el) {
    var text = textIn(el);
    if (!text || registered.has(el)) return;
    if (addMap(text, str(call(baseOf, el)))) registered.add(el);
  }

  /**
   * A change of a <script>'s children (`change()` makes it). A module script the guards keep
   * (waiting, or held and being released by the markup checkpoint, which gave it its type back)
   * is inert during the change, then settled; an import map that gains text is added.
   * @param {any} el @param {string} via @param {() => any} change
   */
  r.scriptText = function (el, via, change) {
    if (!kept.has(el)) {
      var result = change();
      if (isConnected(el) && inlineType(el) === "importmap") register(el);
      return result;
    }
    call(setAttr, el, "type", "text/plain");
    var changed = false;
    try { result = change(); changed = true; } finally {
      // (A change that threw leaves it as it was: inert, waiting.)
      if (changed && textIn(el)) settle(el, via, true);
    }
    return result;
  };
  /** The observer's record of a change of `el`'s children (any path). @param {any} el */
  r.scriptChildren = function (el) {
    if (kept.has(el) && !call(hasAttr, el, "data-consent") && textIn(el)) settle(el, "parser", true);
    else if (isConnected(el) && inlineType(el) === "importmap") register(el);
  };

  // A script's own text setters (Chromium gives <script> its own `textContent` and `innerText`,
  // for Trusted Types); the inherited ones are styles.js'. The value goes to the native as it
  // came (a TrustedScript stays one).
  ["text", "textContent", "innerText"].forEach(function (prop) {
    wrapSetter(win.HTMLScriptElement && win.HTMLScriptElement.prototype, prop, function (nativeSet) {
      return function (value) {
        var self = this;
        return r.scriptText(self, prop, function () { call(nativeSet, self, value); });
      };
    });
  });
}
