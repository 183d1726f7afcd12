// Assembles dist/ from the wasm-bindgen outputs (see scripts/build.sh):
//   sekisho.js    ONE classic script: bootstrap + guards + no-modules glue, minified, with the
//                 optimised checkpoint Wasm inlined as a hex string decoded by the native
//                 Uint8Array.fromHex: +9% over the binary after brotli (base64: +32%), ASCII-only
//                 (no charset issue).
//   sekisho-deferred.js   the deferred module (js/deferred.js + its glue + its Wasm as hex), which
//                 sekisho.js loads, compiles off the main thread and runs once the page is parsed.
//   sekisho-records.js    the records module, the same way (js/records.js), loaded only when a
//                 page that syncs has something to record.
//   sekisho-tcf.js        the TCF bridge module, the same way (js/tcf.js), loaded only with
//                 config signals.tcfBridge.
//   index.mjs + index.d.ts   the package entry: the window.sekisho API as ES module functions
//   sekisho.wasm + sekisho.mjs + sekisho.d.mts   the raw module and its ES glue ("sekisho/wasm":
//                 low level, without the guards; not an SDK by itself)
//   sekisho.d.ts  types of window.sekisho;  package.json  from pkg.json with the crate version.
import { readFileSync, writeFileSync, mkdirSync, copyFileSync, rmSync, chmodSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { createHash } from "node:crypto";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "tests", "package.json"));
const esbuild = require("esbuild");

const [buildDir, bakedConfigPath] = process.argv.slice(2);
const dist = join(root, "dist");
const read = (p) => readFileSync(p, "utf8");

const version = /^version\s*=\s*"([^"]+)"/m.exec(read(join(root, "Cargo.toml")))[1];
const wasm = readFileSync(join(buildDir, "sekisho.wasm"));
// A baked-in config is embedded as a JS string of its JSON text (validated here, parsed in the Wasm).
const baked = bakedConfigPath ? JSON.stringify(JSON.stringify(JSON.parse(read(bakedConfigPath)))) : "undefined";


/**
 * The guards' constants from src/protocol.json (what JavaScript and Rust agree on): KIND and
 * VERDICT numbers; ELEMENTS by namespace and local name ({kind, urls}); URL_SELECTOR (every
 * element with a URL attribute), URL_ATTRIBUTES, URL_TAGS (for the fail-closed rewrite),
 * URL_PROPERTIES ([interface, property]), RUNNABLE_SCRIPT_TYPES. Typed in js/protocol.d.ts.
 */
function protocolConstants(p) {
  const numbered = (names) => Object.fromEntries(names.map((n, i) => [n, i]));
  const KIND = numbered(p.kinds);
  const rules = (table) => Object.fromEntries(Object.entries(table).map(([tag, r]) => [tag, { kind: KIND[r.kind], urls: r.urls }]));
  const all = [...Object.entries(p.html), ...Object.entries(p.svg)];
  // SVG's `href` and `xlink:href` are both `[*|href]` in a selector.
  const selectors = all.flatMap(([tag, r]) => r.urls.map((a) => (/href$/.test(a) && p.svg[tag] ? `${tag}[*|href]` : `${tag}[${a}]`)));
  const constants = {
    KIND, VERDICT: numbered(p.verdicts), ELEMENTS: { html: rules(p.html), svg: rules(p.svg) },
    URL_SELECTOR: [...new Set(selectors)].join(","),
    URL_ATTRIBUTES: [...new Set(all.flatMap(([, r]) => r.urls))],
    URL_TAGS: [...new Set([...all.map(([tag]) => tag.toLowerCase()), ...Object.keys(p.parserAliases)])].filter((t) => t !== "script"),
    URL_PROPERTIES: Object.entries(p.properties).flatMap(([iface, props]) => props.map((prop) => [iface, prop])),
    RUNNABLE_SCRIPT_TYPES: p.runnableScriptTypes,
  };
  return "var " + Object.entries(constants).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(",\n    ") + ";";
}

/**
 * One classic script from `template` (js/): placeholders filled, minified, with `wasm` inlined as
 * hex (after minification: esbuild need not scan it).
 */
function script(template, replacements, wasm) {
  let source = read(join(root, "js", template)).replaceAll("__VERSION__", version)
    .replace("__WASM_LENGTH__", String(wasm.length));
  for (const [placeholder, text] of Object.entries(replacements)) {
    source = source.replace(placeholder, () => text);
    // (Each placeholder once: a second one would be left as an undefined name.)
    if (source.includes(placeholder)) throw new Error(`assemble: ${template} has ${placeholder} more than once`);
  }
  const { code } = esbuild.transformSync(source, {
    minify: !process.env.SEKISHO_UNMINIFIED, target: "es2017", legalComments: "inline", charset: "ascii",
  });
  if (!code.includes('"__WASM__"')) throw new Error(`assemble: the __WASM__ placeholder of ${template} did not survive minification`);
  return code.replace('"__WASM__"', () => '"' + wasm.toString("hex") + '"');
}

