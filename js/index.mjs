// The npm package's entry point: the `window.sekisho` API (docs/contracts.md §5) as ES module functions, for
// code a bundler builds. The checkpoint itself is `sekisho.js`: it must be the first script in
// <head> (before any bundle can run), so it is never bundled; this module calls what it installed.
// Without it there is no checkpoint, so every call throws rather than answer as if there were one.
const VERSION = "__VERSION__";
let checked = false;

function sdk() {
  const s = globalThis.sekisho;
  if (!s || typeof s.get !== "function") {
    throw new Error("[sekisho] window.sekisho is missing: load sekisho.js as the first script in <head> "
      + "(<script src=\".../sekisho.js\"></script>, not async, not defer, not bundled)");
  }
  if (!checked) {
    checked = true;
    if (s.version !== VERSION) {
      console.warn("[sekisho] the page loads sekisho.js " + s.version + " but this bundle was built against "
        + VERSION + ": serve the sekisho.js of the same package version");
    }
  }
  return s;
}

export function get() { return sdk().get(); }
export function acceptAll(options) { return sdk().acceptAll(options); }
export function rejectAll(options) { return sdk().rejectAll(options); }
export function set(choices, options) { return sdk().set(choices, options); }
export function on(event, callback) { return sdk().on(event, callback); }
export function off(event, callback) { return sdk().off(event, callback); }
export function audit() { return sdk().audit(); }
export function uncovered() { return sdk().uncovered(); }
export function require(purpose) { return sdk().require(purpose); }
export function showPreferences() { return sdk().showPreferences(); }
export function loadOnce(target) { return sdk().loadOnce(target); }
export function identify(token) { return sdk().identify(token); }
/** The version of sekisho.js on the page. */
export function version() { return sdk().version; }

export default Object.freeze({ get, acceptAll, rejectAll, set, on, off, audit, uncovered, require, showPreferences, loadOnce, identify, version });
