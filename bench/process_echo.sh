#!/usr/bin/env bash
# Load POST /api/v1/process with the echo skill (Wasm) and, in the same run, a native Rust
# handler doing the same work; print requests/s, p50 and p99 of both and their ratio.
# Then time process start to /healthz answering, with a warm compiled-skill cache.
# Auditing is off (bench/audit.sh measures its cost), so both sides do the same work; prax
# still authenticates each request's key, which the native baseline does not.
#
# Usage: bench/process_echo.sh   (after `make build`; uses wrk from Debian, installed if missing)
# Env:   DURATION=8s CONNECTIONS=32 THREADS=2 STARTS=10
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-8s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
STARTS=${STARTS:-10}
PRAX=${CARGO_TARGET_DIR:-target}/release/prax
# Every API call needs a key; the servers started here accept this one.
export PRAXIMOUS_API_KEYS=bench-admin-key
NATIVE=${CARGO_TARGET_DIR:-target}/release/native-echo

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
[ -x "$PRAX" ] || { echo "build first: make build" >&2; exit 1; }
cargo build --release --locked -q -p native-echo

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

wait_listening() { # file -> prints the URL once the server says it listens
  for _ in $(seq 1 500); do
    url=$(sed -n 's/^listening on //p' "$1" | head -n1)
    [ -n "$url" ] && { echo "$url"; return 0; }
    sleep 0.01
  done
  echo "server did not start; see $1" >&2; return 1
}

printf '[audit]\nenabled = false\n' >"$work/bench.toml"
PRAX_LOG=warn "$PRAX" serve --config "$work/bench.toml" --bind 127.0.0.1:0 --data-dir "$work/data" >"$work/prax.out" 2>"$work/prax.err" &
pids+=($!)
"$NATIVE" 127.0.0.1:0 >"$work/native.out" 2>&1 &
pids+=($!)
prax_url=$(wait_listening "$work/prax.out")
native_url=$(wait_listening "$work/native.out")

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"task_type":"echo","prompt":"Hello Praximous!"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "bench-admin-key"
LUA

run_wrk() { # url -> "rps p50_ms p99_ms"
  curl -sf -o /dev/null -H "X-API-Key: $PRAXIMOUS_API_KEYS" -X POST -H 'content-type: application/json' \
    -d '{"task_type":"echo","prompt":"warm-up"}' "$1/api/v1/process"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s "$work/post.lua" "$1/api/v1/process" >/dev/null # warm-up
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/post.lua" "$1/api/v1/process")
  if echo "$out" | grep -q "Non-2xx"; then echo "$out" >&2; echo "non-2xx answers: benchmark invalid" >&2; exit 1; fi
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  echo "$rps $(to_ms "$p50") $(to_ms "$p99")"
}
to_ms() { # wrk prints 812.00us / 1.23ms / 1.02s
  awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.3f", n }'
}

read -r w_rps w_p50 w_p99 < <(run_wrk "$prax_url")
read -r n_rps n_p50 n_p99 < <(run_wrk "$native_url")

echo
echo "POST /api/v1/process, echo, $CONNECTIONS connections, $DURATION, wrk -t$THREADS ($(nproc) cores, load generator on the same machine)"
bench/machine.sh
printf '%-22s %12s %10s %10s\n' "" "requests/s" "p50 ms" "p99 ms"
printf '%-22s %12.0f %10s %10s\n' "prax (Wasm skill)" "$w_rps" "$w_p50" "$w_p99"
printf '%-22s %12.0f %10s %10s\n' "native Rust handler" "$n_rps" "$n_p50" "$n_p99"
awk -v w="$w_rps" -v n="$n_rps" -v p="$w_p99" 'BEGIN {
  r = w / n; printf "ratio Wasm/native throughput: %.2f (target >= 0.50: %s)\n", r, (r >= 0.5 ? "met" : "NOT met");
  printf "Wasm p99: %s ms (target < 5 ms: %s)\n", p, (p < 5 ? "met" : "NOT met") }'

# Start-up: process start to /healthz 200, warm cache (the data dir above holds it now).
kill "${pids[0]}" && wait "${pids[0]}" 2>/dev/null || true
times=()
for _ in $(seq 1 "$STARTS"); do
  t0=$(date +%s%N)
  PRAX_LOG=warn "$PRAX" serve --config "$work/bench.toml" --bind 127.0.0.1:0 --data-dir "$work/data" >"$work/s.out" 2>"$work/s.err" &
  pid=$!
  url=""
  until [ -n "$url" ] && curl -sf -o /dev/null "$url/healthz"; do
    url=$(sed -n 's/^listening on //p' "$work/s.out" | head -n1); sleep 0.002
  done
  t1=$(date +%s%N)
  times+=($(( (t1 - t0) / 1000000 )))
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "start to /healthz 200, warm cache, $STARTS runs (ms): $sorted-> median $median ms (target < 500 ms)"
