#!/usr/bin/env bash
# `make bench`: figures, not pass/fail.
#  1. The verifier's decision for a cached key (criterion, native).
#  2. The storefront widget's navigation-to-balance time (headless Chromium, idle server).
#  3. Bounded load runs (wrk, 10 s each, 127.0.0.1) against the release Worker under
#     wrangler dev (--log-level warn), the Worker's own workerd alone on one core and wrk on
#     the other: /v1/widget answered by each tier (memory, Cache API, an awake wallet, wallets
#     woken from eviction) and a mixed run at steady state (10,000 shoppers who already have
#     wallets, Zipf-like page views, 5 % writes, after a warm-up), each as a ratio of a
#     /v1/health run right before it, with the CPU milliseconds per request of the Worker's own workerd
#     (scripts/bench_widget.py). Each request carries its own CF-Connecting-IP, as many
#     shoppers would. Then where that CPU goes: perf samples of the Worker's workerd over one
#     more run each of health, memory, wallet and mixed, by category (the Worker's own
#     compiled code, V8, workerd's APIs, kj, the allocator, SQLite, the kernel).
#  4. What a deploy uploads and the size budgets: the widget transfer and the dashboard first
#     load (brotli), and the Worker
#     upload (gzip), as scripts/deploy-check.mjs reports them (make test enforces them).
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-16}"

say "1/4 Verifier decision, cached key, a token seen before and a new one (criterion)"
cargo bench -p tally-core --bench verifier -- --noplot 2>&1 | grep -E "^(verify|reject)|time:" || true

if ! command -v wrk >/dev/null; then
  say "Installing wrk (Debian package)"
  apt_install wrk
fi
if ! command -v perf >/dev/null; then
  say "Installing perf (Debian package linux-perf), for where the Worker's CPU goes"
  apt_install linux-perf || note "perf not installed: the CPU attribution is skipped"
fi

STATE="$(mktemp -d -t tally-bench.XXXXXX)"
PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
export DEMO_STATE="$STATE/demo.json"
trap 'stop_worker; rm -rf "$STATE"' EXIT
prepare_state "$STATE" "$BASE"
WRANGLER_DEV_FLAGS="--log-level warn" start_worker "$PORT" "$STATE" "$STATE/wrangler.log"
seed_tool finish --state "$DEMO_STATE" --base-url "$BASE" >/dev/null

say "2/4 Storefront widget: time to balance (idle server)"
TALLY_BASE_URL="$BASE" TALLY_DEMO_STATE="$DEMO_STATE" node tests/browser/budget.mjs

say "3/4 Load by tier: CPU per request of the Worker's own workerd, and a mixed run (scripts/bench_widget.py)"
"$ROOT/.venv/bin/python" scripts/bench_widget.py "$DEMO_STATE" "$WORKER_PGID" "$DURATION" "$CONNECTIONS"

say "4/4 Deploy sizes (wrangler deploy --dry-run) and budgets"
stop_worker
node scripts/deploy-check.mjs --report
