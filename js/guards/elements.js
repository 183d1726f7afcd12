// Elements: what an element would load, holding it (inert markup the markup checkpoint releases
// later), and every way a tree joins a document — insertion methods, clones, adopted and
// imported nodes, XSLT output. The fetch of a dynamic script starts inside the insertion call,
// so trees are checked before it.
import {
  wrap, apply, call, hasOwn, str, lower, trim, split, words, test, strSlice, charAt, includes, any,
  nodeType, localName, namespaceURI, isConnected, parentNode, firstChild, nextSibling, nodeText, isFrameName
} from "./natives.js";

var SVG = "http://www.w3.org/2000/svg";
// Besides the elements that load URLs: every iframe (its realm is guarded), speculation rules,
// marked elements, SVG animations of an `href`.
var parseJson = JSON.parse, stringifyJson = JSON.stringify, isArray = Array.isArray;
// CSS: every <style>, and the elements whose `style` may name a URL (css.rs `may_load`).
var GUARDED_SELECTOR = URL_SELECTOR + ",iframe,frame,object,script[type='speculationrules' i],[data-consent],set,animate"
  + ",style,[style*='url(' i],[style*='image-set' i],[style*='\\\\'],[style*='//']";

/**
 * The URLs of a `srcset` list, as the browser splits it (HTML "parse a srcset attribute"): a
 * candidate's URL runs to whitespace (commas inside it stay, trailing ones end it), then its
 * descriptors to a comma outside parentheses.
 * @param {string} value
 */
