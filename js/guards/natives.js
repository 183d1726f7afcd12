// The natives every guard relies on, captured before any page code runs (the built-ins below
// when sekisho.js runs; a realm's DOM methods when it is guarded): page code that changes a
// built-in afterwards (`Function.prototype.apply`, `String.prototype.toLowerCase`,
// `Map.prototype.has`, the global `String`, an element's `localName` getter…) changes nothing the
// guards decide, and is never handed a native the guards call. So the guards call natives through
// `apply`/`call`, never `fn.apply`/`fn.call`, use the string, RegExp and collection helpers
// below, and read an element's identity through the captured getters.

var reflectApply = Reflect.apply;
/** `new Target(...args)` with `newTarget` (Reflect.construct, captured). */
export var construct = Reflect.construct;
var NativeString = String;
var defineProperty = Object.defineProperty;
var describe = Object.getOwnPropertyDescriptor;
/** `fn` called on `self` with the array-like `args` (Reflect.apply, captured). */
export function apply(fn, self, args) { return reflectApply(fn, self, args); }
// `call` and `uncurry` are bound natives (Function.prototype.call bound to what it calls), as
// Node's primordials do: nothing is looked up when they run, and no array is made per call (the
// guards call them on every parsed element).
var nativeCall = Function.prototype.call;
var bind = Function.prototype.bind;
/** A method as a function of its receiver: `uncurry(String.prototype.trim)(s)`. */
function uncurry(fn) { return reflectApply(bind, nativeCall, [fn]); }
/** `call(fn, self, a, b)`: `fn` called on `self` with `a, b`. */
export var call = uncurry(nativeCall);
/** String conversion (the global `String`, captured). */
export function str(value) { return NativeString(value); }
/** A value as an IDL DOMString takes it: a Symbol throws, as it does there. @param {any} value */
export function domString(value) {
  if (typeof value === "symbol") throw new TypeError("Cannot convert a Symbol value to a string");
  return NativeString(value);
}
export var lower = uncurry(NativeString.prototype.toLowerCase);
export var upper = uncurry(NativeString.prototype.toUpperCase);
export var trim = uncurry(NativeString.prototype.trim);
export var strIndexOf = uncurry(NativeString.prototype.indexOf);
export var strLastIndexOf = uncurry(NativeString.prototype.lastIndexOf);
export var strSlice = uncurry(NativeString.prototype.slice);
export var charAt = uncurry(NativeString.prototype.charAt);
// (RegExp.prototype.test, String.prototype.split and replace look `exec`, `Symbol.split` and
// `Symbol.replace` up on their arguments at each call: the native `exec` is called directly, and
// strings are split by hand.)
var exec = uncurry(RegExp.prototype.exec);
/** Whether `re` (not global, not sticky) matches `s`. */
export function test(re, s) { return exec(re, s) !== null; }
/** `s` split at each `separator` (a string). */
export function split(s, separator) {
  var parts = [], from = 0, at;
  while ((at = strIndexOf(s, separator, from)) >= 0) {
    parts[parts.length] = strSlice(s, from, at);
    from = at + separator.length;
  }
  parts[parts.length] = strSlice(s, from);
  return parts;
}
var fromCodePoint = String.fromCodePoint, nativeParseInt = parseInt;
/** CSS text with its escapes decoded (`\75 rl(` is `url(`), as the CSS tokenizer reads them. */
export function unescapeCss(css) {
  if (strIndexOf(css, "\\") < 0) return css;
  var re = /\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|([^\n\r\f0-9a-fA-F]))/g, out = "", from = 0, m;
  while ((m = exec(re, css)) !== null) {
    var cp = m[1] ? nativeParseInt(m[1], 16) : 0;
    out += strSlice(css, from, m.index) + (!m[1] ? m[2] : cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? "\ufffd" : fromCodePoint(cp));
    from = re.lastIndex;
  }
  return out + strSlice(css, from);
}
/** The URLs of the `url(…)` functions in CSS text (quoted or not, escapes decoded first). */
export function cssUrls(css) {
  css = unescapeCss(css);
  var re = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)/gi, urls = [], m;
  while ((m = exec(re, css)) !== null) urls[urls.length] = m[1] != null ? m[1] : m[2] != null ? m[2] : m[3];
  return urls;
}
/** The words of `s`, split at ASCII whitespace (empty ones dropped). */
export function words(s) {
  var out = [], word = "";
  for (var i = 0; i < s.length; i++) {
    var c = charAt(s, i);
    if (c === " " || c === "\t" || c === "\n" || c === "\f" || c === "\r") {
      if (word) out[out.length] = word;
      word = "";
    } else {
      word += c;
    }
  }
  if (word) out[out.length] = word;
  return out;
}
export var arraySlice = uncurry(Array.prototype.slice);
export var hasOwn = Object.prototype.hasOwnProperty;
/** Whether `list` (an array) holds `value` (a plain loop: no Array.prototype method). */
export function includes(list, value) {
  for (var i = 0; i < list.length; i++) if (list[i] === value) return true;
  return false;
}
/** Whether `f(item)` holds for an item of `list` (a plain loop). */
export function any(list, f) {
  for (var i = 0; i < list.length; i++) if (f(list[i])) return true;
  return false;
}
// Collections whose methods are the natives captured here, whatever page code does to the
// prototypes (`new Map()` then `.has()` would look the method up at each call).
var WS = typeof WeakSet === "function" ? WeakSet : null;
var WM = typeof WeakMap === "function" ? WeakMap : null;
var M = typeof Map === "function" ? Map : null;
var method = function (C, name) { return C && uncurry(C.prototype[name]); };
var wsHas = method(WS, "has"), wsAdd = method(WS, "add");
var wmHas = method(WM, "has"), wmGet = method(WM, "get"), wmSet = method(WM, "set"), wmDelete = method(WM, "delete");
var mHas = method(M, "has"), mSet = method(M, "set"), mClear = method(M, "clear");
var mSize = M && uncurry(describe(M.prototype, "size").get);
/** A WeakSet (`has`, `add`); without WeakSet, one that holds nothing. */
export function weakSet() {
  if (!WS) return { has: function () { return false; }, add: function () {} };
  var s = new WS();
  return { has: function (v) { return wsHas(s, v); }, add: function (v) { wsAdd(s, v); } };
}
/** A WeakMap (`has`, `get`, `set`, `delete`), or null. */
export function weakMap() {
  if (!WM) return null;
  var m = new WM();
  return {
    has: function (k) { return wmHas(m, k); },
    get: function (k) { return wmGet(m, k); },
    set: function (k, v) { wmSet(m, k, v); },
    delete: function (k) { wmDelete(m, k); }
  };
}
/** A Map used as a set of strings (`has`, `add`, `size`, `clear`), or null. */
export function stringSet() {
  if (!M) return null;
  var m = new M();
  return {
    has: function (k) { return mHas(m, k); },
    add: function (k) { mSet(m, k, true); },
    size: function () { return mSize(m); },
    clear: function () { mClear(m); }
  };
}
// A node's identity, read with the native getters (of any realm's node; anything else is no
// node: 0, undefined, false, null).
var getter = function (proto, name) { return uncurry(describe(proto, name).get); };
var getNodeType = getter(Node.prototype, "nodeType");
var getLocalName = getter(Element.prototype, "localName");
var getNamespace = getter(Element.prototype, "namespaceURI");
var getConnected = getter(Node.prototype, "isConnected");
var getParent = getter(Node.prototype, "parentNode");
var getFirstChild = getter(Node.prototype, "firstChild");
var getNextSibling = getter(Node.prototype, "nextSibling");
var getData = getter(CharacterData.prototype, "data");
/** @returns {number} */
export function nodeType(node) {
  if (node === null || typeof node !== "object") return 0; // (no exception thrown and caught: hot paths)
  try { return getNodeType(node); } catch (e) { return 0; }
}
/** @returns {string | undefined} */
export function localName(node) { return nodeType(node) === 1 ? getLocalName(node) : undefined; }
/** @returns {string | null} */
export function namespaceURI(node) { return nodeType(node) === 1 ? getNamespace(node) : null; }
/** @returns {boolean} */
export function isConnected(node) { return nodeType(node) ? getConnected(node) : false; }
export function parentNode(node) { return nodeType(node) ? getParent(node) : null; }
/** Whether an element of this local name holds a realm of its own (a frame's document). @param {string | undefined} name */
export function isFrameName(name) { return name === "iframe" || name === "frame" || name === "object"; }
export function firstChild(node) { return nodeType(node) ? getFirstChild(node) : null; }
export function nextSibling(node) { return nodeType(node) ? getNextSibling(node) : null; }
/** A Text (or CDATA) node's text. */
export function nodeText(node) { return getData(node); }
export { defineProperty, describe, exec };

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
    appendChild: N.appendChild,
    removeChild: N.removeChild,
    cloneNode: N.cloneNode,
    adoptNode: D && D.adoptNode,
    getByTag: E.getElementsByTagName,
    createFragment: win.Range && win.Range.prototype.createContextualFragment,
    /** @param {any} node @param {string} selector @returns {ArrayLike<Element>} */
    findAll: function (node, selector) {
      var type = nodeType(node);
      var impl = type === 1 ? qsaElement : type === 11 ? qsaFragment : qsaDocument;
      return impl ? call(impl, node, selector) : [];
    }
  };
}

