// Elements: what an element would load, holding it (inert markup the markup checkpoint releases
// later), and every way a tree joins a document — insertion methods, clones, adopted and
// imported nodes, XSLT output. The fetch of a dynamic script starts inside the insertion call,
// so trees are checked before it.
import { wrap } from "./natives.js";

var SVG = "http://www.w3.org/2000/svg";
// Besides the elements that load URLs: every iframe (its realm is guarded), speculation rules,
// marked elements, SVG animations of an `href`.
var GUARDED_SELECTOR = URL_SELECTOR + ",iframe,script[type='speculationrules' i],[data-consent],set,animate";

/**
 * The URLs of a `srcset` list, as the browser splits it (HTML "parse a srcset attribute"): a
 * candidate's URL runs to whitespace (commas inside it stay, trailing ones end it), then its
 * descriptors to a comma outside parentheses.
 * @param {string} value
 */
export function srcsetUrls(value) {
  var s = String(value), n = s.length, i = 0, urls = [];
  var space = /[\t\n\f\r ]/;
  while (i < n) {
    while (i < n && (space.test(s.charAt(i)) || s.charAt(i) === ",")) i++;
    var start = i;
    while (i < n && !space.test(s.charAt(i))) i++;
    var url = s.slice(start, i);
    var ended = /,$/.test(url);
    url = url.replace(/,+$/, "");
    if (url) urls.push(url);
    for (var depth = 0; !ended && i < n; i++) {
      var c = s.charAt(i);
      if (c === "(") depth++;
      else if (c === ")") depth--;
      else if (c === "," && depth <= 0) { i++; break; }
    }
  }
  return urls;
}

/**
 * Provides `r.target`, `r.check`, `r.checkTree`, `r.holdIfHeld`, `r.srcdoc`, `r.animation`;
 * guards insertion, clones, adoption and XSLT.
 * @param {any} r the realm (index.js)
 */
