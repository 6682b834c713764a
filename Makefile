# Tally. `make dev` runs the product locally; `make test` runs every test.
# Both install what they need first (scripts/setup.sh, idempotent).

.PHONY: dev test bench setup check unit e2e contract deploy-check fuzz fuzz-smoke mutants clean

dev: setup
	@scripts/dev.sh

test: setup check unit fuzz-smoke e2e contract deploy-check

setup:
	@scripts/setup.sh

# Formatting and lints, as CI enforces them.
check:
	@printf '\n\033[1;34m==> cargo fmt --check and cargo clippy -D warnings\033[0m\n'
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p tally-edge -p tally-widget -p tally-dashboard --target wasm32-unknown-unknown --all-targets -- -D warnings

# Native tests (the core's unit and property tests, the widget's state machine, the tools),
# then the widget's components in headless Chromium.
unit:
	@printf '\n\033[1;34m==> Native tests (core rules, property tests)\033[0m\n'
	cargo test -p tally-core -p tally-tools -p tally-widget -p tally-dashboard
	@printf '\n\033[1;34m==> Widget component tests (wasm-bindgen-test, headless Chromium)\033[0m\n'
	@scripts/widget-tests.sh

e2e:
	@scripts/e2e.sh

# schemathesis against the running Worker: the OpenAPI document is the contract.
contract:
	@scripts/contract.sh

# What `wrangler deploy` would upload, for each target, checked; the size budgets enforced.
deploy-check:
	@printf '\n\033[1;34m==> Deploy check: wrangler deploy --dry-run (default, staging, production) and budgets\033[0m\n'
	@PATH="$$HOME/.cargo/bin:$$PWD/node_modules/.bin:$$PATH" node scripts/deploy-check.mjs

# cargo-fuzz over the core's parsers: FUZZ_SECONDS per target (default 60).
fuzz: setup
	@scripts/fuzz.sh

# Each fuzz target for a few seconds: a smoke test in every run.
fuzz-smoke:
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-5} scripts/fuzz.sh

# Mutation testing of the core (cargo-mutants): slow, so not part of `make test`.
mutants: setup
	@ARGS="$(ARGS)" scripts/mutants.sh

bench: setup
	@scripts/bench.sh

clean:
	rm -rf target build edge/build .wrangler/state-dev .tally
