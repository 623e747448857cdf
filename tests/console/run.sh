#!/usr/bin/env bash
# The dispatchers' console in a real browser: Playwright (pinned in
# package-lock.json) drives Debian's Chromium against the real gridops binary —
# a demo server on a free loopback port with a database and photo folder of
# its own, removed afterwards. What is checked is said in the *.spec.mjs files.
#
#   bash tests/console/run.sh                                   # builds the debug binary
#   GRIDOPS_BIN=target/release/gridops bash tests/console/run.sh
#   bash tests/console/run.sh stale.spec.mjs --headed           # arguments go to `playwright test`
#
# Installs what is missing (as root, with apt-get): Chromium; Node.js 20+ must
# be there. Playwright never downloads a browser (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD);
# $CHROMIUM_PATH overrides /usr/bin/chromium. Traces of failed tests are kept
# in tests/console/test-results/ (`npx playwright show-trace …`).
set -euo pipefail
cd "$(dirname "$0")/../.."

here=tests/console
say() { echo "console: $*"; }

apt_install() { # packages…
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        say "cannot install $* (not root, or no apt-get): install it and run again" >&2
        exit 1
    fi
    say "installing $*"
    export DEBIAN_FRONTEND=noninteractive
    timeout 600 apt-get update -qq
    timeout 900 apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- the browser and Node ---------------------------------------------------
export CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM_PATH" ]; then
    say "no browser at $CHROMIUM_PATH"
    apt_install chromium
    CHROMIUM_PATH=/usr/bin/chromium
    if [ ! -x "$CHROMIUM_PATH" ]; then
        say "the chromium package left no $CHROMIUM_PATH" >&2
        exit 1
    fi
fi
say "$("$CHROMIUM_PATH" --version 2>/dev/null | head -n 1)"
if ! command -v node >/dev/null 2>&1; then
    apt_install nodejs npm
fi
if ! command -v npm >/dev/null 2>&1; then
    apt_install npm
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
    say "Playwright needs Node.js 20 or later; this is $(node --version)" >&2
    exit 1
fi

# --- Playwright, as locked ---------------------------------------------------
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# (again only when package-lock.json changed since the last `npm ci` here)
if ! cmp -s "$here/package-lock.json" "$here/node_modules/.installed-lock.json" 2>/dev/null ||
    [ ! -x "$here/node_modules/.bin/playwright" ]; then
    say "npm ci"
    (cd "$here" && timeout 300 npm ci --no-audit --no-fund --loglevel=error &&
        cp package-lock.json node_modules/.installed-lock.json)
fi

# --- the binary and a server of our own --------------------------------------
. tests/demo_server.sh
demo_server_binary
start_demo_server console
export GRIDOPS_URL="http://127.0.0.1:$port"
say "gridops serve --demo on $GRIDOPS_URL ($bin)"

# --- the tests ---------------------------------------------------------------
cd "$here"
timeout 900 ./node_modules/.bin/playwright test "$@"
