// The runtime checkpoint's interception layer, installed synchronously by the first script,
// before any other script can run. It decides nothing itself: every URL goes to the policy
// (`policy.judge(url, kind, via)` → a VERDICT number: pass, passByChoice or hold; `kind` is a
// KIND number; `via` names the API page code called, for the audit line, or is "" when the
// markup checkpoint will write that line; after a hold, `policy.requirement()` gives the
// `data-consent` value to hold an element under). Held elements become inert markup
// (type="text/plain", data-src, data-href… + data-consent, and the API in data-sekisho-via) that
// the markup checkpoint releases, in document order, once allowed. Held network calls fail the
// way an ad blocker makes them fail, and never hang. Which elements load URLs through which
// attributes is the shared table (src/protocol.json: ELEMENTS, URL_SELECTOR, URL_ATTRIBUTES,
// URL_PROPERTIES, RUNNABLE_SCRIPT_TYPES, KIND, VERDICT).
//
// `policy` starts fail-closed (every third party held, nothing released) and is replaced by the
// Wasm once it has started: if it never starts, the gate never opens (and `policy.added`, the
// markup checkpoint, is never set: nothing marked is released).
//
// One file per family of web APIs (ARCHITECTURE.md maps them), each guarding one realm `r`:
//   natives.js     what every guard calls, captured at install; `wrap`, `wrapSetter`
//   memo.js        the answers no choice can change, remembered across realms
//   elements.js    what an element loads, holding it; insertion, clones, adoption, XSLT
//   attributes.js  setAttribute(NS), URL property setters, attribute nodes, Audio
//   html.js        HTML strings (innerHTML, document.write, insertAdjacentHTML, …)
//   network.js     fetch, XHR, beacons, sockets, worklets, Cache, forms, pings
//   beacons.js     held fire-and-forget requests kept until their service is allowed
//   frames.js      same-origin frames and opened windows get guards of their own
//   styles.js      CSS: style attributes, <style> text, the CSSOM
//   parser.js      parsed elements and shadow roots (observers)
//   cookies.js     document.cookie, cookieStore
//   workers.js     workers made from a Blob run behind worker-prelude.js
//   modules.js     inline module scripts' imports, import maps
import { captureNatives, weakSet, weakMap, str, test, call, describe } from "./natives.js";
import { createMemo } from "./memo.js";
import { guardElements } from "./elements.js";
import { guardAttributes } from "./attributes.js";
import { guardHtml } from "./html.js";
import { guardNetwork } from "./network.js";
import { createBeaconQueue } from "./beacons.js";
import { guardFrames } from "./frames.js";
import { guardStyles, createHeldStyles } from "./styles.js";
import { guardParsing, createShadowRoots } from "./parser.js";
import { guardCookies } from "./cookies.js";
import { guardWorkers, createBlobUrls } from "./workers.js";
import { guardModules } from "./modules.js";

// A relative URL: it loads against the document's base URL.
var RELATIVE = /^(?![a-z][a-z0-9+.-]*:|\/\/)/i;

/** @param {any} policy */
export function sekishoGuards(policy) {
  "use strict";
  // Guarded realms, keyed by their Node constructor, not the WindowProxy: a frame's WindowProxy
  // stays the same when it navigates to a new document, whose realm needs guards of its own.
  var guarded = weakSet();
  var memo = createMemo(policy);
  var shadowRoots = createShadowRoots(policy);
  var beacons = createBeaconQueue(policy);
  var blobUrls = createBlobUrls();
  var heldStyles = createHeldStyles(policy);
  // The arguments of each XMLHttpRequest's `open` (shared: a request of one realm may be opened
  // and sent with another's methods).
  var xhrOpened = weakMap();
  // Sekisho's own elements (the deferred module's script): never held.
  var exempt = weakSet();
  var listening = false;

  /** @param {any} win */
  function install(win) {
    var realm = win.Node;
    if (!guarded || !realm || guarded.has(realm)) return;
    guarded.add(realm);
    if (!win.Element || !win.Node) return;
    var doc = win.document;

    // A <base href> can move relative URLs to another host: the policy sees them resolved then.
    // (Without one, the Wasm knows the page.)
    var baseOf = describe(win.Node.prototype, "baseURI").get;
    var urlOf = win.Document && describe(win.Document.prototype, "URL").get;
    var URLOf = win.URL;
    var urlHref = URLOf && describe(URLOf.prototype, "href").get;
    function movedBase() {
      var base = call(baseOf, doc);
      return base && base !== call(urlOf, doc) ? base : "";
    }
    /** The realm: what the families share. Each family adds what it provides (see its file). */
    var r = {
      win: win,
      doc: doc,
      policy: policy,
      memo: memo,
      exempt: exempt,
      shadowRoots: shadowRoots,
      beacons: beacons,
      blobUrls: blobUrls,
      heldStyles: heldStyles,
      xhrOpened: xhrOpened,
      install: install,
      natives: captureNatives(win),
      movedBase: movedBase,
      /** `url` as the policy judges it: relative ones resolved where they load when a <base> moved them. */
      resolve: function (url) {
        url = str(url);
        var base = test(RELATIVE, url) && movedBase();
        if (base) { try { url = call(urlHref, new URLOf(url, base)); } catch (e) { /* left as it is */ } }
        return url;
      },
      /** Whether `url` is held, as `kind`. */
      held: function (url, kind, via) {
        return memo.ask(r.resolve(url), kind, via) === VERDICT.hold;
      },
      /** Fires `type` at `target` in a later task (a held call fails asynchronously, as a network error). */
      fail: function (target, type) {
        setTimeout(function () {
          try { target.dispatchEvent(new win.Event(type)); } catch (e) { /* detached */ }
        }, 0);
      }
    };
    // Each family on its own: one that cannot be installed here (a document of another kind, an
    // engine without an interface) says so and leaves the others in.
    var families = [guardFrames, guardElements, guardModules, guardAttributes, guardHtml, guardStyles, guardNetwork, guardCookies, guardWorkers, guardParsing];
    for (var i = 0; i < families.length; i++) {
      try { families[i](r); } catch (e) { console.error("[sekisho] a guard could not be installed in " + str(win.location && win.location.href) + ": " + e); }
    }
    if (!listening) {
      listening = true;
      // After a decision: what was held in shadow roots is released (or held again), held CSS
      // given back, and the kept fire-and-forget requests go (or are dropped).
      doc.addEventListener("sekisho:change", function (e) {
        shadowRoots.rescan();
        heldStyles.release();
        beacons.flush(!!(e.detail && e.detail.decided));
      });
    }
  }

  return {
    install: install,
    /** @param {Element} el */
    exempt: function (el) { exempt.add(el); }
  };
}
