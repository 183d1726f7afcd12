// What the guards remember: the answers no choice can change, so that hot DOM paths skip the
// Wasm. One memo serves every realm of the page.
//
// Invariant (ARCHITECTURE.md): what is remembered never depends on a choice. A URL the policy
// lets through for good (first party, neutral CDN, no request, an unknown third party the site
// allows) is remembered; a URL allowed or held by the choice in effect ("+" or a requirement) is
// asked every time, and forgets every tree remembered as checked: such a URL may now be inside
// one of them. A clean tree carries the generation it was found clean in; forgetting them all is
// a new generation.
import { stringSet, test, nodeType } from "./natives.js";

/** @param {any} policy */
export function createMemo(policy) {
  var forGood = stringSet();
  var cleanHtml = stringSet();
  var CLEAN = typeof Symbol === "function" ? Symbol("sekisho.clean") : "__sekishoClean";
  var memo = {
    generation: 1,
    /** No URL of the tree being checked depends on a choice (so far). */
    fixed: true,
    /** @param {any} node */
    isClean: function (node) { return node != null && node[CLEAN] === memo.generation; },
    /** @param {any} node */
    markClean: function (node) {
      try { node[CLEAN] = memo.generation; } catch (e) { /* a frozen node stays unremembered */ }
    },
    /** A clean fragment's children are clean: they are what the observer sees once it is inserted. */
    remember: function (node) {
      memo.markClean(node);
      if (nodeType(node) === 11) for (var c = node.firstElementChild; c; c = c.nextElementSibling) memo.markClean(c);
    },
    /** Forgets every clean tree. */
    forget: function () { memo.generation++; },
    /** Something of the tree being checked depends on a choice: it is not clean. */
    unfix: function () {
      memo.fixed = false;
      memo.forget();
    },
    /**
     * The policy's verdict for `url`; a `pass` is remembered.
     * @param {string} url @param {number} kind @param {string} via
     */
    ask: function (url, kind, via) {
      if (forGood && forGood.has(url)) return VERDICT.pass;
      var verdict = policy.judge(url, kind, via);
      if (verdict === VERDICT.pass && policy.final) {
        // (`data:` URLs are not remembered: a frame judges them differently from an image.)
        if (forGood && !test(/^[\s\x00-\x1f]*data:/i, url)) {
          if (forGood.size() >= 2000) forGood.clear();
          forGood.add(url);
        }
        return verdict;
      }
      memo.unfix();
      return verdict;
    },
    /**
     * HTML strings as `ask` treats URLs: one that only holds URLs no choice changes is
     * remembered (frameworks set the same template HTML again and again); any other forgets the
     * clean trees. The HTML with its held tags made inert, or null when it is unchanged. `base`:
     * the document's base URL when a <base href> moved it ("" otherwise); `maps`: the document's
     * import maps (modules.js; "" when it has none). What either moves is not remembered.
     * @param {string} html @param {string} via @param {string} base @param {string} maps
     */
    rewrite: function (html, via, base, maps) {
      var plain = !base && !maps;
      if (plain && cleanHtml && cleanHtml.has(html)) return null;
      var verdict = policy.rewrite(html, via, base, maps);
      if (verdict === VERDICT.pass && policy.final && plain && cleanHtml && html.length <= 4096) {
        if (cleanHtml.size() >= 200) cleanHtml.clear();
        cleanHtml.add(html);
        return null;
      }
      memo.forget();
      return verdict === VERDICT.hold ? policy.rewritten() : null;
    }
  };
  return memo;
}
