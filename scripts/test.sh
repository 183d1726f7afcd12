#!/usr/bin/env bash
# Runs every test on a fresh machine or a developer's: installs what is missing (scripts/setup.sh),
# then host tests (policy core + server), browser unit tests (wasm-bindgen-test in headless
# Chromium), the SDK build, and the end-to-end suite (loopback tracker server) in Chromium
# (playwright-core), Firefox ESR and WebKit (WebDriver).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
t0=$SECONDS
step() { echo; echo "=== [$((SECONDS - t0))s] $*"; }

step "setup (skips what is installed)"
bash scripts/setup.sh

step "format and lints (Rust: fmt, clippy; JavaScript: tsc -p js), the catalog's generated base layer"
cargo fmt --all --check
tests/node_modules/.bin/tsc -p js
cargo clippy --quiet --workspace --all-targets -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown -p sekisho --all-targets -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown -p sekisho-deferred -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown -p sekisho-records -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown -p sekisho-tcf -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown -p sekisho-testing -- -D warnings
# The catalog's base layer is what the pinned third-party-web gives (scripts/catalog-base.mjs).
node scripts/catalog-base.mjs --check

step "host tests: policy core, deferred module, sekisho-server (SQLite file, and PostgreSQL)"
# A real PostgreSQL for the server's tests; when none can be started they say so and skip it.
if pg_url=$(bash scripts/postgres.sh); then
  export SEKISHO_TEST_POSTGRES_URL="$pg_url"
else
  echo "PostgreSQL could not be started (above): the server's PostgreSQL tests are skipped"
fi
cargo test --workspace

step "browser unit tests: web shell in headless Chromium"
WASM_BINDGEN_TEST_TIMEOUT=120 WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/tests/webdriver.json" \
  cargo test --target wasm32-unknown-unknown -p sekisho --lib

step "build dist/ and sekisho-server"
bash scripts/build.sh
cargo build --quiet -p sekisho-server

step "end-to-end tests (headless Chromium, requests counted at a loopback server)"
node --test --test-concurrency=2 tests/e2e/

step "the QA kit: the Playwright example (examples/playwright) against the demo site, and against a leaking page"
bash examples/playwright/run.sh

# The same files, the same assertions at the wire (tests/e2e/README.md "Every engine").
step "end-to-end tests in Firefox ESR (geckodriver, through a loopback proxy)"
E2E_ENGINE=firefox node --test --test-concurrency=2 --test-timeout=300000 tests/e2e/
step "end-to-end tests in WebKit (WebKitGTK's MiniBrowser on Xvfb, through a loopback proxy)"
E2E_ENGINE=webkit node --test --test-concurrency=2 --test-timeout=300000 tests/e2e/
step "all tests passed"
