#!/usr/bin/env bash
# A third-party Open311 GeoReport v2 client from PyPI against a running gridops:
# a demo server on a free loopback port with a database of its own, a key issued
# on the command line, then check_client.py (what it checks is said there).
#
#   bash tests/open311/run.sh                                   # builds the debug binary
#   GRIDOPS_BIN=target/release/gridops bash tests/open311/run.sh
#
# The client is installed, pinned by hash, into target/open311-venv (rebuilt
# when requirements.txt changes). Needs Python 3.10+ (`$PYTHON`, else python3).
set -euo pipefail
cd "$(dirname "$0")/../.."

here=tests/open311
venv=target/open311-venv
python=${PYTHON:-python3}

say() { echo "open311: $*"; }

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    say "needs Python 3.10 or later, as \$PYTHON or python3" >&2
    exit 1
fi

if ! cmp -s "$here/requirements.txt" "$venv/requirements.txt"; then
    say "installing the client into $venv"
    rm -rf "$venv"
    if ! "$python" -m venv "$venv" 2>/dev/null; then
        # Debian's python3 keeps venv's pip in a package of its own.
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
            rm -rf "$venv"
            "$python" -m venv "$venv"
        else
            say "cannot create a virtualenv with $python (install python3-venv)" >&2
            exit 1
        fi
    fi
    timeout 300 "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        --no-input --only-binary :all: --require-hashes -r "$here/requirements.txt"
    cp "$here/requirements.txt" "$venv/requirements.txt"
fi
py="$venv/bin/python"

if [ -n "${GRIDOPS_BIN:-}" ]; then
    bin=$GRIDOPS_BIN
else
    say "building gridops"
    timeout 1200 cargo build --quiet -p gridops-api
    bin="${CARGO_TARGET_DIR:-target}/debug/gridops"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/gridops-open311.XXXXXX")
server=
cleanup() {
    local rc=$?
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
        kill "$server" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$server" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$server" 2>/dev/null || true
    fi
    if [ "$rc" != 0 ] && [ -s "$work/server.log" ]; then
        say "the server's log, last 30 lines:"
        tail -n 30 "$work/server.log"
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# 200 from /readyz of our own server: it logs the address once it has bound
# it, so a process already on the port is never mistaken for it.
ready() {
    grep -q "listening on: 127.0.0.1:$port\b" "$work/server.log" 2>/dev/null &&
        "$py" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
            "http://127.0.0.1:$port/readyz" 2>/dev/null
}

# A port free a moment ago may be taken by the time the server binds it: try another.
for attempt in 1 2 3; do
    port=$(free_port)
    "$bin" serve --demo --bind "127.0.0.1:$port" \
        --database-url "$work/gridops.db" --photo-dir "$work/photos" \
        --log-format json --shutdown-timeout-secs 2 >"$work/server.log" 2>&1 &
    server=$!
    for _ in $(seq 1 600); do
        ready && break
        kill -0 "$server" 2>/dev/null || break
        sleep 0.1
    done
    if ready; then
        break
    fi
    if kill -0 "$server" 2>/dev/null; then
        say "the server did not get ready in 60 s" >&2
        exit 1
    fi
    wait "$server" || true
    server=
    if [ "$attempt" = 3 ] || ! grep -q "cannot listen" "$work/server.log"; then
        say "the server stopped:" >&2
        cat "$work/server.log" >&2
        exit 1
    fi
    rm -rf "$work/gridops.db"* "$work/photos"
done
base="http://127.0.0.1:$port/open311/v2"
say "gridops serve --demo on 127.0.0.1:$port"

key=$("$bin" open311 key create --name "pypi client check" --database-url "$work/gridops.db" |
    sed -n 's/^key: //p')
if [ -z "$key" ]; then
    say "gridops open311 key create printed no key" >&2
    exit 1
fi
say "issued a key (${key:0:11}…)"

timeout 120 "$py" "$here/check_client.py" "$base" "$key"
