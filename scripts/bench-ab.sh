#!/usr/bin/env bash
# Usage: scripts/bench-ab.sh OTHER_JAR   (run by `make bench-ab BENCH_AB_JAR=...`, which builds first)
#
# Two versions of microstore side by side: target/microstore.jar ("this") and OTHER_JAR (e.g. the previous
# main's), each on a fresh data directory with fsync always and BENCH_KEYS apps, both up at once. GET and
# durable PUT at BENCH_CONNS connections, BENCH_ROUNDS rounds, each round running both in turn (the order
# swapped every round); prints each run and the medians, and this version's ratio to the other, in requests
# per second and in the server's CPU time per request (user and system, /proc/PID/stat, which drifts far less
# with the machine's load than requests per second do). The machine is shared and noisy: only runs minutes
# apart, alternating, say anything. BENCH_AB_IMPORT=1 starts both on BENCH_KEYS apps k1..kN imported first
# (--import; e.g. BENCH_KEYS=1000000 for a store of 1M apps), rather than on empty stores that the PUTs fill.
set -euo pipefail
cd "$(dirname "$0")/.."
other=${1:?usage: scripts/bench-ab.sh OTHER_JAR}
java="${JAVA_HOME:?JAVA_HOME must point at a JDK >= 21}/bin/java"
DURATION=${BENCH_DURATION:-8s}
ROUNDS=${BENCH_ROUNDS:-5}
CONNS=${BENCH_CONNS:-64}
KEYS=${BENCH_KEYS:-1000}
WARMUP=${BENCH_WARMUP:-5s}
WARMUPS=${BENCH_WARMUPS:-2}
WORK=$(mktemp -d)
log() { echo "bench-ab: $*" >&2; }
source scripts/bench/processes.sh
trap 'bench_cleanup; rm -rf "$WORK"' EXIT
command -v wrk >/dev/null || { log "installing wrk from Debian's packages"; apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

declare -A port pid
fill=()
if [ "${BENCH_AB_IMPORT:-0}" = 1 ]; then
  awk -v n="$KEYS" 'BEGIN { for (i = 1; i <= n; i++)
      printf "{\"name\":\"k%d\",\"data\":{\"n\":1,\"s\":\"some small value\"}}\n", i }' > "$WORK/apps.jsonl"
  fill=(--import "$WORK/apps.jsonl")
fi
for v in this other; do
  jar=target/microstore.jar; [ $v = other ] && jar=$other
  start "$v" "$java" -jar "$jar" --port 0 --data "$WORK/data-$v" "${fill[@]}"
  port[$v]=$PORT
  pid[$v]=$PID
  # no garbage of the import left, and its apps in the old generation already (at 1M apps, young collections
  # copying the freshly imported index would otherwise take the first minutes of PUTs)
  "${JAVA_HOME}/bin/jcmd" "$PID" GC.run >/dev/null
done
# Fill, then warm both up for WARMUP per test, in turns: the JIT of a version still compiling while the other
# is measured would take CPU from it (3 s each left the first rounds of a run 10-20% apart for the same jar).
for warm in $(seq 1 "$WARMUPS"); do
  for v in this other; do
    for test in put get; do
      BENCH_KEYS=$KEYS wrk -t2 -c"$CONNS" -d"$WARMUP" -s "scripts/bench/$test.lua" "http://127.0.0.1:${port[$v]}" >/dev/null
    done
  done
done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user and system time, in clock ticks
# run VERSION TEST: requests per second of one wrk run, and the server's CPU microseconds per request
run() {
  local before out
  before=$(ticks "${pid[$1]}")
  out=$(BENCH_KEYS=$KEYS wrk -t2 -c"$CONNS" -d"$DURATION" -s "scripts/bench/$2.lua" "http://127.0.0.1:${port[$1]}")
  awk -v ticks=$(($(ticks "${pid[$1]}") - before)) -v hz="$(getconf CLK_TCK)" \
    '/^Requests\/sec/ {rate = $2} /requests in/ {n = $1} END {printf "%s %.1f\n", rate, ticks * 1e6 / hz / n}' <<<"$out"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }

declare -A results cpus
for round in $(seq 1 "$ROUNDS"); do
  order="this other"; [ $((round % 2)) = 0 ] && order="other this"
  for test in get put; do
    for v in $order; do
      read -r r c < <(run "$v" "$test")
      results[$v-$test]+="$r "
      cpus[$v-$test]+="$c "
      log "round $round $test $v: $r req/s, $c µs CPU per request"
    done
  done
done
echo "| test | this (req/s) | other (req/s) | this / other | this (µs CPU/req) | other (µs CPU/req) | this / other |"
echo "|---|--:|--:|--:|--:|--:|--:|"
medianOf() { echo "$1" | tr ' ' '\n' | grep . | median; }
for test in get put; do
  awk -v t="$test" -v a="$(medianOf "${results[this-$test]}")" -v b="$(medianOf "${results[other-$test]}")" \
    -v c="$(medianOf "${cpus[this-$test]}")" -v d="$(medianOf "${cpus[other-$test]}")" \
    'BEGIN {printf "| %s | %.0f | %.0f | %.2f | %.1f | %.1f | %.2f |\n", t, a, b, a / b, c, d, c / d}'
done
