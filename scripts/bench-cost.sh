#!/usr/bin/env bash
# Usage: scripts/bench-cost.sh   (run by `make bench-cost`, which builds first; about 13 minutes, 20 with
# BENCH_COST_GC=1)
#
# Where a request's time goes, for the goals against the peers, as a ladder of five servers, each adding one layer to
# the one before: the bare Helidon server (the ceiling); the same routes inside microstore's server set-up
# (its limits, filters, metrics and health: BareServer --setup); microstore in memory (the handlers and the
# store, no journal); microstore with fsync never (the journal's writes); with fsync always (the fsync).
# Beside the ladder, bare-durable: the bare server whose PUT answers only after the simplest group commit
# has fdatasynced its body (BareServer --durable), the floor of any durable PUT on this machine.
# 1k apps each, all up at once, each test alternating between them BENCH_ROUNDS times. Per run it reads the
# server's CPU time (user and system, /proc/PID/stat) and its threads' context switches
# (/proc/PID/task/*/status) before and after wrk, and reports them per request,
# next to wrk's requests/s and p50 and the share of the machine left idle (/proc/stat). PUT runs at 64
# connections and at 256: with too few requests in flight to cover the fsyncs, cores sit idle. CPU per
# request does not drift with the machine's load the way requests/s do, so it shows what each system costs.
# Each round also runs scripts/fsync-probe.py twice: appends to a growing file (what the bench compares the
# one-connection PUT with) and overwrites of a zero-filled, preallocated one (what a preallocated journal would
# pay).
#
# BENCH_KEYS (1000) sets the apps each microstore of the ladder holds (k1..kN, imported first; the tests pick
# among them): BENCH_KEYS=1000000 runs the ladder at 1M apps. BENCH_COST_LADDER names a part of the ladder
# to run (e.g. "bare fsync-always"); BENCH_DURATION (6s) and BENCH_ROUNDS (3) as in the other benches.
#
# BENCH_COST_GC=1 adds the collectors at 1M apps: microstore on copies of one data directory of 1M apps
# under G1 (the JVM's default), generational ZGC and Parallel GC, GET and PUT alternating with the bare
# server, with each process's RSS at the end.
#
# Every JVM runs with JDK_JAVA_OPTIONS, which `make bench-cost` sets to the Makefile's JAVA_OPTS.
#
# Prints markdown tables and writes nothing else; docs/BENCHMARKS.md ("What we learned") keeps the
# ladder of one run.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${JAVA_HOME:?JAVA_HOME must point at a JDK >= 21 (make bench-cost sets it)}"
JAVA="$JAVA_HOME/bin/java"
DURATION=${BENCH_DURATION:-6s}
ROUNDS=${BENCH_ROUNDS:-3}
KEYS=${BENCH_KEYS:-1000}
WORK=target/bench-cost
CP="target/test-classes:target/classes:target/libs/*"
rm -rf "$WORK"
mkdir -p "$WORK"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

. scripts/bench/processes.sh # start, stop, and every server stopped on exit
log() { echo "[bench-cost $(date +%H:%M:%S)] $*" >&2; }

# start NAME COMMAND... (scripts/bench/processes.sh), keeping NAME's pid and port.
declare -A PIDS PORTS
run() {
  start "$@"
  PIDS[$1]=$PID PORTS[$1]=$PORT
}

# MEDIAN: an awk function, med(list of numbers separated by spaces).
MEDIAN='function med(s,   a, n, i, j, t) { n = split(s, a, " ")
  for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }'

cpu() { awk '{print $14, $15}' "/proc/$1/stat"; } # user and system time, in clock ticks
# idle and iowait ticks of all cores, and all ticks: the share of the machine no one used
idle() { awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i; print $5 + $6, t }' /proc/stat; }
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {n += $2} END {print n}'; }
TICK_US=$((1000000 / $(getconf CLK_TCK)))

