// What js/bootstrap.js, js/guards/ and js/deferred.js see but do not define: the constants
// scripts/assemble.mjs generates from src/protocol.json, the placeholders it fills, and the
// wasm-bindgen glue it inlines. (Types for the type check only: tsc -p js.)

/** Kinds of loads, as numbers (src/protocol.json `kinds`; core::Kind). */
declare const KIND: Record<"script" | "iframe" | "img" | "link" | "media" | "form" | "fetch" | "xhr" | "beacon" | "websocket" | "eventsource" | "cookie", number>;
/** Verdicts, as numbers (src/protocol.json `verdicts`; core::Verdict). */
declare const VERDICT: Record<"pass" | "passByChoice" | "hold", number>;
/** An element that loads URLs: its KIND number and its URL attributes. */
interface ElementRule { kind: number; urls: string[] }
/** The element table, by namespace and local name. */
declare const ELEMENTS: { html: Record<string, ElementRule>; svg: Record<string, ElementRule> };
/** A selector for every element with a URL attribute. */
declare const URL_SELECTOR: string;
declare const URL_ATTRIBUTES: string[];
/** The tags the fail-closed HTML rewrite makes inert (scripts apart). */
declare const URL_TAGS: string[];
/** [interface, property] pairs of the URL setters. */
declare const URL_PROPERTIES: [string, string][];
declare const RUNNABLE_SCRIPT_TYPES: string[];

/** The guards (js/guards/index.js), bundled into the bootstrap's scope by scripts/assemble.mjs. */
declare function sekishoGuards(policy: any): { install(win: any): void; exempt(el: Element): void };

/** The inlined module's byte length, and a config baked in at build time (JSON text). */
declare const __WASM_LENGTH__: number;
declare const __BAKED_CONFIG__: string | undefined;
/** deferred/src/web/control.css (the UI root's theme, the "privacy settings" control) and ui.css (the banner's,
 * the dialog's, the placeholders'): the UI's stylesheet, for what sekisho.js draws itself. */
declare const __CONTROL_CSS__: string;
declare const __BANNER_CSS__: string;

/** js/first-layer.js, inlined into the bootstrap's scope by scripts/assemble.mjs. */
declare function sekishoFirstLayer(css: { control: string, banner: string }, replaceSync: ((sheet: CSSStyleSheet, css: string) => void) | null, actions: FirstLayerActions): {
  banner(text: FirstLayerText): void;
  reopen(lang: string, label: string): void;
  decided(): void;
};

/** The checkpoint's exports (src/web), as the no-modules glue exposes them. */
declare const wasm_bindgen: {
  initSync(options: { module: WebAssembly.Module }): unknown;
  start(config: string | undefined, onAudit: (lineJson: string) => void): void;
  deferred_needed(): boolean;
  first_layer(pageLang: string, browserLangs: string): string | undefined;
  embeds_selector(): string | undefined;
  reopen_control(pageLang: string, browserLangs: string): string | undefined;
  syncs(): boolean;
  signals_at_start(): string | undefined;
  tcf_bridge(): boolean;
  signals_update(): string | undefined;
  start_notes(): string | undefined;
  release_once(element: Element): boolean;
  allow_once(service: string): boolean;
  dom_ready(cookiesCapped: boolean): string | undefined;
  sweep_after_load(): void;
  state(): string | undefined;
  accept_all(): string | undefined;
  reject_all(): string | undefined;
  set_choices(choicesJson: string): string | undefined;
  audit(): string;
  uncovered(): string;
  allows(purpose: string): boolean;
  judge(url: string, kind: number, via: string): number;
  judge_opaque_frame(url: string, via: string): number;
  release_hit(url: string, kind: number, via: string): boolean;
  beacon_queue(): number;
  held_requirement(): string;
  module_imports(source: string): string;
  rewrite_html(html: string, via: string, base: string, importMaps: string): number;
  rewritten(): string;
  rewrite_css(css: string, via: string, base: string): number;
  release_css(css: string, via: string, base: string): boolean;
  cookie_allowed(write: string, via: string): boolean;
  added(elements: Element[]): void;
  observe_document(doc: Document): void;
};

/** The deferred module's exports (deferred/src), as its glue exposes them. */
interface DeferredGlue {
  initSync(options: { module: WebAssembly.Module }): unknown;
  run(config: string | undefined): void;
  show_preferences(): void;
}
declare const sekishoDeferred: DeferredGlue;

/** The records module's exports (sekisho-records.js). */
interface RecordsGlue {
  initSync(options: { module: WebAssembly.Module }): unknown;
  start(config: string | undefined): void;
  record(decision: string): void;
  identify(token: string): void;
}
declare const sekishoRecords: RecordsGlue;

/** The TCF bridge module's exports (sekisho-tcf.js). */
interface TcfGlue {
  initSync(options: { module: WebAssembly.Module }): unknown;
  start(config: string | undefined): void;
}
declare const sekishoTcf: TcfGlue;

/** The bootstrap's hand-over to a module's script (an expando on its <script>): its glue, its
 * Wasm as hex and its length, and (the deferred module) the SHA-256 of its Wasm. */
interface HTMLScriptElement {
  sekishoStart?: (glue: any, hex: string, length: number, extra?: string) => void;
}
interface HTMLElement { __sekishoLoad?: boolean }
interface Uint8ArrayConstructor { fromHex?(hex: string): Uint8Array<ArrayBuffer> }
interface Navigator { globalPrivacyControl?: boolean }

/** The vendors' queues Sekisho writes its signals into (core::signals; js/bootstrap.js `signal`). */
interface Window {
  dataLayer?: unknown[];
  uetq?: unknown[];
  clarity?: ((...args: unknown[]) => void) & { q?: unknown[] };
}
