#!/usr/bin/env bash
# Audited throughput on each store, in one run: POST /api/v1/process (echo, audit on) with
#   1. SQLite (the default, one replica),
#   2. PostgreSQL with one replica,
#   3. PostgreSQL with one replica behind nginx (the balancer's own cost), and with two
#      replicas behind it (round-robin) -- on one machine the replicas share its cores, so
#      this shows what the second replica costs, not what a second machine would add,
# each the median of RUNS runs of wrk: requests/s and p99. Targets: PostgreSQL with one
# replica keeps >= 70% of SQLite's throughput, and the audit writer is not the bottleneck
# (its commits are batched: the records per commit are printed).
# PostgreSQL is a throwaway cluster (tools/postgres.sh --durable: fsync and synchronous
# commit on, as an operator runs it), on this same machine.
#
# Usage: bench/replicas.sh   (after `make build`; wrk and nginx from Debian, installed if missing)
# Env:   DURATION=8s CONNECTIONS=32 RUNS=3
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-8s}
CONNECTIONS=${CONNECTIONS:-32}
RUNS=${RUNS:-3}
PRAX=$(realpath -m "${CARGO_TARGET_DIR:-target}/release/prax")
export PRAXIMOUS_API_KEYS=bench-admin-key
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ -x "$PRAX" ] || { echo "build first: make build" >&2; exit 1; }

if [ -z "${PRAX_TEST_POSTGRES_URL:-}" ]; then
  exec tools/postgres.sh run --durable -- "$0" "$@"
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

serve() { # name store_url -> prints the replica's URL
  local name=$1 store=$2
  PRAX_LOG=warn PRAXIMOUS_STORE_URL="$store" "$PRAX" serve --config "$work/bench.toml" --bind 127.0.0.1:0 \
    --data-dir "$work/$name" --env-file "$work/none.env" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  for _ in $(seq 1 3000); do
    url=$(sed -n 's/^listening on //p' "$work/$name.out" | head -n1)
    [ -n "$url" ] && { echo "$url"; return 0; }
    sleep 0.01
  done
  cat "$work/$name.err" >&2; return 1
}
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; pids=(); }

database() { # a fresh database on the cluster -> its URL
  local name="bench_$1_$$"
  psql -q "$PRAX_TEST_POSTGRES_URL/postgres" -c "CREATE DATABASE $name" >/dev/null
  echo "$PRAX_TEST_POSTGRES_URL/$name"
}

