#!/usr/bin/env bash
# The API contract, proven by a tool no one here wrote: schemathesis runs every operation of
# the generated OpenAPI document (edge/openapi.json) against the real Worker under
# `wrangler dev` on throw-away state seeded with the demo workspace, data plane with the demo
# secret key and control plane with the demo admin's session (tests/contract/hooks.py), every
# check. Its JUnit report lands in test-artifacts/contract/.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

ST="$ROOT/.venv/bin/st"
[ -x "$ST" ] || die "schemathesis is not installed: run make setup"

STATE="$(mktemp -d -t tally-contract.XXXXXX)"
PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
export DEMO_STATE="$STATE/demo.json"
trap 'stop_worker; [ "${KEEP_STATE:-0}" = 1 ] || rm -rf "$STATE"' EXIT

prepare_state "$STATE" "$BASE"
start_worker "$PORT" "$STATE" "$STATE/wrangler.log"
say "Finishing the demo seed through the API (shopper, coins, customer token)"
seed_tool finish --state "$DEMO_STATE" --base-url "$BASE" >/dev/null

REPORT="$ROOT/test-artifacts/contract"
rm -rf "$REPORT" && mkdir -p "$REPORT"
say "schemathesis $("$ST" --version | awk '{print $NF}') against $BASE: every operation, every check"
# From the state directory: schemathesis keeps its cache (.schemathesis/) in the working directory.
cd "$STATE"
started=$SECONDS
status=0
# Two runs: the data plane with the demo secret key, then the control plane with the demo
# admin's session. Apart, because the control plane may roll or revoke the key the data
# plane's run authenticates with (the stateful phase follows the key list's ids).
for plane in data control; do
  case "$plane" in
    data) filter=(--exclude-path-regex '^/v1/admin/') ;;
    control) filter=(--include-path-regex '^/v1/admin/') ;;
  esac
  note "the $plane plane"
  TALLY_BASE_URL="$BASE" TALLY_DEMO_STATE="$DEMO_STATE" TALLY_CONTRACT_REPORT="$REPORT/$plane" \
  SCHEMATHESIS_HOOKS="$ROOT/tests/contract/hooks.py" \
    "$ST" --config-file "$ROOT/tests/contract/schemathesis.toml" run "$ROOT/edge/openapi.json" \
    "${filter[@]}" --checks all --no-color || status=$?
done
note "took $((SECONDS - started)) s; report in test-artifacts/contract/"
if [ "$status" != 0 ]; then
  say "wrangler dev log (last 40 lines)"
  tail -40 "$STATE/wrangler.log" || true
  die "the API does not keep its contract (schemathesis found failures above)"
fi
