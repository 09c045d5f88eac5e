#!/usr/bin/env bash
# The knowledge base at scale, through prax's own code, beside Chroma on the same vectors:
# CHUNKS generated passages of ~200 words (fixed seed), each with a DIM-dimension vector
# (clustered, anisotropic, normalised, as text embeddings are) served by a stand-in embedding
# provider that speaks OpenAI's /v1/embeddings over HTTP.
# 1. ingestion over HTTP, embeddings included (two documents per upload): chunks per second;
# 2. the meaning index built from the stored rows at start, embeddings excluded: chunks/s;
# 3. top-10 by words (BM25, 2-4-word OR queries), by meaning and hybrid, one client through
#    POST .../search: p50 / p99 with recall@10 against exact search; the embedding call alone
#    is reported apart;
# 4. the meaning index alone, in-process (the product's code on the server's saved files):
#    p50 / p99, recall@10, memory over the raw f32 vectors;
# 5. CLIENTS clients at once, hybrid: queries per second;
# 6. reopening: a restarted server's first hybrid answer;
# 7. Chroma (PyPI chromadb, in-process) on the same vectors: build, p50 / p99, recall, memory,
#    CLIENTS threads at once. Skipped with CHROMA=0.
#
# Usage: bench/knowledge.sh   (after `make build`)
# Env:   CHUNKS=100000 PER_DOC=100 DIM=768 QUERIES=1000 CHECKED=200 CLIENTS=8 LOAD_SECONDS=10
#        EF=64 (hnsw_expansion_search) PRECISION=f16 (vector_precision) CHROMA=1 CHROMA_EF=100
set -euo pipefail
cd "$(dirname "$0")/.."

CHUNKS=${CHUNKS:-100000}
PER_DOC=${PER_DOC:-100}
DIM=${DIM:-768}
QUERIES=${QUERIES:-1000}
CHECKED=${CHECKED:-200}
CLIENTS=${CLIENTS:-8}
SECONDS_LOAD=${LOAD_SECONDS:-10}
EF=${EF:-64}
PRECISION=${PRECISION:-f16}
CHROMA=${CHROMA:-1}
CHROMA_EF=${CHROMA_EF:-100}
CHROMA_VERSION=1.5.9
TARGET=${CARGO_TARGET_DIR:-target}
PRAX=$TARGET/release/prax
export PRAXIMOUS_API_KEYS=bench-admin-key
[ -x "$PRAX" ] || { echo "build first: make build" >&2; exit 1; }
cargo build --release --locked -q -p knowledge-bench
BENCH=$TARGET/release/knowledge-bench
KEY=bench-admin-key

work=$(mktemp -d)
pid=""
embedder=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  [ -n "$embedder" ] && kill "$embedder" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$BENCH" embedder "$work/embedder.url" "$DIM" &
embedder=$!
for _ in $(seq 1 500); do [ -s "$work/embedder.url" ] && break; sleep 0.01; done
embedder_url=$(cat "$work/embedder.url")

