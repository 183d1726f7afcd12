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
function sekishoGuards(policy) {
  "use strict";
  var guarded = typeof WeakSet === "function" ? new WeakSet() : null;
  // Besides the elements that load URLs: every iframe (its realm is guarded), speculation
  // rules, marked elements, SVG animations of an `href`.
  var GUARDED_SELECTOR = URL_SELECTOR + ",iframe,script[type='speculationrules' i],[data-consent],set,animate";
  var HOLD = VERDICT.hold;

  function install(win) {
    // Keyed by the realm (its Node constructor), not the WindowProxy: a frame's WindowProxy stays
    // the same when it navigates to a new document, whose realm needs guards of its own.
    var realm = win.Node;
    if (!guarded || !realm || guarded.has(realm)) return;
    guarded.add(realm);
    var doc = win.document;
    var E = win.Element && win.Element.prototype;
    var N = win.Node && win.Node.prototype;
    if (!E || !N) return;
    var setAttr = E.setAttribute;
    var getAttr = E.getAttribute;
    var hasAttr = E.hasAttribute;
    var removeAttr = E.removeAttribute;
    var replaceChild = N.replaceChild;
    var cloneNode = N.cloneNode;
    var adoptNode = win.Document && win.Document.prototype.adoptNode;
    var qsaElement = E.querySelectorAll;
    var getByTag = E.getElementsByTagName;
    var qsaFragment = win.DocumentFragment && win.DocumentFragment.prototype.querySelectorAll;
    var qsaDocument = win.Document && win.Document.prototype.querySelectorAll;
    // querySelectorAll of the node's own kind (Element's throws "Illegal invocation" on a fragment).
    function findAll(node, selector) {
      var impl = node.nodeType === 1 ? qsaElement : node.nodeType === 11 ? qsaFragment : qsaDocument;
      return impl ? impl.call(node, selector) : [];
    }

    // A relative URL loads against the document's base URL, which a <base href> can move to
    // another host: the policy sees it resolved then. (Without one, the Wasm knows the page.)
    var RELATIVE = /^(?![a-z][a-z0-9+.-]*:|\/\/)/i;
    function movedBase() {
      var base = doc.baseURI;
      return base && base !== doc.URL ? base : "";
    }
    // Whether `url` (relative ones resolved where they load) is held, as `kind`.
    function held(url, kind, via) {
      url = String(url);
      var base = RELATIVE.test(url) && movedBase();
      if (base) { try { url = new win.URL(url, base).href; } catch (e) { /* left as it is */ } }
      return ask(url, kind, via) === HOLD;
    }
    // HTML strings as `ask` treats URLs: one that only holds URLs no choice changes is remembered
    // (frameworks set the same template HTML again and again); any other forgets the clean trees.
    // The HTML with its held tags made inert, or null when it is unchanged.
    function rewrite(html, via) {
      var base = movedBase();
      if (!base && cleanHtml && cleanHtml.has(html)) return null;
      var verdict = policy.rewrite(html, via, base);
      if (verdict === VERDICT.pass && policy.final && !base && cleanHtml && html.length <= 4096) {
        if (cleanHtml.size >= 200) cleanHtml.clear();
        cleanHtml.set(html, true);
        return null;
      }
      forget();
      return verdict === HOLD ? policy.rewritten() : null;
    }

    function scriptType(el) { return (getAttr.call(el, "type") || "").trim().toLowerCase(); }
    // A type a browser runs a script of (without `;` parameters: a superset of what runs).
    function runnable(type) {
      return RUNNABLE_SCRIPT_TYPES.indexOf(type.split(";")[0].trim()) >= 0;
    }

    var SVG = "http://www.w3.org/2000/svg";
    // What an element would load: [KIND number, the attributes holding its URLs], from the
    // table. SVG <script href> and <image href> are held by their URL alone, released by getting
    // it back (as href). A marked script is the markup checkpoint's.
    function target(el) {
      var rule = (el.namespaceURI === SVG ? ELEMENTS.svg : ELEMENTS.html)[el.localName];
      if (!rule) return null;
      if (el.localName === "script" && el.namespaceURI !== SVG
        && (!runnable(scriptType(el)) || hasAttr.call(el, "data-consent"))) return null;
      return rule;
    }

    // Turns `el` into held markup under `requirement` (the markup checkpoint takes it from there).
    function holdElement(el, attr, url, requirement, via) {
      // An attribution registration belongs to this load: it is dropped, not released later.
      if (attr === "attributionsrc") return removeAttr.call(el, attr);
      if (el.localName === "script" && el.namespaceURI !== SVG) {
        var type = getAttr.call(el, "type");
        if (type) setAttr.call(el, "data-type", type);
        setAttr.call(el, "type", "text/plain");
        setAttr.call(el, "data-src", url);
        removeAttr.call(el, "src");
      } else {
        // A frame already in the document with this URL (the parser's) is already navigating.
        var navigating = el.isConnected && el.localName === "iframe" && getAttr.call(el, attr) === url;
        setAttr.call(el, attr === "xlink:href" ? "data-href" : "data-" + attr, url);
        removeAttr.call(el, attr);
      }
      setAttr.call(el, "data-consent", requirement);
      if (via) setAttr.call(el, "data-sekisho-via", via);
      // A new `src` does not stop that navigation in every engine (Firefox and WebKit may still
      // commit the tracker's document): a copy of the held frame, which never navigated, takes
      // its place before anything of the page's can see it.
      if (navigating && el.parentNode) replaceChild.call(el.parentNode, el.cloneNode(true), el);
    }

    // Speculation rules prefetch or prerender the URLs they list: held ones are taken out before
    // the browser reads the rules (when the script is inserted). Document rules are left alone.
    function speculation(el, via) {
      var rules;
      try { rules = JSON.parse(el.text); } catch (e) { return; }
      var changed = false;
      ["prefetch", "prerender"].forEach(function (action) {
        var list = rules && rules[action];
        (Array.isArray(list) ? list : []).forEach(function (rule) {
          if (!rule || !Array.isArray(rule.urls)) return;
          var kept = rule.urls.filter(function (url) { return !held(url, KIND.link, via || "speculationrules"); });
          if (kept.length !== rule.urls.length) { rule.urls = kept; changed = true; }
        });
      });
      if (changed) el.text = JSON.stringify(rules);
    }

    // Content the page made (`srcdoc`, a `blob:` URL) in a sandbox that allows scripts but not
    // the same origin runs in an opaque origin that no guard reaches: the policy holds it as
    // "opaque" (and `data:` documents, which it recognises by their URL).
    function opaqueSandbox(el) {
      if (el.localName !== "iframe" || !hasAttr.call(el, "sandbox")) return false;
      var flags = " " + getAttr.call(el, "sandbox").toLowerCase().split(/\s+/).join(" ") + " ";
      return flags.indexOf(" allow-scripts ") >= 0 && flags.indexOf(" allow-same-origin ") < 0;
    }
    // Whether an <object>/<embed> shows its `blob:` URL as a document: that realm exists only once
    // it loads, after its own scripts ran, so no guard reaches it in time either (a PDF, image or
    // media type is no document: left alone).
    function blobDocument(el) {
      return (el.localName === "object" || el.localName === "embed")
        && !/^\s*(application\/pdf|image\/(?!svg)|video\/|audio\/)/i.test(getAttr.call(el, "type") || "");
    }
    // Whether the URL `el` would load through `attr` is held.
    function heldUrl(el, attr, url, kind, via) {
      var blob = /^\s*blob:/i.test(url);
      if ((attr === "srcdoc" || blob) && opaqueSandbox(el) || blob && blobDocument(el)) {
        fixed = false;
        forget();
        return policy.judgeOpaque(attr === "srcdoc" ? "about:srcdoc" : url, via) === HOLD;
      }
      return held(url, kind, via);
    }
    // Holds `el` when the URL it would load through `attr` is held; whether it did.
    function holdIfHeld(el, attr, url, kind, via, auditVia) {
      if (!heldUrl(el, attr, url, kind, auditVia)) return false;
      holdElement(el, attr, url, policy.requirement(), via);
      return true;
    }
    // An iframe's `srcdoc` as it may be set: null when it is held whole (an opaque sandbox; it
    // then waits under data-srcdoc), else with the tags it would load held.
    function srcdoc(el, html, via) {
      if (holdIfHeld(el, "srcdoc", html, KIND.iframe, via, "")) return null;
      var rewritten = rewrite(html, via);
      return rewritten != null ? rewritten : html;
    }

    // An SVG animation of an `href` (<set>/<animate attributeName=href to|values|from|by=…>)
    // loads the URLs it sets on the next frame: a held one is dropped (not replayed).
    function animation(el, via) {
      var name = (getAttr.call(el, "attributeName") || "").trim();
      if (name !== "href" && name !== "xlink:href") return;
      ["to", "values", "from", "by"].forEach(function (attr) {
        var value = getAttr.call(el, attr);
        var holds = value && value.split(";").some(function (url) {
          return url.trim() && held(url.trim(), KIND.img, via || "animate");
        });
        if (holds) {
          setAttr.call(el, "data-held-" + attr, value);
          removeAttr.call(el, attr);
        }
      });
    }

    // Neutralises one element before it can load.
    function check(el, via) {
      if (exempt.has(el)) return;
      // Marked elements are the markup checkpoint's, and a frame's realm is guarded on every
      // insertion (`adoptFrames`): a tree with either is never "clean".
      if (el && el.nodeType === 1 && (el.localName === "iframe" || hasAttr.call(el, "data-consent"))) fixed = false;
      var t = el && el.nodeType === 1 && target(el);
      if (!t) {
        if (el && el.localName === "script" && scriptType(el) === "speculationrules") {
          fixed = false;
          speculation(el, via);
        } else if (el && el.namespaceURI === SVG && (el.localName === "set" || el.localName === "animate")) {
          animation(el, via);
        }
        return;
      }
      if (el.localName === "iframe" && hasAttr.call(el, "srcdoc")) {
        fixed = false;
        var html = getAttr.call(el, "srcdoc");
        var kept = srcdoc(el, html, "srcdoc");
        if (kept !== null && kept !== html) setAttr.call(el, "srcdoc", kept);
      }
      t.urls.forEach(function (attr) {
        var url = getAttr.call(el, attr);
        // (Elements are audited by the markup checkpoint; a dropped registration here.)
        if (url) holdIfHeld(el, attr, url, t.kind, via, attr === "attributionsrc" ? via : "");
      });
    }

    // A tree whose every URL was let through for good is not checked again when it is inserted
    // (frameworks clone and insert the same rows over and over; see `ask`).
    // Whether it searched the whole subtree just now (the observer then skips the descendants'
    // own records: see `arrived`).
    function checkTree(node, via) {
      if (!node || typeof node !== "object" || isClean(node)) return false;
      var memo = generation;
      var searched = false;
      fixed = true;
      if (node.nodeType === 1) check(node, via);
      if ((node.nodeType === 1 || node.nodeType === 11) && node.firstElementChild) {
        // A tree built bottom-up (children inserted, each checked) needs no search below.
        var c = node.firstElementChild;
        while (c && isClean(c)) c = c.nextElementSibling;
        if (c) {
          var list = findAll(node, GUARDED_SELECTOR);
          for (var i = 0; i < list.length; i++) check(list[i], via);
          searched = true;
        }
      }
      if (fixed && memo === generation) remember(node);
      return searched;
    }
    // A clean fragment's children are clean: they are what the observer sees once it is inserted.
    function remember(node) {
      markClean(node);
      if (node.nodeType === 11) for (var c = node.firstElementChild; c; c = c.nextElementSibling) markClean(c);
    }

    // Same-origin child frames (about:blank, srcdoc, same-origin src) get the same guards.
    function adoptFrames(node) {
      if (!node || node.nodeType !== 1 && node.nodeType !== 11) return;
      var frames = node.localName === "iframe" ? [node] : !node.firstElementChild ? []
        : node.nodeType === 1 ? getByTag.call(node, "iframe") : findAll(node, "iframe");
      for (var i = 0; i < frames.length; i++) guardFrame(frames[i]);
    }
    function guardFrame(frame) {
      try {
        if (frame.contentWindow) {
          install(frame.contentWindow);
          // The markup checkpoint watches (and releases in) the frame's document too.
          if (policy.observe && frame.contentDocument) policy.observe(frame.contentDocument);
        }
      } catch (e) { /* cross-origin: its own document, not ours to guard */ }
      if (!frame.__sekishoLoad) {
        frame.__sekishoLoad = true;
        frame.addEventListener("load", function () { guardFrame(frame); });
      }
    }
    // An about:blank frame fires "load" synchronously while it is being inserted, before the
    // insertion guard returns: its handlers could take the frame's unguarded fetch or Image. A
    // capturing listener on the document runs before them (a "load" event's path ends at the
    // document), and guards the frame first.
    doc.addEventListener("load", function (e) {
      var t = e.target;
      if (t && (t.localName === "iframe" || t.localName === "frame" || t.localName === "object")) guardFrame(t);
    }, true);
    // A target that names a frame (or a window) rather than this page, its parents or a new window.
    function namedFrame(name) {
      return !!name && !/^_(self|top|parent|blank)$/i.test(name);
    }
    // A same-origin window opened by script starts as about:blank in a realm of its own; a held
    // URL opened into a named frame does not load (as a link's, below).
    wrap(win, "open", function (orig) {
      return function (url, name) {
        if (url != null && String(url) !== "" && namedFrame(name) && held(url, KIND.iframe, "open")) return null;
        var opened = orig.apply(this, arguments);
        try { if (opened) install(opened); } catch (e) { /* cross-origin or closed */ }
        return opened;
      };
    });

    function wrap(proto, name, make) {
      var orig = proto && proto[name];
      if (typeof orig === "function") proto[name] = make(orig, name);
    }

    // Insertion: the fetch of a dynamic script starts inside these calls, so check before.
    function insertion(argIndex) {
      return function (orig, name) {
        return function () {
          var nodes = argIndex < 0 ? arguments : [arguments[argIndex]];
          for (var i = 0; i < nodes.length; i++) checkTree(nodes[i], name);
          var result = orig.apply(this, arguments);
          for (var j = 0; j < nodes.length; j++) if (!isClean(nodes[j])) adoptFrames(nodes[j]);
          return result;
        };
      };
    }
    wrap(N, "appendChild", insertion(0));
    wrap(N, "insertBefore", insertion(0));
    wrap(N, "replaceChild", insertion(0));
    ["append", "prepend", "before", "after", "replaceWith", "replaceChildren"].forEach(function (m) {
      wrap(E, m, insertion(-1));
      if (win.Document) wrap(win.Document.prototype, m, insertion(-1));
      if (win.DocumentFragment) wrap(win.DocumentFragment.prototype, m, insertion(-1));
      if (win.CharacterData) wrap(win.CharacterData.prototype, m, insertion(-1));
    });
    wrap(E, "insertAdjacentElement", insertion(1));

    // A clone starts loading (images) a microtask after it exists: its tree is checked before that.
    // A deep copy of a tree that was found clean is clean (and a clean copy vouches for its
    // source): a framework importing the same template for every row pays the check once.
    function checkResult(orig, name) {
      return function (deep) {
        var node = orig.apply(this, arguments);
        if (deep && isClean(this)) {
          remember(node);
        } else {
          checkTree(node, name);
          if (deep && isClean(node)) markClean(this);
        }
        return node;
      };
    }
    wrap(N, "cloneNode", checkResult);
    // Nodes from another document: WebKit starts their images loading inside `adoptNode` and
    // `importNode` themselves, so they are checked before, in the document they come from (an
    // imported tree is copied there, checked, then adopted: its source is left as it was).
    if (win.Document) {
      wrap(win.Document.prototype, "adoptNode", function (orig, name) {
        return function (node) {
          checkTree(node, name);
          return orig.apply(this, arguments);
        };
      });
      wrap(win.Document.prototype, "importNode", function (orig, name) {
        return function (node, deep) {
          if (!node || typeof node !== "object" || node.nodeType === 9 || deep && isClean(node)) {
            var imported = orig.apply(this, arguments);
            if (deep && isClean(node)) remember(imported);
            return imported;
          }
          var copy = cloneNode.call(node, Boolean(deep));
          checkTree(copy, name);
          if (deep && isClean(copy)) markClean(node);
          return adoptNode.call(this, copy);
        };
      });
    }
    // XSLT output: its images load as it is made in a live document, so it is made in an inert
    // one, checked there, then adopted.
    if (win.XSLTProcessor && adoptNode) {
      wrap(win.XSLTProcessor.prototype, "transformToFragment", function (orig, name) {
        return function (source, output) {
          if (!output || !output.defaultView || !output.implementation) return orig.apply(this, arguments);
          var made = orig.call(this, source, output.implementation.createHTMLDocument(""));
          if (made) checkTree(made, name);
          return made && adoptNode.call(output, made);
        };
      });
    }

    // Attribute nodes: `setAttributeNode`, `attributes.setNamedItem` (and `attr.value = url`,
    // below). WebKit starts an image's load inside the call: a watched attribute joins its
    // element empty, then gets its value through the guarded `setAttribute`.
    var attrValue = win.Attr && Object.getOwnPropertyDescriptor(win.Attr.prototype, "value");
    function attachEmpty(orig, name) {
      return function (attr) {
        var value = attr && attrValue && attrValue.set && WATCHED_ATTRIBUTE.test(attr.name) ? attrValue.get.call(attr) : "";
        if (!value) return orig.apply(this, arguments);
        attrValue.set.call(attr, "");
        var result = orig.apply(this, arguments);
        var owner = attr.ownerElement;
        if (owner) viaProperty(name, owner, attr.name, value);
        else attrValue.set.call(attr, value);
        return result;
      };
    }
    wrap(E, "setAttributeNode", attachEmpty);
    wrap(E, "setAttributeNodeNS", attachEmpty);
    if (win.NamedNodeMap) {
      wrap(win.NamedNodeMap.prototype, "setNamedItem", attachEmpty);
      wrap(win.NamedNodeMap.prototype, "setNamedItemNS", attachEmpty);
    }
    // An attribute node sets its element's attribute through `value`, and through Node's
    // `nodeValue` and `textContent`: those two are shadowed on Attr.prototype only, so text
    // updates of other nodes (hot in frameworks) pay nothing.
    if (win.Attr) {
      [[win.Attr.prototype, "value"], [N, "nodeValue"], [N, "textContent"]].forEach(function (p) {
        var d = Object.getOwnPropertyDescriptor(p[0], p[1]);
        if (!d || !d.set) return;
        Object.defineProperty(win.Attr.prototype, p[1], {
          configurable: true, enumerable: d.enumerable, get: d.get,
          set: function (v) {
            var owner = this.ownerElement;
            // (`nodeValue = null` and `textContent = null` empty it; `value = null` sets "null".)
            if (owner) return viaProperty("Attr." + p[1], owner, this.name, v === null && p[0] === N ? "" : v);
            d.set.call(this, v);
          }
        });
      });
    }
    // An SVG element's `href.baseVal` sets its href: WebKit loads an SVG image as soon as it is
    // set, in the document or not. The animated string remembers the element it was read from.
    var animatedOwner = typeof WeakMap === "function" && win.SVGAnimatedString && new WeakMap();
    var baseVal = animatedOwner && Object.getOwnPropertyDescriptor(win.SVGAnimatedString.prototype, "baseVal");
    if (baseVal && baseVal.set) {
      ["SVGImageElement", "SVGScriptElement", "SVGFEImageElement"].forEach(function (ctor) {
        var proto = win[ctor] && win[ctor].prototype;
        for (var o = proto; o && o !== E; o = Object.getPrototypeOf(o)) {
          var d = Object.getOwnPropertyDescriptor(o, "href");
          if (!d || !d.get) continue;
          Object.defineProperty(o, "href", {
            configurable: true, enumerable: d.enumerable,
            get: function () { var s = d.get.call(this); if (s && typeof s === "object") animatedOwner.set(s, this); return s; }
          });
          return;
        }
      });
      Object.defineProperty(win.SVGAnimatedString.prototype, "baseVal", {
        configurable: true, enumerable: baseVal.enumerable, get: baseVal.get,
        set: function (v) {
          var owner = animatedOwner.get(this);
          if (owner) return viaProperty("href.baseVal", owner, "href", v);
          baseVal.set.call(this, v);
        }
      });
    }
    if (win.Range) {
      wrap(win.Range.prototype, "insertNode", insertion(0));
      wrap(win.Range.prototype, "surroundContents", insertion(0));
    }

    // Attribute and property setters that start a load.
    // The API a property setter or `Attr.value` came through, while it calls setAttribute.
    var setterVia = "";
    function viaProperty(via, el, name, value) {
      var outer = setterVia;
      setterVia = via;
      try { return E.setAttribute.call(el, name, value); } finally { setterVia = outer; }
    }
    // The attributes a guard looks at (URLs, `srcdoc`, a site's mark): any other passes straight.
    var WATCHED_ATTRIBUTE = new RegExp("^(?:" + URL_ATTRIBUTES.join("|") + "|srcdoc|data-consent|to|values|from|by|attributename)$", "i");
    wrap(E, "setAttribute", function (orig) {
      return function (name, value) {
        if (!WATCHED_ATTRIBUTE.test(name) || exempt.has(this)) return orig.apply(this, arguments);
        var via = setterVia || "setAttribute";
        var n = String(name).toLowerCase();
        if (n === "data-consent") forget(); // marked now: no tree is "clean" for sure
        if (this.namespaceURI === SVG && (this.localName === "set" || this.localName === "animate")) {
          var set = orig.apply(this, arguments);
          animation(this, via);
          return set;
        }
        if (n === "srcdoc" && this.localName === "iframe") {
          var kept = srcdoc(this, String(value), via);
          return kept === null ? undefined : orig.call(this, name, kept);
        }
        var t = target(this);
        if (t && t.urls.indexOf(n) >= 0) {
          // Elements are audited by the markup checkpoint once in the document; a detached
          // image or sound (a `new Image()` pixel) may never get there, so it is audited here.
          var pixel = (t.kind === KIND.img || t.kind === KIND.media) && !this.isConnected;
          if (holdIfHeld(this, n, String(value), t.kind, via, pixel || n === "attributionsrc" ? via : "")) {
            // A held `new Image()` pixel fails as it would behind an ad blocker.
            if (pixel) fail(this, "error");
            return;
          }
        }
        return orig.apply(this, arguments);
      };
    });
    wrap(E, "setAttributeNS", function (orig) {
      return function (ns, name, value) {
        var local = String(name).replace(/^.*:/, "");
        // No namespace, or xlink:href (SVG): the same checks as setAttribute.
        if (!ns || ns === "http://www.w3.org/1999/xlink" && local === "href") {
          var t = target(this);
          var n = local.toLowerCase();
          if (t && t.urls.indexOf(n) >= 0 && holdIfHeld(this, n, String(value), t.kind, "setAttributeNS", "")) return;
          if (!ns) return E.setAttribute.call(this, name, value);
        }
        return orig.apply(this, arguments);
      };
    });
    function guardProperty(ctor, prop) {
      var proto = ctor && ctor.prototype;
      var d = proto && Object.getOwnPropertyDescriptor(proto, prop);
      if (!d || !d.set) return;
      Object.defineProperty(proto, prop, {
        configurable: true, enumerable: d.enumerable, get: d.get,
        set: function (value) { viaProperty(prop, this, prop, value); }
      });
    }
    URL_PROPERTIES.forEach(function (p) { guardProperty(win[p[0]], p[1]); });
    // `new Audio(url)` sets its src without the setter.
    if (typeof win.Audio === "function") {
      var OrigAudio = win.Audio;
      var GuardedAudio = function Audio(url) {
        var a = Reflect.construct(OrigAudio, [], new.target || OrigAudio);
        if (arguments.length && url !== undefined) a.src = url;
        return a;
      };
      GuardedAudio.prototype = OrigAudio.prototype;
      win.Audio = GuardedAudio;
    }

    // HTML strings: rewrite held tags into inert markup before the parser sees them.
    function htmlSink(argIndex) {
      return function (orig, name) {
        return function () {
          var args = Array.prototype.slice.call(arguments);
          var declarative = false;
          for (var i = argIndex < 0 ? 0 : argIndex; i < (argIndex < 0 ? args.length : argIndex + 1); i++) {
            var html = String(args[i]);
            declarative = declarative || /shadowrootmode/i.test(html);
            var rewritten = rewrite(html, name);
            if (rewritten != null) args[i] = rewritten;
          }
          var result = orig.apply(this, args);
          if (this && this.nodeType) {
            var scope = this.nodeType === 9 ? this.documentElement : this;
            adoptFrames(scope);
            // Declarative shadow roots (<template shadowrootmode>) in the HTML: watched too.
            if (declarative && scope) {
              var all = findAll(scope, "*");
              for (var k = 0; k < all.length; k++) if (all[k].shadowRoot) watchRoot(all[k].shadowRoot, true);
            }
          }
          return result;
        };
      };
    }
    if (win.Document) {
      wrap(win.Document.prototype, "write", htmlSink(-1));
      wrap(win.Document.prototype, "writeln", htmlSink(-1));
    }
    wrap(E, "insertAdjacentHTML", htmlSink(1));
    wrap(E, "setHTMLUnsafe", htmlSink(0));
    wrap(E, "setHTML", htmlSink(0));
    if (win.ShadowRoot) {
      wrap(win.ShadowRoot.prototype, "setHTMLUnsafe", htmlSink(0));
      wrap(win.ShadowRoot.prototype, "setHTML", htmlSink(0));
    }
    // Editing: execCommand("insertHTML", …, html) parses HTML into the document too.
    if (win.Document) {
      wrap(win.Document.prototype, "execCommand", function (orig) {
        return function (command, ui, value) {
          if (String(command).toLowerCase() !== "inserthtml" || value == null) return orig.apply(this, arguments);
          var rewritten = rewrite(String(value), "execCommand");
          return orig.call(this, command, ui, rewritten != null ? rewritten : value);
        };
      });
    }
    if (win.Range) wrap(win.Range.prototype, "createContextualFragment", htmlSink(0));
    [[E, "innerHTML"], [E, "outerHTML"], [win.ShadowRoot && win.ShadowRoot.prototype, "innerHTML"]].forEach(function (p) {
      var d = p[0] && Object.getOwnPropertyDescriptor(p[0], p[1]);
      if (!d || !d.set) return;
      var sink = htmlSink(0)(d.set, p[1]);
      Object.defineProperty(p[0], p[1], { configurable: true, enumerable: d.enumerable, get: d.get, set: sink });
    });

    // Network APIs.
    function fail(target, type) {
      setTimeout(function () {
        try { target.dispatchEvent(new win.Event(type)); } catch (e) { /* detached */ }
      }, 0);
    }
    // The URL of a RequestInfo (a Request, or anything that stringifies to a URL).
    function requestUrl(input) {
      return input && typeof input === "object" && "url" in input ? input.url : String(input);
    }
    wrap(win, "fetch", function (orig) {
      return function (input) {
        if (held(requestUrl(input), KIND.fetch, "fetch")) return Promise.reject(new TypeError("Failed to fetch"));
        return orig.apply(this, arguments);
      };
    });
    // Cache.add / addAll fetch their URLs: a held one fails the way a blocked fetch does.
    if (win.Cache) {
      ["add", "addAll"].forEach(function (m) {
        wrap(win.Cache.prototype, m, function (orig) {
          return function (requests) {
            // addAll takes any iterable: read it once, and hand the same items on.
            var list = m === "add" ? [requests] : requests == null ? [] : Array.from(requests);
            for (var i = 0; i < list.length; i++) {
              if (held(requestUrl(list[i]), KIND.fetch, "Cache." + m)) return Promise.reject(new TypeError("Failed to fetch"));
            }
            return m === "add" ? orig.apply(this, arguments) : orig.call(this, requests == null ? requests : list);
          };
        });
      });
    }
    // Worklets (CSS paint, audio) fetch their module: a held one fails as a blocked module load does.
    if (win.Worklet) {
      wrap(win.Worklet.prototype, "addModule", function (orig) {
        return function (url) {
          if (held(url, KIND.script, "addModule")) {
            return Promise.reject(new win.DOMException("Unable to load a worklet's module.", "AbortError"));
          }
          return orig.apply(this, arguments);
        };
      });
    }
    // fetchLater (a deferred beacon): a held one is never activated.
    wrap(win, "fetchLater", function (orig) {
      return function (input) {
        if (held(requestUrl(input), KIND.beacon, "fetchLater")) return { activated: false };
        return orig.apply(this, arguments);
      };
    });
    if (win.XMLHttpRequest) {
      var xhrUrls = new WeakMap();
      var XP = win.XMLHttpRequest.prototype;
      wrap(XP, "open", function (orig) {
        return function (method, url) {
          xhrUrls.set(this, String(url));
          return orig.apply(this, arguments);
        };
      });
      wrap(XP, "send", function (orig) {
        return function () {
          if (held(xhrUrls.get(this) || "", KIND.xhr, "XMLHttpRequest")) {
            fail(this, "error");
            fail(this, "loadend");
            return;
          }
          return orig.apply(this, arguments);
        };
      });
    }
    if (win.Navigator) {
      wrap(win.Navigator.prototype, "sendBeacon", function (orig) {
        return function (url) {
          if (held(url, KIND.beacon, "sendBeacon")) return false;
          return orig.apply(this, arguments);
        };
      });
    }
    // Connections made with `new`: a held one gets `fake(url)`, which fails as a blocked one would.
    function guardConstructor(name, kind, fake) {
      var Orig = win[name];
      if (typeof Orig !== "function") return;
      var Guarded = function (url) {
        if (!(this instanceof Guarded)) return Orig.apply(this, arguments);
        if (held(url, kind, name)) return fake(String(url));
        return Reflect.construct(Orig, arguments, new.target || Orig);
      };
      Guarded.prototype = Orig.prototype;
      Object.setPrototypeOf(Guarded, Orig);
      win[name] = Guarded;
    }
    // A socket that fires "error" (and "close") without connecting.
    function closedSocket(closedState, closes) {
      return function (url) {
        var socket = new win.EventTarget();
        socket.url = url;
        socket.readyState = closedState;
        socket.close = socket.send = function () {};
        fail(socket, "error");
        if (closes) fail(socket, "close");
        ["error", "close"].forEach(function (type) {
          socket.addEventListener(type, function (e) { if (typeof socket["on" + type] === "function") socket["on" + type](e); });
        });
        return socket;
      };
    }
    guardConstructor("WebSocket", KIND.websocket, closedSocket(3, true));
    guardConstructor("EventSource", KIND.eventsource, closedSocket(2, false));
    // A WebTransport session, or a WebSocketStream, whose promises reject.
    function failedSession(promises) {
      return function () {
        var session = { close: function () {} };
        promises.forEach(function (p) {
          session[p] = Promise.reject(new win.DOMException("Opening handshake failed.", "NetworkError"));
        });
        return session;
      };
    }
    guardConstructor("WebTransport", KIND.websocket, failedSession(["ready", "closed"]));
    guardConstructor("WebSocketStream", KIND.websocket, failedSession(["opened", "closed"]));

    // Forms posting to a held URL (`action`, or the submitter's `formaction`) do not submit.
    function heldForm(form, submitter) {
      var url = submitter && hasAttr.call(submitter, "formaction") ? submitter.formAction : form.action;
      return !!url && held(url, KIND.form, "form");
    }
    if (win.HTMLFormElement) {
      var FP = win.HTMLFormElement.prototype;
      wrap(FP, "submit", function (orig) {
        return function () { if (!heldForm(this, null)) return orig.apply(this, arguments); };
      });
    }
    // requestSubmit() and the visitor's submit buttons fire "submit" first.
    win.addEventListener("submit", function (e) {
      if (e.target && e.target.nodeType === 1 && heldForm(e.target, e.submitter)) e.preventDefault();
    }, true);

    // <a ping>, <area ping>: the browser sends the ping after the click; strip held URLs first.
    // A script's click on a link into a named frame navigates that (maybe hidden) frame: a held
    // URL does not go. (A visitor's own click, or a link that replaces the page, is theirs.)
    win.addEventListener("click", function (e) {
      var a = e.target && e.target.closest && e.target.closest("a[href],area[href]");
      if (!a) return;
      if (hasAttr.call(a, "ping")) {
        var kept = getAttr.call(a, "ping").split(/\s+/).filter(function (url) {
          return url && !held(url, KIND.beacon, a.localName + ".ping");
        });
        setAttr.call(a, "ping", kept.join(" "));
      }
      if (e.isTrusted) return;
      var base = doc.querySelector("base[target]");
      if (namedFrame(getAttr.call(a, "target") || base && getAttr.call(base, "target"))
        && held(getAttr.call(a, "href"), KIND.iframe, a.localName + ".click")) e.preventDefault();
    }, true);

    // document.cookie: drop cookies of services not allowed (catalog cookie names).
    var cookieDesc = win.Document && Object.getOwnPropertyDescriptor(win.Document.prototype, "cookie");
    if (cookieDesc && cookieDesc.set) {
      Object.defineProperty(win.Document.prototype, "cookie", {
        configurable: true, enumerable: cookieDesc.enumerable, get: cookieDesc.get,
        set: function (value) {
          if (policy.cookie(String(value), "document.cookie")) cookieDesc.set.call(this, value);
        }
      });
    }

    // cookieStore.set: the same rule, for tags that write cookies through the Cookie Store API.
    // A refused write resolves as if it had been done (as a dropped document.cookie write).
    if (win.CookieStore) {
      wrap(win.CookieStore.prototype, "set", function (orig) {
        return function (name, value) {
          var o = name && typeof name === "object" ? name : { name: name, value: value };
          var deletion = o.expires != null && o.expires <= Date.now();
          if (!deletion && !policy.cookie(String(o.name) + "=" + String(o.value), "cookieStore.set")) return Promise.resolve();
          return orig.apply(this, arguments);
        };
      });
    }

    // Parsed elements: runs before each parser-inserted script executes (the preload scanner
    // may already have fetched it: see README "What needs markup"). The same elements then go
    // to the markup checkpoint (`policy.added`, once the Wasm has started), which holds or
    // releases the marked ones. The document itself is observed, so a `document.open()` that
    // replaces <html> stays watched.
    function onMutations(records) {
      var elements = [];
      for (var i = 0; i < records.length; i++) {
        var added = records[i].addedNodes;
        for (var j = 0; j < added.length; j++) if (added[j].nodeType === 1) elements.push(added[j]);
      }
      arrived(elements);
    }
    // Elements a document or shadow root gained without going through an insertion guard.
    // The parser adds each element with its own record, in document order; by the time the
    // records are read, an element may have its children already, and they follow with records of
    // their own. A tree searched whole just now (`covered`) has its descendants' checks done (one
    // found clean earlier may have gained content since: its descendants are checked on their own).
    function arrived(elements) {
      var marked = [];
      var covered = null;
      for (var i = 0; i < elements.length; i++) {
        var el = elements[i];
        // A host parsed with a declarative shadow root (<template shadowrootmode=open>).
        if (el.shadowRoot) watchRoot(el.shadowRoot, true);
        if (covered && covered.contains(el)) continue;
        if (checkTree(el, "parser")) covered = el;
        if (isClean(el)) continue;
        adoptFrames(el);
        // A clean tree has no marked element: nothing for the markup checkpoint.
        marked.push(el);
      }
      if (marked.length && policy.added) policy.added(marked);
    }
    var observeOptions = { childList: true, subtree: true };
    new win.MutationObserver(onMutations).observe(doc, observeOptions);

    // Shadow roots: their content is invisible to the document's observer and to its
    // querySelectorAll, so each gets an observer of its own, and is rescanned after every
    // decision (what was held inside is then released, or a released frame held again).
    function watchRoot(root, filled) {
      if (watchedRoots.has(root)) return;
      watchedRoots.add(root);
      new win.MutationObserver(onMutations).observe(root, observeOptions);
      shadowRoots.push(typeof WeakRef === "function" ? new WeakRef(root) : { deref: function () { return root; } });
      // A root that arrives with content (declarative): its elements arrive now.
      if (filled) arrived(Array.prototype.slice.call(root.children));
    }
    wrap(E, "attachShadow", function (orig) {
      return function () {
        var root = orig.apply(this, arguments);
        watchRoot(root, false);
        return root;
      };
    });
    if (!listening) {
      listening = true;
      win.document.addEventListener("sekisho:change", rescanShadowRoots);
    }
  }

  // URLs the policy let through for good (first party, neutral CDN, no request, an unknown
  // third party the site allows: no choice changes that), so that hot DOM paths skip the Wasm.
  // A URL allowed or held by the choice in effect ("+" or a requirement) is asked every time,
  // and forgets every tree remembered as checked: such a URL may now be inside one of them.
  var forGood = typeof Map === "function" ? new Map() : null;
  var cleanHtml = typeof Map === "function" ? new Map() : null;
  // A clean tree carries the generation it was found clean in; forgetting them all is a new one.
  var CLEAN = typeof Symbol === "function" ? Symbol("sekisho.clean") : "__sekishoClean";
  var generation = 1;
  function isClean(node) { return node != null && node[CLEAN] === generation; }
  function markClean(node) {
    try { node[CLEAN] = generation; } catch (e) { /* a frozen node stays unremembered */ }
  }
  function forget() { generation++; }
  var fixed = true; // no URL of the tree being checked depends on a choice (so far)
  // The policy's verdict for `url`; a `pass` is remembered (see above).
  function ask(url, kind, via) {
    if (forGood && forGood.has(url)) return VERDICT.pass;
    var verdict = policy.judge(url, kind, via);
    if (verdict === VERDICT.pass && policy.final) {
      // (`data:` URLs are not remembered: a frame judges them differently from an image.)
      if (forGood && !/^[\s\x00-\x1f]*data:/i.test(url)) {
        if (forGood.size >= 2000) forGood.clear();
        forGood.set(url, true);
      }
      return verdict;
    }
    fixed = false;
    forget();
    return verdict;
  }
  function weakSet() {
    return typeof WeakSet === "function" ? new WeakSet() : { has: function () { return false; }, add: function () {} };
  }
  // Shadow roots of every guarded realm, held weakly.
  var shadowRoots = [];
  var watchedRoots = weakSet();
  var listening = false;
  function rescanShadowRoots() {
    shadowRoots = shadowRoots.filter(function (ref) {
      var root = ref.deref();
      if (root && root.host && root.host.isConnected && policy.added) policy.added(Array.prototype.slice.call(root.children));
      return !!root;
    });
  }
  // Sekisho's own elements (the deferred module's script): never held.
  var exempt = weakSet();
  return {
    install: install,
    exempt: function (el) { exempt.add(el); }
  };
}
