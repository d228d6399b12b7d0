#!/usr/bin/env bash
# Usage: scripts/dist-test.sh target/microstore-<version>-linux-x64.tar.gz   (make dist-test)
# The release as an operator gets it: unpacked into a fresh temporary directory and run with an empty
# environment whose PATH has no java: --version, a start on a free port with a data directory it creates,
# health, scripts/smoke.sh, a write, SIGTERM (exit 0), a start on the same data and the write read back.
# Fails when the JVM did not take microstore's classes from the AOT cache, when the tarball outgrows
# DIST_BUDGET_MB, or when systemd-analyze finds fault with share/microstore.service or rates its exposure
# above UNIT_EXPOSURE (Debian's systemd is installed when systemd-analyze is missing).
set -euo pipefail
tarball="${1:?usage: dist-test.sh TARBALL}"
# What 0.1.0 weighs is 55 MB; the budget leaves room for a few more libraries, not for a second JDK.
budget_mb=${DIST_BUDGET_MB:-60}
# systemd-analyze security's overall exposure of the shipped unit, times 10: 1.2 today; a higher one fails.
exposure=${UNIT_EXPOSURE:-12}
here=$(cd "$(dirname "$0")/.." && pwd)

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "dist-test: FAIL $*" >&2; exit 1; }
ok() { echo "ok   $*"; }

size_mb=$(( ($(stat -c %s "$tarball") + 1048575) / 1048576 ))
[ "$size_mb" -le "$budget_mb" ] || fail "$tarball is $size_mb MB, over its budget of $budget_mb MB"
ok "tarball $size_mb MB (budget $budget_mb MB)"

tar -xzf "$tarball" -C "$tmp"
home=$(echo "$tmp"/microstore-*)
[ -x "$home/bin/microstore" ] || fail "no bin/microstore in $tarball"

# A PATH with what the launcher calls (sh, readlink) and nothing else: no java anywhere on it.
mkdir "$tmp/path"
for tool in sh readlink; do ln -s "$(command -v $tool)" "$tmp/path/$tool"; done
if env -i PATH="$tmp/path" sh -c 'command -v java' >/dev/null; then fail "java found on the test's PATH"; fi
run() { env -i PATH="$tmp/path" HOME="$tmp" "$@"; }

version=$(run "$home/bin/microstore" --version)
[[ "$version" =~ ^microstore\ [0-9]+\.[0-9]+\.[0-9]+[^\ ]*\ \(commit\ [0-9a-f]{7,40}(-dirty)?\)$ ]] ||
  fail "--version printed '$version', not 'microstore <version> (commit <hash>)' alone"
ok "--version: $version"

# start LOG CLASSLOG: bin/microstore on a free port, the JVM listing where each class came from
start() {
  # env itself, not a function around it, so that $! is the server's pid (env and the launcher exec)
  env -i PATH="$tmp/path" HOME="$tmp" JAVA_OPTS="-Xlog:class+load=info:file=$2" \
    "$home/bin/microstore" --port 0 --data "$tmp/data" >"$1" 2>&1 &
  pids+=($!)
  url=
  for _ in $(seq 1 300); do
    url=$(sed -n 's/^microstore listening on \(http:[^ ]*\)\/ .*/\1/p' "$1")
    [ -n "$url" ] && break
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$url" ] || { cat "$1" >&2; fail "bin/microstore did not start"; }
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/observe/health")" = 200 ] || fail "health is not 200"
}
stop() {
  kill -TERM "${pids[-1]}"
  local status=0
  wait "${pids[-1]}" || status=$?
  [ "$status" -eq 0 ] || { cat "$1" >&2; fail "exit status $status after SIGTERM, not 0"; }
}
# The JVM names the source of every class it loads: "shared objects file" is the AOT cache.
from_cache() {
  for class in io.microstore.Main io.microstore.store.Store io.helidon.webserver.LoomServer; do
    grep -q "^.*\] $class source: shared objects file" "$1" ||
      fail "$class was not loaded from the AOT cache: $(grep -m1 " $class source:" "$1" || echo 'not loaded')"
  done
}

start "$tmp/run1.log" "$tmp/classes1.log"
ok "started at $url with a data directory it created"
[ "$(stat -c %a "$tmp/data")" = 700 ] || fail "the data directory was created with mode $(stat -c %a "$tmp/data"), not 700"
from_cache "$tmp/classes1.log"
ok "classes from the AOT cache"
"$here/scripts/smoke.sh" "$url" >"$tmp/smoke.log" || { cat "$tmp/smoke.log" >&2; fail "smoke.sh"; }
ok "smoke.sh"
curl -sf -o /dev/null -X PUT -H 'Content-Type: application/json' -d '{"data":{"kept":true}}' "$url/api/apps/dist-test" ||
  fail "PUT /api/apps/dist-test"
stop "$tmp/run1.log"
ok "SIGTERM: exit 0"

start "$tmp/run2.log" "$tmp/classes2.log"
body=$(curl -sf "$url/api/apps/dist-test") || fail "GET after the restart"
[ "$body" = '{"name":"dist-test","data":{"kept":true}}' ] || fail "after the restart: $body"
stop "$tmp/run2.log"
ok "the write is there after a restart"

# The systemd unit, with ExecStart pointing into this unpacked release: PID 1 here is not systemd, so
# systemd-analyze checks it offline.
if ! command -v systemd-analyze >/dev/null; then
  [ "$(id -u)" = 0 ] || fail "systemd-analyze is missing: install Debian's systemd package (as root)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd >/dev/null
fi
unit="$tmp/microstore.service"
sed "s#/opt/microstore/#$home/#g" "$home/share/microstore.service" >"$unit"
out=$(systemd-analyze verify "$unit" 2>&1) || fail "systemd-analyze verify: $out"
# Any complaint about the unit itself (unknown or misspelt settings are warnings only) fails too.
if grep -F "microstore.service" <<<"$out"; then fail "systemd-analyze verify: $out"; fi
ok "systemd-analyze verify"
level=$(systemd-analyze security --offline=true "$unit" 2>&1 | sed -n 's/.*Overall exposure level for microstore.service: \([0-9.]*\).*/\1/p')
systemd-analyze security --offline=true --threshold="$exposure" "$unit" >/dev/null 2>&1 ||
  fail "systemd-analyze security: exposure $level, above $((exposure / 10)).$((exposure % 10))"
ok "systemd-analyze security: exposure $level (threshold $((exposure / 10)).$((exposure % 10)))"
echo "dist-test: all checks passed"
