#!/usr/bin/env bash
# Install the toolchains for writing skills in Python and JavaScript into .tools/ (idempotent):
#   .tools/python  a virtualenv with componentize-py
#   .tools/js      componentize-js, from tools/js/package.json and its lock file
# Put them on PATH with:  export PATH="$PWD/.tools/python/bin:$PWD/.tools/js/node_modules/.bin:$PATH"
set -euo pipefail
cd "$(dirname "$0")/.."
COMPONENTIZE_PY_VERSION=0.25.1

if [ ! -x .tools/python/bin/componentize-py ]; then
    echo "authoring tools: installing componentize-py $COMPONENTIZE_PY_VERSION into .tools/python"
    python3 -m venv .tools/python
    .tools/python/bin/pip install --quiet --disable-pip-version-check "componentize-py==$COMPONENTIZE_PY_VERSION"
fi

if [ ! -x .tools/js/node_modules/.bin/componentize-js ]; then
    echo "authoring tools: installing componentize-js into .tools/js"
    mkdir -p .tools/js
    cp tools/js/package.json tools/js/.npmrc .tools/js/
    if [ -f tools/js/package-lock.json ]; then
        cp tools/js/package-lock.json .tools/js/
        (cd .tools/js && npm ci --no-audit --no-fund --loglevel=error)
    else
        (cd .tools/js && npm install --no-audit --no-fund --loglevel=error)
        cp .tools/js/package-lock.json tools/js/package-lock.json
    fi
fi
