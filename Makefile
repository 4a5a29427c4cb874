# `make demo`: the main job, on the embedded emulator. `make test`: install what is needed,
# build everything, run every suite. CI runs `make test` (via .ci/run) on a fresh machine.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: demo test rust-lint rust-test bench python-test bench-python ffi-test go-test bench-go node-test bench-node ruby-test ruby-bindings php-test bench-php

demo:
	$(CARGO) run --quiet -p impact-conversions-cli -- demo

test: rust-lint rust-test node-test python-test ffi-test go-test ruby-test php-test
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
	$(CARGO) build --quiet -p impact-sandbox
	cd bindings-node && npm ci --no-audit --no-fund --loglevel=error
	cp bindings-node/index.d.ts bindings-node/.index.d.ts.committed
	cd bindings-node && npm run --silent build:debug
	@diff -u bindings-node/.index.d.ts.committed bindings-node/index.d.ts \
	  || { echo "bindings-node/index.d.ts drifted from src/: commit the regenerated file"; exit 1; }
	@rm -f bindings-node/.index.d.ts.committed
	cd bindings-node && npm run --silent typecheck && npm test

# Node benchmark (not part of make test): this package vs hand-written fetch, on the emulator.
bench-node:
	$(CARGO) build --quiet --release -p impact-sandbox
	cd bindings-node && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build
	cd bench/node && npm ci --no-audit --no-fund --loglevel=error && IMPACT_SANDBOX_BIN=$(CURDIR)/target/release/impact-sandbox node bench.mjs

# Python binding (bindings-python/): a fresh virtualenv with pinned tools, `pip install
# ./bindings-python` (the way users install it; a debug build here, for speed), the stub
# drift check and every suite under pytest, mypy --strict on the package and an example.
PY_VENV := $(CURDIR)/.venv-python
PY_PIP := $(PY_VENV)/bin/pip install --quiet --disable-pip-version-check
PY_TOOLS := "maturin==1.16.0" "pytest==9.2.0" "mypy==2.4.1" "django==5.2.19"
python-test:
	$(CARGO) build --quiet -p impact-sandbox
	rm -rf $(PY_VENV) && python3 -m venv $(PY_VENV)
	$(PY_PIP) $(PY_TOOLS)
	MATURIN_PEP517_ARGS="--profile dev" $(PY_PIP) ./bindings-python
	cd bindings-python && $(PY_VENV)/bin/mypy --strict tests/typing_example.py python/impact_conversions
	cd bindings-python && $(PY_VENV)/bin/python -m pytest -q -p no:cacheprovider tests

