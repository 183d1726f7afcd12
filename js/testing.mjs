// sekisho/testing: proving in a headless browser that nothing leaks (README "Testing your site").
//
// For Playwright (any version with BrowserContext.on('request')), in Node. The core is a request recorder that
// judges every request the browser makes with the checkpoint's own policy — the same config parser, catalog,
// matcher and judgement as sekisho.js, compiled for Node (sekisho-testing.wasm beside this file) — against the
// consent in effect when it was made (the page's sekisho.get(), read at each phase), and a readable failure.
import { readFileSync } from "node:fs";
import { initSync, Policy, draftDisclosure as draft } from "./sekisho-testing-glue.mjs";

initSync({ module: readFileSync(new URL("./sekisho-testing.wasm", import.meta.url)) });

/**
 * The checkpoint's policy for a page of `origin` with `config` (text or object), in the consent `state`
 * (`sekisho.get()`, or `null`: a page without Sekisho). `judge(url, resourceType)` → {service, category, held,
 * party}; `cookie(name)` → {service, category} or null.
 */
export function policy(config, origin, state = null) {
  const p = new Policy(typeof config === "object" && config !== null ? JSON.stringify(config) : config, origin);
  p.setState(JSON.stringify(state));
  return {
    judge: (url, resourceType = "fetch") => JSON.parse(p.judge(url, resourceType)),
    cookie: (name) => JSON.parse(p.cookie(name)),
  };
}

/**
 * A draft of the 外部送信 disclosure for the services `seen` (ids), from the site's config and the catalog, in
 * `lang` ("ja" | "en") as "html" (a table) or "csv"; the fields the catalog lacks are marked to fill in.
 */
export function draftDisclosure(config, seen, lang = "ja", format = "html") {
  return draft(typeof config === "object" && config !== null ? JSON.stringify(config) : config, seen, lang, format);
}

const ROOT = "#sekisho-root";

/** The page's consent state (`sekisho.get()`), or `null` when the page has no Sekisho. */
export function state(page) {
  return page.evaluate(() => (window.sekisho ? window.sekisho.get() : null));
}

/** The checkpoint's audit (`sekisho.audit()`), `[]` without Sekisho. */
export function audit(page) {
  return page.evaluate(() => (window.sekisho ? window.sekisho.audit() : []));
}

/** The page's config text (`#sekisho-config`), or `undefined`. */
function configOf(page) {
  return page.evaluate(() => document.getElementById("sekisho-config")?.textContent ?? undefined);
}

/**
 * Makes a choice as a visitor does, through Sekisho's own UI: `accept-all`, `reject-all` (the first layer, opened
 * by the "privacy settings" control when it is closed), or `save` with `categories` ({analytics: true, …}) set
 * in the preference center. Returns the state after it.
 */
export async function choose(page, action, { categories = {}, timeout = 10000 } = {}) {
  if (!["accept-all", "reject-all", "save"].includes(action)) throw new TypeError(`choose(): unknown action ${action}`);
  await page.waitForFunction((root) => document.querySelector(root)?.shadowRoot, ROOT, { timeout });
  const clicked = await page.evaluate(async ({ root, action, categories }) => {
    const shadow = document.querySelector(root).shadowRoot;
    const find = (a) => shadow.querySelector(`[data-sekisho-action="${a}"]`);
    const visible = (el) => el && el.getClientRects().length > 0;
    if (action !== "save" && visible(find(action))) { find(action).click(); return true; }
    // The preference center: its switches, then its own button.
    window.sekisho.showPreferences();
    for (let i = 0; i < 100 && !shadow.querySelector("dialog[open]"); i++) await new Promise((r) => setTimeout(r, 50));
    const dialog = shadow.querySelector("dialog[open]");
    if (!dialog) return false;
    for (const [id, on] of Object.entries(categories)) {
      const box = dialog.querySelector(`[data-sekisho-category="${id}"]`);
      if (box && !box.disabled && box.checked !== on) box.click();
    }
    const button = dialog.querySelector(`[data-sekisho-action="${action}"]`);
    if (!button) return false;
    button.click();
    return true;
  }, { root: ROOT, action, categories });
  if (!clicked) throw new Error(`choose(): Sekisho's UI has no "${action}" control on this page`);
  return state(page);
}

/**
 * Starts recording the requests of `context` (every page of it). Mark each moment of your test with
 * `await recorder.phase(name, page)`: the requests that follow (and, for the first phase, those made while the
 * page loaded) are judged against the consent `page` has then
 * (its sekisho.get(); a page without Sekisho allows nothing but first parties and neutral CDNs).
 * `decide(page, name, action)` does both around a decision: the requests made after it starts are judged
 * against the state it leads to.
 */
