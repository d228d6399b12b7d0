#!/usr/bin/env bash
# Usage: scripts/client-test.sh (make client-test)
# Real SSE clients against the real jar's changes feed (clients/): the npm `eventsource` package (named
# events, an id on every event, resuming inside a transaction and across a restart, a live query's enter/
# update/leave events) and Python's requests
# (iter_lines() ending cleanly on SIGTERM after the shutdown event, a long-poll answered). Each script
# starts the jar itself (it restarts it), on a free port and a temporary data dir, and stops it by pid.
# Installs what it needs: the npm packages from clients/package-lock.json, Debian's python3-requests.
# One line per check ("ok - ..." or "FAIL - ..."), then a count; exit status 1 when any check failed.
set -uo pipefail
cd "$(dirname "$0")/.."
java="${JAVA_HOME:?JAVA_HOME must point at a JDK >= 21}/bin/java"
jar=target/microstore.jar
python=/usr/bin/python3 # Debian's, where python3-requests goes (not a python3 earlier on PATH)

fail() {
  echo "FAIL - client-test: $*"
  echo "client-test: 0 passed, 1 failed"
  exit 1
}

[ -f "$jar" ] || fail "$jar is missing (make build)"
# npm writes this file on every install: older than the lock file means node_modules is stale.
if [ ! -f clients/node_modules/.package-lock.json ] || [ clients/package-lock.json -nt clients/node_modules/.package-lock.json ]; then
  (cd clients && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || fail "npm ci in clients/ failed"
fi
if ! "$python" -c 'import requests' 2>/dev/null; then
  [ "$(id -u)" = 0 ] || fail "$python lacks requests: install Debian's python3-requests (as root) and try again"
  { apt-get update -qq && apt-get install -y -qq python3-requests; } >/dev/null 2>&1 \
    || fail "apt-get install python3-requests failed"
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
export JAVA="$java" MICROSTORE_JAR="$jar"
node clients/eventsource.test.mjs 2>&1 | tee -a "$out" || status=1
"$python" clients/sse_requests.py 2>&1 | tee -a "$out" || status=1
passed=$(grep -c '^ok - ' "$out")
failed=$(grep -c '^FAIL - ' "$out")
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "FAIL - client-test: a client script failed without saying which check"
  failed=1
fi
echo "client-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
