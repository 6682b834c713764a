#!/usr/bin/env bash
# `make bench`: figures, not pass/fail.
#  1. The verifier's decision for a cached key (criterion, native).
#  2. The storefront widget's navigation-to-balance time (headless Chromium, idle server).
#  3. A bounded load run (wrk, 10 s per route, 127.0.0.1) against the release Worker under
#     wrangler dev: /v1/widget (key + token verified, wallet read) as a ratio of /v1/health
#     in the same run. Each request carries its own CF-Connecting-IP, as many shoppers would.
#  4. What a deploy uploads and the size budgets: the widget transfer and the dashboard first
#     load (brotli), and the Worker
#     upload (gzip), as scripts/deploy-check.mjs reports them (make test enforces them).
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-16}"

say "1/4 Verifier decision, cached key (criterion)"
cargo bench -p tally-core --bench verifier -- --noplot 2>&1 | grep -E "^(verify|reject)|time:" || true

if ! command -v wrk >/dev/null; then
  say "Installing wrk (Debian package)"
  apt_install wrk
fi

STATE="$(mktemp -d -t tally-bench.XXXXXX)"
PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
export DEMO_STATE="$STATE/demo.json"
trap 'stop_worker; rm -rf "$STATE"' EXIT
prepare_state "$STATE" "$BASE"
start_worker "$PORT" "$STATE" "$STATE/wrangler.log"
seed_tool finish --state "$DEMO_STATE" --base-url "$BASE" >/dev/null
WIDGET="$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("{}/v1/widget?ws={}&key={}&token={}".format(d["base_url"], d["workspace_id"], d["publishable_key"], d["customer_token"]))' "$DEMO_STATE")"

cat > "$STATE/shoppers.lua" <<'LUA'
-- Each request from a different shopper address (Cloudflare sets CF-Connecting-IP).
local counter = 0
request = function()
  counter = counter + 1
  wrk.headers["CF-Connecting-IP"] = string.format("10.%d.%d.%d", math.floor(counter / 65536) % 256, math.floor(counter / 256) % 256, counter % 256)
  return wrk.format(nil)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d non2xx=%d errors=%d p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA

run() {
  wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$STATE/shoppers.lua" "$1" | grep RESULT
}
say "2/4 Storefront widget: time to balance (idle server)"
TALLY_BASE_URL="$BASE" TALLY_DEMO_STATE="$DEMO_STATE" node tests/browser/budget.mjs

say "3/4 Load: warm-up, then ${DURATION} s per route, $CONNECTIONS connections"
wrk -t1 -c4 -d2s "$BASE/v1/health" >/dev/null
wrk -t1 -c4 -d2s -s "$STATE/shoppers.lua" "$WIDGET" >/dev/null
health="$(run "$BASE/v1/health")"
widget="$(run "$WIDGET")"
python3 - "$health" "$widget" <<'PY'
import sys
def parse(line):
    d = dict(kv.split("=") for kv in line.split()[1:])
    rps = int(d["requests"]) / (int(d["duration_us"]) / 1e6)
    return rps, d
h, hd = parse(sys.argv[1]); w, wd = parse(sys.argv[2])
print(f"    /v1/health  {h:8.1f} req/s  p50 {hd['p50_ms']} ms  p99 {hd['p99_ms']} ms  non-2xx {hd['non2xx']}")
print(f"    /v1/widget  {w:8.1f} req/s  p50 {wd['p50_ms']} ms  p99 {wd['p99_ms']} ms  non-2xx {wd['non2xx']}")
print(f"    ratio widget/health: {w / h:.1%}  (goal: at least 85%)")
if int(wd["non2xx"]) or int(hd["non2xx"]):
    print("    WARNING: non-2xx answers in the run; the figures above are not comparable")
PY

say "4/4 Deploy sizes (wrangler deploy --dry-run) and budgets"
stop_worker
node scripts/deploy-check.mjs --report