serve() { # -> sets $url and $pid
  : >"$work/out"
  PRAX_LOG=warn,praximous::knowledge=info "$PRAX" serve --config "$work/praximous.toml" \
    --bind 127.0.0.1:0 --data-dir "$work/data" --env-file "$work/none.env" >"$work/out" 2>"$work/err" &
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
saved() { ls "$work"/data/knowledge/*/vectors/CURRENT >/dev/null 2>&1; }

# One passage per heading: a chunk budget above a passage's ~300 tokens keeps each whole.
cat >"$work/praximous.toml" <<TOML
[audit]
enabled = false
[knowledge]
chunk_tokens = 512
overlap_tokens = 0
max_document_mb = 64
embedding_route = "embed"
embed_batch = 128
hnsw_expansion_search = $EF
vector_precision = "$PRECISION"
[routing.rules]
embed = ["vectors"]
[[providers]]
name = "vectors"
type = "openai"
model = "unused"
base_url = "$embedder_url"
embedding_model = "bench-embed"
TOML

serve
ingest=$("$BENCH" ingest "$url" $KEY "$CHUNKS" "$PER_DOC")
first_position=$("$BENCH" layout "$url" $KEY)
read -r l50 l99 lempty _ < <("$BENCH" search "$url" $KEY lexical "$QUERIES" 0 "$DIM" "$CHUNKS")
read -r v50 v99 _ vrecall < <("$BENCH" search "$url" $KEY vector "$QUERIES" "$CHECKED" "$DIM" "$CHUNKS")
read -r h50 h99 _ hrecall < <("$BENCH" search "$url" $KEY hybrid "$QUERIES" "$CHECKED" "$DIM" "$CHUNKS")
read -r e50 e99 < <("$BENCH" embedcall "$embedder_url" "$QUERIES")
qps=$("$BENCH" load "$url" $KEY hybrid "$CLIENTS" "$SECONDS_LOAD")
for _ in $(seq 1 600); do saved && break; sleep 0.1; done
rss=$(rss_mib)
stop
read -r open_ms i50 i99 irecall memory < <("$BENCH" inproc "$work/data" bench-embed "$DIM" "$EF" \
  "$QUERIES" "$CHECKED" "$CHUNKS" "$PER_DOC" "$first_position" "$PRECISION")
read -r inproc_rate _ < <("$BENCH" build "$DIM" "$CHUNKS" "$PER_DOC" 128 "$EF" "$PRECISION" 10 0)
index_mib=$(du -sm "$work/data/knowledge" | cut -f1)
db_mib=$(du -sm "$work/data/praximous.db" | cut -f1)

# The meaning index built from the rows: what a replica or a restore does, no embedding calls.
rm -rf "$work"/data/knowledge/*/vectors
serve
"$BENCH" first "$url" $KEY vector >/dev/null
build_ms=$(sed 's/\x1b\[[0-9;]*m//g' "$work/err" | sed -n 's/.*meaning index built from the store.* ms=\([0-9]*\).*/\1/p' | tail -n1)
build_rate=$(awk -v c="$CHUNKS" -v ms="$build_ms" 'BEGIN { if (ms > 0) printf "%.0f (%d ms)", c / (ms / 1000), ms; else print "under 1 ms" }')
for _ in $(seq 1 600); do saved && break; sleep 0.1; done
stop

started=$(date +%s%N)
serve
first=$("$BENCH" first "$url" $KEY vector)
reopen_ms=$(( ($(date +%s%N) - started) / 1000000 ))
rss_reopened=$(rss_mib)
stop

chroma="skipped (CHROMA=0)"
if [ "$CHROMA" = 1 ]; then
  if ! .tools/chroma/bin/python -c "import chromadb, sys; sys.exit(chromadb.__version__ != '$CHROMA_VERSION')" 2>/dev/null; then
    echo "installing chromadb $CHROMA_VERSION into .tools/chroma" >&2
    python3 -m venv .tools/chroma
    .tools/chroma/bin/pip install --quiet --disable-pip-version-check "chromadb==$CHROMA_VERSION"
  fi
  "$BENCH" dump "$work" "$CHUNKS" "$DIM" "$QUERIES" "$CHECKED"
  read -r c_build c50 c99 crecall cmemory cqps < <(.tools/chroma/bin/python bench/knowledge_chroma.py \
    "$work" "$DIM" "$QUERIES" "$CHECKED" "$CHROMA_EF" "$CLIENTS" "$SECONDS_LOAD")
  c_rate=$(awk -v c="$CHUNKS" -v s="$c_build" 'BEGIN { printf "%.0f", c / s }')
  chroma="done"
fi

echo
echo "knowledge, $CHUNKS passages of ~200 words, $DIM-dimension vectors ($PRECISION), ef $EF, $(nproc) cores, client on the same machine"
bench/machine.sh
row() { printf '%-46s %12s   %-22s %s\n' "$@"; }
row "measure" "prax" "target" "Chroma $CHROMA_VERSION (ef $CHROMA_EF), same vectors"
row "ingestion over HTTP, embeddings incl. (chunks/s)" "$ingest" "" ""
row "index build from rows, no embeddings (chunks/s)" "$build_rate" ">= 2000" "${c_rate:-$chroma} (in-process add)"
row "  the index alone, a document at a time" "$inproc_rate" "" "(in-process, efC 128)"
row "words top-10, one client, p50 / p99 (ms)" "$l50 / $l99" "p99 <= 5" "- (FTS5 p99 122-139)"
row "vector top-10 in-process, p50 / p99 (ms)" "$i50 / $i99" "p99 <= 2" "${c50:-} / ${c99:-} in-process"
row "  recall@10 against exact" "$irecall" ">= 0.95" "${crecall:-}"
row "vector top-10 via API, p50 / p99 (ms)" "$v50 / $v99" "" "recall $vrecall"
row "hybrid top-10 via API, p50 / p99 (ms)" "$h50 / $h99" "p99 <= 10" "recall vs vector truth $hrecall"
row "  of which the embedding call, p50 / p99" "$e50 / $e99" "(reported apart)" ""
row "$CLIENTS clients at once, hybrid (queries/s)" "$qps" ">= 1000" "${cqps:-} vector (threads)"
row "meaning index memory / raw f32 vectors" "$memory" "<= 1.3" "${cmemory:-} (RSS growth)"
row "reopen: start to first vector answer (ms)" "$reopen_ms" "<= 2000" "in-process open ${open_ms} ms"
row "server memory after load / reopened (MiB)" "$rss / $rss_reopened" "" ""
row "words queries that found nothing" "$lempty" "of $QUERIES" ""
row "on disk: indexes / database (MiB)" "$index_mib / $db_mib" "" ""
