// sekisho/testing: the request recorder and UI helpers for Playwright (README "Testing your site").
// Typed structurally: any Playwright version whose Page and BrowserContext have these methods.
/// <reference path="./sekisho.d.ts" />

/** `sekisho.get()` and a line of `sekisho.audit()`: the page API's own types (sekisho.d.ts). */
export type ConsentState = SekishoState;
export type AuditLine = SekishoAuditEntry;

/** What the recorder needs of a Playwright Page. */
export interface PageLike {
  url(): string;
  isClosed(): boolean;
  evaluate<R, A>(f: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  evaluate<R>(f: () => R | Promise<R>): Promise<R>;
  waitForFunction(f: (arg: string) => unknown, arg: string, options?: { timeout?: number }): Promise<unknown>;
}

/** What the recorder needs of a Playwright Request. */
export interface RequestLike {
  url(): string;
  resourceType(): string;
  isNavigationRequest(): boolean;
  frame(): { page(): { mainFrame(): unknown } | null } & object;
}

/** What the recorder needs of a Playwright BrowserContext. */
export interface ContextLike {
  on(event: "request", listener: (request: RequestLike) => void): unknown;
  off(event: "request", listener: (request: RequestLike) => void): unknown;
}

export type Action = "accept-all" | "reject-all" | "save";

export interface ChooseOptions {
  /** For `save`: the switches to set in the preference center. */
  categories?: Partial<Record<"functional" | "analytics" | "ads" | "sns", boolean>>;
  timeout?: number;
}

export interface Phase {
  name: string;
  page: PageLike;
  origin: string;
  config: string | undefined;
  /** The page's state in this phase; `null` when the page has no Sekisho. */
  state: ConsentState | null;
}

export interface JudgedRequest {
  url: string;
  resourceType: string;
  at: number;
  navigation: boolean;
  /** The phase it is judged in (a request made before the first phase belongs to it); `null` until one is opened. */
  phase: Phase | null;
  service: string | null;
  category: string | null;
  /** Whether its phase's consent did not allow it: a leak, since it reached the network. */
  held: boolean;
  /** What its destination is (see Judgement); absent for a navigation or a request before any phase. */
  party?: Judgement["party"];
}

export interface Recorder {
  /** Requests from now on (and, for the first phase, those made before) are judged against `page`'s consent now; returns that state. */
  phase(name: string, page: PageLike): Promise<ConsentState | null>;
  /** `choose(page, action, options)` in a phase of its own, opened before the click. */
  decide(page: PageLike, name: string, action: Action, options?: ChooseOptions): Promise<ConsentState | null>;
  requests(): JudgedRequest[];
  leaks(): JudgedRequest[];
  /** Throws a LeakError naming each leak (URL, service, category, phase, what was allowed, the API that sent it). */
  assertNoLeaks(): Promise<void>;
  stop(): void;
}

/** Starts recording every request of `context`. `config`: the site's config, else each page's `#sekisho-config`. */
export function recordRequests(context: ContextLike, options?: { config?: string | object }): Promise<Recorder>;
/** Makes a choice through Sekisho's own banner or preference center; the state after it. */
export function choose(page: PageLike, action: Action, options?: ChooseOptions): Promise<ConsentState | null>;
export function state(page: PageLike): Promise<ConsentState | null>;
export function audit(page: PageLike): Promise<AuditLine[]>;

export class LeakError extends Error {
  readonly leaks: JudgedRequest[];
}

/** What the checkpoint says of one request. */
export interface Judgement {
  service: string | null;
  category: string | null;
  /** The consent in effect did not allow it. */
  held: boolean;
  /** `site`/`catalog`/`base`: a service (of the config, the curated catalog, the base layer only); `first`, `neutral`, `unknown`, `none`. */
  party: "site" | "catalog" | "base" | "first" | "neutral" | "unknown" | "none";
}

/** The checkpoint's policy for a page of `origin` with `config`, in the consent `state` (`null`: no Sekisho). */
export function policy(config: string | object | undefined, origin: string, state?: ConsentState | null): {
  judge(url: string, resourceType?: string): Judgement;
  cookie(name: string): { service: string; category: string } | null;
};

/** A draft of the 外部送信 disclosure for the services `seen`: the catalog's texts, the rest marked to fill in. */
export function draftDisclosure(config: string | object | undefined, seen: string[], lang?: "ja" | "en", format?: "html" | "csv"): string;
