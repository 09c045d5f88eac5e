#!/usr/bin/env bash
# Streaming: STREAMS concurrent token streams (default 512 × 200 tokens, one every 10 ms)
# through prax's SSE and WebSocket, and through LiteLLM's proxy, against the same upstream
# (OpenAI's streaming format, each token stamped with its send time) called directly. Prints
# per-token latency and time to first token, each beside the direct figure (the difference is
# what the gateway adds), prax's CPU per token, the same load while a hostile skill loops on
# another connection, and resident memory per open idle stream.
#
# Usage: bench/streaming.sh   (builds what it needs; LiteLLM from PyPI unless LITELLM=0)
# Env:   STREAMS=512 TOKENS=200 GAP_MS=10 ROUNDS=3 LITELLM=1 LITELLM_VENV=bench/.venv-litellm
set -euo pipefail
cd "$(dirname "$0")/.."

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ -x ${CARGO_TARGET_DIR:-target}/release/prax ] || cargo build --release --locked -q -p praximous
[ -f skills-wasm/target/wasm32-wasip2/release/hostile.wasm ] || make -s skills
cargo build --release --locked -q -p stream-bench

litellm=""
if [ "${LITELLM:-1}" = 1 ]; then
  venv=${LITELLM_VENV:-bench/.venv-litellm}
  if [ -x "$venv/bin/litellm" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q 'litellm[proxy]==1.108.7' >/dev/null 2>&1; }; then
    litellm="$venv/bin/litellm"
  else
    echo "litellm[proxy] did not install from PyPI here; LiteLLM is skipped"
  fi
fi
bench/machine.sh
exec ${CARGO_TARGET_DIR:-target}/release/stream-bench ${CARGO_TARGET_DIR:-target}/release/prax $litellm