/**
 * The no-modules glue of a module, without its one top-level side effect: it resolves its own
 * script's URL (`new URL(document.currentScript.src)`, ≈0.5 ms at start in a fresh renderer) for
 * the asynchronous `init()` we never call (the bootstrap uses `initSync`).
 */
function glue(file) {
  const text = read(file);
  const side = /\n    if \(typeof document !== 'undefined' && document\.currentScript !== null\) \{\n        script_src = new URL\(document\.currentScript\.src, location\.href\)\.toString\(\);\n    \}\n/;
  if (!side.test(text)) throw new Error(`assemble: ${file}: the glue's script_src lookup changed; update glue()`);
  return text.replace(side, "\n");
}

/**
 * The guards (js/guards/, one ES module per family of web APIs) bundled into plain declarations
 * for the bootstrap's scope: `sekishoGuards(policy)` and what it uses, no module wrapper.
 */
function guards() {
  const { outputFiles } = esbuild.buildSync({
    entryPoints: [join(root, "js", "guards", "index.js")], bundle: true, write: false, format: "esm", target: "es2017",
  });
  const code = outputFiles[0].text;
  const exported = /\nexport \{\s*sekishoGuards\s*\};\s*$/;
  if (!exported.test(code)) throw new Error("assemble: js/guards/index.js must export sekishoGuards, and only it");
  return code.replace(exported, "\n");
}

/**
 * The checkpoint's glue with the natives it moves strings with (String.prototype.charCodeAt and
 * slice, TextEncoder's encode/encodeInto, TextDecoder's decode, subarray) replaced by the ones
 * the bootstrap captured before any page code ran (`glueNatives`): page code that changes them
 * later cannot change the URL the checkpoint judges, nor the HTML it hands back.
 */
function fortified(text) {
  const swaps = [
    ["arg.charCodeAt(offset)", "glueNatives.charCodeAt(arg, offset)"],
    ["arg = arg.slice(offset);", "arg = glueNatives.slice(arg, offset);"],
    ["cachedTextEncoder.encodeInto(arg, view)", "glueNatives.encodeInto(cachedTextEncoder, arg, view)"],
    ["cachedTextEncoder.encode(arg)", "glueNatives.encode(cachedTextEncoder, arg)"],
    ["cachedTextDecoder.decode(bytes)", "glueNatives.decode(cachedTextDecoder, bytes)"],
    ["getUint8ArrayMemory0().subarray(ptr, ptr + len)", "glueNatives.subarray(getUint8ArrayMemory0(), ptr, ptr + len)"],
    ["getUint8ArrayMemory0().subarray(ptr + offset, ptr + len)", "glueNatives.subarray(getUint8ArrayMemory0(), ptr + offset, ptr + len)"],
  ];
  for (const [from, to] of swaps) {
    if (!text.includes(from)) throw new Error(`assemble: the glue no longer has ${from}; update fortified()`);
    text = text.replaceAll(from, to);
  }
  return text;
}

const protocol = JSON.parse(read(join(root, "src", "protocol.json")));
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
// V8's explicit compile hint: every function of the file is compiled eagerly while the script
// streams in (off the main thread), not lazily on first call during start. Measured in fresh
// browser contexts: start 24 -> 18 ms median. It must be the first line. The modules have it
// too: their glue runs as soon as they arrive (the deferred module's: -1.5 ms of main-thread
// CPU on a first page view, tests/bench/cpu.mjs).
const COMPILE_HINT = "//# allFunctionsCalledOnLoad\n";
// The data compiled into the checkpoint that is not ours: its notice (the licence text ships beside it).
const baseJson = JSON.parse(read(join(root, "catalog", "base.json")));
const base = baseJson.source;
const cookies = baseJson.cookieSource;
const NOTICE = `/*! Includes data from ${base.package} ${base.version} (${base.license}, `
  + `${base.copyright}) and the ${cookies.data} (${cookies.license}): THIRD_PARTY_NOTICES.md */\n`;
