// What sekisho.js draws itself, without the UI module: the first layer of a visitor who has not
// chosen (what it says and offers is decided in the Wasm, core::first_layer) and the "privacy
// settings" control. The root, elements, classes and stable selectors are the UI module's
// (deferred/src/web/ui.rs, docs/contracts.md §5): when that module comes (the visitor opens the
// preferences, the page has embeds or a disclosure table), it adopts what is drawn here and its
// own listener acts from then on. Texts are set as text; the styles are one constructable
// stylesheet adopted by the shadow root (a <style> where constructable stylesheets are missing),
// so a page with a strict `style-src` shows it.

/**
 * @typedef {{ lang: string, title: string, body: string, disclosure: { href: string, text: string } | null,
 *   gpc: string | null, buttons: [string, string][], saved: string, reopen: string | null }} FirstLayerText
 * @typedef {{ decide(action: string): void, preferences(): void, moduleActs(): boolean }} FirstLayerActions
 */

/**
 * @param {{ control: string, banner: string }} css the UI's stylesheet: control.css (the root's theme and the
 *   "privacy settings" control: all a returning visitor's page needs) and ui.css (the banner's and the rest)
 * @param {((sheet: CSSStyleSheet, css: string) => void) | null} replaceSync the native
 *   CSSStyleSheet.prototype.replaceSync, bound before the guards were installed (the stylesheet is a
 *   constant without URLs: the CSS guard need not read it)
 * @param {FirstLayerActions} actions what the buttons do: `decide("accept-all" | "reject-all")`,
 *   `preferences()` (loads the UI module); `moduleActs()`: the UI module is here and acts itself
 */
function sekishoFirstLayer(css, replaceSync, actions) {
  var doc = document;
  /** @type {{ shadow: ShadowRoot, status: HTMLElement } | null} */
  var root = null;
  /** @type {HTMLElement | null} */
  var banner = null;
  /** @type {FirstLayerText | null} */
  var shown = null;
  var fromBanner = false; // a choice is being made on the banner's own buttons

  /** @param {string} tag @param {Record<string, string>} attributes @param {string} [text] */
  function element(tag, attributes, text) {
    var el = doc.createElement(tag);
    for (var name in attributes) el.setAttribute(name, attributes[name]);
    if (text !== undefined) el.textContent = text;
    return el;
  }
  /** @param {Node} parent @param {string} tag @param {Record<string, string>} attributes @param {string} [text] */
  function append(parent, tag, attributes, text) {
    return parent.appendChild(element(tag, attributes, text));
  }

  // #sekisho-root with its open shadow root, its stylesheet (the banner's part only when it shows: a
  // stylesheet is parsed on the main thread) and its status region (announcements outlive the
  // banner), at the end of <body>.
  /** @param {string} lang @param {boolean} withBanner */
  function ensureRoot(lang, withBanner) {
    if (root) return root;
    var host = element("div", { id: "sekisho-root", lang: lang });
    var shadow = host.attachShadow({ mode: "open" });
    var text = withBanner ? css.control + " " + css.banner : css.control;
    try {
      var sheet = new CSSStyleSheet();
      replaceSync(sheet, text);
      shadow.adoptedStyleSheets = [sheet];
    } catch (e) {
      append(shadow, "style", {}, text);
    }
    var status = /** @type {HTMLElement} */ (append(shadow, "p", { class: "status", role: "status" }));
    shadow.addEventListener("click", function (e) {
      var target = /** @type {Element} */ (e.target);
      var control = target && target.closest && target.closest("[data-sekisho-action]");
      if (!control || actions.moduleActs()) return;
      var action = control.getAttribute("data-sekisho-action");
      if (action === "accept-all" || action === "reject-all") {
        fromBanner = true;
        try { actions.decide(action); } finally { fromBanner = false; }
      } else if (action === "preferences" || action === "reopen") actions.preferences();
    });
    (doc.body || doc.documentElement).appendChild(host);
    root = { shadow: shadow, status: status };
    return root;
  }

  /** The first layer: a region at the bottom of the page, not a modal; no close button (closing is not consent). */
  /** @param {FirstLayerText} text */
  function drawBanner(text) {
    if (banner || doc.getElementById("sekisho-root")) return;
    shown = text;
    var shadow = ensureRoot(text.lang, true).shadow;
    banner = element("section", { class: "banner", "aria-labelledby": "sekisho-title" });
    var inner = append(banner, "div", { class: "inner" });
    append(inner, "h2", { id: "sekisho-title" }, text.title);
    append(inner, "p", {}, text.body);
    if (text.disclosure) append(append(inner, "p", { class: "disclosure" }), "a", { href: text.disclosure.href }, text.disclosure.text);
    if (text.gpc) append(inner, "p", { class: "gpc" }, text.gpc);
    var row = append(inner, "div", { class: "actions" });
    text.buttons.forEach(function (button) {
      append(row, "button", { type: "button", "data-sekisho-action": button[0] }, button[1]);
    });
    shadow.appendChild(banner);
  }

  /** The persistent "privacy settings" control, unless the page has its own. */
  /** @param {string} lang @param {string} label */
  function drawReopen(lang, label) {
    if (doc.querySelector('[data-sekisho-action="reopen"]')) return;
    var r = ensureRoot(lang, false);
    if (r.shadow.querySelector(".reopen")) return;
    append(r.shadow, "button", { type: "button", class: "reopen", "data-sekisho-action": "reopen" }, label);
  }

  return {
    banner: drawBanner,
    reopen: drawReopen,
    /**
     * A choice was made while the UI module is not here: the first layer closes, the status region
     * says so when the choice was made on the banner, and the "privacy settings" control takes its
     * place.
     */
    decided: function () {
      if (!banner || !shown || actions.moduleActs()) return;
      banner.remove();
      banner = null;
      if (fromBanner && root) root.status.textContent = shown.saved;
      if (shown.reopen) drawReopen(shown.lang, shown.reopen);
    }
  };
}
