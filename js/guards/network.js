// Network APIs: fetch, XMLHttpRequest, sendBeacon, fetchLater, Cache.add(All), worklet modules,
// WebSocket, EventSource, WebTransport, WebSocketStream, form submission and <a ping>. A held
// call fails as a network error does, where page code can see it (e2e runtime-overblocks compares
// each with a real one in the same page), and never hangs; a held fire-and-forget request waits
// for its service instead (beacons.js).
import {
  wrap, apply, call, str, test, words, strSlice, construct, arraySlice, describe, defineProperty, weakMap,
  hasOwn, localName, any, includes, cssUrls, standIn, domString
} from "./natives.js";

/** @param {any} r the realm (index.js) */
export function guardNetwork(r) {
  var win = r.win, n = r.natives, held = r.held;
  var arrayFrom = Array.from;

  // What a RequestInfo fetches, read once: a Request's URL (its native getter), or the string the
  // native would make of anything else — and what the native is then given (that same string).
  var requestUrlGetter = win.Request && describe(win.Request.prototype, "url");
  function request(input) {
    if (input && typeof input === "object" && requestUrlGetter) {
      try { return { url: call(requestUrlGetter.get, input), input: input }; } catch (e) { /* not a Request */ }
    }
    var url = str(input);
    return { url: url, input: url };
  }
  // The arguments with the first one replaced.
  function withFirst(args, first) {
    var copy = arraySlice(args);
    copy[0] = first;
    return copy;
  }
  // A held call fails as a network error does, with the engine's own words (a real failing
  // request cannot stand in: a dead `blob:` or `data:` URL breaks the page's CSP, and reports it).
  var errorWords = null;
  function failed() { return errorWords || (errorWords = networkErrors(win)); }
  function fetchError() { return Promise.reject(new TypeError(failed().fetch)); }
  // A fetch the page does not wait on the answer of (`keepalive`: it may outlive the page).
  function keepalive(input, init) {
    return init && typeof init === "object" && "keepalive" in init ? init.keepalive === true
      : !!(input && typeof input === "object" && input.keepalive === true);
  }
  wrap(win, "fetch", function (orig) {
    return function (input, init) {
      if (!arguments.length) return apply(orig, this, arguments); // (the native's TypeError)
      var req = request(input);
      var args = withFirst(arguments, req.input);
      var url = r.resolve(req.url);
      if (!held(url, KIND.fetch, "fetch")) return apply(orig, this, args);
      if (!keepalive(input, init)) return fetchError();
      var self = this;
      // A keepalive hit waits for its service: its promise settles with the fetch made then.
      return new Promise(function (resolve, reject) {
        var kept = r.beacons.keep({
          url: url, kind: KIND.fetch, via: "fetch",
          send: function () { apply(orig, self, args).then(resolve, reject); },
          drop: function () { reject(new TypeError(failed().fetch)); }
        });
        if (!kept) reject(new TypeError(failed().fetch));
      });
    };
  });
  // Cache.add / addAll fetch their URLs: a held one fails the way a blocked fetch does.
  if (win.Cache) {
    ["add", "addAll"].forEach(function (m) {
      wrap(win.Cache.prototype, m, function (orig) {
        return function (requests) {
          // addAll takes any iterable: read it once, and hand the same items on.
          var list = m === "add" ? [requests] : requests == null ? [] : arrayFrom(requests);
          for (var i = 0; i < list.length; i++) {
            var req = request(list[i]);
            list[i] = req.input;
            if (held(req.url, KIND.fetch, "Cache." + m)) return fetchError();
          }
          return m === "add" ? call(orig, this, list[0]) : call(orig, this, requests == null ? requests : list);
        };
      });
    });
  }
  // Worklets (CSS paint, audio) fetch their module: a held one fails as a module load does.
  if (win.Worklet) {
    wrap(win.Worklet.prototype, "addModule", function (orig) {
      return function (url) {
        url = str(url);
        if (!held(url, KIND.script, "addModule")) return call(orig, this, url, arguments[1]);
        var absolute = url;
        try { absolute = new win.URL(url, r.doc.baseURI).href; } catch (e) { /* as given */ }
        return Promise.reject(new win.DOMException(failed().worklet(absolute), "AbortError"));
      };
    });
  }
  // fetchLater (a deferred beacon): a held one is never activated.
  wrap(win, "fetchLater", function (orig) {
    return function (input) {
      var req = request(input);
      if (held(req.url, KIND.beacon, "fetchLater")) return { activated: false };
      return apply(orig, this, withFirst(arguments, req.input));
    };
  });
  // XMLHttpRequest: judged when sent. A held one fails as the XHR standard's "request error
  // steps" make a network error fail: an asynchronous one fires "loadstart" (and the upload's)
  // now, then in a later task readyState 4, "readystatechange", the upload's "error" and
  // "loadend", "error" and "loadend" (ProgressEvents); a synchronous one throws a NetworkError.
  // Status, headers and response stay those of an unsent request: empty. Only `readyState`
  // cannot be moved on the native object: the request gets its own until it is opened again.
  if (win.XMLHttpRequest && r.xhrOpened) {
    var XP = win.XMLHttpRequest.prototype;
    var pending = weakMap();
    var DONE = { configurable: true, enumerable: false, get: function () { return 4; } };
    var reset = function (xhr) {
      clearTimeout(pending.get(xhr));
      if (call(hasOwn, xhr, "readyState")) delete xhr.readyState;
    };
    // (WebKit's are of a subclass of ProgressEvent.)
    var XHR_EVENT = win.XMLHttpRequestProgressEvent && win.XMLHttpRequestProgressEvent.prototype;
    var progress = function (target, type, total) {
      var e = new win.ProgressEvent(type, { lengthComputable: total > 0, loaded: 0, total: total || 0 });
      if (XHR_EVENT) Object.setPrototypeOf(e, XHR_EVENT);
      target.dispatchEvent(e);
    };
    wrap(XP, "open", function (orig) {
      return function (method, url) {
        var args = arraySlice(arguments);
        if (args.length > 1) args[1] = str(url); // read once: the URL judged is the one opened
        r.xhrOpened.set(this, args);
        reset(this);
        return apply(orig, this, args);
      };
    });
    wrap(XP, "abort", function (orig) {
      return function () { reset(this); return apply(orig, this, arguments); };
    });
    wrap(XP, "send", function (orig) {
      return function (body) {
        var opened = r.xhrOpened.get(this);
        if (!opened || opened.length < 2 || !held(opened[1], KIND.xhr, "XMLHttpRequest")) return apply(orig, this, arguments);
        var xhr = this;
        if (test(/^(GET|HEAD)$/i, str(opened[0]))) body = null;
        if (opened.length > 2 && !opened[2]) {
          defineProperty(xhr, "readyState", DONE);
          throw new win.DOMException(failed().xhrSync(opened[1]), "NetworkError");
        }
        var size = body == null ? 0 : bodySize(body);
        progress(xhr, "loadstart", 0);
        if (body != null) progress(xhr.upload, "loadstart", size);
        pending.set(xhr, setTimeout(function () {
          defineProperty(xhr, "readyState", DONE);
          xhr.dispatchEvent(new win.Event("readystatechange"));
          if (body != null) { progress(xhr.upload, "error", 0); progress(xhr.upload, "loadend", 0); }
          progress(xhr, "error", 0);
          progress(xhr, "loadend", 0);
        }, 0));
      };
    });
  }
  // The bytes a request body would send (0 when only the browser could tell: form data).
  function bodySize(body) {
    if (typeof body === "string") return new win.Blob([body]).size;
    if (body instanceof win.Blob) return body.size;
    if (body && typeof body.byteLength === "number") return body.byteLength;
    if (body instanceof win.URLSearchParams) return new win.Blob([str(body)]).size;
    return 0;
  }
  // sendBeacon: a held beacon waits for its service (beacons.js). Like a beacon that meets a
  // network error, it is "queued": true.
  if (win.Navigator) {
    wrap(win.Navigator.prototype, "sendBeacon", function (orig) {
      return function (url, data) {
        if (!arguments.length) return apply(orig, this, arguments); // (the native's TypeError)
        url = r.resolve(url);
        if (!held(url, KIND.beacon, "sendBeacon")) return apply(orig, this, withFirst(arguments, url));
        var navigator = this;
        var body = snapshot(data);
        r.beacons.keep({
          url: url, kind: KIND.beacon, via: "sendBeacon",
          send: function () { call(orig, navigator, url, body); },
          drop: function () {}
        });
        return true;
      };
    });
  }
  // A beacon's body as it is now: later changes by the page do not reach it (strings and blobs
  // cannot change; form data, search parameters and bytes are copied).
  function snapshot(data) {
    if (data instanceof win.FormData) {
      var copy = new win.FormData();
      data.forEach(function (value, name) { copy.append(name, value); });
      return copy;
    }
    if (data instanceof win.URLSearchParams) return new win.URLSearchParams(data);
    if (data instanceof ArrayBuffer) return data.slice(0);
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    return data;
  }

  // Connections made with `new`: a held one gets `fake(url)`, which fails as a blocked one would.
  function guardConstructor(name, kind, fake) {
    var Orig = win[name];
    if (typeof Orig !== "function") return;
    var Guarded = function (url) {
      if (!(this instanceof Guarded)) return apply(Orig, this, arguments);
      url = str(url);
      if (held(url, kind, name)) return fake(Orig, url, arguments[1]);
      var args = arraySlice(arguments);
      args[0] = url; // read once: the URL judged is the one connected to
      return construct(Orig, args, new.target || Orig);
    };
    standIn(win, name, Orig, Guarded);
  }
  // A WebSocket or EventSource that fails as one to an unreachable host does: an instance of its
  // interface (instanceof, toString) that starts CONNECTING. A socket then fails for good in a
  // later task: CLOSED, "error", "close" (code 1006, not clean). An event source, as after a
  // network error, fires "error" and stays CONNECTING, trying again (and failing) every few
  // seconds until it is closed. Its attributes and handlers are its own.
  function failedConnection(socket) {
    return function (Orig, url, options) {
      var c = construct(win.EventTarget, [], Orig);
      var state = 0;
      var handlers = {};
      var timer = 0;
      var href = url;
      try { href = new win.URL(url, r.doc.baseURI).href; } catch (e) { /* as given */ }
      var props = {
        url: { value: socket && strSlice(href, 0, 4) === "http" ? "ws" + strSlice(href, 4) : href },
        readyState: { get: function () { return state; } }
      };
      if (socket) {
        props.protocol = props.extensions = { value: "" };
        props.bufferedAmount = { value: 0 };
        props.binaryType = { value: "blob", writable: true };
        props.send = {
          value: function () {
            if (state === 0) throw new win.DOMException("Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.", "InvalidStateError");
          }
        };
        props.close = { value: function () { if (state < 2) state = 2; } };
      } else {
        props.withCredentials = { value: !!(options && options.withCredentials) };
        props.close = { value: function () { state = 2; clearTimeout(timer); } };
      }
      // An event handler property listens from the first time it is set, as the platform's do.
      ["open", "message", "error", "close"].forEach(function (type) {
        props["on" + type] = {
          get: function () { return handlers[type] || null; },
          set: function (f) {
            if (!(type in handlers)) c.addEventListener(type, function (e) { if (handlers[type]) call(handlers[type], c, e); });
            handlers[type] = typeof f === "function" ? f : null;
          }
        };
      });
      Object.defineProperties(c, props);
      var fail = function () {
        if (state === 2 && !socket) return;
        if (socket) state = 3;
        c.dispatchEvent(new win.Event("error"));
        if (socket) c.dispatchEvent(new win.CloseEvent("close", { code: 1006, reason: "", wasClean: false }));
        else if (state === 0) timer = setTimeout(fail, 3000);
      };
      timer = setTimeout(fail, 0);
      return c;
    };
  }
  // A font face whose source lists URLs (`url(…)`, as CSS writes them): a held one gets a source
  // that fails as a network error does, with no request (`local()` of no font: `load()` rejects
  // with a NetworkError).
  // A source that is no buffer is CSS text to the engine (an object by its toString: converted once,
  // here, and judged).
  if (typeof win.FontFace === "function") {
    var OrigFontFace = win.FontFace;
    var GuardedFontFace = function FontFace(family, source) {
      var args = arraySlice(arguments);
      if (args.length > 1 && !isBufferSource(source)) {
        args[1] = domString(source); // read once
        if (any(cssUrls(args[1]), function (url) { return held(url, KIND.link, "FontFace"); })) {
          args[1] = 'local("sekisho: held")';
        }
      }
      return construct(OrigFontFace, args, new.target || OrigFontFace);
    };
    standIn(win, "FontFace", OrigFontFace, GuardedFontFace);
  }
  // A payment request fetches the manifest of each payment method named by URL: a held one is
  // named by an identifier no browser knows instead (unsupported, as after a failed fetch; no
  // request). The methods are read once, into copies the native reads.
  if (typeof win.PaymentRequest === "function") {
    var OrigPayment = win.PaymentRequest;
    var GuardedPayment = function PaymentRequest(methods) {
      var args = arraySlice(arguments);
      if (methods != null && typeof methods === "object") {
        var list = arrayFrom(methods);
        for (var i = 0; i < list.length; i++) {
          var m = list[i];
          if (!m || typeof m !== "object") continue;
          var id = str(m.supportedMethods);
          var blocked = test(/^https:/i, id) && held(id, KIND.fetch, "PaymentRequest");
          list[i] = { supportedMethods: blocked ? "sekisho-held" : id, data: m.data };
        }
        args[0] = list;
      }
      return construct(OrigPayment, args, new.target || OrigPayment);
    };
    standIn(win, "PaymentRequest", OrigPayment, GuardedPayment);
  }
  guardConstructor("WebSocket", KIND.websocket, failedConnection(true));
  guardConstructor("EventSource", KIND.eventsource, failedConnection(false));
  // A WebTransport session, or a WebSocketStream, that failed its handshake: an instance of its
  // interface whose promises reject as a refused one's do (each with the engine's own error class
  // and words: `failure(promise)`; left unhandled, as the engine leaves them), whose other methods
  // answer with the same failure (`close()`: nothing to close), whose incoming streams are errored
  // and whose other attributes read as empty.
  var ownNames = Object.getOwnPropertyNames, defineProperties = Object.defineProperties;
  var Readable = win.ReadableStream, Writable = win.WritableStream;
  function failedSession(promises, failure) {
    return function (Orig, url, options) {
      var proto = Orig.prototype, names = ownNames(proto);
      /** @type {PropertyDescriptorMap} */
      var props = {};
      var href = url;
      try { href = new win.URL(url, r.doc.baseURI).href; } catch (e) { /* as given */ }
      var rejected = function () { return Promise.reject(failure("")); };
      var errored = function (Stream) {
        return Stream ? new Stream({ start: function (c) { c.error(failure("")); } }) : null;
      };
      for (var i = 0; i < names.length; i++) {
        var name = names[i], d = describe(proto, name);
        if (name === "constructor" || !d) continue;
        if (includes(promises, name)) {
          props[name] = { value: Promise.reject(failure(name)) };
        } else if (typeof d.value === "function") {
          props[name] = { value: name === "close" ? function () {} : rejected };
        } else {
          // (Firefox's `congestionControl` is the one asked for; its `reliability` stays "pending".)
          var value = name === "url" ? href : name === "protocol" ? ""
            : name === "congestionControl" ? str(options && options.congestionControl || "default")
            : name === "reliability" ? "pending"
            : name === "datagrams" ? { readable: errored(Readable), writable: errored(Writable) }
            : strSlice(name, 0, 8) === "incoming" ? errored(Readable) : null;
          props[name] = { value: value, writable: !!d.set };
        }
      }
      var session = construct(win.Object, [], Orig);
      defineProperties(session, props);
      return session;
    };
  }
  var TransportError = win.WebTransportError, SocketError = win.WebSocketError;
  guardConstructor("WebTransport", KIND.websocket, failedSession(["ready", "closed", "draining"], function () {
    return TransportError ? transportError(TransportError, "Opening handshake failed.") : new win.DOMException("Opening handshake failed.", "NetworkError");
  }));
  guardConstructor("WebSocketStream", KIND.websocket, failedSession(["opened", "closed"], function (promise) {
    return SocketError ? new SocketError(promise === "closed" ? "WebSocket was not cleanly closed." : "WebSocket closed before handshake complete.")
      : new win.DOMException("Opening handshake failed.", "NetworkError");
  }));

  // Forms posting to a held URL (`action`, or the submitter's `formaction`) do not submit. The
  // URLs are read with the native getters: a form's `action` property may be one of its own
  // controls (`<input name="action">` clobbers it).
  var formAction = win.HTMLFormElement && describe(win.HTMLFormElement.prototype, "action");
  var buttonAction = win.HTMLButtonElement && describe(win.HTMLButtonElement.prototype, "formAction");
  var inputAction = win.HTMLInputElement && describe(win.HTMLInputElement.prototype, "formAction");
  var closest = n.E.closest;
  var querySelector = n.D && n.D.querySelector;
  function heldForm(form, submitter) {
    var own = submitter && call(n.hasAttr, submitter, "formaction")
      && (localName(submitter) === "button" ? buttonAction : inputAction);
    var getter = own || formAction;
    var url = getter && getter.get ? call(getter.get, own ? submitter : form) : "";
    return !!url && held(url, KIND.form, "form");
  }
  if (win.HTMLFormElement) {
    wrap(win.HTMLFormElement.prototype, "submit", function (orig) {
      return function () { if (!heldForm(this, null)) return apply(orig, this, arguments); };
    });
  }
  // requestSubmit() and the visitor's submit buttons fire "submit" first.
  win.addEventListener("submit", function (e) {
    if (e.target && e.target.nodeType === 1 && heldForm(e.target, e.submitter)) e.preventDefault();
  }, true);

  // <a ping>, <area ping>: the browser sends the ping after the click; strip held URLs first.
  // A script's click on a link into a named frame navigates that (maybe hidden) frame: a held
  // URL does not go. (A visitor's own click, or a link that replaces the page, is theirs.)
  win.addEventListener("click", function (e) {
    var a = localName(e.target) && call(closest, e.target, "a[href],area[href]");
    if (!a) return;
    if (call(n.hasAttr, a, "ping")) {
      var urls = words(call(n.getAttr, a, "ping")), kept = "";
      for (var i = 0; i < urls.length; i++) {
        if (urls[i] && !held(urls[i], KIND.beacon, localName(a) + ".ping")) kept += (kept ? " " : "") + urls[i];
      }
      call(n.setAttr, a, "ping", kept);
    }
    if (e.isTrusted) return;
    // A script's click on a download link fetches it at once.
    if (call(n.hasAttr, a, "download") && held(call(n.getAttr, a, "href"), KIND.fetch, localName(a) + ".download")) {
      e.preventDefault();
      return;
    }
    var base = call(querySelector, r.doc, "base[target]");
    if (r.namedFrame(call(n.getAttr, a, "target") || base && call(n.getAttr, base, "target"))
      && held(call(n.getAttr, a, "href"), KIND.iframe, localName(a) + ".click")) e.preventDefault();
  }, true);
}

