#!/usr/bin/env bash
# Usage: scripts/bench.sh   (run by `make bench`, which builds first)
#
# Load tests with wrk on loopback against, in one run: microstore (fresh data directory) and a bare
# Helidon server with the same routes and no store (the ceiling; src/test/.../bench/BareServer.java).
# For each: GET hit, PUT (microstore: fsync always and interval), a 90/10 GET/PUT mix, and a page of
# 100 names, at 1k and at 1M apps. Then scale figures for
# microstore at 1M apps: start-up time (journal replay and snapshot), heap and RSS, journal bytes per
# PUT, compaction time and PUT p99 while it runs; last, PUT at 1k and at 1M apps alternating. Prints
# a table (scripts/bench-report.sh), writes it with the date and the machine to target/bench/report-<date>.md
# and draws target/bench/bench.png (ratios to the ceiling); a full run also replaces the latest run in
# docs/BENCHMARKS.md and docs/bench.png.
#
# The machine is shared and noisy: throughput drifts by tens of percent within minutes. So the bare
# server and microstore run side by side, idle but for the one under load, and each test alternates
# between them BENCH_ROUNDS times; the report takes the median of each. Ratios come from runs
# minutes apart at most.
#
# Then the peers (scripts/bench-peers.sh): bare, microstore, webdis over Redis (appendfsync always), etcd
# through its JSON gateway, pouchdb-server and json-server, all up at once with 1k keys, each checked
# (answers a GET, reads back a PUT) and then GET, PUT at CONNS connections and PUT at one connection,
# every round alternating over all of them; with the machine's raw fdatasync latency.
#
# Then cluster mode (scripts/bench-cluster.sh): GET and PUT through instances on a 3-member etcd cluster,
# against local mode and against etcd written directly, the write stall when the leader is killed and
# the watch lag between two instances.
#
# Then the queries (scripts/bench-query.sh): a filter through an index against a GET by name at 1M apps,
# counts at 1M and 1k, durable PUT with three indexes, the unindexed scan rate, and the same questions to
# json-server 1.0, pouchdb-server and PostgreSQL on 100k documents; target/bench/query-report-<date>.md.
#
# Every JVM runs with JDK_JAVA_OPTIONS, which `make bench` sets to the Makefile's JAVA_OPTS (those of `make
# run`); the worst start-up is also measured without them.
#
# Environment: BENCH_DURATION (8s per run), BENCH_ROUNDS (3), BENCH_CONNS (64), BENCH_SIZES ("1000 1000000"),
# BENCH_CLUSTER=0 (skip cluster mode), BENCH_ONLY=cluster (cluster mode alone), BENCH_PEERS=0 (skip the
# peers), BENCH_ONLY=peers (the peers alone), BENCH_QUERY=0 (skip the queries), BENCH_ONLY=query or query-peers
# (the queries of microstore, or on the peers, alone), BENCH_QUERY_PEER_KEYS (100000), BENCH_WARMUP (5s per
# warm-up run), BENCH_WORK (target/bench: where data, logs and reports go), BENCH_CHECK_PERF=0 (skip
# `etcdctl check perf --load=l`, 60 s), BENCH_ETCD_BASE (24600: etcd's ports are BASE+1..3, +11..13).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${JAVA_HOME:?JAVA_HOME must point at a JDK >= 21 (make bench sets it)}"
JAVA="$JAVA_HOME/bin/java"
DURATION=${BENCH_DURATION:-8s}
ROUNDS=${BENCH_ROUNDS:-3}
export CONNS=${BENCH_CONNS:-64}
SIZES=${BENCH_SIZES:-"1000 1000000"}
WORK=${BENCH_WORK:-target/bench}
RESULTS=$WORK/results.tsv
SCALE=$WORK/scale.tsv
CP="target/test-classes:target/classes:target/libs/*"
mkdir -p "$WORK" docs
: > "$RESULTS"
: > "$SCALE"
CLUSTER_RESULTS=$WORK/cluster.tsv
: > "$CLUSTER_RESULTS"
PEERS_RESULTS=$WORK/peers.tsv
PEERS_SYSTEMS=$WORK/peers-systems.tsv
: > "$PEERS_RESULTS"
: > "$PEERS_SYSTEMS"
ONLY=${BENCH_ONLY:-}
case $ONLY in ""|cluster|peers|query|query-peers) ;; *) echo "BENCH_ONLY must be cluster, peers, query or query-peers" >&2; exit 2 ;; esac
PEERS=1
{ [ "${BENCH_PEERS:-1}" = 0 ] || [ -n "$ONLY" ]; } && PEERS=0
QUERY_RESULTS=$WORK/query.tsv
QUERY_PEERS_RESULTS=$WORK/query-peers.tsv
QUERY_FACTS=$WORK/query-facts.tsv
: > "$QUERY_RESULTS"
: > "$QUERY_PEERS_RESULTS"
: > "$QUERY_FACTS"
[ "$ONLY" = peers ] && PEERS=1

