#!/usr/bin/env bash
# The LLM router's added latency: POST /api/v1/process on an LLM route, and the same route as
# a model of prax's OpenAI-compatible POST /v1/chat/completions, against calling the same
# stand-in provider (OpenAI wire protocol, answering instantly) directly.
# Prints p50/p99 at one connection and throughput at 32, side by side, and their difference.
# If litellm[proxy] installs from PyPI (tried unless LITELLM=0), it runs against the same
# stand-in too. Auditing is off here (bench/audit.sh measures it): this isolates the router.
#
# Usage: bench/llm_router.sh   (after `make build`; wrk from Debian is installed if missing)
# Env:   DURATION=8s LITELLM=1 LITELLM_VENV=bench/.venv-litellm
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-8s}
PRAX=${CARGO_TARGET_DIR:-target}/release/prax
# Every API call needs a key; the servers started here accept this one.
export PRAXIMOUS_API_KEYS=bench-admin-key
if ! command -v wrk >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
[ -x "$PRAX" ] || { echo "build first: make build" >&2; exit 1; }
cargo build --release --locked -q -p llm-standin

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
wait_line() { # file -> the URL after "listening on "
  for _ in $(seq 1 3000); do
    url=$(sed -n 's/^listening on //p' "$1" | head -n1)
    [ -n "$url" ] && { echo "$url"; return 0; }
    sleep 0.01
  done
  echo "no 'listening on' in $1" >&2; cat "$1" >&2; return 1
}

${CARGO_TARGET_DIR:-target}/release/llm-standin openai >"$work/standin.out" 2>&1 &
pids+=($!)
standin=$(wait_line "$work/standin.out")    # http://127.0.0.1:PORT/v1

cat >"$work/praximous.toml" <<TOML
[audit]
enabled = false

[routing.rules]
bench_route = ["standin"]

[[providers]]
name = "standin"
type = "openai"
model = "bench-model"
base_url = "$standin"
timeout_ms = 5000
TOML
PRAX_LOG=warn "$PRAX" serve --config "$work/praximous.toml" --bind 127.0.0.1:0 --data-dir "$work/data" \
  --env-file "$work/none.env" >"$work/prax.out" 2>"$work/prax.err" &
pids+=($!)
prax=$(wait_line "$work/prax.out")

cat >"$work/direct.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"model":"bench-model","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Hello!"}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "bench-admin-key"
LUA
cat >"$work/prax.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"task_type":"bench_route","prompt":"Hello!"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "bench-admin-key"
LUA

cat >"$work/openai.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"model":"bench_route","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Hello!"}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench-admin-key"
LUA

to_us() { awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n=n; else if (v ~ /ms$/) n*=1000; else if (v ~ /s$/) n*=1000000; printf "%.0f", n }'; }
measure() { # url script connections -> "rps p50_us p99_us"
  wrk -t1 -c"$3" -d2s -s "$2" "$1" >/dev/null
  local out
  out=$(wrk -t$(( $3 > 1 ? 2 : 1 )) -c"$3" -d"$DURATION" --latency -s "$2" "$1")
  if echo "$out" | grep -q "Non-2xx"; then echo "$out" >&2; echo "non-2xx answers: benchmark invalid" >&2; exit 1; fi
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(to_us "$(echo "$out" | awk '$1=="50%" {print $2}')") $(to_us "$(echo "$out" | awk '$1=="99%" {print $2}')")"
}

read -r d1_rps d1_p50 d1_p99 < <(measure "$standin/chat/completions" "$work/direct.lua" 1)
read -r r1_rps r1_p50 r1_p99 < <(measure "$prax/api/v1/process" "$work/prax.lua" 1)
read -r d32_rps _ _ < <(measure "$standin/chat/completions" "$work/direct.lua" 32)
read -r r32_rps _ _ < <(measure "$prax/api/v1/process" "$work/prax.lua" 32)
read -r o1_rps o1_p50 o1_p99 < <(measure "$prax/v1/chat/completions" "$work/openai.lua" 1)
read -r o32_rps _ _ < <(measure "$prax/v1/chat/completions" "$work/openai.lua" 32)

echo
echo "LLM route vs the stand-in provider called directly ($(nproc) cores, wrk on the same machine, $DURATION each)"
bench/machine.sh
printf '%-26s %12s %12s %16s\n' "" "p50 (1 conn)" "p99 (1 conn)" "req/s (32 conn)"
printf '%-26s %10s us %10s us %16.0f\n' "stand-in, direct" "$d1_p50" "$d1_p99" "$d32_rps"
printf '%-26s %10s us %10s us %16.0f\n' "through prax's router" "$r1_p50" "$r1_p99" "$r32_rps"
printf '%-26s %10s us %10s us %16.0f\n' "prax /v1/chat/completions" "$o1_p50" "$o1_p99" "$o32_rps"
awk -v a="$d1_p50" -v b="$r1_p50" -v c="$d1_p99" -v d="$r1_p99" 'BEGIN {
  printf "added by prax: p50 %d us, p99 %d us (target: p99 added <= 150 us: %s)\n", b-a, d-c, (d-c <= 150 ? "met" : "NOT met") }'
awk -v c="$d1_p99" -v d="$o1_p99" 'BEGIN {
  printf "added by /v1/chat/completions: p99 %d us (target <= 200 us: %s)\n", d-c, (d-c <= 200 ? "met" : "NOT met") }'

if [ "${LITELLM:-1}" = 1 ]; then
  venv=${LITELLM_VENV:-bench/.venv-litellm}
  if [ -x "$venv/bin/litellm" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q 'litellm[proxy]' >/dev/null 2>&1; }; then
    cat >"$work/litellm.yaml" <<YAML
model_list:
  - model_name: bench-model
    litellm_params: { model: openai/bench-model, api_base: "$standin", api_key: "none" }
YAML
    LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_DANGEROUSLY_PERMIT_WEAK_OR_UNSET_MASTER_KEY=true \
      "$venv/bin/litellm" --config "$work/litellm.yaml" --host 127.0.0.1 --port 18600 >"$work/litellm.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 600); do curl -sf -o /dev/null http://127.0.0.1:18600/health/liveliness && break; sleep 0.1; done
    read -r l1_rps l1_p50 l1_p99 < <(measure "http://127.0.0.1:18600/v1/chat/completions" "$work/direct.lua" 1)
    read -r l32_rps _ _ < <(measure "http://127.0.0.1:18600/v1/chat/completions" "$work/direct.lua" 32)
    printf '%-26s %10s us %10s us %16.0f\n' "through litellm proxy" "$l1_p50" "$l1_p99" "$l32_rps"
    awk -v p="$r32_rps" -v l="$l32_rps" 'BEGIN { printf "prax / litellm throughput at 32 connections: %.1fx\n", p/l }'
    awk -v p="$o32_rps" -v l="$l32_rps" 'BEGIN { printf "prax /v1/chat/completions / litellm throughput at 32 connections: %.1fx (target >= 50x)\n", p/l }'
  else
    echo "litellm[proxy] did not install from PyPI here; skipped"
  fi
fi
