# `make demo`: the main job, on the embedded emulator. `make test`: install what is needed,
# build everything, run every suite. CI runs `make test` (via .ci/run) on a fresh machine.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: demo test rust-lint rust-test bench

demo:
	$(CARGO) run --quiet -p impact-conversions-cli -- demo

test: rust-lint rust-test
	@echo "make test: all suites passed"

rust-lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --quiet -- -D warnings

rust-test:
	$(CARGO) test --workspace

bench:
	$(CARGO) bench -p impact-conversions --bench encode
