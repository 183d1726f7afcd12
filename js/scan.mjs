#!/usr/bin/env node
// sekisho-scan: what a site's pages send, and whether anything leaks — README "Scanning a site".
//
// Visits the given pages (and the same-origin links they show, to a depth and a page limit) in Chromium, in three
// scenarios each — no action, "reject all", "accept all" (each in a fresh browser context, the choice made through
// Sekisho's own UI, then the page loaded again) — and judges every request with the checkpoint's own policy
// (sekisho/testing). It writes a report: leaks per page and scenario, the third-party hosts nothing describes,
// the cookies set (by service), and a draft 外部送信 disclosure (HTML and CSV, Japanese and English) of the
// services seen, the fields the catalog lacks marked to fill in. Exit status: 1 when something leaked, 2 on an
// error, else 0.
import fs from "node:fs";
import path from "node:path";
import { recordRequests, policy, draftDisclosure } from "./testing.mjs";

const USAGE = `usage: sekisho-scan [options] <url>…

  --depth N          follow same-origin links N clicks deep (default 1; 0: only the given pages)
  --max-pages N      visit at most N pages (default 20)
  --out DIR          where the report goes (default sekisho-scan-report)
  --config FILE      the site's config (default: each page's #sekisho-config)
  --chromium PATH    the browser (default $CHROMIUM, else /usr/bin/chromium)
  --browser-arg ARG  one more Chromium flag (repeatable)
  --timezone TZ      the visitor's time zone (default Asia/Tokyo), --locale L (default ja-JP)
  --settle MS        how long a page must be quiet before it is judged done (default 800)
  --no-progress      no progress bar`;

const SCENARIOS = [
  { id: "no-action", label: "no action" },
  { id: "reject", label: "reject all", action: "reject-all" },
  { id: "accept-all", label: "accept all", action: "accept-all" },
];

function parseArgs(argv) {
  const o = { depth: 1, maxPages: 20, out: "sekisho-scan-report", config: undefined, urls: [], browserArgs: [],
    chromium: process.env.CHROMIUM || "/usr/bin/chromium", timezone: "Asia/Tokyo", locale: "ja-JP", settle: 800,
    progress: process.stderr.isTTY === true };
  const number = (flag, v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} ${v}: expected a whole number ≥ 0`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a}: expected a value`);
      return argv[++i];
    };
    if (a === "--depth") o.depth = number(a, value());
    else if (a === "--max-pages") o.maxPages = Math.max(1, number(a, value()));
    else if (a === "--out") o.out = value();
    else if (a === "--config") o.config = fs.readFileSync(value(), "utf8");
    else if (a === "--chromium") o.chromium = value();
    else if (a === "--browser-arg") o.browserArgs.push(value());
    else if (a === "--timezone") o.timezone = value();
    else if (a === "--locale") o.locale = value();
    else if (a === "--settle") o.settle = number(a, value());
    else if (a === "--no-progress") o.progress = false;
    else if (a === "--progress") o.progress = true;
    else if (a === "-h" || a === "--help") { console.log(USAGE); process.exit(0); }
    else if (a.startsWith("-")) throw new Error(`unknown option ${a}`);
    else {
      let url;
      try { url = new URL(a); } catch { throw new Error(`${a}: not a URL (give http:// or https://)`); }
      if (!/^https?:$/.test(url.protocol)) throw new Error(`${a}: not an http(s) URL`);
      o.urls.push(url.href);
    }
  }
  if (!o.urls.length) throw new Error("no URL to scan");
  return o;
}

async function loadPlaywright() {
  for (const name of ["playwright-core", "playwright"]) {
    try { return (await import(name)).chromium; } catch { /* the next */ }
  }
  throw new Error("sekisho-scan drives Chromium with Playwright: npm install --save-dev playwright-core");
}

