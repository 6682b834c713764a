#!/usr/bin/env bash
# Builds the merchant dashboard (dashboard/, a Yew app) into build/dashboard/:
#   cargo (wasm32, release profile) -> wasm-bindgen --target web -> wasm-opt -Os -> esbuild
#   --minify on the glue. scripts/assets.mjs gives the files content-hashed names.
# Skips the work when nothing it reads changed since the last build.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

out="build/dashboard/tally_dashboard_bg.wasm"
if [ -f "$out" ] && [ -z "$(find dashboard core Cargo.toml Cargo.lock scripts/build-dashboard.sh -newer "$out" -print -quit)" ]; then
  note "build/dashboard is up to date"
  exit 0
fi
cargo build -p tally-dashboard --target wasm32-unknown-unknown --release
wasm="target/wasm32-unknown-unknown/release/tally_dashboard.wasm"
rm -rf build/dashboard.tmp
wasm-bindgen --target web --out-dir build/dashboard.tmp --no-typescript --remove-name-section --remove-producers-section "$wasm"
wasm-opt -Os --converge --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  build/dashboard.tmp/tally_dashboard_bg.wasm -o build/dashboard.tmp/tally_dashboard_bg.wasm
esbuild build/dashboard.tmp/tally_dashboard.js --minify --format=esm --log-level=warning --allow-overwrite --outfile=build/dashboard.tmp/tally_dashboard.js
rm -rf build/dashboard && mv build/dashboard.tmp build/dashboard
note "built $(du -b "$out" | cut -f1) bytes of wasm"