# measure NAME TEST SCRIPT CONNS KEYS: one wrk run; appends NAME, TEST, req/s, p50 ms, user us/req,
# system us/req, switches/req, the machine's idle share in % (/proc/stat: idle and iowait of all cores) and
# errors to $WORK/runs.tsv.
measure() {
  local name=$1 test=$2 script=$3 conns=$4 keys=$5 pid=${PIDS[$1]} before after s0 s1 i0 i1 out
  before=$(cpu "$pid"); s0=$(switches "$pid"); i0=$(idle)
  out=$(BENCH_KEYS=$keys wrk -t"$(( conns > 1 ? 2 : 1 ))" -c"$conns" -d"$DURATION" --latency \
      -s "scripts/bench/$script.lua" "http://127.0.0.1:${PORTS[$name]}" 2>&1)
  after=$(cpu "$pid"); s1=$(switches "$pid"); i1=$(idle)
  awk -v name="$name" -v test="$test" -v b="$before" -v a="$after" -v s0="$s0" -v s1="$s1" -v tick="$TICK_US" \
      -v i0="$i0" -v i1="$i1" '
    function ms(v) { if (v ~ /us$/) { sub("us", "", v); return v / 1000 } if (v ~ /ms$/) { sub("ms", "", v); return v }
                     sub("s", "", v); return v * 1000 }
    /requests in/ { n = $1 } /Requests\/sec/ { rps = $2 } $1 == "50%" { p50 = ms($2) }
    /Non-2xx|Socket errors/ { bad = 1 }
    END { split(b, x, " "); split(a, y, " "); split(i0, p, " "); split(i1, q, " ")
          printf "%s\t%s\t%.0f\t%.3f\t%.1f\t%.1f\t%.2f\t%.1f\t%s\n", name, test, rps, p50, (y[1] - x[1]) * tick / n,
                 (y[2] - x[2]) * tick / n, (s1 - s0) / n, 100 * (q[1] - p[1]) / (q[2] - p[2]), bad ? "errors" : "" }' \
      <<< "$out" >> "$WORK/runs.tsv"
  log "$(tail -n 1 "$WORK/runs.tsv")"
}

# report: medians over the rounds of each system and test.
report() {
  echo "| test | system | runs | req/s | to bare | p50 ms | user µs/req | system µs/req | context switches/req | idle % |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' "$MEDIAN"'
    { k = $2 SUBSEP $1; if (!(k in runs)) order[++m] = k; runs[k]++; rps[k] = rps[k] " " $3; p50[k] = p50[k] " " $4
      u[k] = u[k] " " $5; s[k] = s[k] " " $6; c[k] = c[k] " " $7; d[k] = d[k] " " $8; if ($9 != "") err[k] = 1
      if ($1 == "bare") bare[$2] = bare[$2] " " $3 }
    END { for (i = 1; i <= m; i++) { split(order[i], kk, SUBSEP); t = kk[1]; b = t in bare ? med(bare[t]) : 0
            printf "| %s | %s%s | %d | %.0f | %s | %.3f | %.1f | %.1f | %.2f | %.1f |\n", t, kk[2], order[i] in err ? " (errors)" : "",
              runs[order[i]], med(rps[order[i]]), b ? sprintf("%.2f", med(rps[order[i]]) / b) : "–", med(p50[order[i]]),
              med(u[order[i]]), med(s[order[i]]), med(c[order[i]]), med(d[order[i]]) } }' "$WORK/runs.tsv"
}

awk -v n="$KEYS" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"name\":\"k%d\",\"data\":{\"n\":1,\"s\":\"some small value\"}}\n", i }' \
    > "$WORK/apps.jsonl"
# ladder NAME COMMAND...: run, for the servers of the ladder asked for
ladder() { case " $LADDER " in *" $1 "*) run "$@" ;; esac; }
LADDER=${BENCH_COST_LADDER:-bare bare-durable setup in-memory fsync-never fsync-always}
log "starting the ladder ($LADDER), $KEYS apps each"
ladder bare "$JAVA" -cp "$CP" io.microstore.bench.BareServer 0
ladder bare-durable "$JAVA" -cp "$CP" io.microstore.bench.BareServer 0 --durable "$WORK/bare-durable"
ladder setup "$JAVA" -cp "$CP" io.microstore.bench.BareServer 0 --setup
ladder in-memory "$JAVA" -jar target/microstore.jar --port 0 --import "$WORK/apps.jsonl"
ladder fsync-never "$JAVA" -jar target/microstore.jar --port 0 --data "$WORK/fsync-never" --fsync never --import "$WORK/apps.jsonl"
ladder fsync-always "$JAVA" -jar target/microstore.jar --port 0 --data "$WORK/fsync-always" --import "$WORK/apps.jsonl"
for name in $LADDER; do
  # as make bench does: no garbage of the import left, and the apps in the old generation already (at 1M apps,
  # young collections copying the freshly imported index would take the first minutes of PUTs otherwise)
  "$JAVA_HOME/bin/jcmd" "${PIDS[$name]}" GC.run > /dev/null