/**
 * `Guarded` as `Orig` to page code: the same parent and the same static members (its own
 * `length`, `name` and `prototype` aside).
 * @param {any} Orig @param {any} Guarded
 */
function copyStatics(Orig, Guarded) {
  Object.setPrototypeOf(Guarded, Object.getPrototypeOf(Orig));
  var keys = Object.getOwnPropertyNames(Orig);
  for (var i = 0; i < keys.length; i++) {
    var key = keys[i];
    if (key !== "length" && key !== "name" && key !== "prototype" && key !== "arguments" && key !== "caller") defineProperty(Guarded, key, describe(Orig, key));
  }
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
 * `Guarded` takes the place of the constructor `win[name]` (`Orig`) as the same function to page
 * code: its name, length (its own), statics (CONNECTING, …, copied), prototype, its parent
 * (`Object.getPrototypeOf(WebSocket)` is `EventTarget`, never the unguarded `Orig`) and
 * `instance.constructor`.
 * @param {any} win @param {string} name @param {any} Orig @param {any} Guarded
 */
export function standIn(win, name, Orig, Guarded) {
  Guarded.prototype = Orig.prototype;
  copyStatics(Orig, Guarded);
  defineProperty(Guarded, "name", { value: name });
  defineProperty(Orig.prototype, "constructor", { value: Guarded, writable: true, configurable: true, enumerable: false });
  win[name] = Guarded;
}

/**
 * Defines `proto[prop]` anew with `get(nativeGetter)` as its getter and the native setter, when
 * the native has a getter; whether it did.
 * @param {any} proto @param {string} prop @param {(nativeGet: any) => () => any} get
 */
export function wrapGetter(proto, prop, get) {
  var d = proto && describe(proto, prop);
  if (!d || !d.get) return false;
  defineProperty(proto, prop, { configurable: true, enumerable: d.enumerable, get: get(d.get), set: d.set });
  return true;
}

/**
 * Defines `proto[prop]` anew with the native getter and `set(nativeSetter)` as its setter
 * (when the native has a setter).
 * @param {any} proto @param {string} prop @param {(nativeSet: any, d: PropertyDescriptor) => (v: any) => any} set
 */
export function wrapSetter(proto, prop, set) {
  var d = proto && describe(proto, prop);
  if (!d || !d.set) return;
  defineProperty(proto, prop, { configurable: true, enumerable: d.enumerable, get: d.get, set: set(d.set, d) });
}

