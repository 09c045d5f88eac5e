# Praximous: `make run` to build and start the server, `make test` to run every test.
CARGO ?= cargo
WASM_TARGET := wasm32-wasip2
# Every host build embeds the built-in skills; fail loudly rather than build without them.
export PRAX_REQUIRE_BUILTINS := 1

.PHONY: all build run test skills wasm-target authoring-tools test-tools lint fmt bench clean

all: build

## Install the wasm32-wasip2 target if it is missing.
wasm-target:
	@rustup target list --installed 2>/dev/null | grep -qx '$(WASM_TARGET)' \
		|| rustup target add $(WASM_TARGET)

## Build the built-in skills and the test fixtures as WebAssembly components.
skills: wasm-target
	cd skills-wasm && $(CARGO) build --release --locked --target-dir target

## componentize-py and componentize-js into .tools/, for Python and JavaScript skills.
authoring-tools:
	tools/authoring.sh

## Real servers the end-to-end tests talk to (aiosmtpd) into .tools/.
test-tools:
	tools/test-tools.sh

## Build the release binary at target/release/prax, with the built-in skills embedded.
build: skills
	$(CARGO) build --release --locked -p praximous

## Build, then serve on 127.0.0.1:8000 with the default configuration and ./data.
run: build
	./target/release/prax serve

## Run every test: unit, golden, and end-to-end against the real binary; the skills' own
## unit tests run natively (their logic is plain Rust; the host tests them as components).
test: skills authoring-tools test-tools
	$(CARGO) build --locked -p praximous
	$(CARGO) test --locked --workspace
	cd skills-wasm && $(CARGO) test --locked --target-dir target --target $$(rustc -vV | sed -n 's/^host: //p')

## Formatting and lints, host and guests.
lint: skills
	$(CARGO) fmt --all -- --check
	cd skills-wasm && $(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings
	cd skills-wasm && $(CARGO) clippy --locked --target-dir target --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all
	cd skills-wasm && $(CARGO) fmt --all

## Throughput and latency of the echo skill against a native handler; start-up time.
bench: build
	bench/process_echo.sh

clean:
	$(CARGO) clean
	cd skills-wasm && $(CARGO) clean