# start, stop, and the traps that stop every server the bench started (by pid) on exit.
. scripts/bench/processes.sh

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

install_tools() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} from Debian's packages"
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if [ "$PEERS" = 1 ] && [ ! -x "$WORK/node_modules/.bin/json-server" ]; then
    log "installing json-server 0.17.4 from npm"
    npm install --prefix "$WORK" --no-audit --no-fund --silent json-server@0.17.4 >/dev/null
  fi
  if [ "$PEERS" = 1 ]; then install_peers; fi
}

# A full GC after loading, so the runs do not pay for the loader's garbage or the collector's
# concurrent marking of the freshly grown heap (on 2 cores that takes a share of the CPU).
settle() { "$JAVA_HOME/bin/jcmd" "$1" GC.run > /dev/null 2>&1 || true; }

# warm_up PORT SCRIPT [VAR=VALUE...]: an unrecorded run, so the JIT has compiled what is measured next.
warm_up() {
  local port=$1 script=$2; shift 2
  env BENCH_KEYS="${WARM_KEYS:-1000}" "$@" wrk -t2 -c"$CONNS" -d"${BENCH_WARMUP:-5s}" \
      -s "scripts/bench/$script.lua" "http://127.0.0.1:$port" > /dev/null 2>&1 || true
}

# wrk_run SERVER PORT APPS TEST SCRIPT [VAR=VALUE...]: one wrk run, appended to RESULTS as
# server, apps, test, requests/s, p50 ms, p99 ms, errors (socket errors + non-2xx/3xx).
wrk_run() {
  local server=$1 port=$2 apps=$3 test=$4 script=$5; shift 5
  [ -f "scripts/bench/$script.lua" ] || { log "no script scripts/bench/$script.lua"; exit 1; }
  local out
  out=$(env BENCH_KEYS="$apps" "$@" wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s "scripts/bench/$script.lua" \
        "http://127.0.0.1:$port" 2>&1)
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
  p50=$(awk '$1=="50%" {print $2}' <<< "$out" | to_ms)
  p99=$(awk '$1=="99%" {print $2}' <<< "$out" | to_ms)
  errs=$(awk '/Socket errors/ {gsub(",",""); s=$4+$6+$8+$10} /Non-2xx/ {n=$5} END {print s+n}' <<< "$out")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$server" "$apps" "$test" "${rps:-0}" "${p50:-0}" "${p99:-0}" "${errs:-0}" >> "$RESULTS"
  log "$server $apps $test: ${rps:-0} req/s, p50 ${p50:-?} ms, p99 ${p99:-?} ms, errors ${errs:-0}"
}

to_ms() { awk '{v=$1; if (v ~ /us$/) {sub("us","",v); v/=1000} else if (v ~ /ms$/) sub("ms","",v); else if (v ~ /s$/) {sub("s","",v); v*=1000}; printf "%.2f\n", v}'; }

# pairs APPS TEST SCRIPT MICROSTORE_TEST: ROUNDS alternating runs of the bare server and microstore.
pairs() {
  local apps=$1 test=$2 script=$3 mtest=$4
  for _ in $(seq 1 "$ROUNDS"); do
    wrk_run bare "$BARE_PORT" "$apps" "$test" "$script"
    wrk_run microstore "$MS_PORT" "$apps" "$mtest" "$script"
  done
}

# Data for N apps k1..kN with a small value, as JSON lines for microstore's --import. (json-server's
# db file is made by scripts/bench-peers.sh, which runs it at 1k keys only.)
make_data() {
  local n=$1
  [ -f "$WORK/apps-$n.jsonl" ] || awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++)
      printf "{\"name\":\"k%d\",\"data\":{\"n\":1,\"s\":\"some small value\"}}\n", i }' > "$WORK/apps-$n.jsonl"
}

# heap_used PID: bytes of heap in use after a full GC.
heap_used() {
  "$JAVA_HOME/bin/jcmd" "$1" GC.run >/dev/null
  "$JAVA_HOME/bin/jcmd" "$1" GC.heap_info | awk '/used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i+1); sub("K,?", "", v); print v * 1024; exit } }'
}

