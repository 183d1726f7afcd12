// First-party site code that reaches tracker hosts by every loading pattern the runtime checkpoint guards
// (README "Runtime checkpoint"). Each vector is listed in window.__VECTORS with what the SDK should say about it (`via`: the API the
// audit names: the method or property page code called); outcomes of the
// network calls land in window.__net[round][id]. Nothing here is marked: the SDK has to recognise the URLs.
(function () {
  'use strict';
  var V = window.__VECTORS = {
    // network APIs (fired by __fireNetwork(round); ?round=<n> in the URL tells the loopback which round it was)
    fetch:       { kind: 'fetch', via: 'fetch', service: 'google-analytics', category: 'analytics', url: 'https://www.google-analytics.com/g/collect?v=2&tid=G-VECFETCH&en=vec_fetch' },
    xhr:         { kind: 'xhr', via: 'XMLHttpRequest', service: 'microsoft-clarity', category: 'analytics', url: 'https://x.clarity.ms/collect?vec=xhr' },
    websocket:   { kind: 'websocket', via: 'WebSocket', service: 'hotjar', category: 'analytics', url: 'wss://ws.hotjar.com/api/v2/client/ws?vec=ws' },
    beacon:      { kind: 'beacon', via: 'sendBeacon', service: 'microsoft-uet', category: 'ads', url: 'https://bat.bing.com/action/0?ti=vec&evt=beacon' },
    image:       { kind: 'img', via: 'src', service: 'meta-pixel', category: 'ads', url: 'https://www.facebook.com/tr/?id=222222222222222&ev=VecImage' },
    eventsource: { kind: 'eventsource', via: 'EventSource', service: 'line-tag', category: 'ads', url: 'https://tr.line.me/es' },
    // DOM vectors (run once, while the page loads or later)
    docwrite:    { kind: 'script', via: 'write', service: 'x-pixel', category: 'ads', url: 'https://static.ads-twitter.com/uwt.js', ran: '__twqLoaded' },
    innerhtml:   { kind: 'img', via: 'innerHTML', service: 'line-tag', category: 'ads', url: 'https://tr.line.me/tag.gif?c_t=lap&t_id=vec&e=vec-innerhtml' },
    adjacent:    { kind: 'iframe', via: 'insertAdjacentHTML', service: 'youtube', category: 'sns', url: 'https://www.youtube.com/embed/vecAdjacent' },
    fragment:    { kind: 'script', via: 'createContextualFragment', service: 'criteo', category: 'ads', url: 'https://static.criteo.net/js/ld/publishertag.js' },
    preload:     { kind: 'link', via: 'href', service: 'microsoft-uet', category: 'ads', url: 'https://bat.bing.com/bat.js?vec=preload' },
    realm:       { kind: 'script', via: 'src', service: 'tiktok-pixel', category: 'ads', url: 'https://analytics.tiktok.com/i18n/pixel/events.js?sdkid=VECREALM' },
    setattr:     { kind: 'script', via: 'setAttribute', service: 'pinterest-tag', category: 'ads', url: 'https://s.pinimg.com/ct/core.js' },
    ytdynamic:   { kind: 'iframe', via: 'src', service: 'youtube', category: 'sns', url: 'https://www.youtube-nocookie.com/embed/vecDynamic' },
    srcdoc:      { kind: 'script', via: 'srcdoc', service: 'google-tag-manager', category: 'analytics', url: 'https://www.googletagmanager.com/gtag/js?id=G-VECSRCDOC', inFrame: true },
    timer:       { kind: 'script', via: 'src', service: 'microsoft-clarity', category: 'analytics', url: 'https://www.clarity.ms/tag/vectimer', ran: '__clarityLoaded' },
    spa:         { kind: 'script', via: 'src', service: 'linkedin-insight', category: 'ads', url: 'https://snap.licdn.com/li.lms-analytics/insight.min.js' },
  };
  var NETWORK = ['fetch', 'xhr', 'websocket', 'beacon', 'image', 'eventsource'];
  window.__NETWORK_VECTORS = NETWORK;
  var net = window.__net = {};
  function withRound(url, round) { return url + (url.indexOf('?') < 0 ? '?' : '&') + 'round=' + round; }

  /** Fires every network vector; resolves with {id: outcome} once each has one (or after 3 s). */
  window.__fireNetwork = function (round) {
    var out = net[round] = {};
    var pending = NETWORK.length;
    return new Promise(function (resolve) {
      var t = setTimeout(function () { resolve(out); }, 3000);
      function done(id, v) { if (id in out) return; out[id] = v; if (--pending === 0) { clearTimeout(t); resolve(out); } }
      try {
        fetch(withRound(V.fetch.url, round), { method: 'POST', mode: 'no-cors', keepalive: true })
          .then(function () { done('fetch', 'ok'); }, function (e) { done('fetch', 'rejected ' + (e && e.name)); });
      } catch (e) { done('fetch', 'threw ' + e.name); }
      try {
        var x = new XMLHttpRequest(); var xev = [];
        ['load', 'error', 'abort', 'loadend'].forEach(function (type) {
          x.addEventListener(type, function () { xev.push(type); if (type === 'loadend') setTimeout(function () { done('xhr', xev.join(',')); }, 50); });
        });
        x.open('GET', withRound(V.xhr.url, round)); x.send();
      } catch (e) { done('xhr', 'threw ' + e.name); }
      try {
        var ws = new WebSocket(withRound(V.websocket.url, round)); var wev = [];
        ws.onopen = function () { wev.push('open'); };
        ws.onmessage = function () { wev.push('message'); done('websocket', wev.join(',')); ws.close(); };
        ws.onerror = function () { wev.push('error'); };
        ws.onclose = function () { wev.push('close'); setTimeout(function () { done('websocket', wev.join(',')); }, 50); };
      } catch (e) { done('websocket', 'threw ' + e.name); }
      try { done('beacon', navigator.sendBeacon(withRound(V.beacon.url, round), 'vec')); } catch (e) { done('beacon', 'threw ' + e.name); }
      try {
        var img = new Image();
        img.onload = function () { done('image', 'load'); };
        img.onerror = function () { done('image', 'error'); };
        img.src = withRound(V.image.url, round);
        (window.__imgs = window.__imgs || []).push(img);
      } catch (e) { done('image', 'threw ' + e.name); }
      try {
        var es = new EventSource(withRound(V.eventsource.url, round)); var eev = [];
        es.onopen = function () { eev.push('open'); };
        es.onmessage = function () { eev.push('message'); es.close(); done('eventsource', eev.join(',')); };
        es.onerror = function () { eev.push('error'); es.close(); setTimeout(function () { done('eventsource', eev.join(',')); }, 50); };
      } catch (e) { done('eventsource', 'threw ' + e.name); }
    });
  };

  /** The DOM vectors that need a <body>. Each runs on its own: an exception is kept in window.__vecErrors[id]. */
  var errors = window.__vecErrors = {};
  function attempt(id, fn) { try { fn(); } catch (e) { errors[id] = String(e && e.name) + ': ' + String(e && e.message); } }
  window.__runDomVectors = function () {
    // innerHTML with an <img src=tracker>
    attempt('innerhtml', function () {
      document.getElementById('slot-html').innerHTML = '<p>from innerHTML</p><img id="vec-innerhtml" alt="" src="' + V.innerhtml.url + '">';
    });
    // insertAdjacentHTML with an <iframe src=tracker>
    attempt('adjacent', function () {
      document.getElementById('slot-adjacent').insertAdjacentHTML('beforeend',
        '<iframe id="vec-adjacent" title="adjacent" width="320" height="180" src="' + V.adjacent.url + '"></iframe>');
    });
    // Range.createContextualFragment with a <script src> (fragment scripts DO run when inserted)
    attempt('fragment', function () {
      var range = document.createRange(); range.selectNodeContents(document.body);
      var frag = range.createContextualFragment('<script id="vec-fragment" src="' + V.fragment.url + '"><\/script>');
      document.getElementById('slot-fragment').appendChild(frag);
    });
    // <link rel=preload> added by script
    attempt('preload', function () {
      var l = document.createElement('link'); l.id = 'vec-preload'; l.rel = 'preload'; l.as = 'script'; l.href = V.preload.url; document.head.appendChild(l);
    });
    // a <script> created in an about:blank iframe's realm, appended to the main document
    attempt('realm', function () {
      var f = document.createElement('iframe'); f.id = 'realm-frame'; f.style.display = 'none'; document.body.appendChild(f);
      var rs = f.contentDocument.createElement('script'); rs.id = 'vec-realm'; rs.src = V.realm.url; document.head.appendChild(rs);
      // loaders keep a reference to what they inserted (an onload closure, a registry): so does this one. While it
      // lives, the element's JS wrapper stays the iframe realm's (instanceof Element is false in the main realm).
      window.__realmScript = rs;
    });
    // Element.prototype.setAttribute.call (bypasses per-instance patches)
    attempt('setattr', function () {
      var ps = document.createElement('script'); ps.id = 'vec-setattr'; ps.async = true;
      Element.prototype.setAttribute.call(ps, 'src', V.setattr.url); document.head.appendChild(ps);
    });
    // an unmarked YouTube iframe inserted by script
    attempt('ytdynamic', function () {
      var yt = document.createElement('iframe'); yt.id = 'vec-ytdynamic'; yt.title = 'dynamic YouTube'; yt.width = 320; yt.height = 180;
      yt.src = V.ytdynamic.url; document.getElementById('slot-yt').appendChild(yt);
    });
    // a srcdoc iframe whose document loads a tracker script
    attempt('srcdoc', function () {
      var sd = document.createElement('iframe'); sd.id = 'vec-srcdoc'; sd.title = 'srcdoc';
      sd.srcdoc = '<!doctype html><p>srcdoc</p><script src="' + V.srcdoc.url + '"><\/script>';
      document.body.appendChild(sd);
    });
  };

  // A tag injected 2 s after load (the Clarity snippet, run late, as consent-unaware lazy loaders do).
  window.addEventListener('load', function () {
    setTimeout(function () {
      (function (c, l, a, r, i, t, y) {
        c[a] = c[a] || function () { (c[a].q = c[a].q || []).push(arguments); };
        t = l.createElement(r); t.async = 1; t.id = 'vec-timer'; t.src = 'https://www.clarity.ms/tag/' + i;
        y = l.getElementsByTagName(r)[0]; y.parentNode.insertBefore(t, y);
      })(window, document, 'clarity', 'script', 'vectimer');
      window.__timerFired = true;
    }, 2000);
    // An SPA route change: pushState, then the route's LinkedIn Insight Tag.
    setTimeout(function () {
      history.pushState({ route: 'next' }, '', '/rt/spa/next');
      window._linkedin_partner_id = '5550001';
      window._linkedin_data_partner_ids = window._linkedin_data_partner_ids || [];
      window._linkedin_data_partner_ids.push(window._linkedin_partner_id);
      (function (l) {
        if (!l) { window.lintrk = function (a, b) { window.lintrk.q.push([a, b]); }; window.lintrk.q = []; }
        var s = document.getElementsByTagName('script')[0];
        var b = document.createElement('script');
        b.type = 'text/javascript'; b.async = true; b.id = 'vec-spa';
        b.src = 'https://snap.licdn.com/li.lms-analytics/insight.min.js';
        s.parentNode.insertBefore(b, s);
      })(window.lintrk);
      window.__spaFired = true;
    }, 300);
  });
})();
