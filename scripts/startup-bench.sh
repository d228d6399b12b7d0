#!/usr/bin/env bash
# Usage: scripts/startup-bench.sh target/microstore-<version>-linux-x64.tar.gz   (make startup-bench)
# Start-up to the first 200 on /observe/health: the release (bin/microstore: linked runtime, AOT cache)
# against `java -jar target/microstore.jar` with the same JVM options, on the same machine, alternating
# (who goes first changes every round), STARTUP_ROUNDS (5) rounds, each start on a copy of the same data
# directory: empty, or STARTUP_APPS apps imported once beforehand. Prints each start, the medians, their
# ratio and the sizes of the tarball and the jar with its libs. Free ports; nothing left running.
set -euo pipefail
tarball="${1:?usage: startup-bench.sh TARBALL}"
rounds=${STARTUP_ROUNDS:-5}
apps=${STARTUP_APPS:-0}
java="${JAVA_HOME:?JAVA_HOME must point at a JDK}/bin/java"
opts="-XX:+UseTransparentHugePages -XX:+ExitOnOutOfMemoryError"

tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
tar -xzf "$tarball" -C "$tmp"
home=$(echo "$tmp"/microstore-*)
mkdir "$tmp/data"
if [ "$apps" -gt 0 ]; then
  awk -v n="$apps" 'BEGIN { for (i = 0; i < n; i++) printf "{\"name\":\"app-%07d\",\"data\":{\"n\":%d,\"s\":\"some text\"}}\n", i, i }' >"$tmp/apps.jsonl"
  "$java" $opts -jar target/microstore.jar --port 0 --fsync never --data "$tmp/data" --import "$tmp/apps.jsonl" >"$tmp/import.log" 2>&1 &
  pid=$!
  until grep -q '^microstore listening' "$tmp/import.log"; do kill -0 "$pid" || { cat "$tmp/import.log"; exit 1; }; sleep 0.2; done
  kill -TERM "$pid"; wait "$pid"; pid=
  rm -f "$tmp/apps.jsonl"
fi

# once FORM: milliseconds from the start to the first 200 on /observe/health
once() {
  rm -rf "$tmp/run" && cp -a "$tmp/data" "$tmp/run"
  local t0 url= ms
  t0=$(date +%s%N)
  if [ "$1" = release ]; then
    "$home/bin/microstore" --port 0 --data "$tmp/run" >"$tmp/log" 2>&1 &
  else
    "$java" $opts -jar target/microstore.jar --port 0 --data "$tmp/run" >"$tmp/log" 2>&1 &
  fi
  pid=$!
  until [ -n "$url" ]; do
    url=$(sed -n 's/^microstore listening on \(http:[^ ]*\)\/ .*/\1/p' "$tmp/log")
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/log" >&2; exit 1; }
    [ -n "$url" ] || sleep 0.005
  done
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/observe/health")" = 200 ]; do sleep 0.005; done
  ms=$((($(date +%s%N) - t0) / 1000000))
  kill -TERM "$pid"; wait "$pid" || true; pid=
  echo "$ms"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

release=(); jar=()
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) = 1 ]; then release+=("$(once release)"); jar+=("$(once jar)")
  else jar+=("$(once jar)"); release+=("$(once release)"); fi
  echo "round $r: release ${release[-1]} ms, java -jar ${jar[-1]} ms"
done
mr=$(printf '%s\n' "${release[@]}" | median)
mj=$(printf '%s\n' "${jar[@]}" | median)
echo "median with $apps apps: release $mr ms, java -jar $mj ms, ratio $(awk -v a="$mr" -v b="$mj" 'BEGIN { printf "%.2f", a / b }') (goal <= 0.6 when empty)"
echo "sizes: tarball $(du -m "$tarball" | cut -f1) MB, unpacked $(du -sm "$home" | cut -f1) MB; jar and libs $(du -cm target/microstore.jar target/libs | tail -1 | cut -f1) MB"
