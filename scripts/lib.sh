# Shared helpers for Tally's scripts. Source it: `. "$(dirname "$0")/lib.sh"`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
export WRANGLER_SEND_METRICS=false
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-always}"

say() { printf '\n\033[1;34m==> %s\033[0m \033[2m(%ss)\033[0m\n' "$*" "$SECONDS"; }
note() { printf '    %s\n' "$*"; }
die() { printf '\n\033[1;31mxx %s\033[0m\n' "$*" >&2; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

seed_tool() { "$ROOT/target/debug/tally-seed" "$@"; }

# ensure_dev_vars: the local Worker secrets in .dev.vars (git-ignored; wrangler dev reads
# it), generated once: TALLY_SECRETS_KEY seals identity and webhook secrets at rest. Exported
# too, for the seed tool, which seals the secrets it writes the same way.
ensure_dev_vars() {
  local file="$ROOT/.dev.vars"
  if ! grep -q '^TALLY_SECRETS_KEY=' "$file" 2>/dev/null; then
    say "Generating a local TALLY_SECRETS_KEY in .dev.vars (git-ignored)"
    python3 -c 'import base64, os; print("TALLY_SECRETS_KEY=" + base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("="))' >>"$file"
  fi
  TALLY_SECRETS_KEY="$(sed -n 's/^TALLY_SECRETS_KEY=//p' "$file" | head -1 | tr -d '"')"
  export TALLY_SECRETS_KEY
}

# prepare_state DIR BASE_URL: migrations, demo workspace (and, with FIXTURES=1, test fixtures).
prepare_state() {
  local dir="$1" base="$2"
  mkdir -p "$dir"
  ensure_dev_vars
  say "Building the seed tool"
  (cd "$ROOT" && cargo build --quiet -p tally-tools)
  say "Applying D1 migrations to local state ($dir/wrangler)"
  (cd "$ROOT" && wrangler d1 migrations apply DB --local --persist-to "$dir/wrangler" >"$dir/migrations.log" 2>&1) \
    || { cat "$dir/migrations.log"; die "migrations failed"; }
  say "Seeding the demo workspace"
  seed_tool sql --state "$DEMO_STATE" --base-url "$base" --out "$dir/seed.sql"
  (cd "$ROOT" && wrangler d1 execute DB --local --persist-to "$dir/wrangler" --file "$dir/seed.sql" >"$dir/seed.log" 2>&1) \
    || { cat "$dir/seed.log"; die "seeding failed"; }
  if [ "${FIXTURES:-0}" = 1 ]; then
    say "Adding end-to-end test fixtures (keys generated now, never committed)"
    seed_tool fixtures --state "$dir/fixtures.json" --base-url "$base" --out "$dir/fixtures.sql"
    (cd "$ROOT" && wrangler d1 execute DB --local --persist-to "$dir/wrangler" --file "$dir/fixtures.sql" >"$dir/fixtures.log" 2>&1) \
      || { cat "$dir/fixtures.log"; die "fixtures failed"; }
  fi
}

# start_worker PORT STATE_DIR LOG: runs `wrangler dev` (which builds the Worker) in its own
# process group and waits for /v1/health. Sets WORKER_PGID. WRANGLER_DEV_FLAGS adds flags
# (`make bench`: `--log-level warn`, no per-request log line through wrangler's node process);
# WRANGLER_CONFIG_FLAG names another config (`-c FILE`: the bench's split run).
start_worker() {
  local port="$1" dir="$2" log="$3"
  say "Building the widget, the Worker (${TALLY_BUILD:-release} build) and the assets"
  "$ROOT/scripts/build.sh"
  say "Starting wrangler dev on 127.0.0.1:$port"
  cd "$ROOT"
  # Its own process group, so stopping it stops wrangler's workerd children too. The assets
  # are the deployed ones plus the demo storefront (build/assets-dev, scripts/assets.mjs).
  # shellcheck disable=SC2086
  setsid wrangler dev ${WRANGLER_CONFIG_FLAG:-} --ip 127.0.0.1 --port "$port" --persist-to "$dir/wrangler" \
    --assets "$ROOT/build/assets-dev" \
    --show-interactive-dev-session=false --test-scheduled ${WRANGLER_DEV_FLAGS:-} >"$log" 2>&1 < /dev/null &
  WORKER_PID=$!
  # A background job of a script is not a group leader, so setsid does not fork: the
  # process keeps its pid, which is now also its group id. Confirm it from /proc.
  sleep 0.2
  WORKER_PGID="$(sed 's/.*) //' "/proc/$WORKER_PID/stat" 2>/dev/null | cut -d' ' -f3)"
  WORKER_PGID="${WORKER_PGID:-$WORKER_PID}"
  local i
  for i in $(seq 1 1800); do
    if curl -fsS "http://127.0.0.1:$port/v1/health" >/dev/null 2>&1; then
      note "ready at ${SECONDS}s"
      return 0
    fi
    if ! kill -0 "$WORKER_PID" 2>/dev/null; then
      tail -50 "$log"
      die "wrangler dev exited before it was ready"
    fi
    sleep 0.1
  done
  tail -50 "$log"
  die "wrangler dev did not become ready in 3 minutes"
}

stop_worker() {
  if [ -n "${WORKER_PGID:-}" ]; then
    kill -TERM -- "-$WORKER_PGID" 2>/dev/null || true
    local i
    for i in $(seq 1 50); do
      kill -0 -- "-$WORKER_PGID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$WORKER_PGID" 2>/dev/null || true
    wait "$WORKER_PID" 2>/dev/null || true
  fi
  WORKER_PGID=""
}

# apt_install PKG...: installs Debian packages, with sudo when not root.
apt_install() {
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}
