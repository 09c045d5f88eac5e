#!/usr/bin/env bash
# The audit log's cost and the analytics' speed:
# 1. POST /api/v1/process (echo) throughput with auditing on (the default journal, and
#    `durability = "power_loss"`'s group commit) and off (target: the default >= 80% of off);
# 2. every aggregate and the records list on a generated database of COUNT records
#    (target: each answers in under 200 ms).
#
# Usage: bench/audit.sh   (after `make build`; wrk from Debian is installed if missing)
# Env:   DURATION=8s CONNECTIONS=32 COUNT=1000000 DAYS=60 RUNS=5
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-8s}
CONNECTIONS=${CONNECTIONS:-32}
COUNT=${COUNT:-1000000}
DAYS=${DAYS:-60}
RUNS=${RUNS:-5}
PRAX=${CARGO_TARGET_DIR:-target}/release/prax
# Every API call needs a key; the servers started here accept this one.
export PRAXIMOUS_API_KEYS=bench-admin-key
if ! command -v wrk >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
[ -x "$PRAX" ] || { echo "build first: make build" >&2; exit 1; }
cargo build --release --locked -q -p audit-gen

work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

serve() { # config data_dir -> sets $url and $pid (runs in this shell, not a subshell)
  : >"$work/out"
  PRAX_LOG=warn "$PRAX" serve --config "$1" --bind 127.0.0.1:0 --data-dir "$2" --env-file "$work/none.env" \
    >"$work/out" 2>"$work/err" &
  pid=$!
  url=""
  for _ in $(seq 1 3000); do
    url=$(sed -n 's/^listening on //p' "$work/out" | head -n1)
    [ -n "$url" ] && return 0
    sleep 0.01
  done
  cat "$work/err" >&2; return 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"task_type":"echo","prompt":"Hello Praximous!"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "bench-admin-key"
LUA
rps() {
  wrk -t2 -c"$CONNECTIONS" -d2s -s "$work/post.lua" "$1/api/v1/process" >/dev/null
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s "$work/post.lua" "$1/api/v1/process" | awk '/Requests\/sec/ {print $2}'
}

printf '[identity]\nsensitivity_level = "Low"\n[audit]\nenabled = true\n' >"$work/on.toml"
printf '[identity]\nsensitivity_level = "Low"\n[audit]\nenabled = false\n' >"$work/off.toml"
serve "$work/on.toml" "$work/d-on"; on=$(rps "$url"); stop
serve "$work/off.toml" "$work/d-off"; off=$(rps "$url"); stop
printf '[identity]\nsensitivity_level = "Low"\n[audit]\nenabled = true\ndurability = "power_loss"\n' >"$work/power.toml"
serve "$work/power.toml" "$work/d-power"; power=$(rps "$url"); stop
echo
echo "POST /api/v1/process (echo), $CONNECTIONS connections, $DURATION, $(nproc) cores, wrk on the same machine"
bench/machine.sh
printf '%-26s %12.0f req/s\n' "audit on (default: journal)" "$on"
printf '%-26s %12.0f req/s\n' "audit on (power_loss)" "$power"
printf '%-26s %12.0f req/s\n' "audit off" "$off"
awk -v a="$on" -v b="$off" 'BEGIN { r=a/b; printf "on / off: %.2f (target >= 0.80: %s)\n", r, (r >= 0.8 ? "met" : "NOT met") }'

echo
${CARGO_TARGET_DIR:-target}/release/audit-gen "$work/d-gen" "$COUNT" "$DAYS"
printf '[audit]\nretention_days = 3650\nrollup_retention_days = 3650\n' >"$work/gen.toml"
serve "$work/gen.toml" "$work/d-gen"
echo "analytics on $COUNT records over $DAYS days: median of $RUNS runs (ms), target < 200"
for path in \
  "/api/v1/analytics/tasks-over-time?granularity=day" \
  "/api/v1/analytics/tasks-over-time?granularity=month" \
  "/api/v1/analytics/requests-per-provider" \
  "/api/v1/analytics/average-latency-per-provider" \
  "/api/v1/analytics/latency-per-provider" \
  "/api/v1/analytics/summary" \
  "/api/v1/analytics?limit=50" \
  "/api/v1/analytics?limit=50&task_type=echo" \
  "/api/v1/analytics?limit=50&offset=500000&provider=ollama_default" ; do
  times=()
  for _ in $(seq 1 "$RUNS"); do
    times+=("$(curl -s -o /dev/null -H "X-API-Key: $PRAXIMOUS_API_KEYS" -w '%{time_total}' "$url$path")")
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]*1000}')
  printf '  %-70s %8s ms\n' "$path" "$median"
done
stop
