// The guards of a worker that page code makes from a Blob (workers.js puts this function's
// source before the worker's script). In a worker nothing can ask the checkpoint synchronously: a
// third-party `fetch`, `XMLHttpRequest`, `WebSocket`, `EventSource`, `WebTransport`,
// `WebSocketStream` or font face waits for the page's answer,
// asked over a MessagePort that the page hands over as a dedicated worker's first message (taken
// before the worker's own listeners see it), or, in a shared worker (whose connections are the
// page's), over a BroadcastChannel whose name only the page and the worker know; a held one fails
// as a network error does. Self-contained: it is sent as source text, so it uses nothing from
// outside itself, and it captures the natives it calls before the worker's script runs.

/**
 * @param {string | null} script the worker's own classic script (a blob: URL), imported once the
 * guards are in; null in a module worker
 * @param {{ fetch: string, xhrSync: string[] }} words how this engine words a network error (a
 * synchronous XHR's: the words before and after its URL)
 * @param {string} [channel] the BroadcastChannel to ask on (a shared worker, and the workers it
 * makes); none: the port that comes as the first message; "": nobody (every request to another
 * origin is held)
 */
export function sekishoWorkerPrelude(script, words, channel) { // (named: the workers it makes get its source)
  "use strict";
  var g = /** @type {any} */ (self);
  var reflectApply = Reflect.apply;
  var uncurry = function (/** @type {Function} */ f) { return reflectApply(Function.prototype.bind, Function.prototype.call, [f]); };
  var describe = Object.getOwnPropertyDescriptor;
  var defineProperty = Object.defineProperty;
  var getter = function (/** @type {any} */ proto, /** @type {string} */ name) { return uncurry(describe(proto, name).get); };
  var NativeString = String, NativeURL = g.URL, NativePromise = Promise, NativeTypeError = TypeError;
  var DOMEx = g.DOMException, ProgressEv = g.ProgressEvent, Ev = g.Event;
  var then = uncurry(Promise.prototype.then);
  var exec = uncurry(RegExp.prototype.exec);
  var slice = uncurry(Array.prototype.slice);
  var mapGet = uncurry(Map.prototype.get), mapSet = uncurry(Map.prototype.set), mapDelete = uncurry(Map.prototype.delete);
  var weakGet = uncurry(WeakMap.prototype.get), weakSet = uncurry(WeakMap.prototype.set), weakDelete = uncurry(WeakMap.prototype.delete);
  var urlHref = getter(NativeURL.prototype, "href"), urlOrigin = getter(NativeURL.prototype, "origin"), urlProtocol = getter(NativeURL.prototype, "protocol");
  var requestUrl = g.Request && getter(g.Request.prototype, "url");
  var post = uncurry(g.MessagePort.prototype.postMessage); // (on a channel, the channel's)
  var dispatch = uncurry(g.EventTarget.prototype.dispatchEvent);
  var listen = uncurry(g.EventTarget.prototype.addEventListener), unlisten = uncurry(g.EventTarget.prototype.removeEventListener);
  var stopImmediately = uncurry(Ev.prototype.stopImmediatePropagation);
  var portsOf = getter(g.MessageEvent.prototype, "ports"), dataOf = getter(g.MessageEvent.prototype, "data");
  var startPort = uncurry(g.MessagePort.prototype.start);
  var upper = uncurry(String.prototype.toUpperCase), strSlice = uncurry(String.prototype.slice), indexOf = uncurry(String.prototype.indexOf);
  var setPrototypeOf = Object.setPrototypeOf, getPrototypeOf = Object.getPrototypeOf, ownNames = Object.getOwnPropertyNames;
  var construct = Reflect.construct, defineProperties = Object.defineProperties;
  var MessageEv = g.MessageEvent, CloseEv = g.CloseEvent;
  var later = g.setTimeout, clearLater = g.clearTimeout;
  var here = NativeString(g.location.href), origin = NativeString(g.location.origin);

  // Asking the page. Questions asked before the port arrives wait for it, in order. On a channel
  // every worker that shares it hears every answer: each takes only its own (ids of its own).
  /** @type {any} */
  var port = null;
  /** @type {any[] | null} */
  var unsent = [];
  var answers = new Map();
  var asked = 0;
  var idPrefix = NativeString(Math.random()) + ":";
  /** @param {any} message @param {any[]} [transfer] */
  function send(message, transfer) {
    if (port) post(port, message, transfer || []); else if (unsent) unsent[unsent.length] = [message, transfer || []];
  }
  /**
   * Whether the page holds `url`: a promise of a boolean. A held fire-and-forget request (`keep`)
   * is answered when its service is allowed, or held for good.
   * A synchronous request (`sync`) was failed already: the page only audits it (and says so
   * when it would have been allowed).
   * @param {string} url @param {string} kind @param {string} via @param {{ keep?: boolean, sync?: boolean }} how
   */
  function held(url, kind, via, how) {
    return new NativePromise(function (resolve) {
      if (channel === "") return resolve(true); // (nobody to ask: held)
      var id = idPrefix + ++asked;
      mapSet(answers, id, resolve);
      send({ id: id, url: url, kind: kind, via: via, keep: !!how.keep, sync: !!how.sync });
    });
  }
  /** @param {any} to */
  function hearAnswers(to) {
    listen(to, "message", function (/** @type {any} */ a) {
      var answer = dataOf(a);
      var resolve = answer && mapGet(answers, answer.id);
      if (!resolve) return;
      mapDelete(answers, answer.id);
      resolve(answer.held === true);
    });
  }
  if (channel === "") unsent = null; // a shared worker from a data: URL (an opaque origin: no channel reaches the page)
  else if (channel) {
    port = new g.BroadcastChannel(channel);
    post = uncurry(g.BroadcastChannel.prototype.postMessage); // (which takes no transfer list: ignored)
    hearAnswers(port);
    unsent = null;
  } else {
    listen(g, "message", function first(/** @type {any} */ e) {
      unlisten(g, "message", first);
      stopImmediately(e);
      port = portsOf(e)[0];
      hearAnswers(port);
      startPort(port);
      var waiting = unsent || [];
      unsent = null;
      for (var i = 0; i < waiting.length; i++) post(port, waiting[i][0], waiting[i][1]);
      started();
    });
  }
  // Once the worker's script is in (and the port here), the page lets go of its URL.
  var scriptIn = !script, startedSaid = false;
  function started() {
    if (startedSaid || !scriptIn || !port || channel !== undefined) return;
    startedSaid = true;
    post(port, { started: true });
  }

  // The absolute URL of a request to another origin over the network; null for this origin's,
  // blob: and data: URLs, and what the native rejects anyway (a relative URL: a blob: base has no
  // path to resolve it against).
  // A socket's ws: and wss: URLs are compared as the http: and https: ones of the same host.
  /** @param {string} url */
  function thirdParty(url) {
    var u;
    try { u = new NativeURL(url, here); } catch (e) { return null; }
    var scheme = urlProtocol(u);
    var href = urlHref(u);
    if (scheme === "ws:" || scheme === "wss:") {
      var asHttp = new NativeURL("http" + strSlice(href, 2));
      return urlOrigin(asHttp) === origin ? null : href;
    }
    if (scheme !== "http:" && scheme !== "https:") return null;
    return urlOrigin(u) === origin ? null : href;
  }

  // fetch: a third-party one waits for the answer; a held one rejects as a network error (a
  // `keepalive` one waits for its service, as the page's own do).
  var nativeFetch = g.fetch;
  if (nativeFetch) {
    g.fetch = function fetch(/** @type {any} */ input, /** @type {any} */ init) {
      if (!arguments.length) return reflectApply(nativeFetch, this, arguments); // (the native's TypeError)
      var args = slice(arguments);
      var url;
      if (requestUrl && input instanceof g.Request) url = requestUrl(input);
      else args[0] = url = NativeString(input); // read once: the URL judged is the one fetched
      var third = thirdParty(url);
      if (!third) return reflectApply(nativeFetch, this, args);
      var self = this;
      var keep = init && typeof init === "object" && "keepalive" in init ? init.keepalive === true : !!(requestUrl && input instanceof g.Request && input.keepalive);
      return then(held(third, "fetch", "fetch (worker)", { keep: keep }), function (isHeld) {
        if (isHeld) throw new NativeTypeError(words.fetch);
        return reflectApply(nativeFetch, self, args);
      });
    };
  }

  // XMLHttpRequest: a third-party one is sent when the page allows it; a held one fails as the
  // page's own do (network.js): "loadstart", then in a later task readyState 4,
  // "readystatechange", the upload's "error" and "loadend", "error" and "loadend". A synchronous
  // one cannot wait for an answer: it throws the NetworkError of a failed request.
  var XP = g.XMLHttpRequest && g.XMLHttpRequest.prototype;
  if (XP) {
    var nativeOpen = XP.open, nativeSend = XP.send, nativeAbort = XP.abort;
    var opened = new WeakMap(), pending = new WeakMap();
    var DONE = { configurable: true, enumerable: false, get: function () { return 4; } };
    var XHR_EVENT = g.XMLHttpRequestProgressEvent && g.XMLHttpRequestProgressEvent.prototype; // (WebKit's)
    /** @param {any} target @param {string} type */
    var progress = function (target, type) {
      var e = new ProgressEv(type, { lengthComputable: false, loaded: 0, total: 0 });
      if (XHR_EVENT) setPrototypeOf(e, XHR_EVENT);
      dispatch(target, e);
    };
    /** @param {any} xhr */
    var reset = function (xhr) {
      var timer = weakGet(pending, xhr);
      if (typeof timer === "number") clearLater(timer);
      weakDelete(pending, xhr);
      if (describe(xhr, "readyState")) delete xhr.readyState;
    };
    XP.open = function open(/** @type {any} */ method, /** @type {any} */ url) {
      var args = slice(arguments);
      if (args.length > 1) args[1] = NativeString(url); // read once
      weakSet(opened, this, args);
      reset(this);
      return reflectApply(nativeOpen, this, args);
    };
    XP.abort = function abort() { reset(this); return reflectApply(nativeAbort, this, arguments); };
    XP.send = function send(/** @type {any} */ body) {
      var o = weakGet(opened, this);
      var third = o && o.length > 1 ? thirdParty(o[1]) : null;
      if (!third) return reflectApply(nativeSend, this, arguments);
      var xhr = this, args = slice(arguments);
      if (o.length > 2 && !o[2]) {
        held(third, "xhr", "XMLHttpRequest (worker)", { sync: true });
        defineProperty(xhr, "readyState", DONE);
        throw new DOMEx(words.xhrSync[0] + third + words.xhrSync[1], "NetworkError");
      }
      var token = {};
      weakSet(pending, xhr, token);
      then(held(third, "xhr", "XMLHttpRequest (worker)", {}), function (isHeld) {
        if (weakGet(pending, xhr) !== token) return; // opened again or aborted meanwhile
        weakDelete(pending, xhr);
        if (!isHeld) return reflectApply(nativeSend, xhr, args);
        var method = upper(NativeString(o[0]));
        var withBody = body != null && method !== "GET" && method !== "HEAD";
        progress(xhr, "loadstart");
        if (withBody) progress(xhr.upload, "loadstart");
        weakSet(pending, xhr, later(function () {
          weakDelete(pending, xhr);
          defineProperty(xhr, "readyState", DONE);
          dispatch(xhr, new Ev("readystatechange"));
          if (withBody) { progress(xhr.upload, "error"); progress(xhr.upload, "loadend"); }
          progress(xhr, "error");
          progress(xhr, "loadend");
        }, 0));
      });
    };
  }

  // importScripts: a third-party URL the page holds (asked before the script ran: below) fails as
  // a script that does not load does.
  var nativeImportScripts = g.importScripts;
  var importVerdicts = new Map();
  if (typeof nativeImportScripts === "function") {
    g.importScripts = function importScripts() {
      var args = slice(arguments);
      for (var i = 0; i < args.length; i++) {
        args[i] = NativeString(args[i]); // read once
        var third = thirdParty(args[i]);
        if (third && mapGet(importVerdicts, third) === true) {
          throw new DOMEx("Failed to execute 'importScripts' on 'WorkerGlobalScope': The script at '" + third + "' failed to load.", "NetworkError");
        }
      }
      return reflectApply(nativeImportScripts, this, args);
    };
  }

  // `Guarded` takes the place of the constructor `g[name]` (`Native`), as the page's guards do it
  // (natives.js `standIn`): its name, statics (copied), parent (never the unguarded `Native`),
  // prototype and `instance.constructor`.
  /** @param {string} name @param {any} Native @param {any} Guarded */
  function standIn(name, Native, Guarded) {
    Guarded.prototype = Native.prototype;
    setPrototypeOf(Guarded, getPrototypeOf(Native));
    var keys = ownNames(Native);
    for (var i = 0; i < keys.length; i++) {
      var key = keys[i];
      if (key !== "length" && key !== "name" && key !== "prototype" && key !== "arguments" && key !== "caller") defineProperty(Guarded, key, describe(Native, key));
    }
    defineProperty(Guarded, "name", { value: name });
    defineProperty(Native.prototype, "constructor", { value: Guarded, writable: true, configurable: true, enumerable: false });
    g[name] = Guarded;
  }

  // WebSocket and EventSource: a third-party connection is an instance of its interface that is
  // CONNECTING while the page is asked. Allowed, it connects, and what the real one does goes
  // through it (its state, its events, send and close); held (or closed meanwhile), it fails as
  // the page's own held ones do (network.js): a socket fires "error" and "close" (code 1006), an
  // event source fires "error" and stays CONNECTING, failing again every 3 s until closed.
  /** @param {string} name @param {string} kind */
  function guardConnection(name, kind) {
    var Native = g[name];
    if (typeof Native !== "function") return;
    var socket = kind === "websocket";
    var Guarded = function (/** @type {any} */ url) {
      if (!new.target) return reflectApply(Native, this, arguments); // (the native's TypeError)
      var args = slice(arguments);
      if (args.length) args[0] = NativeString(url); // read once
      var third = args.length ? thirdParty(args[0]) : null;
      if (!third) return construct(Native, args, new.target);
      return waiting(Native, args, new.target, third);
    };
    standIn(name, Native, Guarded);
    var nativeAdd = g.EventTarget.prototype.addEventListener;
    var TYPES = ["open", "message", "error", "close"];

    /** @param {any} Native @param {any[]} args @param {any} newTarget @param {string} href */
    function waiting(Native, args, newTarget, href) {
      var c = construct(g.EventTarget, [], newTarget);
      /** @type {any} */
      var real = null;
      var state = 0, closed = false, timer = 0, binaryType = "blob";
      /** @type {any} */
      var handlers = {};
      /** @type {any} */
      var forwarded = {};
      var copy = function (/** @type {any} */ e) {
        if (e instanceof CloseEv) return new CloseEv(e.type, { code: e.code, reason: e.reason, wasClean: e.wasClean });
        if (e instanceof MessageEv) return new MessageEv(e.type, { data: e.data, origin: e.origin, lastEventId: e.lastEventId });
        return new Ev(e.type);
      };
      var forward = function (/** @type {string} */ type) {
        if (!real || forwarded[type]) return;
        forwarded[type] = true;
        listen(real, type, function (/** @type {any} */ e) { dispatch(c, copy(e)); });
      };
      var of = function (/** @type {string} */ prop, /** @type {any} */ otherwise) {
        return { get: function () { return real ? real[prop] : otherwise(); } };
      };
      /** @type {PropertyDescriptorMap} */
      var props = {
        url: of("url", function () { return href; }),
        readyState: of("readyState", function () { return state; }),
        // (An event source's named events: forwarded from the real one once listened to.)
        addEventListener: {
          value: function (/** @type {any} */ type) {
            forwarded[NativeString(type)] = forwarded[NativeString(type)] || false;
            forward(NativeString(type));
            return reflectApply(nativeAdd, this, arguments);
          }
        }
      };
      if (socket) {
        props.protocol = of("protocol", function () { return ""; });
        props.extensions = of("extensions", function () { return ""; });
        props.bufferedAmount = of("bufferedAmount", function () { return 0; });
        props.binaryType = {
          get: function () { return real ? real.binaryType : binaryType; },
          set: function (v) { if (real) real.binaryType = v; else if (v === "blob" || v === "arraybuffer") binaryType = v; }
        };
        props.send = {
          value: function () {
            if (real) return reflectApply(real.send, real, arguments);
            if (state === 0) throw new DOMEx("Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.", "InvalidStateError");
          }
        };
        props.close = { value: function () { if (real) return reflectApply(real.close, real, arguments); closed = true; if (state < 2) state = 2; } };
      } else {
        var options = args[1];
        props.withCredentials = of("withCredentials", function () { return !!(options && options.withCredentials); });
        props.close = { value: function () { if (real) return real.close(); closed = true; state = 2; clearLater(timer); } };
      }
      // An event handler property listens from the first time it is set, as the platform's do.
      for (var i = 0; i < TYPES.length; i++) {
        (function (type) {
          props["on" + type] = {
            get: function () { return handlers[type] || null; },
            set: function (f) {
              if (!(type in handlers)) listen(c, type, function (/** @type {any} */ e) { if (handlers[type]) reflectApply(handlers[type], c, [e]); });
              handlers[type] = typeof f === "function" ? f : null;
            }
          };
        })(TYPES[i]);
      }
      defineProperties(c, props);
      var fail = function () {
        if (!socket && state === 2) return;
        if (socket) state = 3;
        dispatch(c, new Ev("error"));
        if (socket) dispatch(c, new CloseEv("close", { code: 1006, reason: "", wasClean: false }));
        else if (state === 0) timer = later(fail, 3000);
      };
      then(held(href, kind, name + " (worker)", {}), function (isHeld) {
        if (isHeld || closed) return void (timer = later(fail, 0));
        real = construct(Native, args, Native);
        if (socket) real.binaryType = binaryType;
        for (var t = 0; t < TYPES.length; t++) forwarded[TYPES[t]] = forwarded[TYPES[t]] || false;
        for (var type in forwarded) forward(type);
      });
      return c;
    }
  }
  guardConnection("WebSocket", "websocket");
  guardConnection("EventSource", "eventsource");

  // WebTransport and WebSocketStream: a third-party session is an instance of its interface whose
  // promises (`ready`/`opened`, `closed`) and methods wait for the page's answer. Allowed, the
  // real session is made and the stand-in hands on what it does (its promises, methods, streams
  // and attributes); held, or closed meanwhile, its promises reject as a failed handshake's do.
  /** @param {string} name @param {string[]} promises @param {(promise: string) => any} failure the error a failed handshake rejects `promise` with */
  function guardSession(name, promises, failure) {
    var Native = g[name];
    if (typeof Native !== "function") return;
    var proto = Native.prototype, members = ownNames(proto);
    /** @type {any} */
    var isPromise = {};
    for (var p = 0; p < promises.length; p++) isPromise[promises[p]] = true;
    standIn(name, Native, function (/** @type {any} */ url) {
      if (!new.target) return reflectApply(Native, this, arguments); // (the native's TypeError)
      var args = slice(arguments);
      if (args.length) args[0] = NativeString(url); // read once
      var third = args.length ? thirdParty(args[0]) : null;
      if (!third) return construct(Native, args, new.target);
      /** @type {any} */
      var real = null, closedEarly = false, refused = null;
      var session = then(held(third, "websocket", name + " (worker)", {}), function (isHeld) {
        if (isHeld || closedEarly) throw (refused = failure(""));
        return (real = construct(Native, args, Native));
      });
      /** @type {PropertyDescriptorMap} */
      var props = {};
      for (var i = 0; i < members.length; i++) {
        var member = members[i], d = describe(proto, member);
        if (member === "constructor" || !d) continue;
        props[member] = typeof d.value === "function" ? { value: method(member) } : isPromise[member] === true
          ? { value: then(session, valueOf(member), failedAs(member)) }
          : { get: attribute(member, member === "url" ? third : undefined), set: d.set && setter(member) };
      }
      /** @param {string} m */
      function method(m) {
        return function () {
          var a = slice(arguments);
          if (real) return reflectApply(real[m], real, a);
          if (m === "close") { closedEarly = true; return; }
          return then(session, function (/** @type {any} */ r) { return reflectApply(r[m], r, a); });
        };
      }
      // (Each promise of a refused session rejects with an error of its own, as the engine's do.)
      /** @param {string} m */
      function failedAs(m) { return function (/** @type {any} */ e) { throw e === refused ? failure(m) : e; }; }
      /** @param {string} m @param {any} otherwise */
      function attribute(m, otherwise) { return function () { return real ? real[m] : otherwise; }; }
      /** @param {string} m */
      function setter(m) { return function (/** @type {any} */ v) { if (real) real[m] = v; }; }
      var stand = construct(Object, [], new.target); // (an instance of the interface, with its own members)
      defineProperties(stand, props);
      return stand;
    });
  }
  /** @param {string} m */
  function valueOf(m) { return function (/** @type {any} */ r) { return r[m]; }; }

  var TransportError = g.WebTransportError, SocketError = g.WebSocketError;
  /** (network.js `transportError`: the prelude is self-contained) @param {any} TransportError @param {string} message */
  function transportError(TransportError, message) {
    var e;
    try { e = new TransportError(message, { source: "session" }); } catch (x) { e = new TransportError({ message: message }); }
    if (e.source !== "session") defineProperty(e, "source", { value: "session" });
    return e;
  }
  guardSession("WebTransport", ["ready", "closed", "draining"], function () {
    return TransportError ? transportError(TransportError, "Opening handshake failed.") : new DOMEx("Opening handshake failed.", "NetworkError");
  });
  guardSession("WebSocketStream", ["opened", "closed"], function (/** @type {string} */ promise) {
    return SocketError ? new SocketError(promise === "closed" ? "WebSocket was not cleanly closed." : "WebSocket closed before handshake complete.")
      : new DOMEx("Opening handshake failed.", "NetworkError");
  });

  // FontFace: a face whose source names a third-party URL loads it only once the page allows it —
  // `load()` and the worker's `fonts.add()` wait for the answer (held: `load()` rejects as a
  // failed load does, and the face is not added).
  var NativeFontFace = g.FontFace, FontSet = g.FontFaceSet;
  if (typeof NativeFontFace === "function") {
    var fontAnswers = new WeakMap();
    var isView = ArrayBuffer.isView, bufferLength = getter(ArrayBuffer.prototype, "byteLength");
    var fromCodePoint = String.fromCodePoint, hexValue = parseInt;
    /** @param {any} x */
    var isBufferSource = function (x) {
      if (x === null || typeof x !== "object") return false;
      if (isView(x)) return true;
      try { bufferLength(x); return true; } catch (e) { return false; }
    };
    /** CSS text with its escapes decoded (natives.js `unescapeCss`). @param {string} css */
    var unescapeCss = function (css) {
      var re = /\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|([^\n\r\f0-9a-fA-F]))/g, out = "", from = 0, m;
      while ((m = exec(re, css)) !== null) {
        var cp = m[1] ? hexValue(m[1], 16) : 0;
        out += strSlice(css, from, m.index) + (!m[1] ? m[2] : cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? "\ufffd" : fromCodePoint(cp));
        from = re.lastIndex;
      }
      return out + strSlice(css, from);
    };
    /** Whether any of `answers` (promises of booleans) is true: a promise settled by the captured natives. @param {any[]} answers */
    var anyHeld = function (answers) {
      return new NativePromise(function (resolve) {
        var left = answers.length;
        if (!left) resolve(false);
        for (var i = 0; i < answers.length; i++) {
          then(answers[i], function (/** @type {boolean} */ isHeld) {
            if (isHeld) resolve(true);
            else if (--left === 0) resolve(false);
          });
        }
      });
    };
    // (A source that is no buffer is CSS text to the engine: an object by its toString, converted once.)
    standIn("FontFace", NativeFontFace, function (/** @type {any} */ family, /** @type {any} */ source) {
      if (!new.target) return reflectApply(NativeFontFace, this, arguments); // (the native's TypeError)
      var args = slice(arguments);
      /** @type {any[]} */
      var asks = [];
      if (args.length > 1 && !isBufferSource(source)) {
        if (typeof source === "symbol") throw new NativeTypeError("Cannot convert a Symbol value to a string");
        args[1] = NativeString(source); // read once
        var re = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)/gi, text = unescapeCss(args[1]), m;
        while ((m = exec(re, text)) !== null) {
          var third = thirdParty(m[1] != null ? m[1] : m[2] != null ? m[2] : m[3]);
          if (third) asks[asks.length] = held(third, "link", "FontFace (worker)", {});
        }
      }
      var face = construct(NativeFontFace, args, new.target);
      if (asks.length) weakSet(fontAnswers, face, anyHeld(asks));
      return face;
    });
    var nativeLoad = NativeFontFace.prototype.load;
    NativeFontFace.prototype.load = function load() {
      var answer = weakGet(fontAnswers, this), face = this;
      if (!answer) return reflectApply(nativeLoad, this, arguments);
      return then(answer, function (/** @type {boolean} */ isHeld) {
        if (isHeld) throw new DOMEx("A network error occurred.", "NetworkError");
        return reflectApply(nativeLoad, face, []);
      });
    };
    // (The set's `load()` waits for the faces added meanwhile: it loads them once allowed.)
    var FP = FontSet && FontSet.prototype, nativeAdd = FP && FP.add, nativeSetLoad = FP && FP.load;
    var addsOf = new WeakMap();
    if (typeof nativeAdd === "function" && typeof nativeSetLoad === "function") {
      FP.add = function add(/** @type {any} */ face) {
        var answer = weakGet(fontAnswers, face), set = this;
        if (!answer) return reflectApply(nativeAdd, this, arguments);
        var adds = weakGet(addsOf, set) || [];
        adds[adds.length] = then(answer, function (/** @type {boolean} */ isHeld) { if (!isHeld) reflectApply(nativeAdd, set, [face]); });
        weakSet(addsOf, set, adds);
        return this;
      };
      FP.load = function load() {
        var adds = weakGet(addsOf, this), set = this, args = slice(arguments);
        if (!adds) return reflectApply(nativeSetLoad, this, args);
        weakDelete(addsOf, set);
        return then(anyHeld(adds), function () { return reflectApply(nativeSetLoad, set, args); });
      };
    }
  }

  // Workers this worker makes from a Blob or a data: URL get these guards too, and ask the page
  // through a port this worker hands to it (`adopt`), as the page's own workers do (workers.js),
  // or on the same channel.
  var NativeWorker = g.Worker, U = g.URL, NativeBlob = g.Blob;
  if (typeof NativeWorker === "function" && U && typeof U.createObjectURL === "function" && g.MessageChannel) {
    var createUrl = U.createObjectURL, revokeUrl = U.revokeObjectURL, stringify = JSON.stringify;
    var blobSize = getter(NativeBlob.prototype, "size");
    var blobs = new Map();
    var postToWorker = uncurry(NativeWorker.prototype.postMessage);
    var port1Of = getter(g.MessageChannel.prototype, "port1"), port2Of = getter(g.MessageChannel.prototype, "port2");
    /** @param {any} source */
    var makeScript = function (source) { return reflectApply(createUrl, U, [new NativeBlob([source], { type: "text/javascript" })]); };
    var encode = encodeURIComponent;
    /** @param {string} source */
    var dataScript = function (source) { return "data:text/javascript," + encode(source); };
    /** @param {string} url */
    var isData = function (url) { try { return urlProtocol(new NativeURL(url)) === "data:"; } catch (e) { return false; } };
    U.createObjectURL = function createObjectURL(/** @type {any} */ object) {
      var url = reflectApply(createUrl, this, arguments);
      try { blobSize(object); mapSet(blobs, NativeString(url), object); } catch (e) { /* not a Blob */ }
      return url;
    };
    U.revokeObjectURL = function revokeObjectURL(/** @type {any} */ url) {
      mapDelete(blobs, NativeString(url));
      return reflectApply(revokeUrl, this, arguments);
    };
    var prelude = "(" + sekishoWorkerPrelude + ")";
    standIn("Worker", NativeWorker, function (/** @type {any} */ url) {
      if (!new.target) return reflectApply(NativeWorker, this, arguments); // (the native's TypeError)
      var args = slice(arguments);
      if (args.length) args[0] = NativeString(url); // read once
      var blob = args.length ? mapGet(blobs, args[0]) : undefined;
      var data = !blob && args.length && isData(args[0]);
      if (!blob && !data) return construct(NativeWorker, args, new.target);
      var options = args[1];
      var module = !!(options && typeof options === "object" && NativeString(options.type) === "module");
      var own = blob ? makeScript(blob) : args[0];
      var make = blob ? makeScript : dataScript;
      // (On a channel: a worker from a data: URL runs in an opaque origin, which the channel does
      // not reach — it has nobody to ask.)
      var asks = typeof channel === "string" ? "," + stringify(data ? "" : channel) : "";
      var guards = prelude + "(" + (module ? "null" : stringify(own)) + "," + stringify(words) + asks + ");";
      args[0] = make(module ? "import " + stringify(make(guards)) + ";import " + stringify(own) + ";" : guards);
      var worker = construct(NativeWorker, args, new.target);
      if (typeof channel === "string") return worker;
      var ports = new g.MessageChannel();
      postToWorker(worker, null, [port2Of(ports)]);
      send({ adopt: true }, [port1Of(ports)]);
      return worker;
    });
  }

  // The worker's own script, now that the guards are in (a module worker's is imported next). One
  // from a data: URL is imported as JavaScript whatever type it names (a worker started from it
  // runs it so; importScripts would refuse another type).
  /** @param {string} url */
  function asScript(url) {
    var u;
    try { u = new NativeURL(url); } catch (e) { return url; }
    if (urlProtocol(u) !== "data:") return url;
    var href = urlHref(u), comma = indexOf(href, ","), semicolon = indexOf(href, ";");
    if (comma < 0) return url;
    return "data:text/javascript" + (semicolon >= 0 && semicolon < comma ? strSlice(href, semicolon) : strSlice(href, comma));
  }
  if (script) startAfterImports(asScript(script));

  // importScripts is synchronous: a worker cannot wait there for the page's answer. The absolute
  // URLs a classic worker's script names in `importScripts(…)` calls are asked first, while its
  // script waits (the page's messages and connections meanwhile are kept, and dispatched again,
  // in order, once it has run); a held one then fails as a script that does not load does (a
  // NetworkError). A URL the text does not spell out (computed) is not judged (README).
  /** @param {string} own the worker's script (a URL of Sekisho's, or the page's data: URL) */
  function startAfterImports(own) {
    var urls = importedUrls(own);
    if (!urls.length) return imported(own);
    /** @type {any[]} */
    var kept = [];
    var keep = function (/** @type {any} */ e) { stopImmediately(e); kept[kept.length] = e; };
    listen(g, "message", keep);
    listen(g, "connect", keep);
    var waiting = urls.length;
    for (var i = 0; i < urls.length; i++) {
      (function (url) {
        then(held(url, "script", "importScripts (worker)", {}), function (isHeld) {
          mapSet(importVerdicts, url, isHeld);
          if (--waiting) return;
          unlisten(g, "message", keep);
          unlisten(g, "connect", keep);
          try { imported(own); } catch (err) {
            later(function () { throw err; }, 0); // (reported as the script's own error, not a rejection)
          } finally {
            for (var k = 0; k < kept.length; k++) {
              var e = kept[k];
              dispatch(g, new MessageEv(e.type, { data: dataOf(e), origin: e.origin, lastEventId: e.lastEventId, source: e.source, ports: slice(portsOf(e)) }));
            }
          }
        });
      })(urls[i]);
    }
  }
  /** @param {string} own */
  function imported(own) {
    try { reflectApply(nativeImportScripts, g, [own]); } finally { scriptIn = true; started(); }
  }
  /** The absolute third-party URLs of the `importScripts("…")` calls in a script's text. @param {string} own */
  function importedUrls(own) {
    var text = "", out = [];
    try {
      var x = new g.XMLHttpRequest();
      reflectApply(nativeOpen, x, ["GET", own, false]);
      reflectApply(nativeSend, x, []);
      text = NativeString(x.responseText);
    } catch (e) { return out; }
    var calls = /importScripts\s*\(([^)]*)\)/g, literal = /(["'`])\s*((?:https?:)?\/\/[^"'`\s]+)\s*\1/g, call, m;
    while ((call = exec(calls, text)) !== null) {
      literal.lastIndex = 0;
      while ((m = exec(literal, call[1])) !== null) {
        var third = thirdParty(m[2]);
        if (third && mapGet(importVerdicts, third) === undefined) { mapSet(importVerdicts, third, true); out[out.length] = third; }
      }
    }
    return out;
  }
}
