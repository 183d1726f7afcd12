// Frames and realms: every same-origin child frame (about:blank, srcdoc, same-origin src) and
// every window a script opens gets the same guards, before the page's code can reach its
// fetch or Image; a held URL does not load into a named (maybe hidden) frame.
import { wrap, wrapGetter, apply, call, str, test, arraySlice, nodeType, localName, isFrameName, describe, defineProperty, weakSet } from "./natives.js";

// The elements whose content is a realm of its own, by local name: their interface.
var FRAME_ELEMENTS = { iframe: "HTMLIFrameElement", frame: "HTMLFrameElement", object: "HTMLObjectElement" };

/** @param {any} r the realm (index.js) */
export function guardFrames(r) {
  var win = r.win, n = r.natives;
  // Each frame element's native `contentDocument` getter (null, silently, when cross-origin).
  var nativeDocumentOf = {};
  var defaultView = describe(win.Document.prototype, "defaultView").get;
  for (var name in FRAME_ELEMENTS) {
    var frameProto = win[FRAME_ELEMENTS[name]] && win[FRAME_ELEMENTS[name]].prototype;
    var documentGetter = frameProto && describe(frameProto, "contentDocument");
    if (documentGetter && documentGetter.get) nativeDocumentOf[name] = documentGetter.get;
  }
  /** The same-origin realm of a frame element (its document's window), or null. */
  function realmOf(frame) {
    var get = nativeDocumentOf[localName(frame)];
    var doc = get && call(get, frame);
    return doc ? { win: call(defaultView, doc), doc: doc } : null;
  }

  function adoptFrames(node) {
    var type = nodeType(node);
    if (type !== 1 && type !== 11) return;
    var frames = localName(node) === "iframe" ? [node] : !node.firstElementChild ? []
      : type === 1 ? call(n.getByTag, node, "iframe") : n.findAll(node, "iframe");
    for (var i = 0; i < frames.length; i++) guardFrame(frames[i]);
  }
  // The frame documents handed to the markup checkpoint (once each: `contentWindow` may be read
  // in a loop).
  var observed = weakSet();
  function guardRealm(frame) {
    var realm = realmOf(frame); // (none when cross-origin: its own document, not ours to guard)
    if (!realm || !realm.win || observed.has(realm.doc)) return;
    r.install(realm.win);
    // The markup checkpoint watches (and releases in) the frame's document too.
    observed.add(realm.doc);
    if (r.policy.observe) r.policy.observe(realm.doc);
  }
  // The frames of this window not seen before (by `window[i]`, which reaches a frame's realm
  // without its element): guarded, with their element, when same-origin.
  var windowProto = win.Window && win.Window.prototype;
  var lengthOf = describe(win, "length") || (windowProto && describe(windowProto, "length"));
  var frameElementOf = describe(win, "frameElement") || (windowProto && describe(windowProto, "frameElement"));
  var seenWindows = weakSet();
  function guardNewFrames() {
    var count = lengthOf && lengthOf.get ? call(lengthOf.get, win) : 0;
    for (var i = 0; i < count; i++) {
      var w = win[i];
      if (!w || seenWindows.has(w)) continue;
      seenWindows.add(w);
      try {
        var frame = frameElementOf && frameElementOf.get ? call(frameElementOf.get, w) : null;
        if (frame) guardFrame(frame);
      } catch (e) { /* another origin's */ }
    }
  }
  function guardFrame(frame) {
    try { guardRealm(frame); } catch (e) { /* a realm being torn down */ }
    if (!frame.__sekishoLoad) {
      frame.__sekishoLoad = true;
      frame.addEventListener("load", function () { guardFrame(frame); });
    }
  }
  r.adoptFrames = adoptFrames;
  r.guardNewFrames = guardNewFrames;

  // An about:blank frame fires "load" synchronously while it is being inserted, before the
  // insertion guard returns: its handlers could take the frame's unguarded fetch or Image. A
  // capturing listener on the document runs before them (a "load" event's path ends at the
  // document), and guards the frame first.
  r.doc.addEventListener("load", function (e) {
    var t = e.target;
    if (!isFrameName(localName(t))) return;
    guardFrame(t);
    guardNewFrames(); // (its handler may reach another frame of the same insertion by `window[n]`)
  }, true);

  // A frame's realm reached through its element is guarded first: code that runs inside the very
  // insertion that creates a frame (a custom element's connectedCallback, a script of the same
  // fragment) can reach its about:blank realm before the insertion guard returns. (`window[0]`, a
  // WindowProxy's index, cannot be patched: README.)
  for (var local in nativeDocumentOf) {
    var proto = win[FRAME_ELEMENTS[local]].prototype;
    ["contentWindow", "contentDocument"].forEach(function (prop) {
      wrapGetter(proto, prop, function (get) {
        return function () {
          try { guardRealm(this); } catch (e) { /* not a frame element, or a realm being torn down */ }
          return call(get, this);
        };
      });
    });
  }

  // A custom element's reactions run inside the insertion that connects it (and the frames
  // beside it), where `window[n]` reaches a new frame before the insertion guard returns: each
  // reaction of a class defined from now on guards the window's new frames first. `define` reads
  // the callbacks from the class's prototype (once, after its own checks): through stand-in
  // getters, which read the page's and are taken away after.
  var CALLBACKS = ["connectedCallback", "disconnectedCallback", "adoptedCallback", "attributeChangedCallback", "connectedMoveCallback",
    "formAssociatedCallback", "formResetCallback", "formDisabledCallback", "formStateRestoreCallback"];
  var reflectGet = Reflect.get, reflectSet = Reflect.set, prototypeOf = Object.getPrototypeOf;
  wrap(win.CustomElementRegistry && win.CustomElementRegistry.prototype, "define", function (orig) {
    return function (name, constructor) {
      var proto = typeof constructor === "function" ? constructor.prototype : null;
      if (!proto || typeof proto !== "object") return apply(orig, this, arguments);
      /** @type {any[]} */
      var own = [];
      var restore = function () {
        for (var i = 0; i < own.length; i++) {
          if (own[i]) defineProperty(proto, CALLBACKS[i], own[i]);
          else delete proto[CALLBACKS[i]];
        }
      };
      try {
        for (var i = 0; i < CALLBACKS.length; i++) {
          own[i] = describe(proto, CALLBACKS[i]);
          defineProperty(proto, CALLBACKS[i], standIn(proto, CALLBACKS[i], own[i]));
        }
      } catch (e) { // (a frozen prototype: defined as it is)
        own.length = i;
        restore();
        return apply(orig, this, arguments);
      }
      try { return apply(orig, this, arguments); } finally { restore(); }
    };
  });
  // The stand-in for `name` on `proto` (`own`: the page's own property there, if any): read, what
  // the page's gives, a function wrapped; written (an upgrade's constructor may run inside
  // `define`: `this.connectedCallback = …`), what a write would do without it.
  /** @param {any} proto @param {string} name @param {PropertyDescriptor | undefined} own */
  function standIn(proto, name, own) {
    var parent = own ? null : prototypeOf(proto);
    return {
      configurable: true,
      get: function () {
        var f = own ? (own.get ? call(own.get, this) : own.value) : parent ? reflectGet(parent, name, this) : undefined;
        return typeof f !== "function" ? f : function () {
          guardNewFrames();
          return apply(f, this, arguments);
        };
      },
      set: function (/** @type {any} */ value) {
        if (own && own.set) return void call(own.set, this, value);
        if (own ? own.get || !own.writable : parent && !reflectSet(parent, name, value, this)) {
          throw new TypeError("Cannot assign to read only property '" + name + "'");
        }
        if (own || !parent) defineProperty(this, name, { value: value, writable: true, enumerable: true, configurable: true });
      }
    };
  }

  // A frame navigated by script (`frame.contentWindow.location = url`, `location.replace`, a
  // link or form of the frame's own): a `Location` cannot be patched, but the navigation is
  // announced to the frame's realm first (the Navigation API), where a held URL is cancelled.
  // What the visitor clicks is let through.
  guardNavigation(r);

  // A target that names a frame (or a window) rather than this page, its parents or a new window.
  r.namedFrame = function (name) {
    return !!name && !test(/^_(self|top|parent|blank)$/i, str(name));
  };
  // A same-origin window opened by script starts as about:blank in a realm of its own; a held
  // URL opened into a named frame does not load (as a link's: network.js).
  wrap(win, "open", function (orig) {
    return function (url, name) {
      var args = arraySlice(arguments);
      if (url != null) args[0] = url = str(url); // read once: the URL judged is the one opened
      if (url && r.namedFrame(name) && r.held(url, KIND.iframe, "open")) return null;
      var opened = apply(orig, this, args);
      try { if (opened) r.install(opened); } catch (e) { /* cross-origin or closed */ }
      return opened;
    };
  });
}

