#!/usr/bin/env bash
# The OpenAPI contract, checked from outside: schemathesis (pinned below)
# generates requests from openapi.yaml — every operation, valid and invalid
# data, then the stateful phase that follows the document's `links` (report →
# read, user → roles, …) — against the real binary, a demo server on SQLite on
# a free loopback port, signed in as the demo administrator. `--checks all`:
# no 5xx; every status, header, content type and body as documented; what the
# document allows is accepted and what it forbids is refused; an undocumented
# method is 405 with the right `Allow`.
#
#   bash tests/schemathesis/run.sh                                # builds the debug binary
#   GRIDOPS_BIN=target/release/gridops bash tests/schemathesis/run.sh
#   bash tests/schemathesis/run.sh --include-path-regex incidents # more arguments go to `schemathesis run`
#
# schemathesis is installed into a virtualenv under ~/.cache (kept across
# runs and clones; made again when the pin changes). Needs Python 3.10+
# (`$PYTHON`, else python3). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

SCHEMATHESIS_VERSION=4.32.5
# Both runs together stay under 5 minutes.
FUZZ_TIME=${SCHEMATHESIS_FUZZ_TIME:-130}
STATEFUL_TIME=${SCHEMATHESIS_STATEFUL_TIME:-90}
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-40}
SEED=${SCHEMATHESIS_SEED:-17}
# One worker: with two, hypothesis's ast.parse of its own strategies failed
# under this machine's CPython 3.11.7 ("AST constructor recursion depth
# mismatch"), a race between threads.

here=tests/schemathesis
python=${PYTHON:-python3}
venv=${XDG_CACHE_HOME:-$HOME/.cache}/gridops-schemathesis/venv-$SCHEMATHESIS_VERSION

say() { echo "schemathesis: $*"; }

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    say "needs Python 3.10 or later, as \$PYTHON or python3" >&2
    exit 1
fi

if [ ! -x "$venv/bin/schemathesis" ]; then
    say "installing schemathesis $SCHEMATHESIS_VERSION into $venv"
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
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
    if ! timeout 600 "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        --no-input "schemathesis==$SCHEMATHESIS_VERSION"; then
        rm -rf "$venv"
        exit 1
    fi
fi
say "$("$venv/bin/schemathesis" --version)"

# Anonymous reads of the reference data are throttled per address, and every
# request here comes from one; the quota is tested elsewhere (429 is still
# documented). The token outlives the run.
export GRIDOPS_PUBLIC_RATE_PER_MINUTE=0
export GRIDOPS_ACCESS_TOKEN_TTL_SECS=3600

. tests/demo_server.sh
demo_server_binary
start_demo_server schemathesis
base="http://127.0.0.1:$port"
say "gridops serve --demo on $base"

# The administrator's access token, from the demo login README names.
GRIDOPS_ADMIN_TOKEN=$(
    "$venv/bin/python" - "$base" <<'PY'
import json, sys, urllib.request
req = urllib.request.Request(
    sys.argv[1] + "/api/v1/auth/login",
    data=json.dumps({"username": "admin", "password": "gridops-demo"}).encode(),
    headers={"Content-Type": "application/json"},
)
print(json.load(urllib.request.urlopen(req, timeout=30))["access_token"])
PY
)
export GRIDOPS_ADMIN_TOKEN

# Two runs against the same server: generated requests per operation
# (examples, coverage, fuzzing), then the stateful phase on its own budget so
# that it has the time to follow the links several steps deep.
started=$(date +%s)
status=0
cases=0
run_phases() { # phases seconds
    local out="target/schemathesis-report/$1.txt" rc=0
    mkdir -p target/schemathesis-report
    timeout 300 "$venv/bin/schemathesis" --config-file "$here/schemathesis.toml" run openapi.yaml \
        --url "$base" \
        --checks all \
        --phases "$1" \
        --max-examples "$MAX_EXAMPLES" \
        --max-time "$2" \
        --seed "$SEED" \
        --workers 1 \
        --request-timeout 20 \
        --no-color \
        "${extra[@]}" 2>&1 | tee "$out" || rc=$?
    [ "$rc" = 0 ] || status=$rc
    local n
    n=$(sed -n 's/^ *\([0-9][0-9]*\) generated.*/\1/p' "$out" | tail -n 1)
    cases=$((cases + ${n:-0}))
}
extra=("$@")
run_phases examples,coverage,fuzzing "$FUZZ_TIME"
run_phases stateful "$STATEFUL_TIME"
say "$cases cases in $(($(date +%s) - started)) s; exit $status"
exit "$status"
