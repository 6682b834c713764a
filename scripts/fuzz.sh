#!/usr/bin/env bash
# cargo-fuzz (libFuzzer, nightly) over the core's parsers and planners: API keys, customer
# tokens, both route tables, step 0's URL scan, the request's target (origin, path, query),
# webhook signatures and the ledger's plan.
# Each target runs FUZZ_SECONDS (default 60; `make test` runs 5 as a smoke test), with debug
# assertions on, so an arithmetic overflow is a finding too. Prints executions and findings
# per target; a finding fails the run and leaves its input in fuzz/artifacts/<target>/ (once
# fixed, it goes to fuzz/regressions/<target>/ as hex, which every run reads first).
. "$(dirname "$0")/lib.sh"
cd "$ROOT/fuzz"
SECONDS_EACH="${FUZZ_SECONDS:-60}"
say "Building the fuzz targets (cargo +nightly fuzz build, debug assertions on)"
cargo +nightly fuzz build --debug-assertions
status=0
for target in $(cargo +nightly fuzz list); do
  say "Fuzzing $target for ${SECONDS_EACH} s"
  mkdir -p "corpus/$target"
  log="$(mktemp)"
  # fuzz/regressions/<target>/*.hex: inputs of past findings, committed as hex (an input may
  # hold a key-shaped string, which must not sit in the tree as text), decoded into a scratch
  # directory and read first on every run.
  seeds=()
  if [ -d "regressions/$target" ]; then
    seeds=("$(mktemp -d)")
    python3 - "regressions/$target" "${seeds[0]}" <<'PY'
import pathlib, sys
for f in pathlib.Path(sys.argv[1]).glob("*.hex"):
    (pathlib.Path(sys.argv[2]) / f.stem).write_bytes(bytes.fromhex(f.read_text().strip()))
PY
  fi
  if cargo +nightly fuzz run --debug-assertions "$target" "corpus/$target" "${seeds[@]}" -- \
       -max_total_time="$SECONDS_EACH" -print_final_stats=1 >"$log" 2>&1; then
    runs="$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1)"
    cover="$(grep -Eo 'cov: [0-9]+' "$log" | tail -1)"
    note "$target: ${runs:-?} executions, ${cover:-cov: ?}, no findings (corpus: $(ls "corpus/$target" | wc -l) inputs)"
  else
    tail -40 "$log"
    note "$target: FINDING (input saved under fuzz/artifacts/$target/)"
    status=1
  fi
  rm -f "$log"
  [ "${#seeds[@]}" = 0 ] || rm -rf "${seeds[0]}"
done
exit "$status"
