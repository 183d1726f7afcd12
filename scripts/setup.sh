#!/usr/bin/env bash
# Installs what building and testing Sekisho needs on a fresh Debian 12 machine (root, registries only):
#   scripts/setup.sh --build   the build tools: the wasm32 target, wasm-bindgen-cli (the exact version
#                              pinned in Cargo.toml), the node tools in tests/node_modules (binaryen's
#                              wasm-opt, esbuild; playwright-core and typescript come along)
#   scripts/setup.sh           the build tools and the three engines the tests run in: Debian chromium +
#                              chromium-driver, firefox-esr + geckodriver (from crates.io, the pinned version),
#                              WebKitGTK's MiniBrowser + WebKitWebDriver (webkit2gtk-driver) and Xvfb to show it on,
#                              and PostgreSQL (Debian's postgresql) for the server's tests (scripts/postgres.sh starts it)
# Idempotent: each step is skipped when its tool is already there at the right version.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_ONLY=$([ "${1:-}" = "--build" ] && echo 1 || echo "")

WBG_VERSION=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p; s/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml | head -1)
[ -n "$WBG_VERSION" ] || { echo "setup: cannot read the wasm-bindgen pin from Cargo.toml" >&2; exit 1; }
TOOLS_ROOT="${TOOLS_ROOT:-${CARGO_HOME:-$HOME/.cargo}}"
export PATH="$TOOLS_ROOT/bin:$PATH"
t0=$SECONDS
step() { echo "== setup [$((SECONDS - t0))s] $*"; }

GECKODRIVER_VERSION=0.37.1
if [ -z "$BUILD_ONLY" ]; then
  missing=""
  command -v chromium >/dev/null || missing="$missing chromium"
  command -v chromedriver >/dev/null || missing="$missing chromium-driver"
  command -v firefox-esr >/dev/null || missing="$missing firefox-esr"
  command -v WebKitWebDriver >/dev/null || missing="$missing webkit2gtk-driver"
  command -v Xvfb >/dev/null || missing="$missing xvfb"
  command -v pg_ctlcluster >/dev/null || missing="$missing postgresql"
  if [ -n "$missing" ]; then
    step "apt-get install$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
  # (read whole: geckodriver panics on a closed pipe)
  if [ "$(geckodriver --version 2>/dev/null | sed -n 1p)" != "geckodriver $GECKODRIVER_VERSION" ]; then
    step "cargo install geckodriver $GECKODRIVER_VERSION"
    cargo install --locked --root "$TOOLS_ROOT" geckodriver --version "$GECKODRIVER_VERSION"
  fi
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WBG_VERSION"; then
  step "cargo install wasm-bindgen-cli $WBG_VERSION"
  if ! cargo install --locked --no-default-features --root "$TOOLS_ROOT" wasm-bindgen-cli --version "$WBG_VERSION"; then
    # The registry mirror lacks webpki-roots 1.0.11, which the CLI's Cargo.lock pins: keep the lockfile,
    # downgrade just that crate, and install from the unpacked source.
    step "--locked failed; retrying with webpki-roots 1.0.10"
    crate=$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/wasm-bindgen-cli-"$WBG_VERSION".crate | head -1)
    src=$(mktemp -d)
    tar xzf "$crate" -C "$src"
    ( cd "$src/wasm-bindgen-cli-$WBG_VERSION" &&
      cargo update -q -p webpki-roots --precise 1.0.10 &&
      CARGO_TARGET_DIR="$src/target" cargo install --locked --no-default-features --root "$TOOLS_ROOT" --path . )
    rm -rf "$src"
  fi
fi

# node_modules/.package-lock.json is written by npm at install time: older than the lockfile
# (or missing) means the tools are missing or stale.
if [ ! tests/node_modules/.package-lock.json -nt tests/package-lock.json ]; then
  step "npm ci (tests/: playwright-core, binaryen's wasm-opt, esbuild, typescript)"
  ( cd tests && npm ci --no-audit --no-fund >/dev/null )
fi
engines() { echo "$(chromedriver --version | cut -d' ' -f1-2), $(firefox-esr --version 2>/dev/null), $(geckodriver --version | sed -n 1p)"; }
step "done: $(wasm-bindgen --version)${BUILD_ONLY:+ (build tools only)}${BUILD_ONLY:-, $(engines)}"