const deferredWasm = readFileSync(join(buildDir, "sekisho-deferred.wasm"));
// The UI's fingerprint for consent records (`uiSha256`): the SHA-256 of the deferred module's Wasm,
// which holds the UI's code, texts and stylesheets (the first layer sekisho.js draws included: its
// words and styles are the module's too).
const uiSha256 = createHash("sha256").update(deferredWasm).digest("hex");
/** A stylesheet of deferred/src/web, minified (comments and line breaks out). */
const css = (file) => read(join(root, "deferred", "src", "web", file)).replace(/\/\*[^]*?\*\//g, "").replace(/\s*\n\s*/g, " ").trim();
const bundle = COMPILE_HINT + NOTICE + script("bootstrap.js", {
  "/*__PROTOCOL__*/": protocolConstants(protocol),
  "/*__GUARDS__*/": guards(),
  "/*__GLUE__*/": fortified(glue(join(buildDir, "nomod", "sekisho.js"))),
  "__BAKED_CONFIG__": baked,
  // What sekisho.js draws before the UI module is loaded: the first layer and the "privacy
  // settings" control, with the UI's stylesheet.
  "/*__FIRST_LAYER__*/": read(join(root, "js", "first-layer.js")),
  "__CONTROL_CSS__": JSON.stringify(css("control.css")),
  "__BANNER_CSS__": JSON.stringify(css("ui.css")),
  "__UI_SHA256__": uiSha256,
}, wasm);
writeFileSync(join(dist, "sekisho.js"), bundle, "ascii");
const deferred = script("deferred.js", {
  "/*__GLUE__*/": glue(join(buildDir, "deferred", "sekisho_deferred.js")),
  "__UI_SHA256__": uiSha256,
}, deferredWasm);
writeFileSync(join(dist, "sekisho-deferred.js"), COMPILE_HINT + deferred, "ascii");
const recordsWasm = readFileSync(join(buildDir, "sekisho-records.wasm"));
const records = script("records.js", { "/*__GLUE__*/": glue(join(buildDir, "records", "sekisho_records.js")) }, recordsWasm);
writeFileSync(join(dist, "sekisho-records.js"), COMPILE_HINT + records, "ascii");
const tcfWasm = readFileSync(join(buildDir, "sekisho-tcf.wasm"));
const tcf = script("tcf.js", { "/*__GLUE__*/": glue(join(buildDir, "tcf", "sekisho_tcf.js")) }, tcfWasm);
writeFileSync(join(dist, "sekisho-tcf.js"), COMPILE_HINT + tcf, "ascii");

copyFileSync(join(buildDir, "sekisho.wasm"), join(dist, "sekisho.wasm"));
const esm = read(join(buildDir, "web", "sekisho.js")).replace("'sekisho_bg.wasm'", "'sekisho.wasm'");
writeFileSync(join(dist, "sekisho.mjs"), esbuild.transformSync(esm, { minify: true, format: "esm", target: "es2020" }).code);
copyFileSync(join(buildDir, "web", "sekisho.d.ts"), join(dist, "sekisho.d.mts"));
copyFileSync(join(root, "js", "sekisho.d.ts"), join(dist, "sekisho.d.ts"));
writeFileSync(join(dist, "index.mjs"), read(join(root, "js", "index.mjs")).replaceAll("__VERSION__", version));
copyFileSync(join(root, "js", "index.d.ts"), join(dist, "index.d.ts"));
// sekisho/testing (Node): the recorder, the policy's glue and its Wasm.
copyFileSync(join(root, "js", "testing.mjs"), join(dist, "testing.mjs"));
copyFileSync(join(root, "js", "testing.d.ts"), join(dist, "testing.d.ts"));
writeFileSync(join(dist, "sekisho-testing-glue.mjs"), read(join(buildDir, "testing", "sekisho_testing.js")));
copyFileSync(join(buildDir, "sekisho-testing.wasm"), join(dist, "sekisho-testing.wasm"));
copyFileSync(join(root, "js", "scan.mjs"), join(dist, "scan.mjs"));
chmodSync(join(dist, "scan.mjs"), 0o755); // (the package's `sekisho-scan` command)

writeFileSync(join(dist, "THIRD_PARTY_NOTICES.md"), `# Third-party notices\n\n`
  + `\`sekisho.js\` includes the catalog's base layer, compiled from ${base.package} ${base.version} `
  + `(${base.homepage}, \`${base.file}\`), under this licence:\n\n\`\`\`\n${read(join(root, "catalog", "third-party-web.LICENSE")).trim()}\n\`\`\`\n`
  + `\nIts cookie names come from the ${cookies.data} (${cookies.homepage}), as ${cookies.package} ${cookies.version} ships it `
  + `(\`${cookies.file}\`), under the ${cookies.license} licence:\n\n\`\`\`\n${read(join(root, "catalog", "open-cookie-database.LICENSE")).trim()}\n\`\`\`\n`);

const pkg = JSON.parse(read(join(root, "pkg.json")));
pkg.version = version;
writeFileSync(join(dist, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
console.log(`dist/sekisho.js ${Buffer.byteLength(bundle)} bytes (wasm ${wasm.length}), `
  + `dist/sekisho-deferred.js ${Buffer.byteLength(deferred)} bytes (wasm ${deferredWasm.length}), `
  + `dist/sekisho-records.js ${Buffer.byteLength(records)} bytes (wasm ${recordsWasm.length}), `
  + `dist/sekisho-tcf.js ${Buffer.byteLength(tcf)} bytes (wasm ${tcfWasm.length}), version ${version}`);
