#!/usr/bin/env bash
# `make mutants`: cargo-mutants (pinned) over the core, with the core's own tests, then caught,
# missed, unviable and timed-out mutants per module. A missed mutant is a missing test. Not part
# of `make test`: all of the core is about 1,100 mutants, two hours on these 2 cores. Every
# feature is on, so the native sealing code (`native-seal`) is mutated and tested too.
# Arguments go to cargo-mutants, e.g. `make mutants ARGS="-f core/src/verifier.rs"` for one
# module.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
version="27.1.0"

say "cargo-mutants $version"
if [ "$(cargo mutants --version 2>/dev/null)" = "cargo-mutants $version" ]; then
  note "already installed"
else
  cargo install cargo-mutants --version "$version" --locked
fi

say "Mutating tally-core: every mutant built and run against the core's tests"
mkdir -p test-artifacts
status=0
# shellcheck disable=SC2086
cargo mutants -p tally-core --all-features --no-shuffle -j "${JOBS:-1}" --output test-artifacts $ARGS || status=$?

say "Per module (test-artifacts/mutants.out: missed.txt lists what no test noticed)"
python3 - test-artifacts/mutants.out/outcomes.json <<'PY'
import collections, json, sys
outcomes = json.load(open(sys.argv[1]))["outcomes"]
table = collections.defaultdict(collections.Counter)
for o in outcomes:
    scenario = o.get("scenario")
    if not isinstance(scenario, dict) or "Mutant" not in scenario:
        continue
    table[scenario["Mutant"]["file"]][o["summary"]] += 1
names = [("CaughtMutant", "caught"), ("MissedMutant", "missed"), ("Unviable", "unviable"), ("Timeout", "timeout")]
print(f"    {'module':32} " + " ".join(f"{label:>8}" for _, label in names))
total = collections.Counter()
for module in sorted(table):
    total.update(table[module])
    print(f"    {module:32} " + " ".join(f"{table[module][k]:>8}" for k, _ in names))
print(f"    {'all':32} " + " ".join(f"{total[k]:>8}" for k, _ in names))
PY
exit "$status"
