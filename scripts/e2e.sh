#!/usr/bin/env bash
# End-to-end tests: the real Worker under `wrangler dev` (workerd, local D1 and Durable
# Objects) on a free port with throw-away state, seeded with the demo workspace and test
# fixtures; then `cargo test -p tally-e2e` and the browser tests (tests/browser); then a check that no plaintext key reached the
# local state; then the Worker is stopped.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

STATE="$(mktemp -d -t tally-e2e.XXXXXX)"
PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
export DEMO_STATE="$STATE/demo.json"
trap 'stop_worker; [ "${KEEP_STATE:-0}" = 1 ] || rm -rf "$STATE"' EXIT

say "Building the storefront widget"
"$ROOT/scripts/build-widget.sh"
FIXTURES=1 prepare_state "$STATE" "$BASE"
# The demo storefront at / reads these (as under make dev); written before wrangler starts.
seed_tool storefront --state "$DEMO_STATE" --base-url "$BASE" --out "$ROOT/www/demo-credentials.js"
start_worker "$PORT" "$STATE" "$STATE/wrangler.log"
say "Finishing the demo seed through the API (shopper, coins, customer token)"
seed_tool finish --state "$DEMO_STATE" --base-url "$BASE" >/dev/null

say "Running the end-to-end tests against $BASE"
status=0
TALLY_BASE_URL="$BASE" TALLY_DEMO_STATE="$DEMO_STATE" TALLY_FIXTURES="$STATE/fixtures.json" \
TALLY_PERSIST_DIR="$STATE/wrangler" cargo test -p tally-e2e -- --test-threads=4 || status=$?

say "Running the browser tests (headless Chromium, storefront on another origin; screenshots in test-artifacts/)"
TALLY_BASE_URL="$BASE" TALLY_DEMO_STATE="$DEMO_STATE" node --test --test-concurrency=1 tests/browser/ || status=$?

say "Checking that no plaintext key is stored in the local state"
leaks=0
for key in $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); f=json.load(open(sys.argv[2])); print(d["publishable_key"], d["secret_key"], *[v["key"] for v in f.values()])' "$DEMO_STATE" "$STATE/fixtures.json"); do
  if grep -rqF "$key" "$STATE/wrangler"; then
    echo "    plaintext key ${key:0:8}… found in $STATE/wrangler"
    leaks=1
  fi
done
[ "$leaks" = 0 ] && note "none found (keys are stored as SHA-256 only)" || status=1

if [ "$status" != 0 ]; then
  say "wrangler dev log (last 60 lines)"
  tail -60 "$STATE/wrangler.log" || true
  die "end-to-end tests failed"
fi
