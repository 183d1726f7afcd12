// Workers: a worker (dedicated or shared, classic or module) that page code makes from a Blob
// (`new Worker(URL.createObjectURL(new Blob([code])))`, as Partytown and many libraries do) runs
// behind guards of its own (worker-prelude.js): its third-party fetch, XMLHttpRequest, WebSocket
// and EventSource wait for this realm's answer, asked over a MessagePort handed to a dedicated
// worker as its first message, or over a BroadcastChannel of a name only the two know (a shared
// worker's connections are the page's own; the same blob: URL keeps making the same worker). The
// page's blob: URLs are remembered when they are made, so the worker's script can be put behind
// the guards without reading it. A worker from a data: URL gets the same guards, in data: URLs
// (it keeps its opaque origin). Not reached (README): workers from a URL (their script is the
// site's own file), and, inside a worker, computed importScripts URLs and the module graph. The workers a
// worker makes from a Blob or a data: URL get the same guards (the prelude does for them what
// this file does for the page's).
import { apply, call, str, split, test, strIndexOf, strSlice, construct, arraySlice, describe, standIn } from "./natives.js";
import { networkErrors } from "./network.js";
import { sekishoWorkerPrelude } from "./worker-prelude.js";

var PRELUDE = "(" + sekishoWorkerPrelude + ")";
var stringify = JSON.stringify;

/** The page's blob: URLs and their Blobs (shared by every realm), until revoked. */
export function createBlobUrls() {
  var M = Map;
  var get = M.prototype.get, set = M.prototype.set, remove = M.prototype.delete;
  var urls = new M();
  var shared = new M();
  return {
    /** The URL of Sekisho's a shared worker of `key` (its blob: URL and type) starts from, once made (every realm's). @param {string} key @returns {string | undefined} */
    sharedWorker: function (key) { return call(get, shared, key); },
    /** @param {string} key @param {string} wrapper */
    addSharedWorker: function (key, wrapper) { call(set, shared, key, wrapper); },
    /** @param {string} url @param {Blob} blob */
    add: function (url, blob) { call(set, urls, url, blob); },
    /** @param {string} url @returns {Blob | undefined} */
    get: function (url) { return call(get, urls, url); },
    /** @param {string} url */
    remove: function (url) { call(remove, urls, url); }
  };
}

