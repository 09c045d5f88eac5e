#!/usr/bin/env bash
# Install what the end-to-end tests run against that the machine may lack, into .tools/
# (idempotent):
#   .tools/smtp  a virtualenv with aiosmtpd, the real SMTP server of tests/tests/email.rs
#   .tools/fuzz  a virtualenv with Schemathesis, the API fuzzer tools/fuzz.sh runs
#   .tools/openai  a virtualenv with the official openai SDK, the client of tests/tests/openai_api.rs
#   .tools/mcp   a virtualenv with the official mcp SDK, the client of tests/tests/mcp.rs
#   .tools/chroma  a virtualenv with chromadb, whose `chroma run` is the Chroma server of
#                tests/tests/knowledge_chroma.rs and of the suite's pass on Chroma (tools/chroma.sh)
#   podman       (Debian's, with apt, when missing) builds the image tests/tests/container.rs tests
#   postgresql   (Debian's server, with apt, when missing) for tools/postgres.sh's throwaway clusters
#   nginx        (Debian's, with apt, when missing) the balancer in front of tests/tests/replicas.rs
set -euo pipefail
cd "$(dirname "$0")/.."
AIOSMTPD_VERSION=1.4.6
SCHEMATHESIS_VERSION=4.32.5
OPENAI_VERSION=3.51.0
MCP_VERSION=2.3.0
CHROMA_VERSION=1.5.9

if ! .tools/smtp/bin/python -c 'import aiosmtpd' 2>/dev/null; then
    echo "test tools: installing aiosmtpd $AIOSMTPD_VERSION into .tools/smtp"
    python3 -m venv .tools/smtp
    .tools/smtp/bin/pip install --quiet --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION"
fi

if ! .tools/fuzz/bin/schemathesis --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    echo "test tools: installing schemathesis $SCHEMATHESIS_VERSION into .tools/fuzz"
    python3 -m venv .tools/fuzz
    .tools/fuzz/bin/pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

if ! .tools/openai/bin/python -c "import openai, sys; sys.exit(openai.__version__ != '$OPENAI_VERSION')" 2>/dev/null; then
    echo "test tools: installing openai $OPENAI_VERSION into .tools/openai"
    python3 -m venv .tools/openai
    .tools/openai/bin/pip install --quiet --disable-pip-version-check "openai==$OPENAI_VERSION"
fi

if ! .tools/mcp/bin/python -c "import importlib.metadata as m, sys; sys.exit(m.version('mcp') != '$MCP_VERSION')" 2>/dev/null; then
    echo "test tools: installing mcp $MCP_VERSION into .tools/mcp"
    python3 -m venv .tools/mcp
    .tools/mcp/bin/pip install --quiet --disable-pip-version-check "mcp==$MCP_VERSION"
fi

if ! .tools/chroma/bin/python -c "import chromadb, sys; sys.exit(chromadb.__version__ != '$CHROMA_VERSION')" 2>/dev/null; then
    echo "test tools: installing chromadb $CHROMA_VERSION into .tools/chroma"
    python3 -m venv .tools/chroma
    .tools/chroma/bin/pip install --quiet --disable-pip-version-check "chromadb==$CHROMA_VERSION"
fi

# Debian packages the tests run for real; installed together, with one index update.
missing=()
command -v podman >/dev/null || missing+=(podman)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
    echo "test tools: installing Debian's ${missing[*]} (apt)"
    if [ "$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Debian starts the packaged services; the tests run their own.
    $sudo systemctl disable --now nginx postgresql >/dev/null 2>&1 || true
fi