/** A progress bar on stderr (a line per step when it is not a terminal). */
function progressBar(enabled) {
  let last = "";
  return {
    show(done, total, what) {
      const width = 24;
      const filled = Math.round((done / Math.max(total, 1)) * width);
      const line = `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} ${what}`;
      if (enabled) process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns || 120) - 1)}`);
      else if (line !== last) process.stderr.write(line + "\n");
      last = line;
    },
    end() { if (enabled) process.stderr.write("\r\x1b[K"); },
  };
}

/** Waits until the page's network has been quiet for `ms` (at most 15 s). */
async function settle(page, ms) {
  await page.waitForLoadState("load", { timeout: 30000 }).catch(() => {});
  await page.waitForLoadState("networkidle", { timeout: 15000 }).catch(() => {});
  await page.waitForTimeout(ms);
}

async function scenario(browser, url, sc, o) {
  const context = await browser.newContext({ timezoneId: o.timezone, locale: o.locale, ignoreHTTPSErrors: true });
  try {
    const recorder = await recordRequests(context, o.config === undefined ? {} : { config: o.config });
    const page = await context.newPage();
    try {
      await page.goto(url, { waitUntil: "load", timeout: 30000 });
    } catch (e) {
      // A link to a file, not a page: nothing to judge there.
      if (/download/i.test(String(e && e.message))) return notAPage("not a page (a download)");
      throw e;
    }
    await settle(page, o.settle);
    // (Where a redirect led: the page's own origin decides what is first party, and which links are the site's.)
    const origin = new URL(page.url()).origin;
    const first = await recorder.phase(sc.action ? "before the choice" : "no action", page);
    const hasSekisho = first !== null;
    const config = o.config ?? await page.evaluate(() => document.getElementById("sekisho-config")?.textContent ?? undefined);
    const links = sc.action ? [] : await page.evaluate(() => [...document.querySelectorAll("a[href]")].flatMap((a) => {
      try {
        const u = new URL(a.getAttribute("href"), document.baseURI);
        return /^https?:$/.test(u.protocol) ? [u.href] : [];
      } catch { return []; }
    }));
    if (sc.action && !hasSekisho) {
      // (Its requests are the "no action" scenario's: reported there, once.)
      return { ...notAPage("no Sekisho on the page: nothing to choose"), hasSekisho, config, origin };
    }
    if (sc.action) {
      try {
        await recorder.decide(page, `after ${sc.label}`, sc.action);
      } catch {
        // A page without Sekisho's UI (a site that draws its own): the public API.
        await page.evaluate((a) => (a === "reject-all" ? window.sekisho.rejectAll() : window.sekisho.acceptAll()), sc.action);
        await recorder.phase(`after ${sc.label}`, page);
      }
      await settle(page, o.settle);
      await page.reload({ waitUntil: "load", timeout: 30000 });
      await recorder.phase(`the next page after ${sc.label}`, page);
      await settle(page, o.settle);
    }
    const finalState = await page.evaluate(() => (window.sekisho ? window.sekisho.get() : null));
    const judge = policy(config, origin, finalState);
    const judged = recorder.requests().filter((r) => r.phase && !r.navigation);
    const leaks = judged.filter((r) => r.held).map((r) => ({ phase: r.phase.name, url: r.url, resourceType: r.resourceType,
      service: r.service, category: r.category, allowedThen: allowed(r.phase.state) }));
    const services = [...new Set(judged.filter((r) => r.service).map((r) => r.service))];
    const undescribed = [...new Set(judged.filter((r) => r.party === "base").map((r) => r.service))];
    const unknownHosts = [...new Set(judged.filter((r) => r.party === "unknown").map((r) => new URL(r.url).host))];
    const owner = (name) => (name === "sekisho" ? { service: "sekisho (the visitor's choice)", category: "necessary" }
      : judge.cookie(name) || { service: null, category: null });
    const cookies = (await context.cookies()).map((c) => ({ name: c.name, domain: c.domain, ...owner(c.name) }));
    return { skipped: null, hasSekisho, config, origin, links, requests: judged.length, leaks, services, undescribed, unknownHosts, cookies, state: finalState };
  } finally {
    await context.close();
  }
}

/** A scenario with nothing to judge. */
function notAPage(why) {
  return { skipped: why, hasSekisho: false, config: undefined, links: [], requests: 0, leaks: [], services: [],
    undescribed: [], unknownHosts: [], cookies: [], state: null };
}

function allowed(state) {
  return state ? Object.entries(state.categories).filter(([, on]) => on).map(([c]) => c) : [];
}

function markdown(report) {
  const out = [`# sekisho-scan report`, "", `${report.pages.length} page(s), ${report.startedAt} → ${report.finishedAt}. `
    + `Leaks: **${report.leakCount}**.`, ""];
  for (const p of report.pages) {
    out.push(`## ${p.url}`, "");
    if (p.error) { out.push(`Could not be scanned: ${p.error}`, ""); continue; }
    for (const sc of SCENARIOS) {
      const r = p.scenarios[sc.id];
      if (!r) continue;
      out.push(`### ${sc.label}${r.skipped ? ` — skipped (${r.skipped})` : ""}`, "");
      if (r.skipped) continue;
      out.push(`${r.requests} requests; Sekisho ${r.hasSekisho ? "on the page" : "**missing**"}; services seen: ${r.services.join(", ") || "none"}.`, "");
      if (r.leaks.length) {
        out.push(`**${r.leaks.length} leak(s)**:`, "");
        for (const l of r.leaks) out.push(`- [${l.phase}] ${l.url} — ${l.resourceType} to ${l.service ?? "an unknown third party"}${l.category ? ` (${l.category})` : ""}; allowed then: ${l.allowedThen.join(", ") || "nothing"}`);
        out.push("");
      }
      if (r.cookies.length) out.push(`Cookies: ${r.cookies.map((c) => `${c.name} (${c.service ?? "?"})`).join(", ")}.`, "");
    }
  }
  out.push("## What nothing describes", "");
  out.push(`Third-party hosts no catalog entry or site service covers: ${report.unknownHosts.join(", ") || "none"}.`, "");
  out.push(`Services only the catalog's base layer knows (held, but with no disclosure texts; describe them in \`services\`): ${report.undescribed.join(", ") || "none"}.`, "");
  out.push("## Draft 外部送信 disclosure", "", `Services seen: ${report.services.join(", ") || "none"}. `
    + "Files: disclosure.ja.html, disclosure.en.html, disclosure.ja.csv, disclosure.en.csv (fields the catalog lacks are marked 【要記入】 / [to fill in]).", "");
  return out.join("\n");
}

