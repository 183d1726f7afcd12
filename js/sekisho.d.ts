// Types of the global `window.sekisho` API that dist/sekisho.js installs (docs/contracts.md §5).
export {};

declare global {
  type SekishoCategory = "necessary" | "functional" | "analytics" | "ads" | "sns";

  /** How a decision was made, for its consent record. */
  interface SekishoDecisionOptions {
    method?: "banner" | "preferences" | "placeholder" | "api" | "signal";
  }

  interface SekishoState {
    /** The visitor made a choice that is valid for this revision and not expired. */
    decided: boolean;
    /** Categories in effect (GPC already applied: `ads` is false while GPC is on). */
    categories: Record<SekishoCategory, boolean>;
    /** Per-service overrides the visitor set, as in effect. */
    services: Record<string, boolean>;
    revision: number | null;
    consentId: string | null;
    /** When the choice was made, Unix milliseconds. */
    updatedAt: number | null;
    gpc: boolean;
    regime: "opt-in" | "opt-out";
    region: string | null;
    /** Present only when the SDK could not start (fail closed). */
    error?: string;
  }

  interface SekishoUncovered {
    /** `service`: the catalog base layer's service it belongs to (held, but not described), or null (unknown). */
    hosts: { host: string; service: string | null; urls: number; kinds: SekishoAuditEntry["kind"][]; firstAt: number }[];
    more: number;
  }

  interface SekishoAuditEntry {
    at: number;
    kind: "script" | "iframe" | "img" | "link" | "media" | "form" | "fetch" | "xhr" | "beacon" | "websocket" | "eventsource" | "cookie";
    /** The API it came through: the method or property page code called ("appendChild", "innerHTML", "write", "src",
     *  "setAttribute", "fetch", "XMLHttpRequest", "sendBeacon", "WebSocket", "EventSource", "a.ping", "form",
     *  "document.cookie", "cookieStore.set", …), "parser" for HTML the browser parsed, "markup" for what the site
     *  marked itself, "revoke" for a released frame held again. */
    via: string;
    url: string;
    service: string | null;
    category: SekishoCategory | null;
    action: "blocked" | "released" | "allowed";
  }

  type SekishoChoices = Partial<Record<Exclude<SekishoCategory, "necessary">, boolean>> & {
    necessary?: true;
    services?: Record<string, boolean>;
  };

  type SekishoEvent = "change" | "blocked" | "released" | "ready";

  interface Sekisho {
    readonly version: string;
    get(): SekishoState;
    /** `options.method`: how the visitor decided, for the consent record (a site's own UI says
     * `"banner"` or `"preferences"`); `"api"` when not given. */
    acceptAll(options?: SekishoDecisionOptions): SekishoState;
    rejectAll(options?: SekishoDecisionOptions): SekishoState;
    /** Changes only the named categories/services; the rest keep the value in effect. */
    set(choices: SekishoChoices, options?: SekishoDecisionOptions): SekishoState;
    on(event: "change" | "ready", callback: (state: SekishoState) => void): void;
    on(event: "blocked" | "released", callback: (entry: SekishoAuditEntry) => void): void;
    off(event: SekishoEvent, callback: (detail: any) => void): void;
    audit(): SekishoAuditEntry[];
    /** The third-party hosts this page contacted that nothing describes — neither the catalog nor the config's
     *  `services` cover them, or only the catalog's base layer does (it holds them but has no disclosure for them) —
     *  in the order met (the first 200; `more` counts the rest): what to add to `services` and to the 外部送信
     *  disclosure. `urls` counts distinct URLs asked about, not requests. */
    uncovered(): SekishoUncovered;
    /** Resolves once the category (`"sns"`) or service (`"service:youtube"`) is granted. */
    require(purpose: string): Promise<SekishoState>;
    /** Opens the preference center (loading the UI first if this page has not shown it). */
    showPreferences(): void;
    /** "Load this once", for this page view, without recording a choice: one held `<iframe>`,
     * or a service by its id (`"x-widgets"`: a script-built embed). False when there is nothing
     * to load (not a held iframe, an unknown or refused service). */
    loadOnce(target: Element | string): boolean;
    /** Links this browser's consent records to a logged-in member: `token` is the subject token
     * the site's backend issued (`<base64url payload>.<base64url HMAC>`). Their latest choice on
     * another device is adopted when it is newer. Needs `sync.endpoint` in the config. */
    identify(token: string): void;
  }

  interface Window {
    readonly sekisho: Sekisho;
  }
  var sekisho: Sekisho;

  interface DocumentEventMap {
    "sekisho:change": CustomEvent<SekishoState>;
    "sekisho:ready": CustomEvent<SekishoState>;
    "sekisho:blocked": CustomEvent<SekishoAuditEntry>;
    "sekisho:released": CustomEvent<SekishoAuditEntry>;
  }
}
