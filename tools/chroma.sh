#!/usr/bin/env bash
# A throwaway Chroma server (`chroma run` from .tools/chroma, installed by tools/test-tools.sh)
# in a temporary directory, on a free loopback port; for the end-to-end suite's pass on Chroma.
#
#   tools/chroma.sh run -- COMMAND...
#       start a server, run COMMAND with PRAX_TEST_CHROMA_URL=http://127.0.0.1:PORT, stop the
#       server and delete its data; exits with COMMAND's status.
set -euo pipefail
cd "$(dirname "$0")/.."
chroma=.tools/chroma/bin/chroma

if [[ "${1:-}" != "run" ]]; then
    echo "usage: tools/chroma.sh run -- COMMAND..." >&2
    exit 2
fi
shift
[[ "${1:-}" == "--" ]] && shift
if [[ ! -x "$chroma" ]]; then
    echo "chroma.sh: $chroma is missing: run tools/test-tools.sh" >&2
    exit 1
fi
dir=$(mktemp -d /tmp/prax-chroma.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$chroma" run --path "$dir/data" --host 127.0.0.1 --port "$port" >"$dir/server.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
url="http://127.0.0.1:$port"
answers() {
    python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/api/v2/heartbeat", timeout=2)' "$url" >/dev/null 2>&1
}
for _ in $(seq 1 120); do
    if answers; then
        break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
        cat "$dir/server.log" >&2
        echo "chroma.sh: the server did not start" >&2
        exit 1
    fi
    sleep 0.25
done
answers || { cat "$dir/server.log" >&2; echo "chroma.sh: no answer at $url" >&2; exit 1; }
echo "chroma.sh: server at $url" >&2
set +e
PRAX_TEST_CHROMA_URL="$url" "$@"
status=$?
set -e
exit $status
