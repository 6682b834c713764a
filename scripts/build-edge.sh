#!/usr/bin/env bash
# Builds the edge Worker with worker-build, using the pinned tools `make setup` installed
# (worker-build would otherwise try to download wasm-bindgen, wasm-opt and esbuild).
# TALLY_BUILD=dev skips wasm-opt: a fast build for `make dev` and the end-to-end tests.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
export WASM_BINDGEN_BIN="$(command -v wasm-bindgen)"
export ESBUILD_BIN="$root/node_modules/.bin/esbuild"
cd "$root/edge"
if [ "${TALLY_BUILD:-release}" = "dev" ]; then
  exec worker-build --release --no-opt
fi
export WASM_OPT_BIN="$root/node_modules/.bin/wasm-opt"
exec worker-build --release
