#!/usr/bin/env bash
# The wrangler [build] command: everything `wrangler deploy` ships and `wrangler dev` serves.
#  1. the storefront widget (scripts/build-widget.sh -> build/widget)
#  2. the merchant dashboard (scripts/build-dashboard.sh -> build/dashboard)
#  3. the Worker (scripts/build-edge.sh -> edge/build; TALLY_BUILD=dev skips wasm-opt)
#  4. the static assets (scripts/assets.mjs -> build/assets, and build/assets-dev with the demo
#     storefront for local runs)
# Each step skips what is up to date, so wrangler dev's start-up call costs about a second.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/build-widget.sh"
"$ROOT/scripts/build-dashboard.sh"
"$ROOT/scripts/build-edge.sh"
node "$ROOT/scripts/assets.mjs"
