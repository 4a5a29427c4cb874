# `make demo`: the main job, on the embedded emulator. `make test`: install what is needed,
# build everything, run every suite. CI runs `make test` (via .ci/run) on a fresh machine.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: demo test rust-lint rust-test bench node-test bench-node

demo:
	$(CARGO) run --quiet -p impact-conversions-cli -- demo

test: rust-lint rust-test node-test
	@echo "make test: all suites passed"

rust-lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --quiet -- -D warnings

rust-test:
	$(CARGO) test --workspace

# Benchmarks (not part of make test): criterion for validate+encode and click-id capture,
# then loopback throughput of the client against the emulator next to wrk.
bench:
	$(CARGO) bench -p impact-conversions --bench encode --bench clickid
	bash bench/throughput.sh

# Node binding (bindings-node/): install, debug build, index.d.ts drift check, tsc, node --test.
node-test:
	cd bindings-node && npm ci --no-audit --no-fund --loglevel=error
	cp bindings-node/index.d.ts bindings-node/.index.d.ts.committed
	cd bindings-node && npm run --silent build:debug
	@diff -u bindings-node/.index.d.ts.committed bindings-node/index.d.ts \
	  || { echo "bindings-node/index.d.ts drifted from src/: commit the regenerated file"; exit 1; }
	@rm -f bindings-node/.index.d.ts.committed
	cd bindings-node && npm run --silent typecheck && npm test

# Node benchmark (not part of make test): this package vs hand-written fetch, on the emulator.
bench-node:
	cd bindings-node && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build
	cd bench/node && npm ci --no-audit --no-fund --loglevel=error && node bench.mjs
