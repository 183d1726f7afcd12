// Types of the package's entry point (js/index.mjs): the window.sekisho API as functions.
/// <reference path="./sekisho.d.ts" />

export declare function get(): SekishoState;
export declare function acceptAll(options?: SekishoDecisionOptions): SekishoState;
export declare function rejectAll(options?: SekishoDecisionOptions): SekishoState;
/** Changes only the named categories/services; the rest keep the value in effect. */
export declare function set(choices: SekishoChoices, options?: SekishoDecisionOptions): SekishoState;
export declare function on(event: "change" | "ready", callback: (state: SekishoState) => void): void;
export declare function on(event: "blocked" | "released", callback: (entry: SekishoAuditEntry) => void): void;
export declare function off(event: SekishoEvent, callback: (detail: any) => void): void;
export declare function audit(): SekishoAuditEntry[];
export declare function uncovered(): SekishoUncovered;
/** Resolves once the category (`"sns"`) or service (`"service:youtube"`) is granted. */
export declare function require(purpose: string): Promise<SekishoState>;
/** Opens the preference center (loading the UI first if this page has not shown it). */
export declare function showPreferences(): void;
/** "Load this once" (this page view, nothing recorded): a held `<iframe>`, or a service by its id. */
export declare function loadOnce(target: Element | string): boolean;
/** Links this browser's consent records to a logged-in member (a subject token from the site's backend). */
export declare function identify(token: string): void;
/** The version of sekisho.js on the page. */
export declare function version(): string;

declare const sekisho: {
  readonly get: typeof get;
  readonly acceptAll: typeof acceptAll;
  readonly showPreferences: typeof showPreferences;
  readonly loadOnce: typeof loadOnce;
  readonly identify: typeof identify;
  readonly rejectAll: typeof rejectAll;
  readonly set: typeof set;
  readonly on: typeof on;
  readonly off: typeof off;
  readonly audit: typeof audit;
  readonly uncovered: typeof uncovered;
  readonly require: typeof require;
  readonly version: typeof version;
};
export default sekisho;
