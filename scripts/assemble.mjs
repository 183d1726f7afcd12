// Assembles dist/ from the wasm-bindgen outputs (see scripts/build.sh):
//   sekisho.js    ONE classic script: bootstrap + no-modules glue, minified, with the optimised
//                 Wasm inlined as a Latin-1 string literal (UTF-8 with BOM, so it decodes the same
//                 whatever the page's charset) — 5% over the binary after brotli, base64 is 32%.
//   sekisho.wasm + sekisho.mjs + sekisho.d.mts   for bundlers (ES module glue)
//   sekisho.d.ts  types of window.sekisho;  package.json  from pkg.json with the crate version.
import { readFileSync, writeFileSync, mkdirSync, copyFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "tests", "package.json"));
const esbuild = require("esbuild");

const [buildDir, bakedConfigPath] = process.argv.slice(2);
const dist = join(root, "dist");
const read = (p) => readFileSync(p, "utf8");

const version = /^version\s*=\s*"([^"]+)"/m.exec(read(join(root, "Cargo.toml")))[1];
const wasm = readFileSync(join(buildDir, "sekisho.wasm"));
const baked = bakedConfigPath ? JSON.stringify(JSON.parse(read(bakedConfigPath))) : "undefined";

/** The bytes as a JS string literal body: one char per byte, escaping only what must be. */
function latin1Literal(bytes) {
  const esc = { 0x5c: "\\\\", 0x22: '\\"', 0x0a: "\\n", 0x0d: "\\r", 0x00: "\\x00" };
  let out = "";
  for (const b of bytes) out += esc[b] ?? String.fromCharCode(b);
  return out;
}

const glue = read(join(buildDir, "nomod", "sekisho.js"));
const source = read(join(root, "js", "bootstrap.js"))
  .replace("/*__GLUE__*/", () => glue)
  .replaceAll("__VERSION__", version)
  .replace("__BAKED_CONFIG__", () => baked)
  .replace("__WASM_LENGTH__", String(wasm.length));
const { code } = esbuild.transformSync(source, {
  minify: true, target: "es2017", legalComments: "inline", charset: "ascii",
});
if (!code.includes('"__WASM__"')) throw new Error("assemble: the __WASM__ placeholder did not survive minification");

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
const bundle = "\uFEFF" + code.replace('"__WASM__"', () => '"' + latin1Literal(wasm) + '"');
writeFileSync(join(dist, "sekisho.js"), bundle, "utf8");

copyFileSync(join(buildDir, "sekisho.wasm"), join(dist, "sekisho.wasm"));
const esm = read(join(buildDir, "web", "sekisho.js")).replace("'sekisho_bg.wasm'", "'sekisho.wasm'");
writeFileSync(join(dist, "sekisho.mjs"), esbuild.transformSync(esm, { minify: true, format: "esm", target: "es2020" }).code);
copyFileSync(join(buildDir, "web", "sekisho.d.ts"), join(dist, "sekisho.d.mts"));
copyFileSync(join(root, "js", "sekisho.d.ts"), join(dist, "sekisho.d.ts"));

const pkg = JSON.parse(read(join(root, "pkg.json")));
pkg.version = version;
writeFileSync(join(dist, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
console.log(`dist/sekisho.js ${Buffer.byteLength(bundle)} bytes (wasm ${wasm.length}), version ${version}`);
