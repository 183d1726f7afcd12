/*! Sekisho __VERSION__ | consent checkpoint | Apache-2.0 */
// The one classic script a site loads first in <head>. In order: it installs the guards
// (js/guards.js), starts the checkpoint's Wasm synchronously and exposes window.sekisho (all
// policy lives in the Wasm), then loads the deferred module (sekisho-deferred.js beside this
// file: config diagnostics, later the banner and records), which is fetched and compiled off the
// main thread and runs once the document is parsed. If the checkpoint cannot start, the guards
// keep holding every third party, the API answers "undecided" and nothing held is ever released
// (fail closed).
(function () {
  "use strict";
  var perf = window.performance;
  var t0 = perf.now();
  var prefix = "[sekisho] ";
  var thisScript = document.currentScript; // (not `self`: the glue reads the global `self`)
  /*__PROTOCOL__*/
  /*__GUARDS__*/

  // Until the Wasm has started (and for good if it cannot), the policy is fail-closed: every
  // third-party URL is held under a requirement nothing grants, and HTML strings lose their
  // scripts and the URLs of every tag that loads one.
  var rewritten = "";
  var policy = {
    judge: function (url, kind) {
      // A `data:` document in a frame runs in an opaque origin: held too.
      if (kind === KIND.iframe && /^[\s\x00-\x1f]*data:/i.test(url)) return VERDICT.hold;
      try {
        var u = new URL(url, location.href);
        return /^(https?|wss?):$/.test(u.protocol) && u.hostname !== location.hostname ? VERDICT.hold : VERDICT.pass;
      } catch (e) {
        return VERDICT.pass;
      }
    },
    judgeOpaque: function () { return VERDICT.hold; },
    requirement: function () { return "unavailable"; },
    rewrite: function (html) {
      var tags = new RegExp("<(?:" + URL_TAGS.join("|") + ")\\b[^>]*>", "gi");
      var attributes = new RegExp("(\\s)(" + URL_ATTRIBUTES.join("|") + ")=", "gi");
      rewritten = html.replace(/<script\b/gi, '<script type="text/plain"').replace(tags, function (tag) {
        return tag.replace(attributes, "$1data-held-$2=");
      });
      return VERDICT.hold;
    },
    rewritten: function () { return rewritten; },
    cookie: function () { return true; }
  };
  var guards = sekishoGuards(policy);
  guards.install(window);
  var tGuards = perf.now();

  /*__GLUE__*/

  var w = wasm_bindgen;
  var impl;
  var names = ["get", "acceptAll", "rejectAll", "set", "on", "off", "audit", "require"];
  var api = { version: "__VERSION__" };
  names.forEach(function (name) {
    api[name] = function () {
      return impl[name].apply(null, arguments);
    };
  });
  Object.defineProperty(window, "sekisho", { value: Object.freeze(api), enumerable: true });

  // A Wasm module inlined as hex (ASCII, whatever the page's charset).
  function decodeHex(hex) {
    if (Uint8Array.fromHex) return Uint8Array.fromHex(hex);
    var bytes = new Uint8Array(hex.length / 2);
    for (var i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(i * 2, 2), 16);
    return bytes;
  }

  function failClosed(why) {
    console.error(prefix + "not started: " + why + ". Nothing that needs consent will be released.");
    var state = function () {
      return {
        decided: false,
        categories: { necessary: true, functional: false, analytics: false, ads: false, sns: false },
        services: {}, revision: null, consentId: null, updatedAt: null,
        gpc: navigator.globalPrivacyControl === true, regime: "opt-in", region: null, error: why
      };
    };
    var refuse = function () {
      console.error(prefix + "not started (" + why + "); the choice was not applied");
      return state();
    };
    impl = {
      get: state, acceptAll: refuse, rejectAll: refuse, set: refuse,
      on: function () {}, off: function () {},
      audit: function () { return []; },
      require: function () { return new Promise(function () {}); }
    };
  }

  try {
    var bytes = decodeHex("__WASM__");
    if (bytes.length !== __WASM_LENGTH__ || bytes[0] !== 0) throw new Error("the inlined module is damaged");
    var t1 = perf.now();
    w.initSync({ module: new WebAssembly.Module(bytes) });
    var t2 = perf.now();
  } catch (e) {
    return failClosed(/Content.Security/i.test(e && e.message)
      ? "WebAssembly is blocked by the Content Security Policy (add 'wasm-unsafe-eval' to script-src)"
      : "the WebAssembly module could not start (" + e + ")");
  }
  impl = { get: w.get, acceptAll: w.acceptAll, rejectAll: w.rejectAll, on: w.on, off: w.off,
    audit: w.audit, require: w.require,
    // The Wasm parses JSON text itself: cheaper than walking a JS object across the boundary.
    set: function (choices) { return w.set_choices(JSON.stringify(choices === undefined ? null : choices)); } };

  // The config travels as JSON text for the same reason (parsed in the Wasm; its problems are
  // reported by the deferred module).
  var el = document.getElementById("sekisho-config");
  var config = el ? el.textContent : __BAKED_CONFIG__;
  try {
    w.start(config);
  } catch (e) {
    return failClosed("start failed (" + e + ")");
  }
  policy.judge = w.judge;
  policy.judgeOpaque = w.judge_opaque_frame;
  policy.requirement = w.held_requirement;
  policy.final = true; // its passes (allowed whatever the visitor chooses) may be remembered
  policy.rewrite = w.rewrite_html;
  policy.rewritten = w.rewritten_html;
  policy.observe = w.observe_document;
  policy.added = w.added;
  policy.cookie = w.cookie_allowed;
  // "ready" (and the localStorage fallback) once the document is parsed; once the page has
  // loaded and is idle, what services not allowed left (cookies, storage keys) is swept, if
  // something may have been left.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", w.dom_ready);
  } else {
    Promise.resolve().then(w.dom_ready);
  }
  var sweep = function () { (window.requestIdleCallback || setTimeout)(w.sweep_after_load); };
  if (document.readyState === "complete") sweep(); else window.addEventListener("load", sweep);
  // (A returning visitor's page with a valid config does without it.)
  if (w.deferred_needed()) loadDeferred(config);

  // The deferred module: sekisho-deferred.js, beside this file, inserted as an async script (its
  // download and parse happen off the main thread); when it runs it hands over its glue and its
  // Wasm, which is compiled asynchronously (off the main thread too) and run once the document
  // is parsed. It then talks to the checkpoint through window.sekisho only.
  function loadDeferred(configText) {
    var src = thisScript && thisScript.src;
    if (!src) return console.error(prefix + "sekisho.js was not loaded from a URL: the deferred module (config diagnostics) cannot be found beside it");
    var script = document.createElement("script");
    var fail = function (why) { console.error(prefix + "the deferred module did not start (" + why + "): no config diagnostics"); };
    script.onerror = function () { fail("could not load " + script.src); };
    script.sekishoStart = function (glue, hex, length) {
      var bytes = decodeHex(hex);
      if (bytes.length !== length) return fail("the inlined module is damaged");
      WebAssembly.compile(bytes).then(function (module) {
        whenParsed(function () {
          try {
            glue.initSync({ module: module });
            glue.run(configText);
          } catch (e) { fail(String(e)); }
        });
      }, function (e) { fail(String(e)); });
    };
    guards.exempt(script);
    script.async = true;
    if (thisScript.nonce) script.nonce = thisScript.nonce;
    script.src = src.replace(/[^/?#]*(?=[?#]|$)/, "sekisho-deferred.js"); // beside it, same query
    (document.head || document.documentElement).appendChild(script);
  }
  function whenParsed(f) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", f); else f();
  }

  // Figures for tests/bench: the whole start, and its phases.
  perf.measure("sekisho:start", { start: t0 });
  perf.measure("sekisho:guards", { start: t0, end: tGuards });
  perf.measure("sekisho:decode", { start: tGuards, end: t1 });
  perf.measure("sekisho:compile", { start: t1, end: t2 });
  perf.measure("sekisho:policy", { start: t2 });
})();