rss() { awk '/VmRSS/ {print $2 * 1024}' "/proc/$1/status"; }

scale() { printf '%s\t%s\n' "$1" "$2" >> "$SCALE"; log "$1: $2"; }

bench_microstore() {
  local n=$1 dir=$WORK/data-$n
  rm -rf "$dir"
  start "microstore-$n" "$JAVA" -jar target/microstore.jar --port 0 --data "$dir" --import "$WORK/apps-$n.jsonl"
  MS_PID=$PID MS_PORT=$PORT
  settle "$MS_PID"
  WARM_KEYS=$n warm_up "$MS_PORT" mix
  pairs "$n" get get get
  pairs "$n" put put put
  pairs "$n" mix mix mix
  pairs "$n" list list list
  [ "$n" -ge 1000000 ] && compaction_under_load "$n"
  curl -s -X POST "http://127.0.0.1:$MS_PORT/api/admin/compact" > /dev/null
  stop "$MS_PID"
  start "microstore-$n-interval" "$JAVA" -jar target/microstore.jar --port 0 --data "$dir" --fsync interval
  MS_PID=$PID MS_PORT=$PORT
  WARM_KEYS=$n warm_up "$MS_PORT" put
  pairs "$n" put put put-interval
  if [ "$n" -ge 1000000 ]; then
    scale "start-up from a snapshot of $n apps (ms, load)" \
        "$(sed -n 's/.* apps ready in \([0-9]*\) ms/\1/p' "$WORK/microstore-$n-interval.log")"
    memory "$n"
  fi
  stop "$MS_PID"
}

# PUT p99 without and with compactions running back to back during the load, alternating.
compaction_under_load() {
  local n=$1
  : > "$WORK/compactions.log"
  for _ in $(seq 1 "$ROUNDS"); do
    wrk_run microstore "$MS_PORT" "$n" put-baseline put
    ( end=$((SECONDS + ${DURATION%s})); while [ $SECONDS -lt $end ]; do
        curl -s -X POST "http://127.0.0.1:$MS_PORT/api/admin/compact" >> "$WORK/compactions.log"; echo >> "$WORK/compactions.log"
      done ) &
    local looper=$!
    wrk_run microstore "$MS_PORT" "$n" put-compacting put
    wait $looper
  done
  scale "compaction of $n apps (ms, median)" "$(sed -n 's/.*"millis":\([0-9]*\).*/\1/p' "$WORK/compactions.log" \
      | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
}

memory() {
  local n=$1 used empty
  used=$(heap_used "$MS_PID")
  scale "heap used with $n apps (bytes, after GC)" "$used"
  scale "RSS with $n apps (bytes)" "$(rss "$MS_PID")"
  start empty "$JAVA" -jar target/microstore.jar --port 0
  empty=$(heap_used "$PID")
  stop "$PID"
  scale "heap used, empty store (bytes)" "$empty"
  # Beyond its JSON: the value {"n":1,"s":"some small value"} is 30 bytes; names are k1..kN.
  scale "heap per app beyond its value's JSON bytes" "$(( (used - empty) / n - 30 ))"
}

# Start-up at N apps: replaying a journal of N records and nothing else; then the worst case the compaction
# trigger allows, a snapshot of N apps and a journal just short of compaction (the first names written again
# with a value of the same size: 97% of the snapshot's bytes by the first journal's bytes per record, about
# 99% as written, since their seqs are longer; compaction starts at 100%). The journals are one record per
# app, as PUTs leave them (bench/JournalOf, through the journal's own code): --import would write one record
# of N changes, since an import is one commit.
journal_startup() {
  local n=$1
  local dir=$WORK/journal-$n per updates
  rm -rf "$dir"
  "$JAVA" -cp "$CP" io.microstore.bench.JournalOf "$dir" "$WORK/apps-$n.jsonl" > "$WORK/journal-$n-load.log" 2>&1
  per=$(( $(cat "$dir"/journal-*.jsonl | wc -c) / n ))
  scale "journal bytes per small PUT" "$per"
  timed_start "journal-$n-replay" "start-up replaying a journal of $n records" \
      -Dstore.compaction.min-journal-bytes=100000000000 -jar target/microstore.jar --port 0 --data "$dir"
  curl -s -X POST "http://127.0.0.1:$PORT/api/admin/compact" > /dev/null
  stop "$PID"
  updates=$(( $(cat "$dir"/snapshot-*.jsonl | wc -c) * 97 / 100 / per ))
  head -n $(( updates < n ? updates : n )) "$WORK/apps-$n.jsonl" | sed 's/"n":1/"n":2/' > "$WORK/updates-$n.jsonl"
  "$JAVA" -cp "$CP" io.microstore.bench.JournalOf "$dir" "$WORK/updates-$n.jsonl" > "$WORK/journal-$n-updates.log" 2>&1
  scale "journal bytes per snapshot byte, worst case" \
      "$(awk -v j="$(cat "$dir"/journal-*.jsonl | wc -c)" -v s="$(cat "$dir"/snapshot-*.jsonl | wc -c)" \
          'BEGIN { printf "%.3f", j / s }')"
  timed_start "journal-$n-worst" "start-up from a snapshot of $n apps and a journal just short of compaction" \
      -jar target/microstore.jar --port 0 --data "$dir"
  stop "$PID"
  JDK_JAVA_OPTIONS= timed_start "journal-$n-worst-plain" \
      "start-up from a snapshot of $n apps and a journal just short of compaction, java -jar without JAVA_OPTS" \
      -jar target/microstore.jar --port 0 --data "$dir"
  stop "$PID"
}