/** @param {any} r the realm (index.js) */
export function guardWorkers(r) {
  var win = r.win;
  var U = win.URL, Blob = win.Blob, NativeWorker = win.Worker, Channel = win.MessageChannel;
  if (!U || !Blob || typeof U.createObjectURL !== "function") return;
  var createUrl = U.createObjectURL, revokeUrl = U.revokeObjectURL;
  var blobSize = describe(Blob.prototype, "size").get;
  var isBlob = function (/** @type {any} */ value) {
    try { call(blobSize, value); return true; } catch (e) { return false; }
  };
  U.createObjectURL = function createObjectURL(/** @type {any} */ object) {
    var url = apply(createUrl, this, arguments);
    if (isBlob(object)) r.blobUrls.add(str(url), object);
    return url;
  };
  U.revokeObjectURL = function revokeObjectURL(/** @type {any} */ url) {
    r.blobUrls.remove(str(url));
    return apply(revokeUrl, this, arguments);
  };
  if (typeof NativeWorker !== "function" || !Channel) return;
  var postToWorker = NativeWorker.prototype.postMessage;
  var postToPort = win.MessagePort.prototype.postMessage;
  var listen = win.EventTarget.prototype.addEventListener;
  var startPort = win.MessagePort.prototype.start;
  var dataOf = describe(win.MessageEvent.prototype, "data").get;
  var portsOf = describe(win.MessageEvent.prototype, "ports").get;
  var port1Of = describe(Channel.prototype, "port1").get, port2Of = describe(Channel.prototype, "port2").get;
  // How this engine words a network error, for the worker's guards (read when a worker is made:
  // the first read of the user agent string costs the page's start a fraction of a millisecond).
  /** @type {{ fetch: string, xhrSync: string[] } | null} */
  var words = null;
  function wordsOf() {
    if (words) return words;
    var errors = networkErrors(win);
    return (words = { fetch: errors.fetch, xhrSync: split(str(errors.xhrSync("\u0000")), "\u0000") });
  }
  var encode = win.encodeURIComponent;
  var protocolOf = describe(U.prototype, "protocol").get;
  /** Whether a worker's URL is a data: URL (its script in the URL, run in an opaque origin). @param {string} url */
  var isData = function (url) {
    try { return call(protocolOf, new U(url)) === "data:"; } catch (e) { return false; } // (relative: not one)
  };
  var atob = win.atob, decode = win.decodeURIComponent;
  /** A data: URL's text (decoded as far as it decodes: what the scanner reads). @param {string} url */
  function dataText(url) {
    var comma = strIndexOf(url, ",");
    var header = strSlice(url, 0, comma), body = strSlice(url, comma + 1);
    try { body = call(decode, win, body); } catch (e) { /* as written */ }
    if (test(/;\s*base64\s*$/i, header)) { try { body = call(atob, win, body); } catch (e) { /* as written */ } }
    return body;
  }
  // A module worker from a data: URL whose static imports load a held URL fails as one whose
  // import did not load does (an "error" event; its script never runs): started from a data: URL
  // that is no script. (Its text is the page's to read; a Blob's is not, at once: README.)
  /** @param {string} url */
  var heldModule = function (url) { return !!r.heldImport && r.heldImport(dataText(url), url, "Worker") !== null; };
  var FAILS = "data:text/plain,";

  // The worker's own script, under a URL of Sekisho's (the page may revoke its own at once), run
  // once the guards are in: imported by the prelude (a classic worker), or a module imported
  // after the prelude's (a module worker: both are evaluated in one go, the worker taking no
  // message in between). Typed as JavaScript, which a classic worker's script need not be but an
  // imported one must (in Firefox and WebKit). The URLs of Sekisho's: the one to start it with
  // first.
  /** @param {Blob} blob @param {boolean} module @param {string} [channel] */
  function behindGuards(blob, module, channel) {
    var script = makeScript(blob);
    var prelude = preludeOf(module ? null : script, channel);
    var preludeModule = module ? makeScript(prelude) : "";
    var wrapper = makeScript(module ? imports(preludeModule, script) : prelude);
    return preludeModule ? [wrapper, script, preludeModule] : [wrapper, script];
  }
  // A worker from a data: URL: the same, in data: URLs (a blob: URL would give it the page's
  // origin). Its script stays the page's own URL, imported by the prelude.
  /** @param {string} url @param {boolean} module @param {string} [channel] */
  function dataBehindGuards(url, module, channel) {
    var prelude = preludeOf(module ? null : url, channel);
    return dataScript(module ? imports(dataScript(prelude), url) : prelude);
  }
  /** The prelude's call: `script` imported once the guards are in (a classic worker's). @param {string | null} script @param {string} [channel] */
  function preludeOf(script, channel) {
    return PRELUDE + "(" + stringify(script) + "," + stringify(wordsOf()) + (channel !== undefined ? "," + stringify(channel) : "") + ");";
  }
  /** A module worker's start: the prelude's module, then the worker's own. @param {string} prelude @param {string} script */
  function imports(prelude, script) { return "import " + stringify(prelude) + ";import " + stringify(script) + ";"; }
  /** @param {string} text */
  function dataScript(text) { return "data:text/javascript," + call(encode, win, text); }
  /** @param {any} options */
  function isModule(options) { return !!(options && typeof options === "object" && str(options.type) === "module"); }

  var Guarded = function (/** @type {any} */ url) {
    if (!new.target) return apply(NativeWorker, this, arguments); // (the native's TypeError)
    var args = arraySlice(arguments);
    if (args.length) args[0] = url = str(url); // read once: the script judged is the one run
    var blob = r.blobUrls.get(url);
    var data = !blob && isData(url);
    if (!blob && !data) return construct(NativeWorker, args, new.target);
    var module = isModule(args[1]);
    if (data && module && heldModule(url)) { args[0] = FAILS; return construct(NativeWorker, args, new.target); }
    var urls = blob ? behindGuards(blob, module) : []; // (Sekisho's blob: URLs, let go of once it started)
    args[0] = blob ? urls[0] : dataBehindGuards(url, module);
    var worker = construct(NativeWorker, args, new.target);
    var channel = new Channel();
    var port = call(port1Of, channel);
    listenTo(port, postToPort, function () { // the worker has imported its script: it runs
      for (var i = 0; i < urls.length; i++) call(revokeUrl, U, urls[i]);
    });
    call(postToWorker, worker, null, [call(port2Of, channel)]);
    return worker;
  };
  // A worker's questions, on its port (or channel: answered with `post`); `started` once, when
  // it says its script is in; the port of a worker it made (`adopt`) is listened to as its own.
  /** @param {any} port @param {any} post @param {(() => void) | null} started */
  function listenTo(port, post, started) {
    call(listen, port, "message", function (/** @type {any} */ e) {
      var data = call(dataOf, e);
      if (data && data.started === true) { if (started) started(); started = null; return; }
      if (data && data.adopt === true) { var adopted = call(portsOf, e)[0]; if (adopted) listenTo(adopted, postToPort, null); return; }
      answer(port, post, data);
    });
    if (post === postToPort) call(startPort, port);
  }
  standIn(win, "Worker", NativeWorker, Guarded);

  // A shared worker: the same blob: URL (and type) makes the same worker, so it keeps the same
  // URL of Sekisho's for the page's life, in every realm (its questions come on a channel of its
  // own, heard in the realm that made it first).
  var NativeShared = win.SharedWorker, Broadcast = win.BroadcastChannel;
  if (typeof NativeShared === "function" && typeof Broadcast === "function") {
    var postOnChannel = Broadcast.prototype.postMessage;
    var random = Math.random;
    /** @type {any[]} */
    var channels = [];
    standIn(win, "SharedWorker", NativeShared, function (/** @type {any} */ url) {
      if (!new.target) return apply(NativeShared, this, arguments); // (the native's TypeError)
      var args = arraySlice(arguments);
      if (args.length) args[0] = url = str(url);
      var module = isModule(args[1]);
      var key = (module ? "module " : "classic ") + url;
      // (A worker made before: connected to, also once the page revoked its blob: URL, from any realm.)
      var wrapper = r.blobUrls.sharedWorker(key);
      var blob = !wrapper && r.blobUrls.get(url);
      // (One from a data: URL runs in an opaque origin, which no channel of the page's reaches:
      // its guards have nobody to ask, and hold every request to another origin.)
      if (!wrapper && !blob && isData(url)) wrapper = module && heldModule(url) ? FAILS : dataBehindGuards(url, module, "");
      if (blob) {
        var name = "sekisho:" + str(call(random, Math)) + str(call(random, Math));
        var channel = new Broadcast(name);
        listenTo(channel, postOnChannel, null);
        channels[channels.length] = channel; // (kept: a channel nobody holds may be collected)
        wrapper = behindGuards(blob, module, name)[0];
        r.blobUrls.addSharedWorker(key, wrapper);
      }
      if (wrapper) args[0] = wrapper;
      return construct(NativeShared, args, new.target);
    });
  }
  /** A blob: URL of Sekisho's for a script (text or a Blob). @param {any} source */
  function makeScript(source) {
    return call(createUrl, U, new Blob([source], { type: "text/javascript" }));
  }

  // A worker's question: is `url` held? Audited as the page's own requests are. A held
  // fire-and-forget fetch waits in the page's queue (beacons.js) for its answer.
  /** @param {any} port @param {any} post @param {any} ask */
  function answer(port, post, ask) {
    if (!ask || typeof ask.id !== "string") return;
    var reply = function (/** @type {boolean} */ held) { call(post, port, { id: ask.id, held: held }); };
    try { judge(ask, reply); } catch (e) {
      console.error("[sekisho] a worker's request was held: it could not be judged (" + e + ")");
      reply(true); // (fail closed, and never leave the worker waiting)
    }
  }
  /** @param {any} ask @param {(held: boolean) => void} reply */
  function judge(ask, reply) {
    var kind = KIND[ask.kind === "xhr" || ask.kind === "websocket" || ask.kind === "eventsource" || ask.kind === "script" || ask.kind === "link" ? ask.kind : "fetch"];
    var url = str(ask.url);
    var via = str(ask.via);
    if (!r.held(url, kind, via)) {
      if (ask.sync) console.error("[sekisho] a worker's synchronous request to " + url + " failed: a worker cannot wait for the checkpoint's answer while it waits for the response; send it asynchronously");
      return reply(false);
    }
    if (ask.keep && r.beacons.keep({ url: url, kind: kind, via: via, send: function () { reply(false); }, drop: function () { reply(true); } })) return;
    reply(true);
  }
}