function htmlDocument(lang, table) {
  const title = lang === "ja" ? "外部送信に関する公表事項（下書き）" : "External transmission disclosure (draft)";
  return `<!doctype html>\n<html lang="${lang}"><head><meta charset="utf-8"><title>${title}</title></head>\n<body><h1>${title}</h1>\n${table}\n</body></html>\n`;
}

async function main() {
  let o;
  try { o = parseArgs(process.argv.slice(2)); } catch (e) {
    console.error(`sekisho-scan: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  const chromium = await loadPlaywright();
  const browser = await chromium.launch({ executablePath: o.chromium,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", ...o.browserArgs] });
  const bar = progressBar(o.progress);
  const report = { startedAt: new Date().toISOString(), options: { depth: o.depth, maxPages: o.maxPages, timezone: o.timezone, locale: o.locale },
    pages: [] };
  const queue = o.urls.map((url) => ({ url, depth: 0 }));
  const queued = new Set(o.urls.map((u) => u.split("#")[0]));
  try {
    while (queue.length && report.pages.length < o.maxPages) {
      const { url, depth } = queue.shift();
      const entry = { url, depth, scenarios: {} };
      report.pages.push(entry);
      const total = Math.min(o.maxPages, report.pages.length + queue.length);
      for (const sc of SCENARIOS) {
        bar.show(report.pages.length - 1, total, `${sc.label.padEnd(10)} ${url}`);
        try {
          entry.scenarios[sc.id] = await scenario(browser, url, sc, o);
        } catch (e) {
          entry.error = String(e && e.message || e).split("\n")[0];
          break;
        }
      }
      const first = entry.scenarios["no-action"];
      const links = first?.links || [];
      const site = first?.origin || new URL(url).origin;
      delete first?.links;
      if (depth < o.depth) {
        for (const link of links) {
          const clean = link.split("#")[0];
          if (new URL(clean).origin !== site || queued.has(clean)) continue;
          queued.add(clean);
          queue.push({ url: clean, depth: depth + 1 });
        }
      }
    }
    bar.show(report.pages.length, report.pages.length, "done");
  } finally {
    bar.end();
    await browser.close();
  }
  const all = report.pages.flatMap((p) => Object.values(p.scenarios));
  report.finishedAt = new Date().toISOString();
  report.leakCount = all.reduce((n, r) => n + r.leaks.length, 0);
  report.services = [...new Set(all.flatMap((r) => r.services))].sort();
  report.undescribed = [...new Set(all.flatMap((r) => r.undescribed))].sort();
  report.unknownHosts = [...new Set(all.flatMap((r) => r.unknownHosts))].sort();
  const config = o.config ?? all.find((r) => r.config)?.config;
  fs.mkdirSync(o.out, { recursive: true });
  for (const r of all) { delete r.config; delete r.origin; }
  fs.writeFileSync(path.join(o.out, "report.json"), JSON.stringify(report, null, 2) + "\n");
  fs.writeFileSync(path.join(o.out, "report.md"), markdown(report) + "\n");
  for (const lang of ["ja", "en"]) {
    fs.writeFileSync(path.join(o.out, `disclosure.${lang}.html`), htmlDocument(lang, draftDisclosure(config, report.services, lang, "html")));
    fs.writeFileSync(path.join(o.out, `disclosure.${lang}.csv`), draftDisclosure(config, report.services, lang, "csv"));
  }
  const failed = report.pages.filter((p) => p.error);
  console.log(`sekisho-scan: ${report.pages.length} page(s), ${report.leakCount} leak(s), ${report.services.length} service(s) seen, `
    + `${report.unknownHosts.length} host(s) nothing describes; report in ${o.out}/ (report.md, report.json, disclosure.{ja,en}.{html,csv})`);
  for (const p of report.pages) {
    for (const [id, r] of Object.entries(p.scenarios)) {
      for (const l of r.leaks) console.log(`  LEAK ${p.url} [${id}: ${l.phase}] ${l.url} → ${l.service ?? "unknown third party"}${l.category ? ` (${l.category})` : ""}`);
    }
  }
  for (const p of failed) console.error(`sekisho-scan: ${p.url} could not be scanned: ${p.error}`);
  return failed.length ? 2 : report.leakCount ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  console.error(`sekisho-scan: ${e && e.stack || e}`);
  process.exit(2);
});