// The Navigation API's `navigate` event, in a frame's realm (not the top page's: leaving the page
// for an ad's link is the visitor's to do). Its natives are captured here, before page code.
/** @param {any} r the realm (index.js) */
function guardNavigation(r) {
  var win = r.win;
  var nav = win.navigation;
  var NavigateEvent = win.NavigateEvent;
  if (!nav || !NavigateEvent || win.parent === win) return;
  var getter = function (proto, prop) { var d = proto && describe(proto, prop); return d && d.get; };
  var destination = getter(NavigateEvent.prototype, "destination");
  var userInitiated = getter(NavigateEvent.prototype, "userInitiated");
  var destinationUrl = getter(win.NavigationDestination && win.NavigationDestination.prototype, "url");
  var cancelable = getter(win.Event.prototype, "cancelable");
  var preventDefault = win.Event.prototype.preventDefault;
  var listen = win.EventTarget.prototype.addEventListener;
  if (!destination || !destinationUrl || !cancelable) return;
  call(listen, nav, "navigate", function (e) {
    if (!call(cancelable, e) || (userInitiated && call(userInitiated, e))) return;
    var url = call(destinationUrl, call(destination, e));
    if (url && r.held(url, KIND.iframe, "navigation")) call(preventDefault, e);
  });
}