done
# Warm-up in two turns: on 2 cores shared with wrk the durable server's JIT took about 15 s of PUTs to settle
# (2026-12-07); with one turn of 5 s its first measured round still ran a third slower than the next two.
for _ in 1 2; do
  for name in $LADDER; do
    for script in get put; do
      BENCH_KEYS=$KEYS wrk -t2 -c64 -d5s -s "scripts/bench/$script.lua" "http://127.0.0.1:${PORTS[$name]}" > /dev/null 2>&1
    done
  done
done
: > "$WORK/runs.tsv"
: > "$WORK/fsync.tsv"
for _ in $(seq 1 "$ROUNDS"); do
  for name in $LADDER; do measure "$name" "GET, 64 conns" get 64 "$KEYS"; done
  for name in $LADDER; do measure "$name" "PUT, 64 conns" put 64 "$KEYS"; done
  for name in $LADDER; do measure "$name" "PUT, 256 conns" put 256 "$KEYS"; done
  for name in $LADDER; do measure "$name" "PUT, 1 conn" put 1 "$KEYS"; done
  printf 'append\t%s\n' "$(python3 scripts/fsync-probe.py "$WORK" 3)" >> "$WORK/fsync.tsv"
  printf 'preallocated\t%s\n' "$(python3 scripts/fsync-probe.py --preallocated "$WORK" 3)" >> "$WORK/fsync.tsv"
  log "$(tail -n 2 "$WORK/fsync.tsv" | tr '\n' ' ')"
done
echo
echo "Cost per request, $KEYS apps, $ROUNDS alternating rounds of wrk -d$DURATION, medians ($(nproc) cores, $(date -u +'%Y-%m-%d %H:%M UTC')):"
echo
report
echo
echo "| raw fdatasync of a 100-byte write (scripts/fsync-probe.py) | runs | p50 ms | p99 ms |"
echo "|---|---:|---:|---:|"
awk -F'\t' "$MEDIAN"'{ split($2, v, " "); p50[$1] = p50[$1] " " v[2]; p99[$1] = p99[$1] " " v[3]; n[$1]++ }
  END { printf "| appended to a growing file | %d | %.3f | %.3f |\n", n["append"], med(p50["append"]), med(p99["append"])
        printf "| overwriting a preallocated, zero-filled file | %d | %.3f | %.3f |\n", n["preallocated"], med(p50["preallocated"]), med(p99["preallocated"]) }' \
    "$WORK/fsync.tsv"

[ "${BENCH_COST_GC:-0}" = 1 ] || exit 0
for name in $LADDER; do [ "$name" = bare ] || stop "${PIDS[$name]}"; done
log "collectors at 1M apps: loading one data directory"
awk 'BEGIN { for (i = 1; i <= 1000000; i++) printf "{\"name\":\"k%d\",\"data\":{\"n\":1,\"s\":\"some small value\"}}\n", i }' \
    > "$WORK/apps-1000000.jsonl"
run load "$JAVA" -jar target/microstore.jar --port 0 --data "$WORK/data-1m" --import "$WORK/apps-1000000.jsonl"
curl -s -X POST "http://127.0.0.1:${PORTS[load]}/api/admin/compact" > /dev/null
stop "${PIDS[load]}"
declare -A GC_FLAGS=([G1]="-XX:+UseG1GC" [ZGC]="-XX:+UseZGC" [Parallel]="-XX:+UseParallelGC")
for gc in G1 ZGC Parallel; do
  cp -r "$WORK/data-1m" "$WORK/data-$gc"
  # shellcheck disable=SC2086 # the flags are words
  run "$gc" "$JAVA" ${GC_FLAGS[$gc]} -jar target/microstore.jar --port 0 --data "$WORK/data-$gc"
  "$JAVA_HOME/bin/jcmd" "${PIDS[$gc]}" GC.run > /dev/null # as make bench does: no garbage of the load left
  for script in get put; do
    BENCH_KEYS=1000000 wrk -t2 -c64 -d5s -s "scripts/bench/$script.lua" "http://127.0.0.1:${PORTS[$gc]}" > /dev/null 2>&1
  done
done
: > "$WORK/runs.tsv"
for _ in $(seq 1 "$ROUNDS"); do
  for name in bare G1 ZGC Parallel; do measure "$name" "GET, 1M apps" get 64 1000000; done
  for name in bare G1 ZGC Parallel; do measure "$name" "PUT, 1M apps" put 64 1000000; done
done
echo
echo "Collectors at 1M apps, $ROUNDS alternating rounds, medians:"
echo
report
echo
for gc in G1 ZGC Parallel; do
  echo "- RSS of microstore under $gc at the end: $(awk '/VmRSS/ {printf "%.0f MB", $2 / 1024}' "/proc/${PIDS[$gc]}/status")"
done
