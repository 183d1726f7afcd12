// The module graph a page's own markup declares. An inline module script (`<script
// type="module">` without `src`) loads what its static imports name (found by the policy:
// `policy.moduleImports`, src/core/modules.rs), where the page's import maps send them (resolved
// here, as the browser resolves them): each URL is judged as a script before the browser prepares
// the script, which is held whole while any is held (inert markup the markup checkpoint releases
// by setting its text again: it then runs). A connected module script or import map that has not
// run yet runs when it gains text: the text setters ask here (styles.js and elements.js route a
// connected <script>'s text changes to `r.scriptText`). Not reachable (README): `import()` with a
// computed specifier, and what the imported modules import.
import { call, str, lower, trim, test, split, strSlice, charAt, weakSet, localName, namespaceURI, isConnected, describe, wrapSetter } from "./natives.js";

var SVG = "http://www.w3.org/2000/svg";
var parseJson = JSON.parse;
var keysOf = Object.keys;

/**
 * Provides `r.inlineScript(el, via)` and `r.scriptText(el, via, change, text)`.
 * @param {any} r the realm (index.js)
 */
export function guardModules(r) {
  var win = r.win, n = r.natives, policy = r.policy;
  var setAttr = n.setAttr, getAttr = n.getAttr, hasAttr = n.hasAttr, removeAttr = n.removeAttr;
  var baseOf = describe(win.Node.prototype, "baseURI").get;
  var textOf = describe(n.N, "textContent");
  var URLOf = win.URL, hrefOf = describe(URLOf.prototype, "href").get;
  var registered = weakSet();
  // This document's import maps, merged: [specifier key, address] pairs (URL-like ones resolved),
  // from `imports` and every scope alike (which scope applies is not asked: a key any map gives
  // is followed, as the safe mistake).
  /** @type {string[][]} */
  var maps = [];

  /** A URL-like specifier (`/x`, `./x`, `../x`, an absolute URL) resolved, else null. @param {string} s @param {string} base */
  function urlLike(s, base) {
    try { return call(hrefOf, test(/^\.{0,2}\//, s) ? new URLOf(s, base) : new URLOf(s)); } catch (e) { return null; }
  }
  /** @param {string} text @param {string} base */
  function addMap(text, base) {
    var map;
    try { map = parseJson(text); } catch (e) { return; }
    if (!map || typeof map !== "object") return;
    var tables = [map.imports];
    var scopes = map.scopes;
    if (scopes && typeof scopes === "object") { var names = keysOf(scopes); for (var i = 0; i < names.length; i++) tables[tables.length] = scopes[names[i]]; }
    for (var t = 0; t < tables.length; t++) {
      var table = tables[t];
      if (!table || typeof table !== "object") continue;
      var keys = keysOf(table);
      for (var k = 0; k < keys.length; k++) {
        var address = typeof table[keys[k]] === "string" && urlLike(table[keys[k]], base);
        if (address) maps[maps.length] = [urlLike(keys[k], base) || keys[k], address];
      }
    }
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

  /** "module", "importmap", or "" for any other script (or one with a `src`). @param {any} el */
  function inlineType(el) {
    if (localName(el) !== "script" || namespaceURI(el) === SVG || call(hasAttr, el, "src") || r.exempt.has(el)) return "";
    var type = lower(trim(call(getAttr, el, "type") || ""));
    return type === "module" || type === "importmap" ? type : "";
  }

  /** The first URL `text`'s imports load that is held, or null. @param {string} text @param {string} base */
  function heldImport(text, base) {
    var specifiers = split(str(policy.moduleImports(text)), "\u0000");
    for (var i = 0; i < specifiers.length; i++) {
      var urls = destinations(specifiers[i], base);
      for (var j = 0; j < urls.length; j++) if (r.held(urls[j], KIND.script, "")) return urls[j];
    }
    return null;
  }

  /**
   * An inline module script is held when `text` imports anything held (an import map's text is
   * added to the maps); whether it was held.
   * @param {any} el @param {string} via @param {string} text
   */
  function judge(el, via, text) {
    var type = inlineType(el);
    var base = str(call(baseOf, el));
    if (type === "importmap") {
      if (!registered.has(el)) { registered.add(el); addMap(text, base); }
      return false;
    }
    if (type !== "module") return false;
    r.memo.unfix(); // (imports go through import maps that may come later)
    var url = heldImport(text, base);
    if (url === null) return false;
    call(setAttr, el, "data-type", call(getAttr, el, "type"));
    call(setAttr, el, "type", "text/plain");
    call(setAttr, el, "data-sekisho-import", url);
    call(setAttr, el, "data-consent", policy.requirement());
    call(setAttr, el, "data-sekisho-via", via);
    // (Held again as it is released, for another import: the markup checkpoint takes it anew.)
    call(removeAttr, el, "data-sekisho");
    return true;
  }

  /** An inline script arriving (inserted, parsed, its type changed). @param {any} el @param {string} via */
  r.inlineScript = function (el, via) {
    return inlineType(el) !== "" && judge(el, via, str(call(textOf.get, el)));
  };

  /**
   * A change of a connected <script>'s text (`change()` makes it; `text` is the whole new text
   * when the change sets it whole, else undefined). A module script or import map that has not
   * run yet is prepared by it: judged first, or, when only the result tells, made inert for the
   * change and judged after it (then given its type back and its text set again, which prepares
   * it, or held).
   * @param {any} el @param {string} via @param {() => any} change @param {string | undefined} text
   */
  r.scriptText = function (el, via, change, text) {
    var type = isConnected(el) && inlineType(el);
    if (!type) return change();
    if (text !== undefined) {
      var held = judge(el, via, text);
      var result = change();
      if (held && policy.added) policy.added([el]);
      return result;
    }
    var typed = call(getAttr, el, "type");
    call(setAttr, el, "type", "text/plain");
    try { return change(); } finally {
      call(setAttr, el, "type", typed);
      var now = str(call(textOf.get, el));
      if (judge(el, via, now)) {
        if (policy.added) policy.added([el]);
      } else {
        call(textOf.set, el, now);
      }
    }
  };
  // A script's own text setters (Chromium gives <script> its own `textContent` and `innerText`,
  // for Trusted Types); the inherited ones are styles.js'.
  ["text", "textContent", "innerText"].forEach(function (prop) {
    wrapSetter(win.HTMLScriptElement && win.HTMLScriptElement.prototype, prop, function (nativeSet) {
      return function (value) {
        var self = this, text = str(value);
        return r.scriptText(self, prop, function () { call(nativeSet, self, text); }, text);
      };
    });
  });
}
