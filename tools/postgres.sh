#!/usr/bin/env bash
# A throwaway PostgreSQL cluster from Debian's packages, in a temporary directory, on a free
# loopback port; for the end-to-end suite's PostgreSQL run and the benchmarks.
#
#   tools/postgres.sh run [--durable] -- COMMAND...
#       start a cluster, run COMMAND with PRAX_TEST_POSTGRES_URL=postgres://USER@127.0.0.1:PORT,
#       stop and delete the cluster; exits with COMMAND's status.
#   tools/postgres.sh start DIR [--durable]   start a cluster in DIR (prints its URL)
#   tools/postgres.sh stop DIR
#
# With PG_TLS_CERT and PG_TLS_KEY (PEM files) set, `start` serves TLS with them.
#
# Test clusters skip fsync (a test kills prax, never the machine); --durable keeps
# PostgreSQL's defaults, as the benchmarks need to measure what an operator would see.
# PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user.
set -euo pipefail

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [[ -z "$dir" || ! -x "$dir/initdb" ]]; then
        echo "postgres.sh: PostgreSQL's server is not installed; run tools/test-tools.sh (or apt-get install postgresql)" >&2
        exit 1
    fi
    echo "$dir"
}

as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start() {
    local dir=$1 durable=${2:-}
    local bin port user
    bin=$(pg_bin)
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    user=$(if [[ $(id -u) -eq 0 ]]; then echo postgres; else id -un; fi)
    as_owner "$bin/initdb" -D "$dir/data" -U "$user" --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(free_port)
    local options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=400"
    if [[ "$durable" != "--durable" ]]; then
        options="$options -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    if [[ -n "${PG_TLS_CERT:-}" ]]; then
        # The server reads its key only when the key is its own and private.
        install -m 0644 "$PG_TLS_CERT" "$dir/server.crt"
        install -m 0600 "$PG_TLS_KEY" "$dir/server.key"
        [[ $(id -u) -eq 0 ]] && chown postgres: "$dir/server.crt" "$dir/server.key"
        options="$options -c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key"
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$options" -w start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://$user@127.0.0.1:$port" >"$dir/url"
    cat "$dir/url"
}

stop() {
    local dir=$1
    if [[ -d "$dir/data" ]]; then
        as_owner "$(pg_bin)/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
}

case "${1:-}" in
    start) start "$2" "${3:-}" ;;
    stop) stop "$2" ;;
    run)
        shift
        durable=""
        if [[ "${1:-}" == "--durable" ]]; then durable=--durable; shift; fi
        [[ "${1:-}" == "--" ]] && shift
        dir=$(mktemp -d /tmp/prax-pg.XXXXXX)
        chmod 755 "$dir"
        trap 'stop "$dir"; rm -rf "$dir"' EXIT
        url=$(start "$dir" "$durable")
        echo "postgres.sh: cluster at $url" >&2
        set +e
        PRAX_TEST_POSTGRES_URL="$url" "$@"
        status=$?
        set -e
        exit $status
        ;;
    *)
        echo "usage: tools/postgres.sh run [--durable] -- COMMAND... | start DIR [--durable] | stop DIR" >&2
        exit 2
        ;;
esac