balance() { # url... -> the balancer's URL
  local port servers=""
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  for u in "$@"; do servers="$servers server ${u#http://};"; done
  cat >"$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/body; proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fcgi; uwsgi_temp_path $work/uwsgi; scgi_temp_path $work/scgi;
  upstream prax { $servers keepalive 64; }
  server { listen 127.0.0.1:$port;
    location / { proxy_pass http://prax; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
CONF
  /usr/sbin/nginx -c "$work/nginx.conf" -p "$work"
  for _ in $(seq 1 500); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && { echo "http://127.0.0.1:$port"; return 0; }
    sleep 0.01
  done
  cat "$work/nginx.err" >&2; return 1
}

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"task_type":"echo","prompt":"Hello Praximous!"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "bench-admin-key"
LUA
measure() { # url -> "req/s p99_ms", the median run by throughput
  wrk -t2 -c"$CONNECTIONS" -d2s -s "$work/post.lua" "$1/api/v1/process" >/dev/null
  for _ in $(seq 1 "$RUNS"); do
    wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/post.lua" "$1/api/v1/process" | awk '
      /Requests\/sec/ { rps=$2 }
      / 99%/ { v=$2; if (v ~ /us$/) { sub(/us$/,"",v); v=v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v=v*1000 }; p99=v }
      END { printf "%s %s\n", rps, p99 }'
  done | sort -n | awk -v n="$RUNS" 'NR == int((n + 1) / 2)'
}
records_per_commit() { # store_url -> audit records per transaction during the runs
  psql -qtA "$1" -c "SELECT round(n_tup_ins::numeric / greatest(xact_commit, 1), 1) FROM pg_stat_user_tables, pg_stat_database WHERE relname = 'audit_records' AND datname = current_database()"
}

printf '[identity]\nsensitivity_level = "Low"\n[audit]\nenabled = true\n' >"$work/bench.toml"
: >"$work/none.env"

sqlite=$(serve sqlite "sqlite:$work/sqlite/praximous.db"); read -r s_rps s_p99 < <(measure "$sqlite"); stop_all
one_db=$(database one)
one=$(serve pg-one "$one_db"); read -r o_rps o_p99 < <(measure "$one")
o_batch=$(records_per_commit "$one_db")
# The balancer's own cost, apart from splitting the load.
lb=$(balance "$one"); read -r l_rps l_p99 < <(measure "$lb"); stop_all
kill "$(cat "$work/nginx.pid")"; sleep 0.5
two_db=$(database two)
a=$(serve pg-a "$two_db"); b=$(serve pg-b "$two_db"); lb=$(balance "$a" "$b")
read -r t_rps t_p99 < <(measure "$lb")

echo
echo "POST /api/v1/process (echo, audit on), $CONNECTIONS connections, $DURATION x $RUNS (median), $(nproc) cores;"
bench/machine.sh
echo "wrk, PostgreSQL (fsync on) and nginx on the same machine"
printf '%-40s %10s %10s\n' "store" "req/s" "p99 ms"
printf '%-40s %10.0f %10.2f\n' "SQLite, one replica" "$s_rps" "$s_p99"
printf '%-40s %10.0f %10.2f\n' "PostgreSQL, one replica" "$o_rps" "$o_p99"
printf '%-40s %10.0f %10.2f\n' "PostgreSQL, one replica behind nginx" "$l_rps" "$l_p99"
printf '%-40s %10.0f %10.2f\n' "PostgreSQL, two replicas behind nginx" "$t_rps" "$t_p99"
awk -v a="$o_rps" -v b="$s_rps" 'BEGIN { r=a/b; printf "PostgreSQL / SQLite: %.2f (target >= 0.70: %s)\n", r, (r >= 0.7 ? "met" : "NOT met") }'
echo "audit records per PostgreSQL commit (one replica): $o_batch (group commit: > 1 means requests share commits)"

# What else each replica asks of PostgreSQL (docs/scaling.md): the rate-limit check of a
# limited key (one statement per request), and the keys' reload (on each change, and every
# [auth] key_refresh_ms) with 1,000 keys; pgbench, one client, 5 s each.
psql -q "$one_db" -c "INSERT INTO api_keys (id, name, role, prefix, hash, created_at)
  SELECT 'key_' || n, 'bench ' || n, 'user', 'prax_' || n, md5(n::text) || md5((n + 1)::text), '2026-01-01T00:00:00Z'
  FROM generate_series(1, 1000) AS n" >/dev/null
cat >"$work/take.sql" <<'SQL'
\set key random(1, 100)
WITH now AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS us)
INSERT INTO key_rate_limits AS k (key_id, theoretical_arrival_us) SELECT 'k' || :key, now.us + 1000 FROM now
ON CONFLICT (key_id) DO UPDATE SET theoretical_arrival_us = GREATEST(k.theoretical_arrival_us, (SELECT us FROM now)) + 1000
WHERE GREATEST(k.theoretical_arrival_us, (SELECT us FROM now)) + 1000 - (SELECT us FROM now) <= 60000000 RETURNING 0;
SQL
echo "SELECT id, name, role, prefix, hash, created_at, expires_at, revoked_at, rate_limit_per_minute, scope FROM api_keys ORDER BY created_at, id;" >"$work/reload.sql"
latency() { pgbench -n -f "$1" -T 5 -c 1 "$one_db" 2>/dev/null | awk '/latency average/ {print $4}'; }
printf '%-40s %10s ms\n' "rate-limit check (one statement)" "$(latency "$work/take.sql")"
printf '%-40s %10s ms\n' "key reload, 1,000 keys" "$(latency "$work/reload.sql")"
