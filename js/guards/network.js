// Network APIs: fetch, XMLHttpRequest, sendBeacon, fetchLater, Cache.add(All), worklet modules,
// WebSocket, EventSource, WebTransport, WebSocketStream, form submission and <a ping>. A held
// call fails the way an ad blocker makes it fail, and never hangs.
import { wrap } from "./natives.js";

/** @param {any} r the realm (index.js) */
export function guardNetwork(r) {
  var win = r.win, n = r.natives, held = r.held, fail = r.fail;

  // The URL of a RequestInfo (a Request, or anything that stringifies to a URL).
  function requestUrl(input) {
    return input && typeof input === "object" && "url" in input ? input.url : String(input);
  }
  wrap(win, "fetch", function (orig) {
    return function (input) {
      if (held(requestUrl(input), KIND.fetch, "fetch")) return Promise.reject(new TypeError("Failed to fetch"));
      return orig.apply(this, arguments);
    };
  });
  // Cache.add / addAll fetch their URLs: a held one fails the way a blocked fetch does.
  if (win.Cache) {
    ["add", "addAll"].forEach(function (m) {
      wrap(win.Cache.prototype, m, function (orig) {
        return function (requests) {
          // addAll takes any iterable: read it once, and hand the same items on.
          var list = m === "add" ? [requests] : requests == null ? [] : Array.from(requests);
          for (var i = 0; i < list.length; i++) {
            if (held(requestUrl(list[i]), KIND.fetch, "Cache." + m)) return Promise.reject(new TypeError("Failed to fetch"));
          }
          return m === "add" ? orig.apply(this, arguments) : orig.call(this, requests == null ? requests : list);
        };
      });
    });
  }
  // Worklets (CSS paint, audio) fetch their module: a held one fails as a blocked module load does.
  if (win.Worklet) {
    wrap(win.Worklet.prototype, "addModule", function (orig) {
      return function (url) {
        if (held(url, KIND.script, "addModule")) {
          return Promise.reject(new win.DOMException("Unable to load a worklet's module.", "AbortError"));
        }
        return orig.apply(this, arguments);
      };
    });
  }
  // fetchLater (a deferred beacon): a held one is never activated.
  wrap(win, "fetchLater", function (orig) {
    return function (input) {
      if (held(requestUrl(input), KIND.beacon, "fetchLater")) return { activated: false };
      return orig.apply(this, arguments);
    };
  });
  if (win.XMLHttpRequest) {
    var xhrUrls = new WeakMap();
    var XP = win.XMLHttpRequest.prototype;
    wrap(XP, "open", function (orig) {
      return function (method, url) {
        xhrUrls.set(this, String(url));
        return orig.apply(this, arguments);
      };
    });
    wrap(XP, "send", function (orig) {
      return function () {
        if (held(xhrUrls.get(this) || "", KIND.xhr, "XMLHttpRequest")) {
          fail(this, "error");
          fail(this, "loadend");
          return;
        }
        return orig.apply(this, arguments);
      };
    });
  }
  if (win.Navigator) {
    wrap(win.Navigator.prototype, "sendBeacon", function (orig) {
      return function (url) {
        if (held(url, KIND.beacon, "sendBeacon")) return false;
        return orig.apply(this, arguments);
      };
    });
  }
  // Connections made with `new`: a held one gets `fake(url)`, which fails as a blocked one would.
  function guardConstructor(name, kind, fake) {
    var Orig = win[name];
    if (typeof Orig !== "function") return;
    var Guarded = function (url) {
      if (!(this instanceof Guarded)) return Orig.apply(this, arguments);
      if (held(url, kind, name)) return fake(String(url));
      return Reflect.construct(Orig, arguments, new.target || Orig);
    };
    Guarded.prototype = Orig.prototype;
    Object.setPrototypeOf(Guarded, Orig);
    win[name] = Guarded;
  }
  // A socket that fires "error" (and "close") without connecting.
  function closedSocket(closedState, closes) {
    return function (url) {
      var socket = new win.EventTarget();
      socket.url = url;
      socket.readyState = closedState;
      socket.close = socket.send = function () {};
      fail(socket, "error");
      if (closes) fail(socket, "close");
      ["error", "close"].forEach(function (type) {
        socket.addEventListener(type, function (e) { if (typeof socket["on" + type] === "function") socket["on" + type](e); });
      });
      return socket;
    };
  }
  guardConstructor("WebSocket", KIND.websocket, closedSocket(3, true));
  guardConstructor("EventSource", KIND.eventsource, closedSocket(2, false));
  // A WebTransport session, or a WebSocketStream, whose promises reject.
  function failedSession(promises) {
    return function () {
      var session = { close: function () {} };
      promises.forEach(function (p) {
        session[p] = Promise.reject(new win.DOMException("Opening handshake failed.", "NetworkError"));
      });
      return session;
    };
  }
  guardConstructor("WebTransport", KIND.websocket, failedSession(["ready", "closed"]));
  guardConstructor("WebSocketStream", KIND.websocket, failedSession(["opened", "closed"]));

  // Forms posting to a held URL (`action`, or the submitter's `formaction`) do not submit.
  function heldForm(form, submitter) {
    var url = submitter && n.hasAttr.call(submitter, "formaction") ? submitter.formAction : form.action;
    return !!url && held(url, KIND.form, "form");
  }
  if (win.HTMLFormElement) {
    wrap(win.HTMLFormElement.prototype, "submit", function (orig) {
      return function () { if (!heldForm(this, null)) return orig.apply(this, arguments); };
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
    var a = e.target && e.target.closest && e.target.closest("a[href],area[href]");
    if (!a) return;
    if (n.hasAttr.call(a, "ping")) {
      var kept = n.getAttr.call(a, "ping").split(/\s+/).filter(function (url) {
        return url && !held(url, KIND.beacon, a.localName + ".ping");
      });
      n.setAttr.call(a, "ping", kept.join(" "));
    }
    if (e.isTrusted) return;
    var base = r.doc.querySelector("base[target]");
    if (r.namedFrame(n.getAttr.call(a, "target") || base && n.getAttr.call(base, "target"))
      && held(n.getAttr.call(a, "href"), KIND.iframe, a.localName + ".click")) e.preventDefault();
  }, true);
}
