/*! Sekisho __VERSION__ | TCF bridge module | Apache-2.0 */
// sekisho-tcf.js: loaded by sekisho.js as an async script when the config asks for the TCF bridge
// (`signals.tcfBridge`), never on its own. It hands the loader its wasm-bindgen glue and its Wasm
// (inlined as hex), as sekisho-deferred.js does.
(function () {
  "use strict";
  /*__GLUE__*/
  var script = /** @type {HTMLScriptElement} */ (document.currentScript);
  var start = script && script.sekishoStart;
  if (typeof start === "function") start(sekishoTcf, "__WASM__", __WASM_LENGTH__);
  else console.error("[sekisho] sekisho-tcf.js runs only when sekisho.js loads it");
})();
