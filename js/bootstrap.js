/*! Sekisho __VERSION__ — consent checkpoint (Apache-2.0) */
// The one classic script a site loads first in <head>. It starts the Wasm synchronously and
// exposes window.sekisho; all policy lives in the Wasm. If the Wasm cannot start, the API
// answers "undecided" and nothing marked is ever released (fail closed).
(function () {
  "use strict";
  var perf = window.performance;
  var t0 = perf.now();
  var prefix = "[sekisho] ";

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
    var text = "__WASM__";
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    if (bytes.length !== __WASM_LENGTH__ || text.charCodeAt(0) !== 0) throw new Error("the inlined module is damaged (was the file re-encoded?)");
    w.initSync({ module: new WebAssembly.Module(bytes) });
  } catch (e) {
    return failClosed(/Content.Security/i.test(e && e.message)
      ? "WebAssembly is blocked by the Content Security Policy (add 'wasm-unsafe-eval' to script-src)"
      : "the WebAssembly module could not start (" + e + ")");
  }
  impl = { get: w.get, acceptAll: w.acceptAll, rejectAll: w.rejectAll, set: w.set_choices,
    on: w.on, off: w.off, audit: w.audit, require: w.require };

  var el = document.getElementById("sekisho-config");
  var config = __BAKED_CONFIG__;
  var configError;
  if (el) {
    try { config = JSON.parse(el.textContent); } catch (e) { configError = String(e && e.message || e); }
  }
  try {
    w.start(config, configError);
  } catch (e) {
    return failClosed("start failed (" + e + ")");
  }
  perf.measure("sekisho:start", { start: t0 });
})();
