#!/usr/bin/env bash
# The widget's component tests in headless Chromium: wasm-bindgen-test-runner (installed with
# wasm-bindgen-cli) drives Debian's chromedriver; widget/webdriver.json passes Chrome options.
. "$(dirname "$0")/lib.sh"
cd "$ROOT/widget"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_TEST_TIMEOUT=120
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
cargo test --target wasm32-unknown-unknown --test components
