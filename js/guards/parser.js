// What arrives without an insertion guard: elements the parser adds (a MutationObserver on each
// document, which also sees a `document.open()` replacing <html>), and shadow roots, whose
// content the document's observer and querySelectorAll cannot see (each gets an observer of its
// own, and is rescanned after every decision: what was held inside is then released, or a
// released frame held again).
import { wrap, apply, arraySlice, weakSet, nodeType, isConnected, localName } from "./natives.js";

/**
 * The shadow roots of every guarded realm, held weakly, and their rescan after a decision.
 * @param {any} policy
 */
export function createShadowRoots(policy) {
  var roots = [];
  var watched = weakSet();
  return {
    /** Whether `root` is watched already; it is from now on. */
    watch: function (root) {
      if (watched.has(root)) return false;
      watched.add(root);
      roots.push(typeof WeakRef === "function" ? new WeakRef(root) : { deref: function () { return root; } });
      return true;
    },
    rescan: function () {
      roots = roots.filter(function (ref) {
        var root = ref.deref();
        if (root && root.host && isConnected(root.host) && policy.added) policy.added(arraySlice(root.children));
        return !!root;
      });
    }
  };
}

/**
 * Provides `r.watchRoot(root, filled)`; observes the realm's document and its shadow roots.
 * @param {any} r the realm (index.js)
 */
export function guardParsing(r) {
  var win = r.win, memo = r.memo;
  // Parsed elements: runs before each parser-inserted script executes (the preload scanner may
  // already have fetched it: see README "What needs markup"). The same elements then go to the
  // markup checkpoint (`policy.added`, once the Wasm has started), which holds or releases the
  // marked ones.
  function onMutations(records) {
    var elements = [];
    for (var i = 0; i < records.length; i++) {
      // A `style` changed without a guarded call (`el.style.backgroundImage = …`): its images
      // load at the next style recalc, after this.
      if (records[i].type === "attributes") { r.styleChanged(records[i].target, "style"); continue; }
      // A <script>'s children changed, by whatever path: a module script kept inert may run now.
      if (localName(records[i].target) === "script") r.scriptChildren(records[i].target);
      var added = records[i].addedNodes;
      for (var j = 0; j < added.length; j++) if (nodeType(added[j]) === 1) elements[elements.length] = added[j];
    }
    arrived(elements);
  }
  // Elements a document or shadow root gained without going through an insertion guard. The
  // parser adds each element with its own record, in document order; by the time the records are
  // read, an element may have its children already, and they follow with records of their own. A
  // tree searched whole just now (`covered`) has its descendants' checks done (one found clean
  // earlier may have gained content since: its descendants are checked on their own).
  function arrived(elements) {
    var marked = [];
    var covered = null;
    for (var i = 0; i < elements.length; i++) {
      var el = elements[i];
      // A host parsed with a declarative shadow root (<template shadowrootmode=open>).
      if (el.shadowRoot) watchRoot(el.shadowRoot, true);
      if (covered && covered.contains(el)) continue;
      if (r.checkTree(el, "parser")) covered = el;
      if (memo.isClean(el)) continue;
      r.adoptFrames(el);
      // A clean tree has no marked element: nothing for the markup checkpoint.
      marked.push(el);
    }
    if (marked.length && r.policy.added) r.policy.added(marked);
  }
  var observeOptions = { childList: true, subtree: true, attributes: true, attributeFilter: ["style"] };
  new win.MutationObserver(onMutations).observe(r.doc, observeOptions);

  function watchRoot(root, filled) {
    if (!r.shadowRoots.watch(root)) return;
    new win.MutationObserver(onMutations).observe(root, observeOptions);
    // A root that arrives with content (declarative): its elements arrive now.
    if (filled) arrived(arraySlice(root.children));
  }
  r.watchRoot = watchRoot;
  wrap(r.natives.E, "attachShadow", function (orig) {
    return function () {
      var root = apply(orig, this, arguments);
      watchRoot(root, false);
      return root;
    };
  });
}
