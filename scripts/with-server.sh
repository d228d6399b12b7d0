#!/usr/bin/env bash
# Usage: scripts/with-server.sh COMMAND [ARGS...]
# Starts target/microstore.jar on a free loopback port (extra flags from $SERVER_FLAGS, JVM options such
# as -Dstore.changes.max-subscribers=N from $SERVER_JVM_OPTS), waits for its
# start-up line, runs COMMAND with the base URL as its last argument, stops the server with SIGTERM
# and exits with COMMAND's status (or 1 if the server did not start or did not stop cleanly).
set -euo pipefail
java="${JAVA_HOME:?JAVA_HOME must point at a JDK >= 21}/bin/java"
log=$(mktemp)
"$java" ${SERVER_JVM_OPTS:-} -jar target/microstore.jar --port 0 ${SERVER_FLAGS:-} >"$log" 2>&1 &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true; rm -f "$log"' EXIT
url=""
for _ in $(seq 1 300); do
  url=$(sed -n 's/^microstore listening on \(http:[^ ]*\)\/ .*/\1/p' "$log")
  [ -n "$url" ] && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "the server did not start:" >&2; cat "$log" >&2; exit 1
fi
status=0
"$@" "$url" || status=$?
kill -TERM $pid
server_status=0
wait $pid || server_status=$?
if [ $server_status -ne 0 ]; then
  echo "the server exited with status $server_status after SIGTERM:" >&2; cat "$log" >&2
  [ $status -eq 0 ] && status=1
fi
exit $status
