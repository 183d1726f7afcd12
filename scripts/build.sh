#!/usr/bin/env bash
# Builds the SDK into dist/ (see scripts/assemble.mjs for what each file is).
#   scripts/build.sh                      release build
#   SEKISHO_CONFIG=site.json scripts/build.sh   bakes a config in (an inline #sekisho-config still wins)
#   SEKISHO_UNMINIFIED=1 SEKISHO_NAMES=1 scripts/build.sh   readable JavaScript and named Wasm functions, for profiles
# Pipeline, for each of the three Wasm modules (the checkpoint, crate `sekisho`; the deferred
# module, crate `sekisho-deferred`; the records module, crate `sekisho-records`): cargo (wasm32, opt-level z, LTO) → wasm-bindgen (no-modules
# glue, names and producers removed) → wasm-opt -Oz (binaryen from npm; Debian's 108 cannot read
# this Wasm) → assemble. It installs the build tools it lacks, never a browser.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
bash scripts/setup.sh --build >/dev/null   # idempotent: installs only what is missing

out=target/sekisho-build
rm -rf "$out" && mkdir -p "$out"
release=target/wasm32-unknown-unknown/release
flags=(--remove-name-section --remove-producers-section)
debug=(--strip-debug)
# SEKISHO_NAMES=1 keeps the Wasm functions' names (for profiles and traces; the modules grow by their name sections).
if [ -n "${SEKISHO_NAMES:-}" ]; then flags=(--remove-producers-section); debug=(-g); fi
optimise() { tests/node_modules/.bin/wasm-opt -Oz -ocimfs 60 "${debug[@]}" --strip-producers --strip-target-features -o "$2" "$1"; }

# The checkpoint: built alone, so that its `checkpoint` feature (the Wasm exports) is on.
cargo build --quiet --release --target wasm32-unknown-unknown --lib -p sekisho
wasm-bindgen --target no-modules --no-typescript "${flags[@]}" --out-name sekisho --out-dir "$out/nomod" "$release/sekisho.wasm"
wasm-bindgen --target web "${flags[@]}" --out-name sekisho --out-dir "$out/web" "$release/sekisho.wasm"
# Both targets embed the same module; optimise it once and fail if they ever differ.
cmp -s "$out/nomod/sekisho_bg.wasm" "$out/web/sekisho_bg.wasm" || { echo "build: glue targets produced different Wasm" >&2; exit 1; }
optimise "$out/nomod/sekisho_bg.wasm" "$out/sekisho.wasm"

# The deferred module: built alone too, so that it takes the core without the checkpoint's exports.
cargo build --quiet --release --target wasm32-unknown-unknown --lib -p sekisho-deferred
wasm-bindgen --target no-modules --no-modules-global sekishoDeferred --no-typescript "${flags[@]}" \
  --out-dir "$out/deferred" "$release/sekisho_deferred.wasm"
optimise "$out/deferred/sekisho_deferred_bg.wasm" "$out/sekisho-deferred.wasm"

# The records module: loaded only when a page that syncs has something to record.
cargo build --quiet --release --target wasm32-unknown-unknown --lib -p sekisho-records
wasm-bindgen --target no-modules --no-modules-global sekishoRecords --no-typescript "${flags[@]}" \
  --out-dir "$out/records" "$release/sekisho_records.wasm"
optimise "$out/records/sekisho_records_bg.wasm" "$out/sekisho-records.wasm"

# The TCF bridge module: loaded only when the config asks for the bridge.
cargo build --quiet --release --target wasm32-unknown-unknown --lib -p sekisho-tcf
wasm-bindgen --target no-modules --no-modules-global sekishoTcf --no-typescript "${flags[@]}" \
  --out-dir "$out/tcf" "$release/sekisho_tcf.wasm"
optimise "$out/tcf/sekisho_tcf_bg.wasm" "$out/sekisho-tcf.wasm"

# The policy for test tools in Node (sekisho/testing): the same core, no page.
cargo build --quiet --release --target wasm32-unknown-unknown --lib -p sekisho-testing
wasm-bindgen --target web --no-typescript "${flags[@]}" --out-dir "$out/testing" "$release/sekisho_testing.wasm"
optimise "$out/testing/sekisho_testing_bg.wasm" "$out/sekisho-testing.wasm"

node scripts/assemble.mjs "$out" ${SEKISHO_CONFIG:+"$SEKISHO_CONFIG"}