export function srcsetUrls(value) {
  var s = str(value), n = s.length, i = 0, urls = [];
  var space = /[\t\n\f\r ]/;
  while (i < n) {
    while (i < n && (test(space, charAt(s, i)) || charAt(s, i) === ",")) i++;
    var start = i;
    while (i < n && !test(space, charAt(s, i))) i++;
    var url = strSlice(s, start, i);
    var ended = charAt(url, url.length - 1) === ",";
    while (charAt(url, url.length - 1) === ",") url = strSlice(url, 0, url.length - 1);
    if (url) urls[urls.length] = url;
    for (var depth = 0; !ended && i < n; i++) {
      var c = charAt(s, i);
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

  function scriptType(el) { return lower(trim(call(getAttr, el, "type") || "")); }
  // A type a browser runs a script of (without `;` parameters: a superset of what runs).
  function runnable(type) {
    return includes(RUNNABLE_SCRIPT_TYPES, trim(split(type, ";")[0]));
  }

  // What an element would load: [KIND number, the attributes holding its URLs], from the table.
  // SVG <script href> and <image href> are held by their URL alone, released by getting it back
  // (as href). A marked script is the markup checkpoint's.
  function target(el) {
    var name = localName(el);
    var table = namespaceURI(el) === SVG ? ELEMENTS.svg : ELEMENTS.html;
    var rule = name && call(hasOwn, table, name) ? table[name] : null;
    if (!rule) return null;
    if (name === "script" && namespaceURI(el) !== SVG
      && (!runnable(scriptType(el)) || call(hasAttr, el, "data-consent"))) return null;
    return rule;
  }

  // Turns `el` into held markup under `requirement` (the markup checkpoint takes it from there).
  function holdElement(el, attr, url, requirement, via) {
    // An attribution registration belongs to this load: it is dropped, not released later.
    if (attr === "attributionsrc") return call(removeAttr, el, attr);
    if (localName(el) === "script" && namespaceURI(el) !== SVG) {
      var type = call(getAttr, el, "type");
      if (type) call(setAttr, el, "data-type", type);
      call(setAttr, el, "type", "text/plain");
      call(setAttr, el, "data-src", url);
      call(removeAttr, el, "src");
    } else {
      // A frame already in the document with this URL (the parser's) is already navigating.
      var navigating = isConnected(el) && localName(el) === "iframe" && call(getAttr, el, attr) === url;
      call(setAttr, el, attr === "xlink:href" ? "data-href" : "data-" + attr, url);
      call(removeAttr, el, attr);
    }
    call(setAttr, el, "data-consent", requirement);
    if (via) call(setAttr, el, "data-sekisho-via", via);
    // A new `src` does not stop that navigation in every engine (Firefox and WebKit may still
    // commit the tracker's document): a copy of the held frame, which never navigated, takes
    // its place before anything of the page's can see it.
    if (navigating && parentNode(el)) call(n.replaceChild, parentNode(el), call(n.cloneNode, el, true), el);
  }

  // Speculation rules prefetch or prerender the URLs they list: held ones are taken out before
  // the browser reads the rules (when the script is inserted). Document rules are left alone.
  function speculation(el, via) {
    var rules;
    try { rules = parseJson(el.text); } catch (e) { return; }
    var changed = false;
    var actions = ["prefetch", "prerender"];
    for (var a = 0; a < actions.length; a++) {
      var list = rules && rules[actions[a]];
      for (var i = 0; isArray(list) && i < list.length; i++) {
        var rule = list[i];
        if (!rule || !isArray(rule.urls)) continue;
        var kept = [];
        for (var j = 0; j < rule.urls.length; j++) {
          if (!held(rule.urls[j], KIND.link, via || "speculationrules")) kept[kept.length] = rule.urls[j];
        }
        if (kept.length !== rule.urls.length) { rule.urls = kept; changed = true; }
      }
    }
    if (changed) el.text = stringifyJson(rules);
  }

  // Content the page made (`srcdoc`, a `blob:` URL) in a sandbox that allows scripts but not the
  // same origin runs in an opaque origin that no guard reaches: the policy holds it as "opaque"
  // (and `data:` documents, which it recognises by their URL).
  function opaqueSandbox(el) {
    if (localName(el) !== "iframe" || !call(hasAttr, el, "sandbox")) return false;
    var flags = words(lower(call(getAttr, el, "sandbox")));
    return includes(flags, "allow-scripts") && !includes(flags, "allow-same-origin");
  }
  // Whether an <object>/<embed> shows its `blob:` URL as a document: that realm exists only once
  // it loads, after its own scripts ran, so no guard reaches it in time either (a PDF, image or
  // media type is no document: left alone).
  function blobDocument(el) {
    var name = localName(el);
    return (name === "object" || name === "embed")
      && !test(/^\s*(application\/pdf|image\/(?!svg)|video\/|audio\/)/i, call(getAttr, el, "type") || "");
  }
  // Whether a frame's `javascript:` URL may write a document: its code may return markup, whose
  // scripts run in a realm some engines (WebKit) make anew, before any guard reaches it. The
  // blank frames tags make (`javascript:false`, `javascript:""`, `void 0`…) write nothing.
  function scriptDocument(el, url) {
    var name = localName(el);
    return (name === "iframe" || name === "frame") && test(/^[\s\x00-\x1f]*javascript:/i, url)
      && !test(/^[\s\x00-\x1f]*javascript:\s*(false|true|null|undefined|void\s*\(?\s*0\s*\)?|""|''|;)?\s*;?\s*$/i, url);
  }
  // Whether the URL `el` would load through `attr` is held (a `srcset`: any of its candidates).
  function heldUrl(el, attr, url, kind, via) {
    if (attr === "srcset" || attr === "imagesrcset") {
      return any(srcsetUrls(url), function (candidate) { return held(candidate, kind, via); });
    }
    var blob = test(/^\s*blob:/i, url);
    if ((attr === "srcdoc" || blob) && opaqueSandbox(el) || blob && blobDocument(el) || scriptDocument(el, url)) {
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
    var name = trim(call(getAttr, el, "attributeName") || "");
    if (name !== "href" && name !== "xlink:href") return;
    var attributes = ["to", "values", "from", "by"];
    for (var i = 0; i < attributes.length; i++) {
      var attr = attributes[i];
      var value = call(getAttr, el, attr);
      var holds = value && any(split(value, ";"), function (url) {
        return trim(url) && held(trim(url), KIND.img, via || "animate");
      });
      if (holds) {
        call(setAttr, el, "data-held-" + attr, value);
        call(removeAttr, el, attr);
      }
    }
  }

  // How many frame elements `check` has seen (an insertion that checks one may hold scripts
  // beside it: `scriptsBesideFrames`).
  var framesChecked = 0;

  // Neutralises one element before it can load.
  function check(el, via) {
    if (r.exempt.has(el)) return;
    // Marked elements are the markup checkpoint's, and a frame's realm is guarded on every
    // insertion (`adoptFrames`): a tree with either is never "clean".
    var name = localName(el);
    if (isFrameName(name)) {
      framesChecked++;
      memo.fixed = false;
    } else if (name && call(hasAttr, el, "data-consent")) memo.fixed = false;
    if (name) r.checkStyles(el, via || "parser");
    if (name === "script" && r.inlineScript(el, via || "parser")) return;
    var t = name && target(el);
    if (!t) {
      if (name === "script" && scriptType(el) === "speculationrules") {
        memo.fixed = false;
        speculation(el, via);
      } else if (namespaceURI(el) === SVG && (name === "set" || name === "animate")) {
        animation(el, via);
      }
      return;
    }
    if (name === "iframe" && call(hasAttr, el, "srcdoc")) {
      memo.fixed = false;
      var html = call(getAttr, el, "srcdoc");
      var kept = srcdoc(el, html, "srcdoc");
      if (kept !== null && kept !== html) call(setAttr, el, "srcdoc", kept);
    }
    for (var i = 0; i < t.urls.length; i++) {
      var attr = t.urls[i];
      var url = call(getAttr, el, attr);
      // (Elements are audited by the markup checkpoint; a dropped registration here.)
      if (url) holdIfHeld(el, attr, url, t.kind, via, attr === "attributionsrc" ? via : "");
    }
  }

  // A tree whose every URL was let through for good is not checked again when it is inserted
  // (frameworks clone and insert the same rows over and over; see memo.js). Whether it searched
  // the whole subtree just now (the observer then skips the descendants' own records: see
  // parser.js `arrived`).
  function checkTree(node, via) {
    if (!node || typeof node !== "object" || memo.isClean(node)) return false;
    var generation = memo.generation;
    var searched = false;
    var type = nodeType(node);
    memo.fixed = true;
    if (type === 1) check(node, via);
    if ((type === 1 || type === 11) && node.firstElementChild) {
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
  // removed or toggled): the next change of its children would prepare it and fetch its `src`
  // (or, inline, a module's imports), so that is judged now.
  function typeChanged(el, via) {
    if (localName(el) !== "script" || !isConnected(el) || r.exempt.has(el)) return;
    if (namespaceURI(el) === SVG) return void r.inlineScript(el, via, true); // (one with an `href` is held by it)
    var url = call(getAttr, el, "src");
    if (!url) return r.inlineScript(el, via, true);
    var t = target(el);
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

  // Scripts inserted together with a frame, after it in tree order, run inside the insertion once
  // every node is in and the frame exists: Firefox gives a frame with a `src` its window at once,
  // with no "load" before the scripts, so `window[n]` would reach its realm before this guard
  // returns. Such scripts are kept inert (their children taken out: a script without text is not
  // prepared) and given their text back once the frames are guarded, which runs them, in tree
  // order, as the same elements. (A script before the first frame runs before any exists: it is
  // left to run where it does.)
  var Fragment = win.DocumentFragment, TextNode = win.Text;
  var FRAMES_AND_SCRIPTS = "iframe,frame,object,script";
  /** @returns {{script: Element, children: Node[], text: string}[] | null} */
  function scriptsBesideFrames(nodes) {
    var kept = [], framed = false;
    /** @param {any} el a frame (from then on, scripts are kept) or a script */
    function visit(el) {
      if (localName(el) !== "script") { framed = framed || isFrameName(localName(el)); return; }
      if (!framed || r.exempt.has(el) || !firstChild(el) || call(hasAttr, el, "src")) return;
      var scriptKind = scriptType(el);
      if (namespaceURI(el) !== SVG && (!runnable(scriptKind) || scriptKind === "module")) return;
      var children = [], text = "";
      for (var c = firstChild(el); c; c = nextSibling(c)) {
        children[children.length] = c;
        if (nodeType(c) === 3 || nodeType(c) === 4) text += nodeText(c);
      }
      if (!text) return; // (not run by this insertion either)
      for (var k = 0; k < children.length; k++) call(n.removeChild, el, children[k]);
      kept[kept.length] = { script: el, children: children, text: text };
    }
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i], type = nodeType(node);
      if (type === 1) visit(node);
      if ((type === 1 || type === 11) && node.firstElementChild) {
        var found = n.findAll(node, FRAMES_AND_SCRIPTS);
        for (var f = 0; f < found.length; f++) visit(found[f]);
      }
    }
    return kept.length ? kept : null;
  }
  // Gives each kept script its text back in one change (WebKit prepares a script at each child
  // added, so several are given as one text node first, then put back as they were).
  function giveTextBack(kept) {
    for (var i = 0; i < kept.length; i++) {
      var s = kept[i].script, children = kept[i].children;
      if (children.length === 1) { call(n.appendChild, s, children[0]); continue; }
      var whole = new TextNode(kept[i].text);
      call(n.appendChild, s, whole);
      if (parentNode(whole) !== s) continue;
      call(n.removeChild, s, whole);
      var all = new Fragment();
      for (var j = 0; j < children.length; j++) call(n.appendChild, all, children[j]);
      call(n.appendChild, s, all);
    }
  }

  // Insertion: the fetch of a dynamic script starts inside these calls, so check before.
  // (Text going into a <style> is its style sheet: styles.js.)
  function insertion(argIndex) {
    return function (orig, name) {
      return function () {
        var self = this, args = arguments;
        var nodes = argIndex < 0 ? args : [args[argIndex]];
        var frames = framesChecked;
        for (var i = 0; i < nodes.length; i++) checkTree(nodes[i], name);
        var inert = framesChecked !== frames ? scriptsBesideFrames(nodes) : null;
        // The element whose text this may change: itself, or the parent of a node it is next to.
        var selfName = localName(self);
        var raw = selfName === "style" || selfName === "script" ? self : parentNode(self);
        var rawName = localName(raw);
        var insert = function () { return apply(orig, self, args); };
        try {
          // (Text going into a <script>: a module's imports, modules.js.)
          var result = rawName === "style" ? r.styleInsertion(raw, nodes, name, insert)
            : rawName === "script" ? r.scriptText(raw, name, insert) : insert();
          for (var j = 0; j < nodes.length; j++) if (!memo.isClean(nodes[j])) r.adoptFrames(nodes[j]);
        } finally {
          if (inert) {
            r.guardNewFrames();
            giveTextBack(inert);
          }
        }
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
      var node = apply(orig, this, arguments);
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
        return apply(orig, this, arguments);
      };
    });
    wrap(D, "importNode", function (orig, name) {
      return function (node, deep) {
        if (!node || typeof node !== "object" || nodeType(node) === 9 || deep && memo.isClean(node)) {
          var imported = apply(orig, this, arguments);
          if (deep && memo.isClean(node)) memo.remember(imported);
          return imported;
        }
        var copy = call(n.cloneNode, node, Boolean(deep));
        checkTree(copy, name);
        if (deep && memo.isClean(copy)) memo.markClean(node);
        return call(n.adoptNode, this, copy);
      };
    });
  }
  // XSLT output: its images load as it is made in a live document, so it is made in an inert
  // one, checked there, then adopted.
  if (win.XSLTProcessor && n.adoptNode) {
    wrap(win.XSLTProcessor.prototype, "transformToFragment", function (orig, name) {
      return function (source, output) {
        if (!output || !output.defaultView || !output.implementation) return apply(orig, this, arguments);
        var made = call(orig, this, source, output.implementation.createHTMLDocument(""));
        if (made) checkTree(made, name);
        return made && call(n.adoptNode, output, made);
      };
    });
  }
}
