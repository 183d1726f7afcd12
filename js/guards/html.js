// HTML strings: `innerHTML`, `outerHTML`, `insertAdjacentHTML`, `document.write(ln)`,
// `setHTML(Unsafe)`, `createContextualFragment`, `execCommand("insertHTML")`. The policy rewrites
// held tags into inert markup before the parser sees them (src/html.rs).
import { wrap, wrapSetter } from "./natives.js";

/**
 * Provides `r.rewrite(html, via)`: the HTML with its held tags made inert, or null when it is
 * unchanged.
 * @param {any} r the realm (index.js)
 */
export function guardHtml(r) {
  var win = r.win, n = r.natives, E = n.E, D = n.D;
  r.rewrite = function (html, via) { return r.memo.rewrite(html, via, r.movedBase()); };

  // A sink whose HTML is its argument `argIndex` (-1: every argument, as document.write's).
  function htmlSink(argIndex) {
    return function (orig, name) {
      return function () {
        var args = Array.prototype.slice.call(arguments);
        var declarative = false;
        for (var i = argIndex < 0 ? 0 : argIndex; i < (argIndex < 0 ? args.length : argIndex + 1); i++) {
          var html = String(args[i]);
          declarative = declarative || /shadowrootmode/i.test(html);
          var rewritten = r.rewrite(html, name);
          if (rewritten != null) args[i] = rewritten;
        }
        var result = orig.apply(this, args);
        if (this && this.nodeType) {
          var scope = this.nodeType === 9 ? this.documentElement : this;
          r.adoptFrames(scope);
          // Declarative shadow roots (<template shadowrootmode>) in the HTML: watched too.
          if (declarative && scope) {
            var all = n.findAll(scope, "*");
            for (var k = 0; k < all.length; k++) if (all[k].shadowRoot) r.watchRoot(all[k].shadowRoot, true);
          }
        }
        return result;
      };
    };
  }
  if (D) {
    wrap(D, "write", writeInPlace);
    wrap(D, "writeln", writeInPlace);
  }

  // A script Sekisho released (data-sekisho="released": a marked inline script run after the
  // decision, a held tag given back) is never one the parser is running: its `document.write`
  // has no insertion point, so the browser would open a new document and wipe the page (or, from
  // an external script, ignore it). It writes in place instead, as the page meant: right after
  // the script (after what it wrote before), the HTML rewritten like every HTML string, and its
  // scripts run.
  var written = typeof WeakMap === "function" ? new WeakMap() : null;
  function writeInPlace(orig, name) {
    var sink = htmlSink(-1)(orig, name);
    return function () {
      var script = this && this.nodeType === 9 ? this.currentScript : null;
      var parent = script && script.parentNode;
      if (!parent || !written || !n.createFragment || n.getAttr.call(script, "data-sekisho") !== "released") return sink.apply(this, arguments);
      var html = Array.prototype.join.call(arguments, "") + (name === "writeln" ? "\n" : "");
      var rewritten = r.rewrite(html, name);
      var range = this.createRange();
      range.selectNode(script);
      var fragment = n.createFragment.call(range, rewritten != null ? rewritten : html);
      var last = fragment.lastChild;
      var after = written.get(script) || script;
      parent.insertBefore(fragment, after.parentNode === parent ? after.nextSibling : script.nextSibling);
      if (last) written.set(script, last);
    };
  }

  wrap(E, "insertAdjacentHTML", htmlSink(1));
  wrap(E, "setHTMLUnsafe", htmlSink(0));
  wrap(E, "setHTML", htmlSink(0));
  if (win.ShadowRoot) {
    wrap(win.ShadowRoot.prototype, "setHTMLUnsafe", htmlSink(0));
    wrap(win.ShadowRoot.prototype, "setHTML", htmlSink(0));
  }
  // Editing: execCommand("insertHTML", …, html) parses HTML into the document too.
  if (D) {
    wrap(D, "execCommand", function (orig) {
      return function (command, ui, value) {
        if (String(command).toLowerCase() !== "inserthtml" || value == null) return orig.apply(this, arguments);
        var rewritten = r.rewrite(String(value), "execCommand");
        return orig.call(this, command, ui, rewritten != null ? rewritten : value);
      };
    });
  }
  if (win.Range) wrap(win.Range.prototype, "createContextualFragment", htmlSink(0));
  [[E, "innerHTML"], [E, "outerHTML"], [win.ShadowRoot && win.ShadowRoot.prototype, "innerHTML"]].forEach(function (p) {
    wrapSetter(p[0], p[1], function (nativeSet) { return htmlSink(0)(nativeSet, p[1]); });
  });
}
