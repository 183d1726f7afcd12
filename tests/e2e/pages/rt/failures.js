// What page code can observe of a failed request, API by API (runtime-overblocks.test.mjs): the same probe runs on a
// URL Sekisho holds and on one the page's CSP (or an unreachable port) makes fail with a real network error.
// Each probe resolves with a plain object of what it saw.
(function () {
  'use strict';
  var later = function (ms) { return new Promise(function (r) { setTimeout(r, ms); }); };
  var ctor = function (e) { return e && e.constructor && e.constructor.name; };
  var err = function (e) { return { threw: true, name: e && e.name, message: e && e.message, ctor: ctor(e), typeError: e instanceof TypeError }; };
  var P = window.__probe = {};

  P.fetch = function (url) {
    return fetch(url, { method: 'POST', body: 'x', mode: 'no-cors' }).then(function (r) { return { resolved: r.type }; }, err);
  };
  P.fetchKeepalive = function (url) {
    return fetch(url, { method: 'POST', body: 'x', mode: 'no-cors', keepalive: true }).then(function (r) { return { resolved: r.type }; }, err);
  };
  P.xhr = function (url) {
    return new Promise(function (resolve) {
      var x = new XMLHttpRequest();
      var seen = [];
      var log = function (where) {
        return function (e) {
          seen.push([where, e.type, x.readyState, x.status, ctor(e), e.lengthComputable, e.loaded, e.total].join(' '));
          if (where === 'xhr' && e.type === 'loadend') later(30).then(function () { resolve({ events: seen, status: x.status, statusText: x.statusText, responseURL: x.responseURL, responseText: x.responseText, headers: x.getAllResponseHeaders() }); });
        };
      };
      ['readystatechange', 'loadstart', 'progress', 'load', 'error', 'abort', 'timeout', 'loadend'].forEach(function (t) { x.addEventListener(t, log('xhr')); });
      ['loadstart', 'progress', 'load', 'error', 'abort', 'loadend'].forEach(function (t) { x.upload.addEventListener(t, log('upload')); });
      x.open('POST', url);
      x.setRequestHeader('content-type', 'text/plain');
      try { x.send('body'); seen.push('sent ' + x.readyState); } catch (e) { resolve(err(e)); }
    });
  };
  P.xhrSync = function (url) {
    var x = new XMLHttpRequest();
    x.open('GET', url, false);
    try { x.send(); return Promise.resolve({ status: x.status }); } catch (e) { return Promise.resolve(Object.assign(err(e), { readyState: x.readyState, status: x.status })); }
  };
  P.beacon = function (url) {
    try { return Promise.resolve({ returned: navigator.sendBeacon(url, 'x') }); } catch (e) { return Promise.resolve(err(e)); }
  };
  function connection(make, url) {
    return new Promise(function (resolve) {
      var c;
      try { c = make(url); } catch (e) { return resolve(err(e)); }
      var seen = [];
      var out = { instance: c instanceof (make === ws ? WebSocket : EventSource), tag: Object.prototype.toString.call(c), readyState: c.readyState, events: seen };
      ['open', 'message', 'error', 'close'].forEach(function (t) {
        c.addEventListener(t, function (e) { seen.push([t, c.readyState, ctor(e), e.code, e.wasClean].join(' ')); });
      });
      c.onerror = function () { seen.push('onerror'); };
      later(1500).then(function () { out.end = c.readyState; try { c.close(); } catch (e) { /* */ } resolve(out); });
    });
  }
  function ws(url) { return new WebSocket(url); }
  function es(url) { return new EventSource(url); }
  P.websocket = function (url) { return connection(ws, url); };
  P.eventsource = function (url) { return connection(es, url); };
  // A WebTransport session or a WebSocketStream (where the engine has them), the page attaching nothing to its
  // promises: its shape, what its members are, whether a rejection went unhandled, then each promise's outcome.
  function session(Make, promises, url) {
    if (typeof Make !== 'function') return Promise.resolve({ unsupported: true });
    return new Promise(function (resolve) {
      var unhandled = [];
      var onUnhandled = function (e) { unhandled.push(ctor(e.reason)); e.preventDefault(); };
      window.addEventListener('unhandledrejection', onUnhandled);
      var s;
      try { s = new Make(url); } catch (e) { window.removeEventListener('unhandledrejection', onUnhandled); return resolve(err(e)); }
      var members = Object.getOwnPropertyNames(Make.prototype).filter(function (n) { return n !== 'constructor'; }).sort().map(function (n) {
        try { var v = s[n]; return n + ' ' + (v === null ? 'null' : typeof v); } catch (e) { return n + ' threw ' + ctor(e); }
      });
      var out = { instance: s instanceof Make, tag: Object.prototype.toString.call(s), members: members, unhandled: unhandled };
      later(1500).then(function () {
        window.removeEventListener('unhandledrejection', onUnhandled);
        return Promise.all(promises.map(function (p) {
          var outcome = s[p].then(function () { return p + ' resolved'; }, function (e) { return [p, ctor(e), e.name, e.message, e.source].join(' '); });
          return Promise.race([outcome, later(3000).then(function () { return p + ' pending'; })]);
        }));
      }).then(function (outcomes) { out.outcomes = outcomes; try { s.close(); } catch (e) { /* */ } resolve(out); });
    });
  }
  P.webTransport = function (url) { return session(window.WebTransport, ['ready', 'closed'], url); };
  P.webSocketStream = function (url) { return session(window.WebSocketStream, ['opened', 'closed'], url); };
  P.cacheAdd = function (url) {
    return caches.open('probe').then(function (c) { return c.add(url); }).then(function () { return { resolved: true }; }, err);
  };
  P.worklet = function (url) {
    var ctx = new (window.AudioContext || window.webkitAudioContext)();
    return ctx.audioWorklet.addModule(url).then(function () { return { resolved: true }; }, err);
  };
})();
