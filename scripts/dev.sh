#!/usr/bin/env bash
# `make dev`: the product locally. Installs what it needs, applies migrations to the local
# state in .wrangler/state, seeds the demo workspace (keeping existing data and keys), writes
# .tally/demo.json, prints it, and runs wrangler dev on 127.0.0.1:8787 until Ctrl-C.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

PORT="${PORT:-8787}"
BASE="http://127.0.0.1:$PORT"
export DEMO_STATE="$ROOT/.tally/demo.json"
export TALLY_BUILD="${TALLY_BUILD:-dev}"
mkdir -p .tally
trap stop_worker EXIT INT TERM

say "Building the storefront widget"
"$ROOT/scripts/build-widget.sh"
prepare_state "$ROOT/.wrangler/state-dev" "$BASE"
# The demo storefront (demo/index.html) reads the publishable key and a customer token from
# here; the secret key never goes anywhere near it. Neither is ever deployed.
seed_tool storefront --state "$DEMO_STATE" --base-url "$BASE" --out "$ROOT/demo/demo-credentials.js"
start_worker "$PORT" "$ROOT/.wrangler/state-dev" "$ROOT/.tally/wrangler.log"
say "Finishing the demo seed through the API (shopper, coins, a fresh customer token)"
seed_tool finish --state "$DEMO_STATE" --base-url "$BASE"

say "Tally is running"
note "Storefront demo:   $BASE/"
note "Dashboard:         $BASE/dashboard (admin_email / admin_password in .tally/demo.json)"
note "API docs:          $BASE/docs"
note "OpenAPI:           $BASE/v1/openapi.json"
note "Credentials:       .tally/demo.json (local demo values only)"
note "Worker log:        .tally/wrangler.log"
note "Press Ctrl-C to stop."
wait "$WORKER_PID"