/**
 * How this engine words a network error, where page code can read it: a failed fetch's
 * TypeError, a synchronous XMLHttpRequest's NetworkError, a worklet module's AbortError.
 * @param {any} win
 */
export function networkErrors(win) {
  var ua = str(win.navigator && win.navigator.userAgent);
  if (test(/Firefox\//, ua)) {
    return {
      fetch: "NetworkError when attempting to fetch resource.",
      xhrSync: function () { return "A network error occurred."; },
      worklet: function () { return "The operation was aborted. "; } // (sic)
    };
  }
  if (test(/AppleWebKit\//, ua) && !test(/Chrom(e|ium)\//, ua)) {
    return {
      fetch: "Load failed",
      xhrSync: function () { return " A network error occurred."; }, // (sic)
      worklet: function () { return "Importing a module script failed."; }
    };
  }
  return {
    fetch: "Failed to fetch",
    xhrSync: function (url) { return "Failed to execute 'send' on 'XMLHttpRequest': Failed to load '" + url + "'."; },
    // (A held URL is another site's: Chromium words its failure so.)
    worklet: function (url) { return "Failed to load worklet module script: " + url + " (a dependency or cross-origin script failed to load)"; }
  };
}

var isView = ArrayBuffer.isView, bufferLength = describe(ArrayBuffer.prototype, "byteLength").get;
/** Whether `x` is an ArrayBuffer or a view of one (of any realm). @param {any} x */
function isBufferSource(x) {
  if (x === null || typeof x !== "object") return false;
  if (isView(x)) return true;
  try { call(bufferLength, x); return true; } catch (e) { return false; }
}

/**
 * A WebTransportError of a failed session: its constructor takes the message first (Firefox) or
 * in a dictionary (Chromium), and its `source` only from the engine ("session" here).
 * @param {any} TransportError @param {string} message
 */
function transportError(TransportError, message) {
  var e;
  try { e = new TransportError(message, { source: "session" }); } catch (x) { e = new TransportError({ message: message }); }
  if (e.source !== "session") defineProperty(e, "source", { value: "session" });
  return e;
}
