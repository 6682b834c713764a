#!/usr/bin/env bash
# Builds the merchant dashboard (dashboard/, a Yew app) into build/dashboard/:
#   cargo (wasm32, release profile; nightly build-std when available) -> wasm-bindgen --target web -> wasm-opt -Os -> esbuild
#   --minify on the glue. scripts/assets.mjs gives the files content-hashed names.
# Skips the work when nothing it reads changed since the last build.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

out="build/dashboard/tally_dashboard_bg.wasm"
if [ -f "$out" ] && [ -z "$(find dashboard core Cargo.toml Cargo.lock scripts/build-dashboard.sh scripts/minify-wasm-names.mjs -newer "$out" -print -quit)" ]; then
  note "build/dashboard is up to date"
  exit 0
fi
# Like the widget: with a nightly toolchain and rust-src (as on these machines), std is rebuilt
# for size, with immediate-abort panics and no Debug or location formatting (the dashboard
# never shows them): about 20 KB less brotli. Otherwise the stable toolchain builds it.
if [ "${TALLY_DASHBOARD_STABLE:-0}" != 1 ] && rustup run nightly rustc --version >/dev/null 2>&1 \
   && { rustup component list --toolchain nightly --installed | grep -q '^rust-src' \
        || rustup component add rust-src --toolchain nightly >/dev/null 2>&1; }; then
  built_with="$(rustup run nightly rustc --version), build-std optimize_for_size"
  RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" cargo +nightly build -p tally-dashboard \
    --target wasm32-unknown-unknown --release --target-dir target/dashboard-nightly \
    -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size
  wasm="target/dashboard-nightly/wasm32-unknown-unknown/release/tally_dashboard.wasm"
else
  built_with="$(rustc --version)"
  cargo build -p tally-dashboard --target wasm32-unknown-unknown --release
  wasm="target/wasm32-unknown-unknown/release/tally_dashboard.wasm"
fi
rm -rf build/dashboard.tmp
wasm-bindgen --target web --out-dir build/dashboard.tmp --no-typescript --remove-name-section --remove-producers-section "$wasm"
wasm-opt -Os --converge --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  build/dashboard.tmp/tally_dashboard_bg.wasm -o build/dashboard.tmp/tally_dashboard_bg.wasm
node scripts/minify-wasm-names.mjs build/dashboard.tmp tally_dashboard
esbuild build/dashboard.tmp/tally_dashboard.js --minify --format=esm --log-level=warning --allow-overwrite --outfile=build/dashboard.tmp/tally_dashboard.js
echo "$built_with" > build/dashboard.tmp/BUILT_WITH
rm -rf build/dashboard && mv build/dashboard.tmp build/dashboard
note "built $(du -b "$out" | cut -f1) bytes of wasm with $built_with"
