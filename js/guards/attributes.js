// Attributes and properties that start a load: `setAttribute(NS)`, the URL property setters of
// the element table, attribute nodes (`setAttributeNode`, `setNamedItem`, `attr.value`,
// `nodeValue`, `textContent`), an SVG `href.baseVal`, and `new Audio(url)`. Every path ends in
// the guarded `setAttribute`, told which API it came through (for the audit line).
import {
  wrap, wrapSetter, wrapGetter, apply, call, str, lower as toLower, test, strSlice, strLastIndexOf, includes, defineProperty, describe, weakMap,
  localName, namespaceURI, isConnected
} from "./natives.js";

var SVG = "http://www.w3.org/2000/svg";
// The attributes a guard looks at (URLs, `srcdoc`, a site's mark): any other passes straight.
var WATCHED_ATTRIBUTE = new RegExp("^(?:" + URL_ATTRIBUTES.join("|") + "|srcdoc|style|data-consent|to|values|from|by|attributename|type|language)$", "i");
// A script's type: set, removed or toggled, it may make the script runnable (elements.js `typeChanged`).
var SCRIPT_TYPE = /^(?:type|language)$/i;

/** @param {any} r the realm (index.js) */
export function guardAttributes(r) {
  var win = r.win, n = r.natives, E = n.E;

  // The API a property setter or `Attr.value` came through, while it calls setAttribute.
  var setterVia = "";
  function viaProperty(via, el, name, value) {
    var outer = setterVia;
    setterVia = via;
    try { return call(guardedSetAttribute, el, name, value); } finally { setterVia = outer; }
  }

  // The name and the value are read once (converted to strings here): what is judged is what the
  // native sets.
  wrap(E, "setAttribute", function (orig) {
    return function (name, value) {
      if (arguments.length < 2) return apply(orig, this, arguments); // (the native's TypeError)
      name = str(name);
      if (!test(WATCHED_ATTRIBUTE, name) || r.exempt.has(this)) return apply(orig, this, arguments);
      value = str(value);
      var via = setterVia || "setAttribute";
      var lower = toLower(name);
      var local = localName(this);
      if (lower === "data-consent") r.memo.forget(); // marked now: no tree is "clean" for sure
      if (namespaceURI(this) === SVG && (local === "set" || local === "animate")) {
        var set = call(orig, this, name, value);
        r.animation(this, via);
        return set;
      }
      if (test(SCRIPT_TYPE, lower)) {
        var typed = call(orig, this, name, value);
        r.typeChanged(this, via);
        return typed;
      }
      if (lower === "style") return call(orig, this, name, r.styleAttribute(this, value, via));
      if (lower === "srcdoc" && local === "iframe") {
        var kept = r.srcdoc(this, value, via);
        return kept === null ? undefined : call(orig, this, name, kept);
      }
      var t = r.target(this);
      if (t && includes(t.urls, lower)) {
        // Elements are audited by the markup checkpoint once in the document; a detached image
        // or sound (a `new Image()` pixel) may never get there, so it is audited here.
        var pixel = (t.kind === KIND.img || t.kind === KIND.media) && !isConnected(this);
        if (r.holdIfHeld(this, lower, value, t.kind, via, pixel || lower === "attributionsrc" ? via : "")) {
          // (A detached sound is not kept: one that plays on its own would start at the decision.)
          if (pixel && t.kind === KIND.img) keepPixel(this, lower, value, t.kind, via);
          else if (pixel) r.fail(this, "error");
          return;
        }
      }
      return call(orig, this, name, value);
    };
  });
  var guardedSetAttribute = E.setAttribute;
  // A held `new Image()` pixel waits for its service (beacons.js), then loads where it is (one
  // that joined the document meanwhile is the markup checkpoint's); dropped, or when none may
  // wait, it fails as it would behind an ad blocker.
  function keepPixel(el, attr, url, kind, via) {
    var failed = function () { if (!el.isConnected) r.fail(el, "error"); };
    var kept = r.beacons.keep({
      url: url, kind: kind, via: via, drop: failed,
      send: function () {
        if (isConnected(el) || call(n.getAttr, el, "data-" + attr) !== url) return;
        call(n.removeAttr, el, "data-" + attr);
        call(n.removeAttr, el, "data-consent");
        call(n.removeAttr, el, "data-sekisho-via");
        call(n.setAttr, el, attr, url);
      }
    });
    if (!kept) failed();
  }
  // setAttributeNS keeps the name's case: without a namespace, only a lower-case name is the
  // attribute a browser loads from (`SRC` is not `src`).
  wrap(E, "setAttributeNS", function (orig) {
    return function (ns, name, value) {
      if (arguments.length < 3) return apply(orig, this, arguments); // (the native's TypeError)
      name = str(name);
      value = str(value);
      var local = strSlice(name, strLastIndexOf(name, ":") + 1);
      if (!ns && local === toLower(local)) return viaProperty("setAttributeNS", this, name, value);
      // xlink:href (SVG): the same check as setAttribute's.
      if (ns === "http://www.w3.org/1999/xlink" && local === "href") {
        var t = r.target(this);
        if (t && includes(t.urls, "href") && r.holdIfHeld(this, "href", value, t.kind, "setAttributeNS", "")) return;
      }
      return call(orig, this, ns, name, value);
    };
  });
  // Removing a script's type (or toggling it off) may make it runnable too. `nameOf(self, args)`:
  // the attribute's name; `elementOf(self, name)`, where `self` is not the element, finds it — both
  // before the call, the element only for a type (removeAttribute is hot in frameworks).
  function removal(nameOf, elementOf) {
    return function (orig, api) {
      return function () {
        var name = nameOf(this, arguments);
        var el = name && test(SCRIPT_TYPE, name) ? elementOf ? elementOf(this, name) : this : null;
        var result = apply(orig, this, arguments);
        if (el) r.typeChanged(el, api);
        return result;
      };
    };
  }
  var getNamedItem = win.NamedNodeMap && win.NamedNodeMap.prototype.getNamedItem;
  var byName = function (self, args) { return str(args[0]); };
  var byNameNS = function (self, args) { return args[0] ? "" : str(args[1]); };
  var byNode = function (self, args) { return args[0] ? attrName(args[0]) : ""; };
  var inMap = function (map, name) {
    var attr = call(getNamedItem, map, name);
    return attr && attrOwner(attr);
  };
  wrap(E, "removeAttribute", removal(byName));
  wrap(E, "removeAttributeNS", removal(byNameNS));
  wrap(E, "removeAttributeNode", removal(byNode));
  wrap(E, "toggleAttribute", removal(byName));
  if (win.NamedNodeMap) {
    wrap(win.NamedNodeMap.prototype, "removeNamedItem", removal(byName, inMap));
    wrap(win.NamedNodeMap.prototype, "removeNamedItemNS", removal(byNameNS, inMap));
  }
  // `script.type = …` reflects its attribute without setAttribute: it is sent through it.
  wrapSetter(win.HTMLScriptElement && win.HTMLScriptElement.prototype, "type", function () {
    return function (value) { viaProperty("type", this, "type", value); };
  });
  URL_PROPERTIES.forEach(function (p) {
    var ctor = win[p[0]];
    var prop = p[1];
    wrapSetter(ctor && ctor.prototype, prop, function () {
      return function (value) { viaProperty(prop, this, prop, value); };
    });
  });
  // `new Audio(url)` sets its src without the setter.
  if (typeof win.Audio === "function") {
    var OrigAudio = win.Audio;
    var GuardedAudio = function Audio(url) {
      var a = Reflect.construct(OrigAudio, [], new.target || OrigAudio);
      if (arguments.length && url !== undefined) a.src = url;
      return a;
    };
    GuardedAudio.prototype = OrigAudio.prototype;
    win.Audio = GuardedAudio;
  }

  // An attribute node's name and element, read with the native getters.
  var attrValue = win.Attr && describe(win.Attr.prototype, "value");
  var nameOf = win.Attr && describe(win.Attr.prototype, "name");
  var ownerOf = win.Attr && describe(win.Attr.prototype, "ownerElement");
  function attrName(attr) { return nameOf ? str(call(nameOf.get, attr)) : ""; }
  function attrOwner(attr) { return ownerOf ? call(ownerOf.get, attr) : null; }

  // Attribute nodes: `setAttributeNode`, `attributes.setNamedItem` (and `attr.value = url`,
  // below). WebKit starts an image's load inside the call: a watched attribute joins its element
  // empty, then gets its value through the guarded `setAttribute`.
  function attachEmpty(orig, name) {
    return function (attr) {
      var value = attr && attrValue && attrValue.set && test(WATCHED_ATTRIBUTE, attrName(attr)) ? call(attrValue.get, attr) : "";
      if (!value) return apply(orig, this, arguments);
      call(attrValue.set, attr, "");
      var result = apply(orig, this, arguments);
      var owner = attrOwner(attr);
      if (owner) viaProperty(name, owner, attrName(attr), value);
      else call(attrValue.set, attr, value);
      return result;
    };
  }
  wrap(E, "setAttributeNode", attachEmpty);
  wrap(E, "setAttributeNodeNS", attachEmpty);
  if (win.NamedNodeMap) {
    wrap(win.NamedNodeMap.prototype, "setNamedItem", attachEmpty);
    wrap(win.NamedNodeMap.prototype, "setNamedItemNS", attachEmpty);
  }
  // An attribute node sets its element's attribute through `value`, and through Node's
  // `nodeValue` and `textContent`: those two are shadowed on Attr.prototype only, so text updates
  // of other nodes (hot in frameworks) pay nothing.
  if (win.Attr) {
    [[win.Attr.prototype, "value"], [n.N, "nodeValue"], [n.N, "textContent"]].forEach(function (p) {
      var d = describe(p[0], p[1]);
      if (!d || !d.set) return;
      defineProperty(win.Attr.prototype, p[1], {
        configurable: true, enumerable: d.enumerable, get: d.get,
        set: function (v) {
          var owner = attrOwner(this);
          // (`nodeValue = null` and `textContent = null` empty it; `value = null` sets "null".)
          if (owner) return viaProperty("Attr." + p[1], owner, attrName(this), v === null && p[0] === n.N ? "" : v);
          call(d.set, this, v);
        }
      });
    });
  }
  // An SVG element's `href.baseVal` sets its href: WebKit loads an SVG image as soon as it is
  // set, in the document or not. The animated string remembers the element it was read from.
  var animatedOwner = win.SVGAnimatedString && weakMap();
  var baseVal = animatedOwner && describe(win.SVGAnimatedString.prototype, "baseVal");
  if (baseVal && baseVal.set) {
    ["SVGImageElement", "SVGScriptElement", "SVGFEImageElement"].forEach(function (ctor) {
      var proto = win[ctor] && win[ctor].prototype;
      for (var o = proto; o && o !== E; o = Object.getPrototypeOf(o)) {
        var wrapped = wrapGetter(o, "href", function (get) {
          return function () { var s = call(get, this); if (s && typeof s === "object") animatedOwner.set(s, this); return s; };
        });
        if (wrapped) return;
      }
    });
    wrapSetter(win.SVGAnimatedString.prototype, "baseVal", function (nativeSet) {
      return function (v) {
        var owner = animatedOwner.get(this);
        if (owner) return viaProperty("href.baseVal", owner, "href", v);
        call(nativeSet, this, v);
      };
    });
  }
}
