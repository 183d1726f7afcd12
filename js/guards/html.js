// HTML strings: `innerHTML`, `outerHTML`, `insertAdjacentHTML`, `document.write(ln)`,
// `setHTML(Unsafe)`, `createContextualFragment`, `execCommand("insertHTML")`. The policy rewrites
// held tags into inert markup before the parser sees them (src/html.rs).
import { wrap, wrapSetter, apply, call, str, test, exec, strSlice, lower, arraySlice, weakMap, nodeType, parentNode } from "./natives.js";

/**
 * Provides `r.rewrite(html, via)`: the HTML with its held tags made inert, or null when it is
 * unchanged.
 * @param {any} r the realm (index.js)
 */
export function guardHtml(r) {
  var win = r.win, n = r.natives, E = n.E, D = n.D;
  r.rewrite = function (html, via) {
    // (The page's import maps matter only to the module scripts an HTML string may hold; a map
    // the string writes goes with them, resolved against the document's base URL.)
    var maps = r.importMaps && test(/<script/i, html) ? r.importMaps(test(/importmap/i, html)) : "";
    return r.memo.rewrite(html, via, r.movedBase(), maps);
  };

  // A sink whose HTML is its argument `argIndex` (-1: every argument, as document.write's).
  function htmlSink(argIndex) {
    return function (orig, name) {
      return function () {
        var args = arraySlice(arguments);
        // document.write's arguments are parsed as one string: judged as one.
        if (argIndex < 0 && args.length > 1) args = [joined(args)];
        var declarative = false, maps = false;
        for (var i = argIndex < 0 ? 0 : argIndex; i < (argIndex < 0 ? args.length : argIndex + 1); i++) {
          var html = str(args[i]);
          args[i] = html; // read once: the HTML judged is the one parsed
          declarative = declarative || test(/shadowrootmode/i, html);
          maps = maps || test(/importmap/i, html);
          var rewritten = r.rewrite(html, name);
          if (rewritten != null) args[i] = rewritten;
        }
        var pieces = argIndex < 0 && nodeType(this) === 9 && args.length ? scriptsAfterFrames(args[0]) : null;
        var result = pieces ? writePieces(this, orig, name, pieces) : apply(orig, this, args);
        if (nodeType(this)) {
          var scope = nodeType(this) === 9 ? this.documentElement : this;
          r.adoptFrames(scope);
          // An import map the HTML wrote applies to the next string's module scripts (a second
          // `document.write` in the same task, before any observer runs).
          if (maps && scope && r.registerMaps) r.registerMaps(scope);
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
  /** The strings document.write parses as one. @param {ArrayLike<any>} args */
  function joined(args) {
    var html = "";
    for (var i = 0; i < args.length; i++) html += str(args[i]);
    return html;
  }
  // A frame that document.write creates gets its window at once, and a script written after it
  // runs inside the same call (Firefox fires no "load" first, and no observer runs while a script
  // writes): the HTML is written in pieces, each script's tag starting one, the new frames guarded
  // in between. Writing a string in pieces parses it as one (the tokenizer keeps its state).
  var nativeWrite = D && D.write;
  /** @param {string} html @returns {string[] | null} */
  function scriptsAfterFrames(html) {
    var frame = /<(i?frame|object)[\s\/>]/gi;
    if (!test(frame, html)) return null;
    var script = /<script[\s\/>]/gi, pieces = [], from = 0, m;
    script.lastIndex = frame.lastIndex;
    while ((m = exec(script, html)) !== null) {
      pieces[pieces.length] = strSlice(html, from, m.index);
      from = m.index;
    }
    if (!pieces.length) return null;
    pieces[pieces.length] = strSlice(html, from);
    return pieces;
  }
  /** @param {any} doc @param {Function} orig @param {string} name @param {string[]} pieces */
  function writePieces(doc, orig, name, pieces) {
    for (var i = 0; i < pieces.length - 1; i++) {
      call(nativeWrite, doc, pieces[i]);
      r.guardNewFrames();
    }
    return call(orig, doc, pieces[pieces.length - 1]);
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
      var html = joined(arguments);
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
