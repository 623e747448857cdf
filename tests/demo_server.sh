# Sourced by the scripts that test gridops from outside (tests/open311/run.sh,
# tests/console/run.sh): the binary, and a demo server of their own on a free
# loopback port with a database and photo folder in a temporary folder that is
# removed, with the server, when the script exits. The caller defines `say`.
#
#   demo_server_binary          # sets $bin: $GRIDOPS_BIN, else the debug build
#   start_demo_server console   # sets $work, $port, $server, $db; traps EXIT

demo_server_binary() {
    if [ -n "${GRIDOPS_BIN:-}" ]; then
        bin=$GRIDOPS_BIN
    else
        say "building gridops"
        timeout 1200 cargo build --quiet -p gridops-api
        bin="${CARGO_TARGET_DIR:-target}/debug/gridops"
    fi
    bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
}

stop_demo_server() {
    local rc=$?
    if [ -n "${server:-}" ] && kill -0 "$server" 2>/dev/null; then
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

# A port nobody answers on now (the loop below retries if it is taken by the
# time the server binds it).
free_port() {
    local candidate
    while :; do
        candidate=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
}

# 200 from /readyz of our own server: it logs the address once it has bound
# it, so a process already on the port is never mistaken for it.
demo_server_ready() {
    grep -q "listening on: 127.0.0.1:$port\b" "$work/server.log" 2>/dev/null || return 1
    local status
    status=$(
        exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
        printf 'GET /readyz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
        timeout 2 head -n 1 <&3
    ) 2>/dev/null || return 1
    [[ "$status" == *" 200 "* ]]
}

start_demo_server() { # name
    work=$(mktemp -d "${TMPDIR:-/tmp}/gridops-$1.XXXXXX")
    db="$work/gridops.db"
    server=
    trap stop_demo_server EXIT
    trap 'exit 130' INT TERM
    local attempt
    for attempt in 1 2 3; do
        port=$(free_port)
        "$bin" serve --demo --bind "127.0.0.1:$port" \
            --database-url "$db" --photo-dir "$work/photos" \
            --log-format json --shutdown-timeout-secs 2 >"$work/server.log" 2>&1 &
        server=$!
        for _ in $(seq 1 600); do
            demo_server_ready && break
            kill -0 "$server" 2>/dev/null || break
            sleep 0.1
        done
        if demo_server_ready; then
            return 0
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
        rm -rf "$db"* "$work/photos"
    done
}