export async function recordRequests(context, { config } = {}) {
  const requests = [];
  const phases = [];
  let policy = null;
  let current = null;
  const onRequest = (request) => {
    const url = request.url();
    if (!/^(https?|wss?):/.test(url)) return;
    let navigation = false;
    try { navigation = request.isNavigationRequest() && request.frame() === request.frame().page()?.mainFrame(); } catch { /* a worker's */ }
    requests.push({ url, resourceType: request.resourceType(), phase: current, at: Date.now(), navigation });
  };
  context.on("request", onRequest);

  async function phase(name, page) {
    const origin = new URL(page.url()).origin;
    if (!policy || policy.origin !== origin) {
      const text = config === undefined ? await configOf(page) : typeof config === "string" ? config : JSON.stringify(config);
      policy = { origin, text };
    }
    const st = await state(page);
    current = { name, page, origin, config: policy.text, state: st };
    phases.push(current);
    // What the page requested before its first phase (while it loaded) is judged in that phase: the consent
    // in effect then was the same, as no choice can be made before the page has loaded.
    for (const r of requests) if (!r.phase) r.phase = current;
    return st;
  }

  /** Each request with its service, category, and whether its phase's consent held it. */
  function judged() {
    const cache = new Map();
    return requests.map((r) => {
      if (!r.phase) return { ...r, service: null, category: null, held: false }; // (no phase opened yet)
      let p = cache.get(r.phase);
      if (!p) {
        p = new Policy(r.phase.config, r.phase.origin);
        p.setState(JSON.stringify(r.phase.state));
        cache.set(r.phase, p);
      }
      const verdict = r.navigation ? { service: null, category: null, held: false } : JSON.parse(p.judge(r.url, r.resourceType));
      return { ...r, ...verdict };
    });
  }

  const recorder = {
    phase,
    /** `choose(page, action, options)` inside a phase of its own, named `name`. */
    async decide(page, name, action, options) {
      // What the page did before (its load, if no phase was opened yet) is judged before the choice.
      if (!current) await phase(`before ${name}`, page);
      // (Requests made from here on belong to the new phase: it is opened before the click, with the state it
      // leads to filled in once the choice is made.)
      const entry = { name, page, origin: new URL(page.url()).origin, config: policy?.text, state: null };
      const before = current;
      current = entry;
      phases.push(entry);
      try {
        entry.state = await choose(page, action, options);
      } catch (e) {
        // No choice was made: what was requested meanwhile belongs to the phase before.
        for (const r of requests) if (r.phase === entry) r.phase = before;
        phases.splice(phases.indexOf(entry), 1);
        current = before;
        throw e;
      }
      if (entry.config === undefined) entry.config = await configOf(page);
      return entry.state;
    },
    /** Every request recorded, judged. */
    requests: judged,
    /** The requests that reached the network while their service (or an unknown third party the site blocks) was not allowed. */
    leaks: () => judged().filter((r) => r.held),
    /**
     * Throws a LeakError listing each leak — URL, service, category, phase, what the phase allowed, and the API that
     * sent it according to the checkpoint's audit — unless there is none.
     */
    async assertNoLeaks() {
      if (!phases.length && requests.length) {
        throw new Error("[sekisho] recordRequests(): no phase was opened, so no request was judged: call "
          + "recorder.phase(name, page) once the page has loaded (and recorder.decide() for each choice)");
      }
      const leaks = recorder.leaks();
      if (!leaks.length) return;
      const audits = new Map();
      for (const l of leaks) {
        if (!audits.has(l.phase.page) && !l.phase.page.isClosed()) audits.set(l.phase.page, await audit(l.phase.page).catch(() => []));
      }
      throw new LeakError(leaks, audits);
    },
    stop() { context.off("request", onRequest); },
  };
  return recorder;
}

/** What `assertNoLeaks()` throws: `.leaks` holds the judged requests. */
export class LeakError extends Error {
  constructor(leaks, audits = new Map()) {
    const lines = leaks.map((l) => {
      const allowed = l.phase.state
        ? Object.entries(l.phase.state.categories).filter(([, on]) => on).map(([c]) => c).join(", ")
        : "nothing (no Sekisho on the page)";
      const line = (audits.get(l.phase.page) || []).find((a) => a.url === l.url);
      const sender = line
        ? `the checkpoint saw it as ${line.kind} and ${line.action === "allowed" ? "let it through" : line.action} it`
        : "the checkpoint never saw it (a tag in the HTML fetched before any script, or no Sekisho on the page)";
      return `  - [${l.phase.name}] ${l.url}\n      ${l.resourceType} to ${l.service ?? "an unknown third party"}`
        + `${l.category ? ` (${l.category})` : ""}; allowed then: ${allowed}; ${sender}`;
    });
    super(`[sekisho] ${leaks.length} request${leaks.length === 1 ? "" : "s"} reached the network while not allowed:\n${lines.join("\n")}`);
    this.name = "LeakError";
    this.leaks = leaks;
  }
}
