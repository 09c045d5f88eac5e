#!/usr/bin/env bash
# The web UI's build, lint and tests (ui/):
#   tools/ui.sh build   npm ci when node_modules is missing or stale, then tsc + vite into ui/dist
#                       (nothing when no source is newer than ui/dist)
#   tools/ui.sh types   src/api/schema.d.ts, the API's types, generated from ui/openapi.json
#   tools/ui.sh types-check  fails when the committed src/api/schema.d.ts is not what
#                       ui/openapi.json generates (run `make api-types`)
#   tools/ui.sh lint    types-check, oxlint and the TypeScript type check
#   tools/ui.sh test    Vitest, then Playwright with Debian's Chromium (installed with apt when
#                       missing; never a downloaded browser) against the debug prax
#                       ($CARGO_TARGET_DIR/debug/prax, target/ by default)
# Each test runner ends with an "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/../ui"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

install() {
    # package-lock.json is the source of truth; reinstall when it is newer than node_modules.
    if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        echo "ui: npm ci"
        npm ci --no-audit --no-fund --loglevel=error
    fi
    # typescript5 (TypeScript 5.9 for the API types generator alone) has a `tsc` too; `npm ci`
    # links TypeScript 7's, but an incremental `npm install` can leave typescript5's in its place.
    if [ "$(readlink node_modules/.bin/tsc)" != ../typescript/bin/tsc ]; then
        echo "ui: node_modules/.bin/tsc pointed at $(readlink node_modules/.bin/tsc); linking TypeScript 7's"
        ln -sfn ../typescript/bin/tsc node_modules/.bin/tsc
    fi
}

# The generator is scripts/api-types.mjs (openapi-typescript through its Node API: see there why).
types_check() {
    local fresh status=0
    fresh=$(mktemp --suffix=.d.ts)
    node scripts/api-types.mjs "$fresh" 2>"$fresh.log" || status=$?
    if [ "$status" != 0 ]; then
        cat "$fresh.log" >&2
        rm -f "$fresh" "$fresh.log"
        echo "ui: could not generate the API types from ui/openapi.json" >&2
        exit 1
    fi
    rm -f "$fresh.log"
    if ! cmp -s "$fresh" src/api/schema.d.ts; then
        diff -u src/api/schema.d.ts "$fresh" | head -n 40 >&2 || true
        rm -f "$fresh"
        echo "ui: src/api/schema.d.ts differs from what ui/openapi.json generates: run \`make api-types\` and commit the result" >&2
        exit 1
    fi
    rm -f "$fresh"
    echo "ui: src/api/schema.d.ts matches ui/openapi.json"
}

chromium_path() {
    for candidate in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
        if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; return; fi
    done
}

case "${1:-build}" in
build)
    install
    # Nothing newer than the last build: keep ui/dist as it is (a rebuild rewrites every file,
    # which makes cargo recompile and relink prax, since it embeds them).
    if [ -f dist/index.html ] && [ -z "$(find src public index.html package.json package-lock.json \
            vite.config.* tsconfig*.json -newer dist/index.html -print -quit 2>/dev/null)" ]; then
        echo "ui: dist is up to date"
        exit 0
    fi
    npm run --silent build
    ;;
types)
    install
    node scripts/api-types.mjs src/api/schema.d.ts
    ;;
types-check)
    install
    types_check
    ;;
lint)
    install
    types_check
    npm run --silent lint
    npm run --silent typecheck
    ;;
test)
    install
    mkdir -p reports
    status=0
    npx vitest run --reporter=default --reporter=json --outputFile=reports/vitest.json || status=$?
    node -e 'const r=require("./reports/vitest.json"); console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed`)' || status=1
    [ "$status" = 0 ] || exit "$status"

    if [ -z "$(chromium_path)" ]; then
        echo "ui: installing Debian's chromium (apt) for the end-to-end tests"
        if [ "$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
    fi
    CHROMIUM_PATH=$(chromium_path)
    export CHROMIUM_PATH
    PRAX_BIN=$(cd .. && realpath -m "${CARGO_TARGET_DIR:-target}/debug/prax")
    export PRAX_BIN
    [ -x "$PRAX_BIN" ] || { echo "ui: build $PRAX_BIN first (make test does)" >&2; exit 1; }
    PLAYWRIGHT_JSON_OUTPUT_NAME=reports/playwright.json npx playwright test --reporter=list,json || status=$?
    node -e 'const s=require("./reports/playwright.json").stats; console.log(`playwright: ${s.expected+s.flaky} passed, ${s.unexpected} failed`)' || status=1
    exit "$status"
    ;;
*)
    echo "usage: tools/ui.sh build|types|types-check|lint|test" >&2
    exit 2
    ;;
esac