export function guardElements(r) {
  var win = r.win, n = r.natives, memo = r.memo, policy = r.policy, held = r.held;
  var setAttr = n.setAttr, getAttr = n.getAttr, hasAttr = n.hasAttr, removeAttr = n.removeAttr;

  function scriptType(el) { return (getAttr.call(el, "type") || "").trim().toLowerCase(); }
  // A type a browser runs a script of (without `;` parameters: a superset of what runs).
  function runnable(type) {
    return RUNNABLE_SCRIPT_TYPES.indexOf(type.split(";")[0].trim()) >= 0;
  }

  // What an element would load: [KIND number, the attributes holding its URLs], from the table.
  // SVG <script href> and <image href> are held by their URL alone, released by getting it back
  // (as href). A marked script is the markup checkpoint's.
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
    if (navigating && el.parentNode) n.replaceChild.call(el.parentNode, n.cloneNode.call(el, true), el);
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

  // Content the page made (`srcdoc`, a `blob:` URL) in a sandbox that allows scripts but not the
  // same origin runs in an opaque origin that no guard reaches: the policy holds it as "opaque"
  // (and `data:` documents, which it recognises by their URL).
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
  // Whether the URL `el` would load through `attr` is held (a `srcset`: any of its candidates).
  function heldUrl(el, attr, url, kind, via) {
    if (attr === "srcset" || attr === "imagesrcset") {
      return srcsetUrls(url).some(function (candidate) { return held(candidate, kind, via); });
    }
    var blob = /^\s*blob:/i.test(url);
    if ((attr === "srcdoc" || blob) && opaqueSandbox(el) || blob && blobDocument(el)) {
      memo.unfix();
      return policy.judgeOpaque(attr === "srcdoc" ? "about:srcdoc" : url, via) === VERDICT.hold;
    }
    return held(url, kind, via);
  }
  // Holds `el` when the URL it would load through `attr` is held; whether it did.
  function holdIfHeld(el, attr, url, kind, via, auditVia) {
    if (!heldUrl(el, attr, url, kind, auditVia)) return false;
    holdElement(el, attr, url, policy.requirement(), via);
    return true;
  }
  // An iframe's `srcdoc` as it may be set: null when it is held whole (an opaque sandbox; it then
  // waits under data-srcdoc), else with the tags it would load held.
  function srcdoc(el, html, via) {
    if (holdIfHeld(el, "srcdoc", html, KIND.iframe, via, "")) return null;
    var rewritten = r.rewrite(html, via);
    return rewritten != null ? rewritten : html;
  }

  // An SVG animation of an `href` (<set>/<animate attributeName=href to|values|from|by=…>) loads
  // the URLs it sets on the next frame: a held one is dropped (not replayed).
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
    if (r.exempt.has(el)) return;
    // Marked elements are the markup checkpoint's, and a frame's realm is guarded on every
    // insertion (`adoptFrames`): a tree with either is never "clean".
    if (el && el.nodeType === 1 && (el.localName === "iframe" || hasAttr.call(el, "data-consent"))) memo.fixed = false;
    var t = el && el.nodeType === 1 && target(el);
    if (!t) {
      if (el && el.localName === "script" && scriptType(el) === "speculationrules") {
        memo.fixed = false;
        speculation(el, via);
      } else if (el && el.namespaceURI === SVG && (el.localName === "set" || el.localName === "animate")) {
        animation(el, via);
      }
      return;
    }
    if (el.localName === "iframe" && hasAttr.call(el, "srcdoc")) {
      memo.fixed = false;
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
  // (frameworks clone and insert the same rows over and over; see memo.js). Whether it searched
  // the whole subtree just now (the observer then skips the descendants' own records: see
  // parser.js `arrived`).
  function checkTree(node, via) {
    if (!node || typeof node !== "object" || memo.isClean(node)) return false;
    var generation = memo.generation;
    var searched = false;
    memo.fixed = true;
    if (node.nodeType === 1) check(node, via);
    if ((node.nodeType === 1 || node.nodeType === 11) && node.firstElementChild) {
      // A tree built bottom-up (children inserted, each checked) needs no search below.
      var c = node.firstElementChild;
      while (c && memo.isClean(c)) c = c.nextElementSibling;
      if (c) {
        var list = n.findAll(node, GUARDED_SELECTOR);
        for (var i = 0; i < list.length; i++) check(list[i], via);
        searched = true;
      }
    }
    if (memo.fixed && generation === memo.generation) memo.remember(node);
    return searched;
  }

  // A connected script that has not run yet gains a type a browser runs (its `type` set,
  // removed or toggled): the next change of its children would prepare it and fetch its `src`,
  // so that `src` is judged now.
  function typeChanged(el, via) {
    if (el.localName !== "script" || el.namespaceURI === SVG || !el.isConnected || r.exempt.has(el)) return;
    var url = getAttr.call(el, "src");
    var t = url && target(el);
    if (t) holdIfHeld(el, "src", url, t.kind, via, via);
  }

  r.target = target;
  r.typeChanged = typeChanged;
  r.check = check;
  r.checkTree = checkTree;
  r.holdIfHeld = holdIfHeld;
  r.srcdoc = srcdoc;
  r.animation = animation;
  r.insertion = insertion;

  // Insertion: the fetch of a dynamic script starts inside these calls, so check before.
  function insertion(argIndex) {
    return function (orig, name) {
      return function () {
        var nodes = argIndex < 0 ? arguments : [arguments[argIndex]];
        for (var i = 0; i < nodes.length; i++) checkTree(nodes[i], name);
        var result = orig.apply(this, arguments);
        for (var j = 0; j < nodes.length; j++) if (!memo.isClean(nodes[j])) r.adoptFrames(nodes[j]);
        return result;
      };
    };
  }
  var E = n.E, D = n.D;
  wrap(n.N, "appendChild", insertion(0));
  wrap(n.N, "insertBefore", insertion(0));
  wrap(n.N, "replaceChild", insertion(0));
  ["append", "prepend", "before", "after", "replaceWith", "replaceChildren"].forEach(function (m) {
    wrap(E, m, insertion(-1));
    if (D) wrap(D, m, insertion(-1));
    if (win.DocumentFragment) wrap(win.DocumentFragment.prototype, m, insertion(-1));
    if (win.CharacterData) wrap(win.CharacterData.prototype, m, insertion(-1));
  });
  wrap(E, "insertAdjacentElement", insertion(1));
  if (win.Range) {
    wrap(win.Range.prototype, "insertNode", insertion(0));
    wrap(win.Range.prototype, "surroundContents", insertion(0));
  }

  // A clone starts loading (images) a microtask after it exists: its tree is checked before that.
  // A deep copy of a tree that was found clean is clean (and a clean copy vouches for its
  // source): a framework importing the same template for every row pays the check once.
  wrap(n.N, "cloneNode", function (orig, name) {
    return function (deep) {
      var node = orig.apply(this, arguments);
      if (deep && memo.isClean(this)) {
        memo.remember(node);
      } else {
        checkTree(node, name);
        if (deep && memo.isClean(node)) memo.markClean(this);
      }
      return node;
    };
  });
  // Nodes from another document: WebKit starts their images loading inside `adoptNode` and
  // `importNode` themselves, so they are checked before, in the document they come from (an
  // imported tree is copied there, checked, then adopted: its source is left as it was).
  if (D) {
    wrap(D, "adoptNode", function (orig, name) {
      return function (node) {
        checkTree(node, name);
        return orig.apply(this, arguments);
      };
    });
    wrap(D, "importNode", function (orig, name) {
      return function (node, deep) {
        if (!node || typeof node !== "object" || node.nodeType === 9 || deep && memo.isClean(node)) {
          var imported = orig.apply(this, arguments);
          if (deep && memo.isClean(node)) memo.remember(imported);
          return imported;
        }
        var copy = n.cloneNode.call(node, Boolean(deep));
        checkTree(copy, name);
        if (deep && memo.isClean(copy)) memo.markClean(node);
        return n.adoptNode.call(this, copy);
      };
    });
  }
  // XSLT output: its images load as it is made in a live document, so it is made in an inert
  // one, checked there, then adopted.
  if (win.XSLTProcessor && n.adoptNode) {
    wrap(win.XSLTProcessor.prototype, "transformToFragment", function (orig, name) {
      return function (source, output) {
        if (!output || !output.defaultView || !output.implementation) return orig.apply(this, arguments);
        var made = orig.call(this, source, output.implementation.createHTMLDocument(""));
        if (made) checkTree(made, name);
        return made && n.adoptNode.call(output, made);
      };
    });
  }
}
