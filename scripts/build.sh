#!/usr/bin/env bash
# Builds the SDK into dist/ (see scripts/assemble.mjs for what each file is).
#   scripts/build.sh                      release build
#   SEKISHO_CONFIG=site.json scripts/build.sh   bakes a config in (an inline #sekisho-config still wins)
# Pipeline: cargo (wasm32, opt-level z, LTO) → wasm-bindgen (no-modules + web glue, names and
# producers removed) → wasm-opt -Oz (binaryen from npm; Debian's 108 cannot read this Wasm) → assemble.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
bash scripts/setup.sh >/dev/null   # idempotent: installs only what is missing

cargo build --quiet --release --target wasm32-unknown-unknown --lib -p sekisho
out=target/sekisho-build
rm -rf "$out" && mkdir -p "$out"
wasm=target/wasm32-unknown-unknown/release/sekisho.wasm
flags=(--remove-name-section --remove-producers-section --out-name sekisho)
wasm-bindgen --target no-modules --no-typescript "${flags[@]}" --out-dir "$out/nomod" "$wasm"
wasm-bindgen --target web "${flags[@]}" --out-dir "$out/web" "$wasm"
# Both targets embed the same module; optimise it once and fail if they ever differ.
cmp -s "$out/nomod/sekisho_bg.wasm" "$out/web/sekisho_bg.wasm" || { echo "build: glue targets produced different Wasm" >&2; exit 1; }
tests/node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers --strip-target-features \
  -o "$out/sekisho.wasm" "$out/nomod/sekisho_bg.wasm"
node scripts/assemble.mjs "$out" ${SEKISHO_CONFIG:+"$SEKISHO_CONFIG"}
