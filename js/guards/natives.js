// The natives every guard of a realm relies on, captured when the realm is guarded (before any
// page code of that realm runs): later changes to the prototypes do not reach the guards.

/**
 * A realm's natives: the DOM methods the guards call on elements and nodes, the prototypes they
 * wrap, and `findAll` (querySelectorAll of the node's own kind: Element's throws "Illegal
 * invocation" on a fragment).
 * @param {any} win
 */
export function captureNatives(win) {
  var E = win.Element.prototype;
  var N = win.Node.prototype;
  var D = win.Document && win.Document.prototype;
  var qsaElement = E.querySelectorAll;
  var qsaFragment = win.DocumentFragment && win.DocumentFragment.prototype.querySelectorAll;
  var qsaDocument = D && D.querySelectorAll;
  return {
    E: E,
    N: N,
    D: D,
    setAttr: E.setAttribute,
    getAttr: E.getAttribute,
    hasAttr: E.hasAttribute,
    removeAttr: E.removeAttribute,
    replaceChild: N.replaceChild,
    cloneNode: N.cloneNode,
    adoptNode: D && D.adoptNode,
    getByTag: E.getElementsByTagName,
    createFragment: win.Range && win.Range.prototype.createContextualFragment,
    /** @param {any} node @param {string} selector @returns {ArrayLike<Element>} */
    findAll: function (node, selector) {
      var impl = node.nodeType === 1 ? qsaElement : node.nodeType === 11 ? qsaFragment : qsaDocument;
      return impl ? impl.call(node, selector) : [];
    }
  };
}

/**
 * Replaces `proto[name]` (when it is a function) by `make(original, name)`.
 * @param {any} proto @param {string} name @param {(orig: any, name: string) => any} make
 */
export function wrap(proto, name, make) {
  var orig = proto && proto[name];
  if (typeof orig === "function") proto[name] = make(orig, name);
}

/**
 * Defines `proto[prop]` anew with the native getter and `set(nativeSetter)` as its setter
 * (when the native has a setter).
 * @param {any} proto @param {string} prop @param {(nativeSet: any, d: PropertyDescriptor) => (v: any) => any} set
 */
export function wrapSetter(proto, prop, set) {
  var d = proto && Object.getOwnPropertyDescriptor(proto, prop);
  if (!d || !d.set) return;
  Object.defineProperty(proto, prop, { configurable: true, enumerable: d.enumerable, get: d.get, set: set(d.set, d) });
}

/**
 * How this engine words a network error, where page code can read it: a failed fetch's
 * TypeError, a synchronous XMLHttpRequest's NetworkError, a worklet module's AbortError.
 * @param {any} win
 */
export function networkErrors(win) {
  var ua = String(win.navigator && win.navigator.userAgent);
  if (/Firefox\//.test(ua)) {
    return {
      fetch: "NetworkError when attempting to fetch resource.",
      xhrSync: function () { return "A network error occurred."; },
      worklet: function () { return "The operation was aborted. "; } // (sic)
    };
  }
  if (/AppleWebKit\//.test(ua) && !/Chrom(e|ium)\//.test(ua)) {
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
