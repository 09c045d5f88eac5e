#!/usr/bin/env bash
# The knowledge base's search by words at scale, through prax's own HTTP API (no embeddings:
# vectors are not built yet, so only the words index is measured):
# 1. ingestion of CHUNKS generated passages (~200 words, one per heading; fixed seed), uploaded
#    two documents at a time: chunks per second (target >= 2000);
# 2. BM25 top-10 of 2-4-word OR queries, one client, QUERIES of them: p50 / p99 over HTTP
#    (target: p99 <= 5 ms for words alone, <= 10 ms for a search through the API);
# 3. CLIENTS clients at once for LOAD_SECONDS: queries per second (target >= 1000);
# 4. reopening: a restarted server's first answer, and its resident memory.
# Beside them, what this machine measured for the engines themselves (see
# ../shared/notes/retrieval-engines.md): SQLite FTS5 OR queries p99 122-139 ms at 100 k chunks,
# tantivy alone 0.88 ms.
#
# Usage: bench/knowledge.sh   (after `make build`)
# Env:   CHUNKS=100000 PER_DOC=100 QUERIES=2000 CLIENTS=8 LOAD_SECONDS=10
set -euo pipefail
cd "$(dirname "$0")/.."

CHUNKS=${CHUNKS:-100000}
PER_DOC=${PER_DOC:-100}
QUERIES=${QUERIES:-2000}
CLIENTS=${CLIENTS:-8}
SECONDS_LOAD=${LOAD_SECONDS:-10}
TARGET=${CARGO_TARGET_DIR:-target}
PRAX=$TARGET/release/prax
export PRAXIMOUS_API_KEYS=bench-admin-key
[ -x "$PRAX" ] || { echo "build first: make build" >&2; exit 1; }
cargo build --release --locked -q -p knowledge-bench
BENCH=$TARGET/release/knowledge-bench

work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

serve() { # -> sets $url and $pid
  : >"$work/out"
  PRAX_LOG=warn "$PRAX" serve --config "$work/praximous.toml" --bind 127.0.0.1:0 --data-dir "$work/data" \
    --env-file "$work/none.env" >"$work/out" 2>"$work/err" &
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
rss_mib() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status"; }

# One passage per heading: a chunk budget above a passage's ~300 tokens keeps each whole.
printf '[audit]\nenabled = false\n[knowledge]\nchunk_tokens = 512\noverlap_tokens = 0\nmax_document_mb = 64\n' \
  >"$work/praximous.toml"

serve
ingest=$("$BENCH" "$url" bench-admin-key ingest "$CHUNKS" "$PER_DOC")
read -r p50 p99 empty < <("$BENCH" "$url" bench-admin-key search "$QUERIES")
qps=$("$BENCH" "$url" bench-admin-key load "$CLIENTS" "$SECONDS_LOAD")
rss=$(rss_mib)
stop
index_mib=$(du -sm "$work/data/knowledge" | cut -f1)
db_mib=$(du -sm "$work/data/praximous.db" | cut -f1)

started=$(date +%s%N)
serve
first=$("$BENCH" "$url" bench-admin-key first)
reopen_ms=$(( ($(date +%s%N) - started) / 1000000 ))
rss_reopened=$(rss_mib)
stop

echo
echo "knowledge, $CHUNKS passages of ~200 words, words index (BM25, tantivy), $(nproc) cores, client on the same machine"
printf '%-44s %10s   %s\n' "measure" "prax" "target / baseline"
printf '%-44s %10s   %s\n' "ingestion (chunks/s, no embeddings)" "$ingest" ">= 2000"
printf '%-44s %10s   %s\n' "search top-10, one client, p50 (ms)" "$p50" ""
printf '%-44s %10s   %s\n' "search top-10, one client, p99 (ms)" "$p99" "<= 5 (words) / <= 10 (API); FTS5 122-139, tantivy alone 0.88"
printf '%-44s %10s   %s\n' "queries that found nothing" "$empty" "of $QUERIES"
printf '%-44s %10s   %s\n' "$CLIENTS clients at once (queries/s)" "$qps" ">= 1000; Chroma server 320-390 (vectors)"
printf '%-44s %10s   %s\n' "reopen: start to first answer (ms)" "$reopen_ms" "<= 2000 (first query alone: ${first} ms)"
printf '%-44s %10s   %s\n' "server memory after the load (MiB)" "$rss" "reopened: $rss_reopened"
printf '%-44s %10s   %s\n' "on disk: index / database (MiB)" "$index_mib / $db_mib" "FTS5 234, tantivy alone 124"
