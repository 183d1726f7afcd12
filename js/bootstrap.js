/*! Sekisho __VERSION__ | consent checkpoint | Apache-2.0 */
// The one classic script a site loads first in <head>. In order: it installs the guards
// (js/guards/), starts the checkpoint's Wasm synchronously and exposes window.sekisho (all
// policy lives in the Wasm); once the document is parsed it draws the first layer of a visitor
// who has not chosen, or the "privacy settings" control (js/first-layer.js). The UI module
// (sekisho-deferred.js beside this file: the preference center, embed placeholders, disclosure
// tables, config diagnostics) and the records module are fetched and compiled off the main thread
// when a page or a visitor needs them. If the checkpoint cannot start, the guards
// keep holding every third party, the API answers "undecided" and nothing held is ever released
// (fail closed).
(function () {
  "use strict";
  var perf = window.performance;
  var t0 = perf.now();
  var prefix = "[sekisho] ";
  // (Not `self`: the glue reads the global `self`.)
  var thisScript = /** @type {HTMLScriptElement} */ (document.currentScript);
  // A config baked in at build time (JSON text), used when the page has no #sekisho-config.
  var bakedConfig = __BAKED_CONFIG__;
  /*__PROTOCOL__*/
  /*__GUARDS__*/
  /*__FIRST_LAYER__*/

  // Until the Wasm has started (and for good if it cannot), the policy is fail-closed: every
  // third-party URL is held under a requirement nothing grants, and HTML strings lose their
  // scripts and the URLs of every tag that loads one.
  var rewritten = "";
  var policy = {
    judge: function (url, kind, via) {
      // A `data:` document in a frame runs in an opaque origin: held too.
      if (kind === KIND.iframe && /^[\s\x00-\x1f]*data:/i.test(url)) return VERDICT.hold;
      try {
        var u = new URL(url, location.href);
        return /^(https?|wss?):$/.test(u.protocol) && u.hostname !== location.hostname ? VERDICT.hold : VERDICT.pass;
      } catch (e) {
        return VERDICT.pass;
      }
    },
    judgeOpaque: function (url, via) { return VERDICT.hold; },
    // An inline module script that may import anything waits: a third party's URL stands for it.
    moduleImports: /** @param {string} source @returns {string} */ function (source) { return /import|export/.test(source) ? "https://unavailable.invalid/" : ""; },
    requirement: function () { return "unavailable"; },
    rewrite: function (html, via, base) {
      var tags = new RegExp("<(?:" + URL_TAGS.join("|") + ")\\b[^>]*>", "gi");
      var attributes = new RegExp("(\\s)(" + URL_ATTRIBUTES.join("|") + ")=", "gi");
      rewritten = html.replace(/<script\b/gi, '<script type="text/plain"').replace(tags, function (tag) {
        return tag.replace(attributes, "$1data-held-$2=");
      });
      return VERDICT.hold;
    },
    rewritten: function () { return rewritten; },
    // CSS: every URL that may be a third party's loads nothing (what cannot be read simply, all of it).
    rewriteCss: function (css, via, base) {
      if (!/url\(|@import|image-set|\\|\/\//i.test(css)) return VERDICT.pass;
      rewritten = /@import|image-set|\\/i.test(css) ? "" : css.replace(/url\(\s*(['"]?)([^'")]*)\1\s*\)/gi, function (all, q, url) {
        return policy.judge(url, KIND.img, via) === VERDICT.hold ? "url(about:invalid)" : all;
      }).replace(/(["'])(\s*(?:https?:)?\/\/[^"']*)\1/gi, function (all, q, url) { // (a custom property's URL: var() may use it)
        return policy.judge(url, KIND.img, via) === VERDICT.hold ? '"data:,"' : all;
      });
      return VERDICT.hold;
    },
    releaseCss: function (css, via, base) { return false; },
    cookie: function (write, via) { return true; },
    beaconQueue: 0 // (and no `releaseHit`: nothing kept is ever sent)
  };
  // The UI's own stylesheet (a constant without URLs) is set through the native, not the CSS guard.
  var nativeReplaceSync = window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync;
  var replaceSync = nativeReplaceSync ? Function.prototype.call.bind(nativeReplaceSync) : null;
  var guards = sekishoGuards(policy);
  guards.install(window);
  var tGuards = perf.now();

  // The natives the checkpoint's glue moves strings with, captured before any page code runs
  // (scripts/assemble.mjs `fortified`; js/guards/natives.js says why).
  var glueNatives = (function () {
    var call = Reflect.apply;
    var S = String.prototype, TE = TextEncoder.prototype, TD = TextDecoder.prototype;
    var T = Object.getPrototypeOf(Uint8Array.prototype);
    var charCodeAt = S.charCodeAt, slice = S.slice, encode = TE.encode, encodeInto = TE.encodeInto;
    var decode = TD.decode, subarray = T.subarray;
    return {
      /** @param {string} s @param {number} i */
      charCodeAt: function (s, i) { return call(charCodeAt, s, [i]); },
      /** @param {string} s @param {number} i */
      slice: function (s, i) { return call(slice, s, [i]); },
      /** @param {TextEncoder} e @param {string} s */
      encode: function (e, s) { return call(encode, e, [s]); },
      /** @param {TextEncoder} e @param {string} s @param {Uint8Array} v */
      encodeInto: function (e, s, v) { return call(encodeInto, e, [s, v]); },
      /** @param {TextDecoder} d @param {Uint8Array} b */
      decode: function (d, b) { return call(decode, d, [b]); },
      /** @param {Uint8Array} u @param {number} a @param {number} b */
      subarray: function (u, a, b) { return call(subarray, u, [a, b]); }
    };
  })();
  void glueNatives; // (read by the glue below, which the type check does not see)
  /*__GLUE__*/

  var w = wasm_bindgen;
  // window.sekisho: frozen, defined before the Wasm starts; each method forwards to `impl`, the
  // running checkpoint's or, if it could not start, the fail-closed stub's.
  var impl;
  var names = ["get", "acceptAll", "rejectAll", "set", "on", "off", "audit", "uncovered", "require", "showPreferences", "loadOnce", "identify"];
  var api = { version: "__VERSION__" };
  names.forEach(function (name) {
    api[name] = function () {
      return impl[name].apply(null, arguments);
    };
  });
  Object.defineProperty(window, "sekisho", { value: Object.freeze(api), enumerable: true });

  // Events: the `on(event)` listeners (each in its own try), then `sekisho:<event>` on document.
  var listeners = {};
  function emit(event, detail) {
    (listeners[event] || []).slice().forEach(function (f) {
      try { f(detail); } catch (e) { console.error(prefix + "a '" + event + "' listener threw", e); }
    });
    document.dispatchEvent(new CustomEvent("sekisho:" + event, { detail: detail }));
  }
  var ready = false;
  var onBlocked = function () {}; // (set once the UI's modules are known, below)
  // `require(purpose)` promises not resolved yet: [purpose, resolve].
  var waiting = [];

  // A Wasm module inlined as hex (ASCII, whatever the page's charset).
  /** @param {string} hex */
  function decodeHex(hex) {
    if (Uint8Array.fromHex) return Uint8Array.fromHex(hex);
    var bytes = new Uint8Array(hex.length / 2);
    for (var i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(i * 2, 2), 16);
    return bytes;
  }

  // The signals vendors read (core::signals): `{gtag, uetq, clarity}`, each a list of calls'
  // arguments, pushed into the queues their tags read (which the tags' own snippets keep).
  // Google's tags read `dataLayer`, or a queue the page names (GTM's snippet argument, gtag.js'
  // `&l=`): the first time a Google tag's script naming one is judged (or written in an HTML
  // string), what `dataLayer` was told so far goes to the front of that queue (before the tag's
  // own `gtm.js` event), and every later update to both.
  var googleQueues = ["dataLayer"];
  var toldGoogle = [];
  // gtag() pushes its `arguments` object: Google's tags read only that, not an array.
  /** @param {any[]} args */
  function gtagArguments(args) { return (function () { return arguments; }).apply(null, args); }
  // A Google tag's script URL up to its query; its queue's name (`l=`); such URLs in HTML.
  var GOOGLE_TAG_URL = "https?://(?:www\\.)?googletagmanager\\.com/(?:gtm\\.js|gtag/js)\\?";
  var GOOGLE_TAG = new RegExp("^" + GOOGLE_TAG_URL + "(?:[^#]*&)?l=([A-Za-z_$][\\w$]*)(?:[&#]|$)");
  var GOOGLE_TAGS_IN_HTML = new RegExp(GOOGLE_TAG_URL + "[^\"'\\s>]*", "g");
  /** @param {string} url */
  function googleQueueOf(url) {
    var m = GOOGLE_TAG.exec(url);
    var name = m && m[1];
    if (!name || googleQueues.indexOf(name) >= 0) return;
    googleQueues.push(name);
    if (!toldGoogle.length) return;
    try {
      var queue = window[name] = window[name] || [];
      queue.unshift.apply(queue, toldGoogle.map(gtagArguments));
    } catch (e) {
      console.error(prefix + "a consent signal could not be sent to " + name + " (" + e + ")");
    }
  }
  /** @param {string | undefined} json */
  function signal(json) {
    if (!json) return;
    var queues = JSON.parse(json);
    // Each vendor apart: a page that broke one queue still gets the others.
    var each = function (name, push) {
      try {
        (queues[name] || []).forEach(push);
      } catch (e) {
        console.error(prefix + "a consent signal could not be sent to " + name + " (" + e + ")");
      }
    };
    each("gtag", function (args) {
      toldGoogle.push(args);
      for (var i = 0; i < googleQueues.length; i++) {
        var queue = window[googleQueues[i]] = window[googleQueues[i]] || [];
        queue.push(gtagArguments(args));
      }
    });
    each("uetq", function (args) {
      var uetq = window.uetq = window.uetq || [];
      uetq.push.apply(uetq, args);
    });
    each("clarity", function (args) {
      // Clarity's own snippet keeps this queue (`c[a]=c[a]||function(){…}`).
      window.clarity = window.clarity || function () { (window.clarity.q = window.clarity.q || []).push(arguments); };
      window.clarity.apply(null, args);
    });
  }

  // What Google's and Microsoft's tags learn when the checkpoint cannot start: nothing granted
  // (core::signals::fail_closed; a host test checks this copy).
  var DENIED_SIGNALS = '{"gtag":[["consent","default",{"ad_storage":"denied","ad_user_data":"denied","ad_personalization":"denied","analytics_storage":"denied","functionality_storage":"denied","personalization_storage":"denied","security_storage":"granted"}],["set","ads_data_redaction",true]],"uetq":[["consent","default",{"ad_storage":"denied"}]]}';

  function failClosed(why) {
    console.error(prefix + "not started: " + why + ". Nothing that needs consent will be released.");
    // Google's and Microsoft's tags still learn that nothing is granted (unless the config turned
    // both signals off).
    var configText = document.getElementById("sekisho-config");
    try {
      var signals = JSON.parse(configText ? configText.textContent || "{}" : bakedConfig || "{}").signals;
      if (!signals || signals.googleConsentMode !== false || signals.microsoftUet !== false) signal(DENIED_SIGNALS);
    } catch (e) {
      signal(DENIED_SIGNALS);
    }
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
      uncovered: function () { return { hosts: [], more: 0 }; },
      require: function () { return new Promise(function () {}); },
      showPreferences: function () { console.error(prefix + "not started (" + why + "): no preferences to show"); },
      identify: function () { console.error(prefix + "not started (" + why + "): identify() does nothing"); },
      loadOnce: function () { return false; }
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
  // The state and audit lines come as JSON text, choices go as JSON text: one string crosses,
  // and each side parses it natively (JSON.parse here, core::json in the Wasm).
  var get = function () { return JSON.parse(w.state()); };
  // A decision's new state: the vendors' signals (in the same task), `change`, then the
  // `require()` promises it meets.
  var changed = function (stateJson) {
    var state = JSON.parse(stateJson);
    signal(w.signals_update());
    if (state.decided) firstLayer.decided();
    emit("change", state);
    waiting = waiting.filter(function (wait) {
      if (!w.allows(wait[0])) return true;
      wait[1](get());
      return false;
    });
    return state;
  };
  // A visitor's decision: its new state, and (when the config syncs) the decision handed to the
  // deferred module, which makes it a consent record and sends it (docs/contracts.md §6).
  var decisions = [];
  var METHODS = ["banner", "preferences", "placeholder", "api", "signal"];
  var subjectToken = null; // identify(token): the member this browser's records are linked to
  var identifyAsked = false;
  var decided = function (op, options, decide) {
    var before = syncing ? get() : null;
    var state = changed(decide());
    if (syncing) {
      var method = options && METHODS.indexOf(options.method) >= 0 ? options.method : "api";
      // (The deferred module adopting a member's choice from another device says so.)
      if (op === "set" && options && options.adopt === true) op = "adopt";
      decisions.push({ op: op, method: method, before: before, after: state, at: Date.now(), subject: subjectToken, ui: uiFingerprint });
      handDecisions();
    }
    return state;
  };
  impl = {
    get: get,
    acceptAll: function (options) { return decided("acceptAll", options, w.accept_all); },
    rejectAll: function (options) { return decided("rejectAll", options, w.reject_all); },
    set: function (choices, options) {
      var json = JSON.stringify(choices === undefined ? null : choices);
      return decided("set", options, function () { return w.set_choices(json); });
    },
    on: function (event, f) {
      (listeners[event] = listeners[event] || []).push(f);
      // A late `ready` listener is called at once.
      if (event === "ready" && ready) f(get());
    },
    off: function (event, f) {
      listeners[event] = (listeners[event] || []).filter(function (g) { return g !== f; });
    },
    audit: function () { return JSON.parse(w.audit()); },
    uncovered: function () { return JSON.parse(w.uncovered()); },
    require: function (purpose) {
      return w.allows(String(purpose)) ? Promise.resolve(get())
        : new Promise(function (resolve) { waiting.push([String(purpose), resolve]); });
    },
    // The preference center is the deferred module's: loaded now if it was not needed at start.
    showPreferences: function () {
      if (deferred) deferred.show_preferences();
      else { preferencesAsked = true; loadDeferred(config); }
    },
    // A logged-in member: the token the site's backend issued for them (docs/contracts.md §6).
    // This browser's records carry it from now on (the server keeps a pseudonym), and the
    // member's latest choice on another device is adopted when it is newer than this one's.
    identify: function (token) {
      if (typeof token !== "string" || token.indexOf(".") < 1) throw new TypeError("sekisho.identify(token): expects the subject token the site's backend issued");
      subjectToken = token;
      if (!syncing) return console.error(prefix + "identify(): the config has no sync endpoint: the member's choices are not linked");
      identifyAsked = true;
      handDecisions();
    },
    // An embed's "load this once", for this page view, no choice recorded (the visitor's next
    // choice holds it again unless it allows it): one held iframe, or a service by its id (a
    // script-built embed: its script and what that loads).
    loadOnce: function (target) {
      if (typeof target === "string") return w.allow_once(target);
      var el = target;
      if (!el || el.nodeType !== 1 || el.localName !== "iframe" || el.getAttribute("data-sekisho") !== "held") return false;
      guards.exempt(el); // its own URL passes; what it loads is its own (a cross-origin document)
      return w.release_once(el);
    }
  };

  // The config travels as JSON text too (parsed in the Wasm; its problems are reported by the
  // deferred module).
  var el = document.getElementById("sekisho-config");
  var config = el ? el.textContent : bakedConfig;
  try {
    w.start(config, function (lineJson) {
      var line = JSON.parse(lineJson);
      emit(line.action, line);
      // (An embed is a frame, or markup whose script is held.)
      if (line.action === "blocked" && (line.kind === "iframe" || line.kind === "script")) onBlocked();
    });
  } catch (e) {
    return failClosed("start failed (" + e + ")");
  }
  signal(w.signals_at_start());
  var syncing = w.syncs();
  policy.judge = function (url, kind, via) {
    if (kind === KIND.script) googleQueueOf(url);
    return w.judge(url, kind, via);
  };
  policy.judgeOpaque = w.judge_opaque_frame;
  policy.moduleImports = w.module_imports;
  policy.releaseHit = w.release_hit;
  policy.beaconQueue = w.beacon_queue();
  policy.requirement = w.held_requirement;
  policy.final = true; // its passes (allowed whatever the visitor chooses) may be remembered
  policy.rewrite = function (html, via, base, maps) {
    // (A Google tag written in an HTML string: its queue, as for one judged by the guards.)
    if (html.indexOf("googletagmanager.com/") >= 0) {
      var tags = html.match(GOOGLE_TAGS_IN_HTML) || [];
      for (var i = 0; i < tags.length; i++) googleQueueOf(tags[i].replace(/&amp;/g, "&"));
    }
    return w.rewrite_html(html, via, base, maps || "");
  };
  policy.rewritten = w.rewritten;
  policy.rewriteCss = w.rewrite_css;
  policy.releaseCss = w.release_css;
  policy.observe = w.observe_document;
  policy.added = w.added;
  policy.cookie = w.cookie_allowed;
  // Whether this browser caps cookies set by script (WebKit's ITP: Safari, every iOS browser; Brave):
  // only there is the localStorage copy of the choice read when the cookie is missing.
  var cookiesCapped = /^Apple/.test(navigator.vendor || "") || Boolean(/** @type {any} */ (navigator).brave);
  // "ready" (after the localStorage fallback, which may put a stored choice in effect) once the
  // document is parsed; once the page has loaded and is idle, what services not allowed left
  // (cookies, storage keys) is swept, if something may have been left.
  var domReady = function () {
    var restored = w.dom_ready(cookiesCapped);
    if (restored) changed(restored);
    ready = true;
    emit("ready", get());
  };
  afterReady(domReady);
  var sweep = function () { (window.requestIdleCallback || setTimeout)(w.sweep_after_load); };
  if (document.readyState === "complete") sweep(); else window.addEventListener("load", sweep);
  // The deferred module and the records module (below).
  var deferred = null; // its exports, once it runs
  var uiFingerprint = null; // the SHA-256 of the UI module's Wasm, for the records, once a UI shows
  var records = null;
  var recordsRequested = false;
  var deferredRequested = false;
  var preferencesAsked = false;
  // What this script draws itself (js/first-layer.js); the UI module adopts it when it comes.
  var firstLayer = sekishoFirstLayer({ control: __CONTROL_CSS__, banner: __BANNER_CSS__ }, replaceSync, {
    decide: function (action) {
      if (action === "accept-all") api.acceptAll({ method: "banner" });
      else api.rejectAll({ method: "banner" });
    },
    preferences: function () { api.showPreferences(); },
    moduleActs: function () { return deferred !== null; }
  });
  var pageLang = function () { return document.documentElement.getAttribute("lang") || ""; };
  var browserLangs = function () { return (navigator.languages || []).join(","); };
  // The UI module's embed placeholders: needed once the page has an embed that waits (a held
  // frame, a script-built embed's markup).
  var embedsSelector = null;
  var embedsWait = function () {
    try {
      embedsSelector = embedsSelector || w.embeds_selector();
      return Boolean(document.querySelector(embedsSelector));
    } catch (e) { return true; }
  };
  // At once when the config has problems to explain (or a CMP may ask the visitor instead of the
  // first layer); else once the page is parsed (after the localStorage copy is read): the module
  // for a disclosure table or an embed; else the first layer; else, once the page has loaded and
  // is idle, the "privacy settings" control. The module comes when the visitor opens the
  // preferences.
  if (w.deferred_needed()) loadDeferred(config);
  var parsed = false;
  afterReady(function () {
    parsed = true;
    if (deferredRequested) return;
    if (document.querySelector("[data-sekisho-disclosure]") || embedsWait()) return loadDeferred(config);
    var text = w.first_layer(pageLang(), browserLangs());
    if (text) {
      uiFingerprint = "__UI_SHA256__";
      return firstLayer.banner(JSON.parse(text));
    }
    var later = function () { (window.requestIdleCallback || setTimeout)(drawReopenControl); };
    if (document.readyState === "complete") later(); else window.addEventListener("load", later);
  });
  // An embed held after the page was parsed (a frame inserted by script, a widget's script held
  // under its markup) brings the module and its placeholder.
  onBlocked = function () {
    if (parsed && !deferredRequested && embedsWait()) loadDeferred(config);
  };
  function drawReopenControl() {
    if (deferredRequested || document.getElementById("sekisho-root")) return;
    var control = w.reopen_control(pageLang(), browserLangs());
    if (!control) return; // (config reopenControl: false)
    var tagEnd = control.indexOf("\n");
    firstLayer.reopen(control.slice(0, tagEnd), control.slice(tagEnd + 1));
  }
  // The TCF bridge (config signals.tcfBridge): its module follows the page's CMP once the page
  // is parsed; no other page loads it.
  if (w.tcf_bridge()) {
    loadModule("sekisho-tcf.js", "the TCF bridge", "the CMP's choices are not followed", function (glue) { glue.start(config); });
  }
  // A page's own "privacy settings" control, anywhere: [data-sekisho-action="reopen"].
  document.addEventListener("click", function (e) {
    var target = /** @type {Element | null} */ (e.target);
    if (!target || !target.closest || !target.closest('[data-sekisho-action="reopen"]')) return;
    e.preventDefault();
    api.showPreferences();
  });

  // Decisions go to the deferred module (loaded for them if it is not there yet). Records left
  // queued by earlier pages (offline, closed too soon) are sent once a page has loaded and is idle.
  function handDecisions() {
    if (!records) return loadRecords();
    while (decisions.length) {
      try { records.record(JSON.stringify(decisions.shift())); } catch (e) { console.error(prefix + "a consent record could not be made (" + e + ")"); }
    }
    if (identifyAsked && subjectToken) {
      identifyAsked = false;
      try { records.identify(subjectToken); } catch (e) { console.error(prefix + "identify() failed (" + e + ")"); }
    }
  }
  if (syncing) {
    // What the page load decided (a lapsed choice, GPC withdrawing ads): recorded once each. The
    // notes wait in localStorage until they are (a visitor who leaves at once has them recorded
    // on their next page: this page's own decision is not made again there). Rare: only then is
    // storage touched at start.
    var NOTES = "sekisho:notes";
    var keptNotes = function () {
      try { return JSON.parse(localStorage.getItem(NOTES) || "[]"); } catch (e) { return []; }
    };
    var startNotes = w.start_notes(); // (none on almost every page: nothing parsed, nothing stored)
    if (startNotes) {
      try { localStorage.setItem(NOTES, JSON.stringify(keptNotes().concat(JSON.parse(startNotes)))); } catch (e) { /* no storage */ }
    }
    var pending = function () {
      (window.requestIdleCallback || setTimeout)(function () {
        var notes = keptNotes();
        var left = [];
        for (var n = 0; n < notes.length; n++) {
          var marker = "sekisho:noted:" + notes[n][0] + ":" + notes[n][1];
          try { if (localStorage.getItem(marker)) continue; } catch (e) { continue; }
          left.push(notes[n]);
          decisions.push({ op: notes[n][0], method: "signal", before: null, after: get(), at: Date.now(), subject: subjectToken, note: marker, ui: uiFingerprint });
        }
        try {
          if (left.length) localStorage.setItem(NOTES, JSON.stringify(left)); else localStorage.removeItem(NOTES);
        } catch (e) { /* no storage */ }
        if (decisions.length) return handDecisions();
        try {
          for (var i = 0; i < localStorage.length; i++) {
            if (String(localStorage.key(i)).indexOf("sekisho:record:") === 0) return loadRecords();
          }
        } catch (e) { /* no storage: nothing queued */ }
      });
    };
    if (document.readyState === "complete") pending(); else window.addEventListener("load", pending);
  }

  // The deferred module: sekisho-deferred.js, beside this file, inserted as an async script (its
  // download and parse happen off the main thread); when it runs it hands over its glue and its
  // Wasm, which is compiled asynchronously (off the main thread too) and run once the document
  // is parsed. It then talks to the checkpoint through window.sekisho only.
  function loadDeferred(configText) {
    if (deferredRequested) return;
    deferredRequested = true;
    loadModule("sekisho-deferred.js", "the deferred module", "no banner, no preferences, no config diagnostics", function (glue, uiHash) {
      glue.run(configText);
      deferred = glue;
      uiFingerprint = uiHash;
      if (preferencesAsked) glue.show_preferences();
    });
  }
  // The records module (sekisho-records.js): loaded when there is something to record.
  function loadRecords() {
    if (recordsRequested) return;
    recordsRequested = true;
    loadModule("sekisho-records.js", "the records module", "consent records stay queued in this browser", function (glue) {
      glue.start(config);
      records = glue;
      handDecisions();
    });
  }
  // A module beside this file, inserted as an async script exempt from the guards; it hands over
  // its glue and its Wasm, compiled off the main thread, then `ready(glue, extra)` runs once the
  // document is parsed.
  function loadModule(file, name, without, ready) {
    var src = thisScript && thisScript.src;
    if (!src) return console.error(prefix + "sekisho.js was not loaded from a URL: " + name + " cannot be found beside it (" + without + ")");
    var script = document.createElement("script");
    var fail = function (why) { console.error(prefix + name + " did not start (" + why + "): " + without); };
    script.onerror = function () { fail("could not load " + script.src); };
    script.sekishoStart = function (glue, hex, length, extra) {
      var bytes = decodeHex(hex);
      if (bytes.length !== length) return fail("the inlined module is damaged");
      WebAssembly.compile(bytes).then(function (module) {
        whenParsed(function () {
          try {
            glue.initSync({ module: module });
            ready(glue, extra);
          } catch (e) { fail(String(e)); }
        });
      }, function (e) { fail(String(e)); });
    };
    guards.exempt(script);
    script.async = true;
    if (thisScript.nonce) script.nonce = thisScript.nonce;
    script.src = src.replace(/[^/?#]*(?=[?#]|$)/, file); // beside it, same query
    (document.head || document.documentElement).appendChild(script);
  }
  function whenParsed(f) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", f); else f();
  }
  // `f` once the page is parsed (a microtask later when it already is), in the order asked:
  // `domReady` first, which may restore a choice from the copy, then the UI.
  function afterReady(f) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", f); else Promise.resolve().then(f);
  }

  // Figures for tests/bench: the whole start, and its phases.
  perf.measure("sekisho:start", { start: t0 });
  perf.measure("sekisho:guards", { start: t0, end: tGuards });
  perf.measure("sekisho:decode", { start: tGuards, end: t1 });
  perf.measure("sekisho:compile", { start: t1, end: t2 });
  perf.measure("sekisho:policy", { start: t2 });
})();
