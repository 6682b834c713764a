#!/usr/bin/env bash
# Builds the edge Worker with worker-build, using the pinned tools `make setup` installed
# (worker-build would otherwise try to download wasm-bindgen, wasm-opt and esbuild).
# TALLY_BUILD=dev skips wasm-opt: a fast build for `make dev`. TALLY_BUILD=profile is the
# release build with its function names kept, for a CPU profile that names them.
# Skips the build when edge/build is newer than every source (wrangler dev calls this script
# again at start-up, right after the scripts have built explicitly).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
mode="${TALLY_BUILD:-release}"
out="$root/edge/build/index_bg.wasm"
stamp="$root/edge/build/.tally-build-mode"
cd "$root"
if [ -f "$out" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$mode" ] \
   && [ -z "$(find core edge/src edge/docs.html edge/Cargo.toml Cargo.toml Cargo.lock -newer "$out" -print -quit)" ]; then
  echo "edge/build is up to date ($mode)"
  exit 0
fi
export WASM_BINDGEN_BIN="$(command -v wasm-bindgen)"
export ESBUILD_BIN="$root/node_modules/.bin/esbuild"
cd "$root/edge"
if [ "$mode" = "dev" ]; then
  worker-build --release --no-opt
else
  WASM_OPT_BIN="$root/node_modules/.bin/wasm-opt" worker-build --release
  # worker-build keeps the name section (about 200 KB, a sixth of the gzipped upload): debug
  # names only, never needed to run. Dev builds keep them for readable stack traces.
  if [ "$mode" != "profile" ]; then
    "$root/node_modules/.bin/wasm-opt" --strip-debug --strip-producers build/index_bg.wasm -o build/index_bg.wasm
  fi
fi
echo "$mode" > "$stamp"
