// Attributes and properties that start a load: `setAttribute(NS)`, the URL property setters of
// the element table, attribute nodes (`setAttributeNode`, `setNamedItem`, `attr.value`,
// `nodeValue`, `textContent`), an SVG `href.baseVal`, and `new Audio(url)`. Every path ends in
// the guarded `setAttribute`, told which API it came through (for the audit line).
import { wrap, wrapSetter } from "./natives.js";

var SVG = "http://www.w3.org/2000/svg";
// The attributes a guard looks at (URLs, `srcdoc`, a site's mark): any other passes straight.
var WATCHED_ATTRIBUTE = new RegExp("^(?:" + URL_ATTRIBUTES.join("|") + "|srcdoc|data-consent|to|values|from|by|attributename|type|language)$", "i");
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
    try { return E.setAttribute.call(el, name, value); } finally { setterVia = outer; }
  }

  wrap(E, "setAttribute", function (orig) {
    return function (name, value) {
      if (!WATCHED_ATTRIBUTE.test(name) || r.exempt.has(this)) return orig.apply(this, arguments);
      var via = setterVia || "setAttribute";
      var lower = String(name).toLowerCase();
      if (lower === "data-consent") r.memo.forget(); // marked now: no tree is "clean" for sure
      if (this.namespaceURI === SVG && (this.localName === "set" || this.localName === "animate")) {
        var set = orig.apply(this, arguments);
        r.animation(this, via);
        return set;
      }
      if (SCRIPT_TYPE.test(lower)) {
        var typed = orig.apply(this, arguments);
        r.typeChanged(this, via);
        return typed;
      }
      if (lower === "srcdoc" && this.localName === "iframe") {
        var kept = r.srcdoc(this, String(value), via);
        return kept === null ? undefined : orig.call(this, name, kept);
      }
      var t = r.target(this);
      if (t && t.urls.indexOf(lower) >= 0) {
        // Elements are audited by the markup checkpoint once in the document; a detached image
        // or sound (a `new Image()` pixel) may never get there, so it is audited here.
        var pixel = (t.kind === KIND.img || t.kind === KIND.media) && !this.isConnected;
        var url = String(value);
        if (r.holdIfHeld(this, lower, url, t.kind, via, pixel || lower === "attributionsrc" ? via : "")) {
          // (A detached sound is not kept: one that plays on its own would start at the decision.)
          if (pixel && t.kind === KIND.img) keepPixel(this, lower, url, t.kind, via);
          else if (pixel) r.fail(this, "error");
          return;
        }
      }
      return orig.apply(this, arguments);
    };
  });
  // A held `new Image()` pixel waits for its service (beacons.js), then loads where it is (one
  // that joined the document meanwhile is the markup checkpoint's); dropped, or when none may
  // wait, it fails as it would behind an ad blocker.
  function keepPixel(el, attr, url, kind, via) {
    var failed = function () { if (!el.isConnected) r.fail(el, "error"); };
    var kept = r.beacons.keep({
      url: url, kind: kind, via: via, drop: failed,
      send: function () {
        if (el.isConnected || n.getAttr.call(el, "data-" + attr) !== url) return;
        ["data-" + attr, "data-consent", "data-sekisho-via"].forEach(function (a) { n.removeAttr.call(el, a); });
        n.setAttr.call(el, attr, url);
      }
    });
    if (!kept) failed();
  }
  // setAttributeNS keeps the name's case: without a namespace, only a lower-case name is the
  // attribute a browser loads from (`SRC` is not `src`).
  wrap(E, "setAttributeNS", function (orig) {
    return function (ns, name, value) {
      name = String(name);
      var local = name.replace(/^.*:/, "");
      if (!ns && local === local.toLowerCase()) return viaProperty("setAttributeNS", this, name, value);
      // xlink:href (SVG): the same check as setAttribute's.
      if (ns === "http://www.w3.org/1999/xlink" && local === "href") {
        var t = r.target(this);
        if (t && t.urls.indexOf("href") >= 0 && r.holdIfHeld(this, "href", String(value), t.kind, "setAttributeNS", "")) return;
      }
      return orig.call(this, ns, name, value);
    };
  });
  // Removing a script's type (or toggling it off) may make it runnable too. `owner(args)`: the
  // element and the attribute's name, before the call.
  function removal(owner) {
    return function (orig, name) {
      return function () {
        var o = owner(this, arguments);
        var result = orig.apply(this, arguments);
        if (o && o[0] && SCRIPT_TYPE.test(o[1])) r.typeChanged(o[0], name);
        return result;
      };
    };
  }
  var byName = function (el, args) { return [el, String(args[0])]; };
  var byNameNS = function (el, args) { return args[0] ? null : [el, String(args[1])]; };
  var byNode = function (el, args) { return args[0] && [el, String(args[0].name)]; };
  var inMap = function (ns) {
    return function (map, args) {
      var attr = ns ? args[0] ? null : map.getNamedItem(args[1]) : map.getNamedItem(args[0]);
      return attr && [attr.ownerElement, String(attr.name)];
    };
  };
  wrap(E, "removeAttribute", removal(byName));
  wrap(E, "removeAttributeNS", removal(byNameNS));
  wrap(E, "removeAttributeNode", removal(byNode));
  wrap(E, "toggleAttribute", removal(byName));
  if (win.NamedNodeMap) {
    wrap(win.NamedNodeMap.prototype, "removeNamedItem", removal(inMap(false)));
    wrap(win.NamedNodeMap.prototype, "removeNamedItemNS", removal(inMap(true)));
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

  // Attribute nodes: `setAttributeNode`, `attributes.setNamedItem` (and `attr.value = url`,
  // below). WebKit starts an image's load inside the call: a watched attribute joins its element
  // empty, then gets its value through the guarded `setAttribute`.
  var attrValue = win.Attr && Object.getOwnPropertyDescriptor(win.Attr.prototype, "value");
  function attachEmpty(orig, name) {
    return function (attr) {
      var value = attr && attrValue && attrValue.set && WATCHED_ATTRIBUTE.test(attr.name) ? attrValue.get.call(attr) : "";
      if (!value) return orig.apply(this, arguments);
      attrValue.set.call(attr, "");
      var result = orig.apply(this, arguments);
      var owner = attr.ownerElement;
      if (owner) viaProperty(name, owner, attr.name, value);
      else attrValue.set.call(attr, value);
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
      var d = Object.getOwnPropertyDescriptor(p[0], p[1]);
      if (!d || !d.set) return;
      Object.defineProperty(win.Attr.prototype, p[1], {
        configurable: true, enumerable: d.enumerable, get: d.get,
        set: function (v) {
          var owner = this.ownerElement;
          // (`nodeValue = null` and `textContent = null` empty it; `value = null` sets "null".)
          if (owner) return viaProperty("Attr." + p[1], owner, this.name, v === null && p[0] === n.N ? "" : v);
          d.set.call(this, v);
        }
      });
    });
  }
  // An SVG element's `href.baseVal` sets its href: WebKit loads an SVG image as soon as it is
  // set, in the document or not. The animated string remembers the element it was read from.
  var animatedOwner = typeof WeakMap === "function" && win.SVGAnimatedString && new WeakMap();
  var baseVal = animatedOwner && Object.getOwnPropertyDescriptor(win.SVGAnimatedString.prototype, "baseVal");
  if (baseVal && baseVal.set) {
    ["SVGImageElement", "SVGScriptElement", "SVGFEImageElement"].forEach(function (ctor) {
      var proto = win[ctor] && win[ctor].prototype;
      for (var o = proto; o && o !== E; o = Object.getPrototypeOf(o)) {
        var d = Object.getOwnPropertyDescriptor(o, "href");
        if (!d || !d.get) continue;
        Object.defineProperty(o, "href", {
          configurable: true, enumerable: d.enumerable,
          get: function () { var s = d.get.call(this); if (s && typeof s === "object") animatedOwner.set(s, this); return s; }
        });
        return;
      }
    });
    wrapSetter(win.SVGAnimatedString.prototype, "baseVal", function (nativeSet) {
      return function (v) {
        var owner = animatedOwner.get(this);
        if (owner) return viaProperty("href.baseVal", owner, "href", v);
        nativeSet.call(this, v);
      };
    });
  }
}