# Python benchmark (not part of make test): the release wheel (its size is reported) against
# requests/httpx by hand and a pure-Python encoder, on the release emulator.
PY_WHEELS := $(CURDIR)/target/python-wheels
bench-python:
	$(CARGO) build --quiet --release -p impact-sandbox
	rm -rf $(PY_VENV) $(PY_WHEELS) && python3 -m venv $(PY_VENV)
	$(PY_PIP) $(PY_TOOLS) "requests==2.32.5" "httpx==0.28.1"
	$(PY_VENV)/bin/maturin build --quiet --release --manifest-path bindings-python/Cargo.toml --out $(PY_WHEELS)
	$(PY_PIP) $(PY_WHEELS)/*.whl
	IMPACT_WHEEL="$$(ls $(PY_WHEELS)/*.whl)" $(PY_VENV)/bin/python bench/python/bench.py

# C ABI (bindings-ffi/): the header drift check runs in rust-test; here the C test program,
# compiled with gcc, runs against the emulator plainly and under valgrind (no leaks, no
# invalid accesses; the fork case is skipped under valgrind and covered by the plain run).
FFI_TEST := target/debug/test_ffi
ffi-test:
	command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }
	$(CARGO) build --quiet -p impact-conversions-ffi -p impact-sandbox
	gcc -std=c11 -Wall -Wextra -Werror -pthread -Ibindings-ffi/include bindings-ffi/tests/c/test_ffi.c \
	  -Ltarget/debug -limpact_conversions -Wl,-rpath,$(CURDIR)/target/debug -o $(FFI_TEST)
	bash bindings-ffi/tests/with-sandbox.sh $(FFI_TEST)
	IMPACT_SKIP_FORK=1 bash bindings-ffi/tests/with-sandbox.sh valgrind -q --error-exitcode=1 --leak-check=full \
	  --errors-for-leak-kinds=definite --show-leak-kinds=definite $(FFI_TEST)

# Go package (bindings-ffi/go): cgo over the C ABI, go test -race against the emulator.
GO ?= $(shell command -v go || echo /usr/local/go/bin/go)
go-test:
	@test -x "$(GO)" || command -v "$(GO)" >/dev/null || { echo "go-test needs Go 1.22+ (log/slog); Debian's golang-go is 1.19: install Go from go.dev or set GO=/path/to/go"; exit 1; }
	$(CARGO) build --quiet -p impact-conversions-ffi -p impact-sandbox
	cd bindings-ffi/go && test -z "$$($(GO) fmt ./...)" || { echo "bindings-ffi/go is not gofmt-ed"; exit 1; }
	cd bindings-ffi/go && $(GO) vet ./... && $(GO) test -race -count=1 ./...

# Go benchmark (not part of make test): the package vs a hand-written net/http client.
bench-go:
	$(CARGO) build --quiet --release -p impact-conversions-ffi -p impact-sandbox
	cd bench/go && CGO_LDFLAGS="-L$(CURDIR)/target/release -Wl,-rpath,$(CURDIR)/target/release" $(GO) build -o /tmp/impact-bench-go . \
	  && ldd /tmp/impact-bench-go | grep impact_conversions && /tmp/impact-bench-go

# PHP package (bindings-ffi/php): the library through PHP's FFI extension, Debian's php-cli,
# phpunit and PSR packages (installed when missing), phpunit against the emulator.
PHP_INSTALLED = command -v php >/dev/null && php -m | grep -qx FFI && command -v phpunit >/dev/null \
  && php -m | grep -qx psr && php -m | grep -qx curl && test -f /usr/share/php/Nyholm/Psr7/autoload.php
PHP_INSTALL = apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq php-cli phpunit php-psr php-nyholm-psr7 php-curl
php-test:
	$(PHP_INSTALLED) || { $(PHP_INSTALL); }
	$(CARGO) build --quiet -p impact-conversions-ffi -p impact-sandbox
	IMPACT_CONVERSIONS_LIB=$(CURDIR)/target/debug/libimpact_conversions.so bash bindings-ffi/tests/with-sandbox.sh \
	  php -d ffi.enable=1 "$$(command -v phpunit)" -c bindings-ffi/php/phpunit.xml.dist

# PHP benchmark (not part of make test): the package vs a hand-written curl client doing the
# same encoding, sequential, on the release library and the release emulator.
bench-php:
	$(PHP_INSTALLED) || { $(PHP_INSTALL); }
	$(CARGO) build --quiet --release -p impact-conversions-ffi -p impact-sandbox
	IMPACT_CONVERSIONS_LIB=$(CURDIR)/target/release/libimpact_conversions.so IMPACT_SANDBOX_BIN=$(CURDIR)/target/release/impact-sandbox \
	  php -d ffi.enable=1 bench/php/bench.php

# Ruby (bindings-ffi/ruby): uniffi-generated bindings over the same library, committed and
# checked for drift here; minitest on Debian's ruby and ruby-ffi against the emulator.
RUBY_GEN := bindings-ffi/ruby/lib/impact_conversions
UNIFFI_GEN = target/debug/uniffi-bindgen generate --no-format --library target/debug/libimpact_conversions.so --language ruby
ruby-bindings:
	$(CARGO) build --quiet -p impact-conversions-ffi -p uniffi-bindgen
	$(UNIFFI_GEN) --out-dir $(RUBY_GEN)

ruby-test:
	command -v ruby >/dev/null && ruby -e 'require "ffi"; require "minitest"' 2>/dev/null \
	  || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ruby ruby-ffi ruby-minitest; }
	$(CARGO) build --quiet -p impact-conversions-ffi -p impact-sandbox -p uniffi-bindgen
	rm -rf target/ruby-gen && $(UNIFFI_GEN) --out-dir target/ruby-gen
	@diff -u $(RUBY_GEN)/impact_conversions_native.rb target/ruby-gen/impact_conversions_native.rb \
	  || { echo "$(RUBY_GEN)/impact_conversions_native.rb drifted from the library: run make ruby-bindings and commit"; exit 1; }
	IMPACT_CONVERSIONS_LIB=$(CURDIR)/target/debug/libimpact_conversions.so bash bindings-ffi/tests/with-sandbox.sh ruby -w -Ibindings-ffi/ruby/lib \
	  -e 'Dir["bindings-ffi/ruby/test/test_*.rb"].sort.each { |f| require "./#{f}" }'