# timed_start NAME FIGURE JAVA-ARGS...: starts microstore and records FIGURE twice: the load as it logs
# it, and from the JVM's start to listening.
timed_start() {
  local name=$1 figure=$2 t0 t1
  shift 2
  t0=$(date +%s%N)
  start "$name" "$JAVA" "$@"
  t1=$(date +%s%N)
  scale "$figure (ms, load)" "$(sed -n 's/.* apps ready in \([0-9]*\) ms/\1/p' "$WORK/$name.log")"
  scale "$figure (ms, JVM start to listening)" "$(( (t1 - t0) / 1000000 ))"
}

# PUT at the smallest and the largest size, both servers up (restarted on their data directories) and
# the runs alternating between them: measured minutes apart, the two drift with the disk's fsync
# latency on this shared machine by more than the difference being measured.
put_scale() {
  local small=$1 large=$2 small_pid small_port
  start "scale-$small" "$JAVA" -jar target/microstore.jar --port 0 --data "$WORK/data-$small"
  small_pid=$PID small_port=$PORT
  start "scale-$large" "$JAVA" -jar target/microstore.jar --port 0 --data "$WORK/data-$large"
  settle "$PID"
  WARM_KEYS=$small warm_up "$small_port" put
  WARM_KEYS=$large warm_up "$PORT" put
  for _ in $(seq 1 "$ROUNDS"); do
    wrk_run microstore "$small_port" "$small" put-scale put
    wrk_run microstore "$PORT" "$large" put-scale put
  done
  stop "$PID"
  stop "$small_pid"
}

. scripts/bench-peers.sh
. scripts/bench-query.sh
install_tools
log "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo); load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -z "$ONLY" ]; then
  for n in $SIZES; do make_data "$n"; done
  start bare "$JAVA" -cp "$CP" io.microstore.bench.BareServer 0
  BARE_PID=$PID BARE_PORT=$PORT
  warm_up "$BARE_PORT" mix
  for n in $SIZES; do
    bench_microstore "$n"
    if [ "$n" -ge 1000000 ]; then journal_startup "$n"; fi
  done
  stop "$BARE_PID"
  read -r -a sizes <<< "$SIZES"
  [ "${#sizes[@]}" -ge 2 ] && put_scale "${sizes[0]}" "${sizes[-1]}"
fi
if [ "$PEERS" = 1 ]; then bench_peers; fi
if { [ "${BENCH_QUERY:-1}" != 0 ] && [ -z "$ONLY" ]; } || [ "$ONLY" = query ]; then bench_query; fi
if { [ "${BENCH_QUERY:-1}" != 0 ] && [ -z "$ONLY" ]; } || [ "$ONLY" = query-peers ]; then bench_query_peers; fi
if [ -s "$QUERY_RESULTS" ] || [ -s "$QUERY_PEERS_RESULTS" ]; then
  query_report "$WORK/query-report-$(date -u +%Y-%m-%d).md"
fi
if [ "$ONLY" = query ] || [ "$ONLY" = query-peers ]; then exit 0; fi
if { [ "${BENCH_CLUSTER:-1}" != 0 ] && [ -z "$ONLY" ]; } || [ "$ONLY" = cluster ]; then
  . scripts/bench-cluster.sh
  bench_cluster
fi
scripts/bench-report.sh "$RESULTS" "$SCALE" "wrk -t2 -c$CONNS -d$DURATION, $ROUNDS alternating rounds" "$CLUSTER_RESULTS" \
    "$PEERS_RESULTS" "$PEERS_SYSTEMS"
