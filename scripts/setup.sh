#!/usr/bin/env bash
# Installs what building and running Tally needs, idempotently: the pinned Rust toolchain and
# wasm target, a nightly with rust-src (widget size build, fuzzing), cargo-fuzz, worker-build, wasm-bindgen-cli (the version in Cargo.lock), npm packages
# (wrangler, esbuild, binaryen, playwright-core, Scalar), schemathesis in .venv, Debian's Chromium and curl. Each step says what it does and skips what is there.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

say "Rust toolchain from rust-toolchain.toml, with the wasm32 target"
command -v rustup >/dev/null || die "rustup is required (https://rustup.rs)"
rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
note "$(rustc --version)"

say "Rust nightly with rust-src (the widget's size build; cargo-fuzz)"
if rustup run nightly rustc --version >/dev/null 2>&1; then
  note "$(rustup run nightly rustc --version)"
else
  rustup toolchain install nightly --profile minimal
fi
rustup component list --toolchain nightly --installed | grep -q '^rust-src' \
  || rustup component add rust-src --toolchain nightly

say "cargo-fuzz 0.13.2"
if [ "$(cargo fuzz --version 2>/dev/null || true)" = "cargo-fuzz 0.13.2" ]; then
  note "already installed"
else
  note "installing (about 3 minutes, once)"
  cargo install cargo-fuzz --version 0.13.2 --locked
fi

say "worker-build 0.8.7"
if [ "$(worker-build --version 2>/dev/null || true)" = "0.8.7" ]; then
  note "already installed"
else
  note "installing (about 7 minutes, once)"
  cargo install worker-build --version 0.8.7 --locked
fi

wbg="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
say "wasm-bindgen-cli $wbg (the version in Cargo.lock)"
if [ "$(wasm-bindgen --version 2>/dev/null || true)" = "wasm-bindgen $wbg" ]; then
  note "already installed"
else
  note "installing (5 to 8 minutes, once)"
  # Without --locked: the registry here lacks one of the CLI's locked dependencies.
  cargo install wasm-bindgen-cli --version "$wbg"
fi

say "Python test tools in .venv (schemathesis 4.32.5, PyJWT, standardwebhooks), from tests/requirements.txt"
req="tests/requirements.txt"
stamp=".venv/.tally-requirements-sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x .venv/bin/st ]; then
  note "up to date"
else
  python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r "$req"
  echo "$want" > "$stamp"
  note "$(.venv/bin/st --version)"
fi

say "npm packages (wrangler, esbuild, binaryen, playwright-core, Scalar) from package-lock.json"
stamp="node_modules/.tally-lock-sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  note "up to date"
else
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi

if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ] || [ ! -x "${CHROMEDRIVER:-/usr/bin/chromedriver}" ]; then
  say "Chromium and ChromeDriver (Debian packages) for the browser tests"
  apt_install chromium chromium-driver
fi

if ! command -v curl >/dev/null; then
  say "curl (for the end-to-end tests' server-client check)"
  apt_install curl
fi

if ! command -v php >/dev/null; then
  say "PHP's command line (the dashboard's PHP snippet is run by the end-to-end tests)"
  apt_install php-cli
fi
