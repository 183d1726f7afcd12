#!/usr/bin/env bash
# The example as CI runs it (scripts/test.sh): against the demo site it passes; against www/leak.html, a page that
# pastes an ad tag without Sekisho, it must fail with a message naming each request. Needs dist/ (scripts/build.sh),
# target/debug/sekisho-server and tests/node_modules (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")"
repo="$(cd ../.. && pwd)"
# What a project of yours gets from `npm install --save-dev @playwright/test sekisho`.
mkdir -p node_modules/@playwright
ln -sfn "$repo/tests/node_modules/@playwright/test" node_modules/@playwright/test
ln -sfn "$repo/dist" node_modules/sekisho
playwright="$repo/tests/node_modules/.bin/playwright"

"$playwright" test -c playwright.config.mjs

if out=$(EXAMPLE_PORT=18481 EXAMPLE_PAGE=/leak.html "$playwright" test -c playwright.config.mjs 2>&1); then
  echo "$out"; echo "examples/playwright: the test passed on a page that leaks" >&2; exit 1
fi
for expected in "reached the network while not allowed" "static.criteo.net" "criteo (ads)" "www.facebook.com/tr" "no Sekisho on the page"; do
  grep -qF "$expected" <<<"$out" || { echo "$out"; echo "examples/playwright: the failure does not say \"$expected\"" >&2; exit 1; }
done
echo "examples/playwright: on www/leak.html the test fails as it should:"
grep -A6 "reached the network while not allowed" <<<"$out" | head -8
