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
# The crash test (tests/e2e/crash.rs) kills and restarts a Worker of its own on a copy of
# this seeded state, taken before anything runs on it.
cp -r "$STATE/wrangler" "$STATE/crash-wrangler"
# The demo storefront at / reads these (as under make dev); written before wrangler starts.
seed_tool storefront --state "$DEMO_STATE" --base-url "$BASE" --out "$ROOT/demo/demo-credentials.js"
start_worker "$PORT" "$STATE" "$STATE/wrangler.log"
say "Finishing the demo seed through the API (shopper, coins, customer token)"
seed_tool finish --state "$DEMO_STATE" --base-url "$BASE" >/dev/null

say "Running the end-to-end tests against $BASE"
status=0
# While developing: `E2E_TESTS=programs scripts/e2e.sh` runs one test binary and no browser
# tests; `E2E_TESTS=none BROWSER_TESTS=dashboard scripts/e2e.sh` runs one browser test file.
if [ "${E2E_TESTS:-}" != none ]; then
  TALLY_BASE_URL="$BASE" TALLY_DEMO_STATE="$DEMO_STATE" TALLY_FIXTURES="$STATE/fixtures.json" \
  TALLY_PERSIST_DIR="$STATE/wrangler" TALLY_SECRETS_OUT="$STATE/issued-secrets.txt" \
  TALLY_CRASH_PERSIST_DIR="$STATE/crash-wrangler" cargo test -p tally-e2e ${E2E_TESTS:+--test "$E2E_TESTS"} --no-fail-fast -- --test-threads=4 || status=$?
fi

if [ -z "${E2E_TESTS:-}" ] || [ -n "${BROWSER_TESTS:-}" ]; then
  say "Running the browser tests (headless Chromium, storefront on another origin; screenshots in test-artifacts/)"
  TALLY_BASE_URL="$BASE" TALLY_DEMO_STATE="$DEMO_STATE" TALLY_FIXTURES="$STATE/fixtures.json" \
    node --test --test-concurrency=1 "tests/browser/${BROWSER_TESTS:+$BROWSER_TESTS.test.mjs}" || status=$?
fi

say "Checking that no plaintext key, password or secret is stored in the local state"
# The seeded keys, passwords and identity secrets, and every key and secret the tests were
# shown by the admin API (they append them to issued-secrets.txt).
secrets="$STATE/all-secrets.txt"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); f=json.load(open(sys.argv[2])); print("\n".join([d["publishable_key"], d["secret_key"], d["admin_password"], d["developer_password"], d["identity_secret"], *[v[k] for v in f.values() for k in ("key", "password", "identity_secret") if k in v]]))' \
  "$DEMO_STATE" "$STATE/fixtures.json" >"$secrets"
# Every key, identity secret and webhook signing secret the admin API showed the tests.
{ [ -f "$STATE/issued-secrets.txt" ] && cat "$STATE/issued-secrets.txt" || true; } >>"$secrets"
leaks=0
while IFS= read -r secret; do
  [ -n "$secret" ] || continue
  if grep -rqaF -- "$secret" "$STATE/wrangler"; then
    echo "    plaintext ${secret:0:8}… found in $STATE/wrangler"
    leaks=1
  fi
done <"$secrets"
checked="$(grep -c . "$secrets")"
[ "$leaks" = 0 ] && note "none of $checked keys, passwords and secrets found (keys SHA-256, passwords PBKDF2, identity and webhook secrets AES-GCM sealed)" || status=1

if [ "$status" != 0 ]; then
  say "wrangler dev log (last 60 lines)"
  tail -60 "$STATE/wrangler.log" || true
  die "end-to-end tests failed"
fi
