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

. tests/demo_server.sh
demo_server_binary
start_demo_server open311
base="http://127.0.0.1:$port/open311/v2"
say "gridops serve --demo on 127.0.0.1:$port"

key=$("$bin" open311 key create --name "pypi client check" --database-url "$db" |
    sed -n 's/^key: //p')
if [ -z "$key" ]; then
    say "gridops open311 key create printed no key" >&2
    exit 1
fi
say "issued a key (${key:0:11}…)"

timeout 120 "$py" "$here/check_client.py" "$base" "$key"
