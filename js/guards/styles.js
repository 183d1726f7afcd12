// CSS: what a style sheet or a declaration loads (`url()`, `@import`, `image-set()`), from every
// way page code writes CSS — a `style` attribute, a <style>'s text, the CSSOM (`cssText`,
// `setProperty`, `insertRule`, `replace(Sync)`) — and, for the CSS properties that have no
// setter to guard (Chromium's `el.style.backgroundImage = …`), the observer's record of the
// `style` attribute, which comes before the next style recalc (when images load).
//
// The policy rewrites the CSS (src/core/css.rs): a held URL is replaced by one that loads
// nothing. What the page wrote is kept — an element's under `data-held-style` (its attribute) or
// `data-held-css` (a <style>'s text), the CSSOM's with the declaration, rule or sheet — and given
// back once none of its URLs is held any more (`createHeldStyles`: every realm's, after each
// decision). A value the page has changed since is not given back.
import {
  wrap, wrapSetter, wrapGetter, apply, call, str, domString, test, upper, arraySlice, charAt, strSlice, describe, defineProperty, weakMap, nodeType, localName, namespaceURI,
  parentNode, isConnected
} from "./natives.js";

// Cheap: whether CSS may name a URL at all (the same test as css.rs `may_load`, a superset).
var MAY_LOAD = /url\(|@imp|image-set|\\|\/\//i;
/** @param {string} css */
export function mayLoad(css) { return test(MAY_LOAD, css); }
// The CSS properties whose value may load a URL (an image, a mask, a shape, an SVG reference).
var LOADING_PROPERTIES = [
  "background", "background-image", "border-image", "border-image-source", "list-style", "list-style-image", "content",
  "cursor", "mask", "mask-image", "mask-border", "mask-border-source", "-webkit-mask", "-webkit-mask-image",
  "-webkit-mask-box-image", "-webkit-mask-box-image-source", "-webkit-border-image", "shape-outside",
  "-webkit-shape-outside", "filter", "-webkit-filter", "backdrop-filter", "-webkit-backdrop-filter", "clip-path",
  "-webkit-clip-path", "marker", "marker-start", "marker-mid", "marker-end", "fill", "stroke", "offset-path",
  "-webkit-box-reflect"
];
/**
 * The names a property is set by on a declaration: as CSS names it, and in the IDL's camel case
 * (`-webkit-mask-image`: also `webkitMaskImage` and `WebkitMaskImage`).
 * @param {string} css
 */
function propertyNames(css) {
  var camel = "";
  for (var i = 0; i < css.length; i++) {
    var c = charAt(css, i);
    camel += c !== "-" ? c : i > 0 ? upper(charAt(css, ++i)) : "";
  }
  if (camel === css) return [css];
  return strSlice(css, 0, 8) === "-webkit-" ? [css, camel, upper(charAt(camel, 0)) + strSlice(camel, 1)] : [css, camel];
}

/**
 * The CSS held in every realm, given back after a decision once nothing in it is held.
 * @param {any} policy
 */
export function createHeldStyles(policy) {
  /** @type {{ css: string, base: string, via: string, giveBack: () => void }[]} */
  var held = [];
  return {
    /** @param {{ css: string, base: string, via: string, giveBack: () => void }} entry */
    keep: function (entry) {
      if (held.length >= 500) held.shift(); // the oldest stays as it is
      held.push(entry);
    },
    release: function () {
      if (!policy.releaseCss) return;
      held = held.filter(function (e) {
        if (!policy.releaseCss(e.css, e.via, e.base)) return true;
        try { e.giveBack(); } catch (err) { /* gone */ }
        return false;
      });
    }
  };
}

/**
 * Provides `r.styleAttribute(el, value, via)` and `r.checkStyles(el, via)`; guards the CSSOM and
 * <style> text.
 * @param {any} r the realm (index.js)
 */
export function guardStyles(r) {
  var win = r.win, n = r.natives, memo = r.memo, policy = r.policy;
  var setAttr = n.setAttr, getAttr = n.getAttr, hasAttr = n.hasAttr, removeAttr = n.removeAttr;
  // What the guards set, by element (its style attribute, a <style>'s text): a value that is
  // still this one is still the guards', and is given back.
  var setByGuards = weakMap();
  var textOf = describe(n.N, "textContent");

  /** `css` with its held URLs loading nothing, or null when nothing in it is held. */
  function rewrite(css, via) {
    if (!mayLoad(css)) return null;
    var verdict = policy.rewriteCss(css, via, r.movedBase());
    if (verdict === VERDICT.pass && policy.final) return null;
    memo.unfix();
    return verdict === VERDICT.hold ? policy.rewritten() : null;
  }
  // A custom property's value is read as one (`--x:` before it: its strings that are URLs may
  // reach an image-set() through var()).
  /** @param {string} property @param {string} value */
  function declared(property, value) { return strSlice(property, 0, 2) === "--" ? "--x:" + value : value; }
  /** @param {string} property @param {string | null} css */
  function undeclared(property, css) { return css !== null && strSlice(property, 0, 2) === "--" ? strSlice(css, 4) : css; }
  function keep(css, via, giveBack) {
    r.heldStyles.keep({ css: css, base: r.movedBase(), via: via, giveBack: giveBack });
  }

  // An element's `style` attribute as it may be set (`value`, from setAttribute or an attribute
  // node): its held URLs replaced, and the value kept under `data-held-style`.
  function styleAttribute(el, value, via) {
    var out = rewrite(value, via);
    if (out === null) {
      if (setByGuards.get(el) !== undefined) { setByGuards.delete(el); call(removeAttr, el, "data-held-style"); }
      return value;
    }
    call(setAttr, el, "data-held-style", value);
    setByGuards.set(el, out);
    keep(value, via, function () {
      if (call(getAttr, el, "style") !== out || call(getAttr, el, "data-held-style") !== value) return;
      setByGuards.delete(el);
      call(removeAttr, el, "data-held-style");
      call(setAttr, el, "style", value);
    });
    return out;
  }
  // The same for a style the page changed without setAttribute (the observer saw it): unless the
  // guards set it, it is checked now.
  function styleChanged(el, via) {
    var value = call(getAttr, el, "style");
    if (value === null || value === setByGuards.get(el)) return;
    var out = styleAttribute(el, value, via);
    if (out !== value) call(setAttr, el, "style", out);
  }

  // A <style>'s text: its held URLs replaced, the text kept under `data-held-css`.
  function styleText(el, via) {
    var text = str(call(textOf.get, el));
    if (text === setByGuards.get(el)) return;
    var out = rewrite(text, via);
    if (out !== null) holdText(el, text, out, via);
  }
  // Sets `out` (the rewritten `text`) as `el`'s text, keeping `text` to give back.
  function holdText(el, text, out, via) {
    call(setAttr, el, "data-held-css", text);
    setByGuards.set(el, out);
    call(textOf.set, el, out);
    keep(text, via, function () {
      if (str(call(textOf.get, el)) !== out) return;
      setByGuards.delete(el);
      call(removeAttr, el, "data-held-css");
      call(textOf.set, el, text);
    });
  }

  // One element being checked (elements.js `check`): its style attribute; a <style>'s text. What
  // the HTML rewriter held already (`data-held-*` beside the rewritten CSS) is kept for later.
  function checkStyles(el, via) {
    var name = localName(el);
    if (name === "style") {
      var own = call(getAttr, el, "data-held-css");
      if (own !== null && setByGuards.get(el) === undefined) adoptHeld(el, own, via, "css");
      else styleText(el, via);
    }
    if (call(hasAttr, el, "style")) {
      var ownStyle = call(getAttr, el, "data-held-style");
      if (ownStyle !== null && setByGuards.get(el) === undefined) adoptHeld(el, ownStyle, via, "style");
      else styleChanged(el, via);
    }
  }
  function adoptHeld(el, own, via, what) {
    var current = what === "css" ? str(call(textOf.get, el)) : call(getAttr, el, "style");
    setByGuards.set(el, current);
    memo.unfix();
    // (Asked again for its audit lines: the HTML rewriter writes none.)
    if (policy.rewriteCss(own, via, r.movedBase()) === VERDICT.hold) policy.rewritten();
    keep(own, via, function () {
      if ((what === "css" ? str(call(textOf.get, el)) : call(getAttr, el, "style")) !== current) return;
      setByGuards.delete(el);
      call(removeAttr, el, "data-held-" + what);
      if (what === "css") call(textOf.set, el, own);
      else call(setAttr, el, "style", own);
    });
  }

  r.styleAttribute = styleAttribute;
  r.styleChanged = styleChanged;
  r.checkStyles = checkStyles;

  // A connected <style> whose children change parses its text again, and fetches its imports
  // at once: a change that may bring a URL is made while the element is not a style sheet (an
  // unknown `type`), then its text is checked and set again, which makes it one.
  function isStyle(node) { return node && nodeType(node) === 1 && localName(node) === "style"; }
  // (Chromium makes the sheet again when the type comes back; Firefox and WebKit when the text
  // is set again.)
  var sheetOf = [win.HTMLStyleElement, win.SVGStyleElement].map(function (C) { return C && describe(C.prototype, "sheet"); });
  function sheet(style) {
    var d = sheetOf[namespaceURI(style) === "http://www.w3.org/2000/svg" ? 1 : 0];
    return d && d.get ? call(d.get, style) : null;
  }
  function changeStyle(style, via, change) {
    if (!isConnected(style) || r.exempt.has(style)) return change();
    var type = call(getAttr, style, "type");
    call(setAttr, style, "type", "text/x-sekisho-held");
    var result;
    try {
      result = change();
    } finally {
      var text = str(call(textOf.get, style));
      var out = rewrite(text, via);
      if (out !== null) holdText(style, text, out, via);
      if (type === null) call(removeAttr, style, "type");
      else call(setAttr, style, "type", type);
      if (!sheet(style) && isConnected(style)) call(textOf.set, style, out === null ? text : out);
    }
    return result;
  }
  // Whether text going into `style` (its own, `added`) may bring a URL.
  function mayBring(style, added) {
    return mayLoad(added) || mayLoad(str(call(textOf.get, style)));
  }
  /** The text of what an insertion adds (nodes and strings). @param {ArrayLike<any>} nodes */
  function textOfNodes(nodes) {
    var s = "";
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      s += node && typeof node === "object" ? str(call(textOf.get, node) || "") : str(node);
    }
    return s;
  }
  /** An insertion of `nodes` into `parent` (`insert()` makes it): careful when it is a <style>. */
  r.styleInsertion = function (parent, nodes, via, insert) {
    return isStyle(parent) && isConnected(parent) && mayBring(parent, textOfNodes(nodes)) ? changeStyle(parent, via, insert) : insert();
  };
  // Its text set whole (`textContent`, `innerText`, `innerHTML`: raw text inside a <style>), or
  // its text node's (`textContent`, `nodeValue`, `data`, the CharacterData methods). Text
  // updates are hot in frameworks: each pays a node-type read (and a text node, a parent read).
  // A <script>'s text goes to modules.js (a module's imports).
  function rawTextOf(node) {
    var type = nodeType(node);
    var el = type === 1 ? node : type === 3 ? parentNode(node) : null;
    return (isStyle(el) || localName(el) === "script") && isConnected(el) ? el : null;
  }
  function textSetter(prop) {
    return function (nativeSet) {
      return function (value) {
        var self = this, el = rawTextOf(self);
        if (!el) return call(nativeSet, self, value);
        var set = function () { call(nativeSet, self, value); };
        if (!isStyle(el)) return r.scriptText(el, prop, set);
        if (mayBring(el, str(value))) changeStyle(el, prop, set); else set();
      };
    };
  }
  wrapSetter(n.N, "textContent", textSetter("textContent"));
  wrapSetter(n.N, "nodeValue", textSetter("nodeValue"));
  wrapSetter(win.HTMLElement && win.HTMLElement.prototype, "innerText", textSetter("innerText"));
  wrapSetter(n.E, "innerHTML", textSetter("innerHTML"));
  if (win.CharacterData) {
    var CD = win.CharacterData.prototype;
    wrapSetter(CD, "data", textSetter("data"));
    ["appendData", "insertData", "replaceData", "deleteData"].forEach(function (m) {
      wrap(CD, m, function (orig) {
        return function () {
          var self = this, args = arguments, el = rawTextOf(self);
          var change = function () { return apply(orig, self, args); };
          if (!el) return change();
          return isStyle(el) ? changeStyle(el, m, change) : r.scriptText(el, m, change);
        };
      });
    });
  }

  // CSSOM: declarations (an element's `style`, a rule's) and sheets.
  var Decl = win.CSSStyleDeclaration && win.CSSStyleDeclaration.prototype;
  var cssTextOf = Decl && describe(Decl, "cssText");
  var getValue = Decl && Decl.getPropertyValue;
  var nativeSetProperty = Decl && Decl.setProperty;
  wrapSetter(Decl, "cssText", function (nativeSet) {
    return function (value) {
      value = str(value);
      var out = rewrite(value, "cssText");
      if (out === null) return call(nativeSet, this, value);
      call(nativeSet, this, out);
      var self = this, set = call(cssTextOf.get, this);
      keep(value, "cssText", function () { if (call(cssTextOf.get, self) === set) call(nativeSet, self, value); });
    };
  });
  wrap(Decl, "setProperty", function (orig, name) {
    return function (property, value, priority) {
      if (arguments.length < 2 || value === null || value === undefined) return apply(orig, this, arguments);
      property = domString(property);
      value = domString(value);
      var css = declared(property, value), out = undeclared(property, rewrite(css, name));
      var important = arguments.length > 2 ? domString(priority) : "";
      if (out === null) return call(orig, this, property, value, important);
      call(orig, this, property, out, important);
      var self = this, set = call(getValue, this, property);
      keep(css, name, function () {
        if (call(getValue, self, property) === set) call(orig, self, property, value, important);
      });
    };
  });
  // A CSS property set by its name (`el.style.backgroundImage = …`, `style["background-image"]`)
  // is `setProperty` with the property's name: the properties that may load a URL go through the
  // guarded one, before a style recalc that page code forces in the same script could load an
  // image (the observer's record comes after it). Firefox and WebKit have a setter per property
  // (CSSStyleProperties): those are wrapped. Chromium has none (its names are answered by the
  // declaration itself): accessors of Sekisho's on CSSStyleDeclaration's prototype, which
  // Chromium asks first, stand in for them, for the names this version knows (so a page that
  // asks `"maskImage" in el.style` learns what it did before). Writes of other properties pay
  // nothing; each value is read once.
  var guardedSetProperty = Decl && Decl.setProperty;
  var Properties = win.CSSStyleProperties || win.CSS2Properties;
  var styleOf = !Properties && Decl && win.HTMLElement && describe(win.HTMLElement.prototype, "style");
  var known = null; // (an HTML element's, also in an XML or SVG document)
  try { known = call(styleOf.get, call(n.D.createElementNS, win.document, "http://www.w3.org/1999/xhtml", "i")); } catch (e) { /* none */ }
  for (var i = 0; i < LOADING_PROPERTIES.length; i++) {
    var css = LOADING_PROPERTIES[i], names = propertyNames(css);
    for (var j = 0; j < names.length; j++) {
      if (Properties) wrapSetter(Properties.prototype, names[j], propertySetter(css));
      else if (known && names[j] in known) standInProperty(names[j], css);
    }
  }
  /** @param {string} property */
  function propertySetter(property) {
    return function (/** @type {any} */ nativeSet) {
      return function (/** @type {any} */ v) {
        var value = v === null ? v : domString(v);
        return value !== null && mayLoad(value) ? call(guardedSetProperty, this, property, value) : call(nativeSet, this, value);
      };
    };
  }
  /** Chromium: `name`'s accessors, as the IDL has them (`setProperty`, `getPropertyValue`). @param {string} name @param {string} css */
  function standInProperty(name, css) {
    defineProperty(Decl, name, {
      configurable: false, // (taken away, the engine's own unguarded answer would be back)
      enumerable: false, // (the declaration lists its names itself)
      get: function () {
        try { return call(getValue, this, css); } catch (e) { return undefined; } // (read on the prototype itself: nothing there)
      },
      set: propertySetter(css)(function (/** @type {any} */ value) { call(nativeSetProperty, this, css, value); })
    });
  }
  // Typed OM (`el.attributeStyleMap.set("background-image", value)`, a rule's `styleMap`): each
  // value's CSS text (a string as it is, a CSSStyleValue by its own serialisation), read once; a
  // value with a held URL is set as its rewritten text instead, and the values given back.
  var StyleMap = win.StylePropertyMap && win.StylePropertyMap.prototype;
  var styleValueText = win.CSSStyleValue && win.CSSStyleValue.prototype.toString;
  var getAllValues = StyleMap && StyleMap.getAll;
  if (StyleMap && styleValueText && getAllValues) {
    var mapSet = StyleMap.set;
    /** @param {any} map @param {string} property */
    var valuesText = function (map, property) {
      var values = call(getAllValues, map, property), text = "";
      for (var k = 0; k < values.length; k++) text += (k ? ", " : "") + str(call(styleValueText, values[k]));
      return text;
    };
    ["set", "append"].forEach(function (m) {
      wrap(StyleMap, m, function (orig, name) {
        return function (property) {
          if (arguments.length < 2) return apply(orig, this, arguments);
          var args = arraySlice(arguments), written = arraySlice(arguments), text = "", held = false;
          args[0] = written[0] = property = domString(property);
          // Each value on its own (as many as the page gave: the native's errors stay its own).
          for (var k = 1; k < args.length; k++) {
            var v = args[k], t;
            try { t = str(call(styleValueText, v)); } catch (e) { t = args[k] = written[k] = domString(v); } // (a string, or what becomes one)
            text += (k > 1 ? ", " : "") + t; // (kept: judged again at each decision)
            var out = undeclared(property, rewrite(declared(property, t), "styleMap." + name));
            if (out !== null) { written[k] = out; held = true; }
          }
          if (!held) return apply(orig, this, args);
          var self = this, before = m === "append" ? valuesText(this, property) : "";
          apply(orig, this, written);
          var set = valuesText(this, property);
          keep(declared(property, text), "styleMap." + name, function () {
            if (valuesText(self, property) !== set) return;
            if (before) call(mapSet, self, property, before);
            apply(m === "append" && before ? orig : mapSet, self, args);
          });
        };
      });
    });
  }
  // A rule's declaration (`sheet.cssRules[0].style`) has CSS properties without setters too
  // (`.backgroundImage = …`), and no observer sees it change: rules hand out a Proxy of it, which
  // checks what is set. (Not elements' `style`: frameworks write it all the time; the observer
  // covers those.)
  var Proxy_ = win.Proxy, reflectGet = Reflect.get, reflectSet = Reflect.set;
  var ruleProxies = weakMap();
  function guardedDeclaration(decl) {
    if (!decl || typeof decl !== "object" || !Proxy_ || !ruleProxies) return decl;
    var proxy = ruleProxies.get(decl);
    if (proxy) return proxy;
    proxy = new Proxy_(decl, {
      get: function (target, key) {
        var value = reflectGet(target, key, target);
        return typeof value === "function" ? function () { return apply(value, target, arguments); } : value;
      },
      set: function (target, key, value) {
        var written = typeof key === "string" && typeof value === "string" ? rewrite(value, key) : null;
        if (written === null) return reflectSet(target, key, value, target);
        reflectSet(target, key, written, target);
        var set = reflectGet(target, key, target);
        keep(value, key, function () { if (reflectGet(target, key, target) === set) reflectSet(target, key, value, target); });
        return true;
      }
    });
    ruleProxies.set(decl, proxy);
    return proxy;
  }
  ["CSSStyleRule", "CSSPageRule", "CSSFontFaceRule", "CSSKeyframeRule"].forEach(function (name) {
    wrapGetter(win[name] && win[name].prototype, "style", function (get) {
      return function () { return guardedDeclaration(call(get, this)); };
    });
  });

  var Sheet = win.CSSStyleSheet && win.CSSStyleSheet.prototype;
  // A rule inserted with its held URLs loading nothing; given back in its place (found again by
  // identity: rules may have moved). `proto`: a sheet's or a grouping rule's (`@media`, …).
  function guardInsertRule(proto) {
    var rulesOf = proto && describe(proto, "cssRules");
    var deleteRule = proto && proto.deleteRule;
    if (!rulesOf || !deleteRule) return;
    wrap(proto, "insertRule", function (orig, name) {
      return function (rule, index) {
        if (arguments.length < 1) return apply(orig, this, arguments);
        rule = str(rule);
        var out = rewrite(rule, name);
        var at = arguments.length > 1 ? call(orig, this, out === null ? rule : out, index) : call(orig, this, out === null ? rule : out);
        if (out === null) return at;
        // (Firefox refuses to list the rules of a sheet whose import is loading: found by index then.)
        var self = this, inserted = null;
        try { inserted = call(rulesOf.get, this)[at]; } catch (e) { /* loading */ }
        keep(rule, name, function () {
          var rules = call(rulesOf.get, self);
          for (var i = 0; i < rules.length; i++) {
            if (inserted ? rules[i] !== inserted : i !== at) continue;
            call(deleteRule, self, i);
            call(orig, self, rule, i);
            return;
          }
        });
        return at;
      };
    });
  }
  guardInsertRule(Sheet);
  guardInsertRule(win.CSSGroupingRule && win.CSSGroupingRule.prototype);
  var rulesOf = Sheet && describe(Sheet, "cssRules");
  var replaceSync = Sheet && Sheet.replaceSync;
  if (rulesOf) {
    // The legacy `addRule(selector, style)`: its style is CSS too.
    wrap(Sheet, "addRule", function (orig, name) {
      return function (selector, style) {
        var out = arguments.length > 1 ? rewrite(str(style), name) : null;
        if (out === null) return apply(orig, this, arguments);
        var args = [selector, out];
        for (var i = 2; i < arguments.length; i++) args[i] = arguments[i];
        return apply(orig, this, args);
      };
    });
    // A constructed sheet's whole text.
    ["replaceSync", "replace"].forEach(function (m) {
      wrap(Sheet, m, function (orig, name) {
        return function (text) {
          if (arguments.length < 1) return apply(orig, this, arguments);
          text = str(text);
          var out = rewrite(text, name);
          if (out === null) return call(orig, this, text);
          var self = this, result = call(orig, this, out);
          // Its first rule tells whether the page replaced the text since (while `replace` is
          // loading, Firefox lists no rules: given back whatever then).
          var firstRule = function () { var rules = call(rulesOf.get, self); return rules.length ? rules[0] : null; };
          var first;
          try { first = firstRule(); } catch (e) { first = undefined; }
          keep(text, name, function () {
            if (first === undefined || firstRule() === first) call(replaceSync, self, text);
          });
          return result;
        };
      });
    });
  }
}
