#!/usr/bin/env bash
# The HTTP API under a fuzzer: Schemathesis (installed by tools/test-tools.sh into .tools/fuzz)
# generates requests for every operation of the OpenAPI document a real `prax serve` publishes,
# with an admin key, and checks that no answer is a server error, that every status code,
# content type, header and body is the documented one, that protected operations refuse a
# request without a key, and that requests violating the schema are refused.
# Runs against the debug prax in ${CARGO_TARGET_DIR:-target}; ends with "fuzz: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
ST=$(realpath -m .tools/fuzz/bin/schemathesis)
PRAX=$(realpath -m "${CARGO_TARGET_DIR:-target}/debug/prax")
[ -x "$ST" ] || { echo "fuzz: $ST is missing: run tools/test-tools.sh (make test does)" >&2; exit 1; }
[ -x "$PRAX" ] || { echo "fuzz: build $PRAX first (make test does)" >&2; exit 1; }

work=$(mktemp -d)
key="fuzz-admin-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
cleanup() {
    [ -n "${server:-}" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
(cd "$work" && PRAXIMOUS_API_KEYS="$key" exec "$PRAX" serve --bind 127.0.0.1:0 --data-dir "$work/data") \
    >"$work/stdout" 2>"$work/stderr" &
server=$!
url=
for _ in $(seq 1 600); do
    url=$(sed -n 's/^listening on //p' "$work/stdout" | head -n 1)
    [ -n "$url" ] && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.2
done
[ -n "$url" ] || { echo "fuzz: prax did not start:" >&2; cat "$work/stderr" >&2; exit 1; }

status=0
# From the scratch folder, so that Schemathesis's example database stays out of the checkout.
(cd "$work" && "$ST" run "$url/api/v1/openapi.json" \
    -H "X-API-Key: $key" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,ignored_auth,negative_data_rejection \
    --phases examples,coverage,fuzzing \
    --max-examples "${FUZZ_EXAMPLES:-25}" \
    --generation-deterministic \
    --report junit --report-junit-path "$work/junit.xml" \
    -w 2) || status=$?
python3 - "$work/junit.xml" <<'PY' || status=1
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
tests = sum(int(s.get("tests", 0)) for s in suites)
bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
print(f"fuzz: {tests - bad} passed, {bad} failed")
PY
if grep -q "panicked" "$work/stderr"; then
    echo "fuzz: the server panicked:" >&2
    grep -B2 -A5 panicked "$work/stderr" >&2
    status=1
fi
exit "$status"
