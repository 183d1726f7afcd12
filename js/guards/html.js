// HTML strings: `innerHTML`, `outerHTML`, `insertAdjacentHTML`, `document.write(ln)`,
// `setHTML(Unsafe)`, `createContextualFragment`, `execCommand("insertHTML")`. The policy rewrites
// held tags into inert markup before the parser sees them (src/html.rs).
import { wrap, wrapSetter, apply, call, str, test, lower, arraySlice, weakMap, nodeType, parentNode } from "./natives.js";

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
        var args = arraySlice(arguments);
        var declarative = false;
        for (var i = argIndex < 0 ? 0 : argIndex; i < (argIndex < 0 ? args.length : argIndex + 1); i++) {
          var html = str(args[i]);
          args[i] = html; // read once: the HTML judged is the one parsed
          declarative = declarative || test(/shadowrootmode/i, html);
          var rewritten = r.rewrite(html, name);
          if (rewritten != null) args[i] = rewritten;
        }
        var result = apply(orig, this, args);
        if (nodeType(this)) {
          var scope = nodeType(this) === 9 ? this.documentElement : this;
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
  var written = weakMap();
  function writeInPlace(orig, name) {
    var sink = htmlSink(-1)(orig, name);
    return function () {
      var script = nodeType(this) === 9 ? this.currentScript : null;
      var parent = script && parentNode(script);
      if (!parent || !written || !n.createFragment || call(n.getAttr, script, "data-sekisho") !== "released") return apply(sink, this, arguments);
      var html = "";
      for (var i = 0; i < arguments.length; i++) html += str(arguments[i]);
      if (name === "writeln") html += "\n";
      var rewritten = r.rewrite(html, name);
      var range = this.createRange();
      range.selectNode(script);
      var fragment = call(n.createFragment, range, rewritten != null ? rewritten : html);
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
        if (lower(str(command)) !== "inserthtml" || value == null) return apply(orig, this, arguments);
        value = str(value);
        var rewritten = r.rewrite(value, "execCommand");
        return call(orig, this, command, ui, rewritten != null ? rewritten : value);
      };
    });
  }
  if (win.Range) wrap(win.Range.prototype, "createContextualFragment", htmlSink(0));
  [[E, "innerHTML"], [E, "outerHTML"], [win.ShadowRoot && win.ShadowRoot.prototype, "innerHTML"]].forEach(function (p) {
    wrapSetter(p[0], p[1], function (nativeSet) { return htmlSink(0)(nativeSet, p[1]); });
  });
}
