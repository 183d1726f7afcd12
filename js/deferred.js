/*! Sekisho __VERSION__ | deferred module | Apache-2.0 */
// sekisho-deferred.js: loaded by sekisho.js as an async script, never on its own. It hands the
// checkpoint's loader its wasm-bindgen glue and its Wasm (inlined as hex: one request, and the
// same CSP `script-src` as sekisho.js); the loader compiles it off the main thread and runs it
// once the document is parsed (js/bootstrap.js, `loadDeferred`).
(function () {
  "use strict";
  /*__GLUE__*/
  var script = /** @type {HTMLScriptElement} */ (document.currentScript);
  var start = script && script.sekishoStart;
  // (The last argument: the SHA-256 of this module's Wasm, the UI's fingerprint in consent records.)
  if (typeof start === "function") start(sekishoDeferred, "__WASM__", __WASM_LENGTH__, "__UI_SHA256__");
  else console.error("[sekisho] sekisho-deferred.js runs only when sekisho.js loads it");
})();
