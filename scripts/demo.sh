#!/usr/bin/env bash
# Builds the SDK and serves the demo site with sekisho-server (demo mode serves
# www/ at / and dist/ at /sekisho/). Open the printed URL. Options go to sekisho-server,
# e.g. scripts/demo.sh --listen 0.0.0.0:8080
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
bash scripts/build.sh
exec cargo run --quiet -p sekisho-server -- --demo "$@"
