// Frames and realms: every same-origin child frame (about:blank, srcdoc, same-origin src) and
// every window a script opens gets the same guards, before the page's code can reach its
// fetch or Image; a held URL does not load into a named (maybe hidden) frame.
import { wrap, apply, call, str, test, arraySlice, nodeType, localName } from "./natives.js";

/** @param {any} r the realm (index.js) */
export function guardFrames(r) {
  var win = r.win, n = r.natives;

  function adoptFrames(node) {
    var type = nodeType(node);
    if (type !== 1 && type !== 11) return;
    var frames = localName(node) === "iframe" ? [node] : !node.firstElementChild ? []
      : type === 1 ? call(n.getByTag, node, "iframe") : n.findAll(node, "iframe");
    for (var i = 0; i < frames.length; i++) guardFrame(frames[i]);
  }
  function guardFrame(frame) {
    try {
      if (frame.contentWindow) {
        r.install(frame.contentWindow);
        // The markup checkpoint watches (and releases in) the frame's document too.
        if (r.policy.observe && frame.contentDocument) r.policy.observe(frame.contentDocument);
      }
    } catch (e) { /* cross-origin: its own document, not ours to guard */ }
    if (!frame.__sekishoLoad) {
      frame.__sekishoLoad = true;
      frame.addEventListener("load", function () { guardFrame(frame); });
    }
  }
  r.adoptFrames = adoptFrames;

  // An about:blank frame fires "load" synchronously while it is being inserted, before the
  // insertion guard returns: its handlers could take the frame's unguarded fetch or Image. A
  // capturing listener on the document runs before them (a "load" event's path ends at the
  // document), and guards the frame first.
  r.doc.addEventListener("load", function (e) {
    var t = e.target;
    var name = localName(t);
    if (name === "iframe" || name === "frame" || name === "object") guardFrame(t);
  }, true);

  // A target that names a frame (or a window) rather than this page, its parents or a new window.
  r.namedFrame = function (name) {
    return !!name && !test(/^_(self|top|parent|blank)$/i, str(name));
  };
  // A same-origin window opened by script starts as about:blank in a realm of its own; a held
  // URL opened into a named frame does not load (as a link's: network.js).
  wrap(win, "open", function (orig) {
    return function (url, name) {
      var args = arraySlice(arguments);
      if (url != null) args[0] = url = str(url); // read once: the URL judged is the one opened
      if (url && r.namedFrame(name) && r.held(url, KIND.iframe, "open")) return null;
      var opened = apply(orig, this, args);
      try { if (opened) r.install(opened); } catch (e) { /* cross-origin or closed */ }
      return opened;
    };
  });
}
