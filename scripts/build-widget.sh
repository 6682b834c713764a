#!/usr/bin/env bash
# Builds the storefront widget: cargo (wasm32, release profile: opt-level z, LTO, panic=abort),
# wasm-bindgen --target web, wasm-opt -Oz, into www/widget/ (not committed).
# Skips the build when www/widget is newer than every widget source.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
out="www/widget/tally_widget_bg.wasm"
if [ -f "$out" ] && [ -z "$(find widget core Cargo.toml Cargo.lock -newer "$out" -print -quit)" ]; then
  note "www/widget is up to date"
  exit 0
fi
cargo build -p tally-widget --target wasm32-unknown-unknown --release
wasm-bindgen --target web --out-dir www/widget --no-typescript --remove-name-section --remove-producers-section \
  target/wasm32-unknown-unknown/release/tally_widget.wasm
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  "$out" -o "$out.opt" && mv "$out.opt" "$out"
