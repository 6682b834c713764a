#!/usr/bin/env bash
# Builds the storefront widget into build/widget/ (not committed; scripts/assets.mjs gives the
# files content-hashed names in build/assets/widget/):
#   cargo (wasm32, release profile: opt-level z, LTO, panic=abort)
#   -> wasm-bindgen --target web -> wasm-opt -Os --converge (smaller than -Oz after brotli, measured) -> esbuild --minify on the JS glue.
# With a nightly toolchain and rust-src available (as on these machines), std itself is rebuilt
# for size (-Zbuild-std, optimize_for_size, immediate-abort panics): about 10 KB less brotli.
# Without them, the stable toolchain builds the same code. The size report says which one.
# Skips the build when build/widget is newer than every widget source.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
out="build/widget/tally_widget_bg.wasm"
if [ -f "$out" ] && [ -z "$(find widget core Cargo.toml Cargo.lock scripts/build-widget.sh scripts/minify-wasm-names.mjs -newer "$out" -print -quit)" ]; then
  note "build/widget is up to date ($(cat build/widget/BUILT_WITH 2>/dev/null))"
  exit 0
fi
if [ "${TALLY_WIDGET_STABLE:-0}" != 1 ] && rustup run nightly rustc --version >/dev/null 2>&1 \
   && { rustup component list --toolchain nightly --installed | grep -q '^rust-src' \
        || rustup component add rust-src --toolchain nightly >/dev/null 2>&1; }; then
  built_with="$(rustup run nightly rustc --version), build-std optimize_for_size"
  # No panic, location or Debug formatting machinery: the widget never shows any of it.
  RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" cargo +nightly build -p tally-widget \
    --target wasm32-unknown-unknown --release --target-dir target/widget-nightly \
    -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size
  wasm="target/widget-nightly/wasm32-unknown-unknown/release/tally_widget.wasm"
else
  built_with="$(rustc --version)"
  cargo build -p tally-widget --target wasm32-unknown-unknown --release
  wasm="target/wasm32-unknown-unknown/release/tally_widget.wasm"
fi
mkdir -p build && rm -rf build/widget.tmp
wasm-bindgen --target web --out-dir build/widget.tmp --no-typescript --remove-name-section --remove-producers-section "$wasm"
wasm-opt -Os --converge --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  build/widget.tmp/tally_widget_bg.wasm -o build/widget.tmp/tally_widget_bg.wasm
node scripts/minify-wasm-names.mjs build/widget.tmp tally_widget
esbuild build/widget.tmp/tally_widget.js --minify --format=esm --log-level=warning --allow-overwrite --outfile=build/widget.tmp/tally_widget.js
echo "$built_with" > build/widget.tmp/BUILT_WITH
rm -rf build/widget && mv build/widget.tmp build/widget
note "built with $built_with"
