/*! Sekisho __VERSION__ | records module | Apache-2.0 */
// sekisho-records.js: loaded by sekisho.js as an async script when a page that syncs (config
// `sync.endpoint`) has something to record, never on its own. It hands the loader its
// wasm-bindgen glue and its Wasm (inlined as hex), as sekisho-deferred.js does.
(function () {
  "use strict";
  /*__GLUE__*/
  var script = /** @type {HTMLScriptElement} */ (document.currentScript);
  var start = script && script.sekishoStart;
  if (typeof start === "function") start(sekishoRecords, "__WASM__", __WASM_LENGTH__);
  else console.error("[sekisho] sekisho-records.js runs only when sekisho.js loads it");
})();
