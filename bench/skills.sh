#!/usr/bin/env bash
# Per-call latency of every built-in skill and of the Rust, Python and JavaScript examples:
# one connection, calls one after another through POST /api/v1/process, p50 and p99 over
# DURATION of calls each (thousands for most), side by side with echo (the Rust baseline),
# so the cost of each skill and each language is visible. Auditing is off.
#
# Usage: bench/skills.sh   (after `make build`; the examples need tools/authoring.sh)
# Env:   DURATION=4s  ONLY="echo pii_redactor" (measure only these; echo is always the baseline)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-4s}
ONLY=${ONLY:-}
PRAX=$(realpath -m "${CARGO_TARGET_DIR:-target}")/release/prax
export PRAXIMOUS_API_KEYS=bench-admin-key

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
[ -x "$PRAX" ] || { echo "build first: make build" >&2; exit 1; }
tools/authoring.sh
export PATH="$PWD/.tools/python/bin:$PWD/.tools/js/node_modules/.bin:$PATH"
cargo build --release --locked -q -p llm-standin

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

wait_line() { # file -> the URL the server printed
  for _ in $(seq 1 3000); do
    url=$(sed -n 's/^listening on //p' "$1" | head -n1)
    [ -n "$url" ] && { echo "$url"; return 0; }
    sleep 0.1
  done
  echo "server did not start; see $1" >&2; return 1
}

# The examples, built with the release prax, signed by a publisher this run trusts, and placed
# in the data directory.
"$PRAX" publisher keygen --out "$work/publisher" >/dev/null
export PRAXIMOUS_TRUSTED_PUBLISHERS
PRAXIMOUS_TRUSTED_PUBLISHERS=$(cat "$work/publisher/publisher.pub")
for example in rust/word_stats_rust python/word_stats_python javascript/word_stats_js; do
  name=$(basename "$example")
  cp -r "examples/$example" "$work/$name"
  rm -rf "$work/$name/target" "$work/$name/node_modules"
  if [ -f "$work/$name/Cargo.toml" ]; then
    sed -i "s|../../../skills-wasm/sdk|$PWD/skills-wasm/sdk|" "$work/$name/Cargo.toml"
    cp skills-wasm/Cargo.lock "$work/$name/"
  fi
  CARGO_TARGET_DIR=$PWD/target/skill-authoring "$PRAX" skill build "$work/$name" >/dev/null
  "$PRAX" skill sign "$work/$name" --key "$work/publisher/publisher.key" >/dev/null
  mkdir -p "$work/data/skills/$name"
  cp "$work/$name/skill.yaml" "$work/$name/skill.yaml.sig" "$work/$name/skill.wasm" "$work/data/skills/$name/"
done

${CARGO_TARGET_DIR:-target}/release/llm-standin openai >"$work/standin.out" 2>&1 &
pids+=($!)
standin=$(wait_line "$work/standin.out")
cat >"$work/praximous.toml" <<TOML
[audit]
enabled = false

[[providers]]
name = "standin"
type = "openai"
model = "bench-model"
base_url = "$standin"
timeout_ms = 5000
TOML
PRAX_LOG=warn "$PRAX" serve --config "$work/praximous.toml" --bind 127.0.0.1:0 --data-dir "$work/data" \
  >"$work/prax.out" 2>"$work/prax.err" &
pids+=($!)
prax=$(wait_line "$work/prax.out")

to_ms() { # wrk prints 812.00us / 1.23ms / 1.02s
  awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.3f", n }'
}

measure() { # name body -> "calls p50_ms p99_ms"
  printf 'wrk.method = "POST"\nwrk.body = [[%s]]\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["X-API-Key"] = "bench-admin-key"\n' "$2" >"$work/$1.lua"
  status=$(curl -s -o "$work/$1.json" -w '%{http_code}' -H "X-API-Key: $PRAXIMOUS_API_KEYS" \
    -H 'content-type: application/json' -d "$2" "$prax/api/v1/process")
  [ "$status" = 200 ] || { echo "$1 answered $status: $(cat "$work/$1.json")" >&2; exit 1; }
  wrk -t1 -c1 -d1s -s "$work/$1.lua" "$prax/api/v1/process" >/dev/null
  out=$(wrk -t1 -c1 -d"$DURATION" --latency -s "$work/$1.lua" "$prax/api/v1/process")
  if echo "$out" | grep -q "Non-2xx"; then echo "$out" >&2; exit 1; fi
  calls=$(echo "$out" | awk '/requests in/ {print $1}')
  echo "$calls $(to_ms "$(echo "$out" | awk '$1=="50%" {print $2}')") $(to_ms "$(echo "$out" | awk '$1=="99%" {print $2}')")"
}

csv='name,age,score\nAlice,30,9.5\nBob,24,7\nCara,41,8'
text="Mail jane.doe@example.com or call +44 20 7946 0958; card 4111 1111 1111 1111, from 10.0.0.12."
skills=(
  "echo|{\"task_type\":\"echo\",\"prompt\":\"Hello Praximous!\"}"
  "simple_math|{\"task_type\":\"simple_math\",\"prompt\":\"\",\"num1\":10,\"num2\":5,\"operation\":\"multiply\"}"
  "text_manipulation|{\"task_type\":\"text_manipulation\",\"prompt\":\"Sample Text\",\"operation\":\"uppercase\"}"
  "csv_parser|{\"task_type\":\"csv_parser\",\"prompt\":\"$csv\",\"operation\":\"get_column_statistics\"}"
  "datetime_tool|{\"task_type\":\"datetime_tool\",\"prompt\":\"\",\"operation\":\"format_datetime\",\"datetime_str\":\"2024-01-15T14:30:00+02:00\",\"input_timezone\":\"America/New_York\"}"
  "pii_redactor|{\"task_type\":\"pii_redactor\",\"prompt\":\"$text\"}"
  "sentiment_analyzer|{\"task_type\":\"sentiment_analyzer\",\"prompt\":\"The plot was good, but the characters are uncompelling and the dialog is not great.\"}"
  "internal_summary|{\"task_type\":\"internal_summary\",\"prompt\":\"Sales rose 12% while returns fell.\"}"
  "word_stats_rust|{\"task_type\":\"word_stats_rust\",\"prompt\":\"The cat sat. The cat ran!\",\"top\":2}"
  "word_stats_python|{\"task_type\":\"word_stats_python\",\"prompt\":\"The cat sat. The cat ran!\",\"top\":2}"
  "word_stats_js|{\"task_type\":\"word_stats_js\",\"prompt\":\"The cat sat. The cat ran!\",\"top\":2}"
)

echo
echo "POST /api/v1/process, one connection, calls back to back for $DURATION each ($(nproc) cores); baseline: echo"
bench/machine.sh
printf '%-20s %8s %10s %10s %12s\n' "skill" "calls" "p50 ms" "p99 ms" "p50 vs echo"
base=""
for entry in "${skills[@]}"; do
  name=${entry%%|*}
  body=${entry#*|}
  if [ -n "$ONLY" ] && [ "$name" != echo ] && [[ " $ONLY " != *" $name "* ]]; then continue; fi
  read -r calls p50 p99 < <(measure "$name" "$body")
  [ -n "$base" ] || base=$p50
  printf '%-20s %8s %10s %10s %11.1fx\n' "$name" "$calls" "$p50" "$p99" "$(awk -v a="$p50" -v b="$base" 'BEGIN {print a/b}')"
done
echo "(internal_summary includes a round trip to a stand-in OpenAI server on 127.0.0.1)"
