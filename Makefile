# Praximous: `make run` to build and start the server, `make test` to run every test.
CARGO ?= cargo
# Where cargo builds: CARGO_TARGET_DIR when it is set, as cargo itself honours it.
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
WASM_TARGET := wasm32-wasip2
# Every host build embeds the built-in skills; fail loudly rather than build without them.
export PRAX_REQUIRE_BUILTINS := 1
# ... and the web UI.
export PRAX_REQUIRE_UI := 1

.PHONY: all build run test skills ui ui-test wasm-target authoring-tools test-tools lint fmt bench clean api-types

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

## The web UI (ui/, React + TypeScript + Vite) into ui/dist, which the host embeds.
ui:
	tools/ui.sh build

## The UI's component tests (Vitest) and end-to-end tests (Playwright, Debian's Chromium)
## against the debug `prax`; each runner ends with an "N passed, N failed" line.
ui-test: ui
	tools/ui.sh test

## The HTTP API's OpenAPI document (ui/openapi.json, from `prax openapi`) and the UI's types
## generated from it (ui/src/api/schema.d.ts). Run after changing a route; `make lint` fails
## while either is stale.
api-types: skills ui
	$(CARGO) run --locked -q -p praximous -- openapi > ui/openapi.json.tmp
	mv ui/openapi.json.tmp ui/openapi.json
	tools/ui.sh types

## Real servers and tools the end-to-end tests use (aiosmtpd, Schemathesis) into .tools/.
test-tools:
	tools/test-tools.sh

## Build the release binary at $(TARGET_DIR)/release/prax, with the built-in skills and the UI
## embedded. With nothing changed it does nothing (the UI is rebuilt only from newer sources).
build: skills ui
	$(CARGO) build --release --locked -p praximous

## Build, then serve on 127.0.0.1:8000 with the default configuration and ./data.
run: build
	$(TARGET_DIR)/release/prax serve

## Run every test: unit, golden, and end-to-end against the real binary; the skills' own
## unit tests run natively (their logic is plain Rust; the host tests them as components).
## The end-to-end suite runs twice: on SQLite, then on PostgreSQL (a throwaway cluster from
## tools/postgres.sh; the replica tests use one on both runs). The second pass leaves out the
## suites whose outcome does not depend on the store (they build, sandbox or serve skills and
## never read back what the store keeps): about three minutes of CI.
STORELESS_E2E := authoring builtin_skills container hostile_skills skill_test_cmd web_scraper
STORE_E2E := $(filter-out $(STORELESS_E2E),$(basename $(notdir $(wildcard tests/tests/*.rs))))
## A third pass runs the suites that search by meaning with the vectors in a real Chroma
## server (tools/chroma.sh), less the one that looks at the embedded index's files.
CHROMA_E2E := knowledge_meaning knowledge_recovery
EMBEDDED_ONLY := the_meaning_index_is_saved_reopened_and_rebuilt_when_damaged
test: skills ui authoring-tools test-tools
	$(CARGO) build --locked -p praximous
	tools/postgres.sh run -- $(CARGO) test --locked --workspace
	PRAX_TEST_STORE=postgres tools/postgres.sh run -- $(CARGO) test --locked -p praximous-e2e $(addprefix --test ,$(STORE_E2E))
	tools/postgres.sh run -- tools/chroma.sh run -- $(CARGO) test --locked -p praximous-e2e $(addprefix --test ,$(CHROMA_E2E)) \
		-- --skip $(EMBEDDED_ONLY)
	cd skills-wasm && $(CARGO) test --locked --target-dir target --target $$(rustc -vV | sed -n 's/^host: //p')
	tools/fuzz.sh
	tools/ui.sh test

## Formatting and lints, host, guests and UI (oxlint and the TypeScript type check).
lint: skills ui
	@$(CARGO) run --locked -q -p praximous -- openapi | cmp -s - ui/openapi.json \
		|| { echo "ui/openapi.json is stale: run make api-types" >&2; exit 1; }
	tools/ui.sh lint
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
