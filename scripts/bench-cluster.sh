# Cluster mode in `make bench`: sourced by scripts/bench.sh (uses its JAVA, CP, WORK, DURATION, ROUNDS,
# log, start, stop, warm_up, to_ms, make_data); bench_cluster appends rows to $CLUSTER_RESULTS:
#   system, test, value, p50 ms, p99 ms, errors
# All on one 3-member etcd cluster on 127.0.0.1 (scripts/etcd-cluster.sh, ports BENCH_ETCD_BASE+1..3 and
# +11..13, never 2379), every comparison alternating within the run, ROUNDS times:
#   get    1k apps, scripts/bench/get.lua at CONNS connections: one instance in cluster mode (system
#          "cluster") vs local mode on a fresh data dir, fsync always ("local"); req/s.
#   put    2 instances, one wrk -t1 -c32 each at the same time, req/s summed ("cluster-2x32") vs wrk -t2 -c64 of
#          scripts/bench/etcd-put.lua straight at etcd's JSON gateway on the member microstore talks to
#          ("gateway-64"): what etcd itself takes, with no client of ours in between; req/s.
#   put1   one connection: wrk -t1 -c1 of put.lua through instance A ("cluster-1") vs etcd-put.lua at the
#          gateway ("gateway-1"); the p50s compare one write's latency.
#   lag    WatchLag: WATCH_WRITES sequential PUTs through instance A, SSE stream on B; ms from A's ack to B
#          (and "lag-send": from sending the PUT); value = events seen, errors = writes B never showed.
#   stall  WriteStall: sequential PUTs through instance A; the etcd leader is killed (SIGKILL) 2 s in and
#          restarted 5 s later; value = longest gap between two acknowledged writes (ms), errors = failed
#          writes. Last, as it disturbs the cluster.
# Then `etcdctl check perf --load=l` (etcd's own Go gRPC client, 60 s) on the same cluster, as rows
# "check-perf" reported beside (BENCH_CHECK_PERF=0 skips it).

CLUSTER_RESULTS=${CLUSTER_RESULTS:-$WORK/cluster.tsv}
ETCD_DIR=$WORK/etcd
WATCH_WRITES=${BENCH_WATCH_WRITES:-300}

crow() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$CLUSTER_RESULTS"; log "cluster: $*"; }

# wrk_stats OUTPUT: "req/s p50 p99 errors" of one wrk run's output.
wrk_stats() {
  local out=$1 rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
  p50=$(awk '$1=="50%" {print $2}' <<< "$out" | to_ms)
  p99=$(awk '$1=="99%" {print $2}' <<< "$out" | to_ms)
  errs=$(awk '/Socket errors/ {gsub(",",""); s=$4+$6+$8+$10} /Non-2xx/ {n=$5} END {print s+n}' <<< "$out")
  echo "${rps:-0} ${p50:-0} ${p99:-0} ${errs:-0}"
}

# A base port whose 3 client and 3 peer ports are all free (from BENCH_ETCD_BASE, 24600 unless set).
etcd_base() {
  local base=${BENCH_ETCD_BASE:-24600} used
  used=$(ss -Htan 2>/dev/null | awk '{n = split($4, a, ":"); print a[n]}' | sort -u)
  for _ in $(seq 1 20); do
    local busy=0 p
    for p in $((base + 1)) $((base + 2)) $((base + 3)) $((base + 11)) $((base + 12)) $((base + 13)); do
      grep -qx "$p" <<< "$used" && busy=1
    done
    [ $busy = 0 ] && { echo "$base"; return; }
    base=$((base + 100))
  done
  log "no free ports for etcd"; exit 1
}

# The member number (1..3) of the current leader, from /v3/maintenance/status.
etcd_leader() {
  local n st
  for n in 1 2 3; do
    st=$(curl -fsS --max-time 1 -X POST -d '{}' "$(etcd_url "$n")/v3/maintenance/status" 2>/dev/null) || continue
    if [ "$(jq -r '.header.member_id' <<< "$st")" = "$(jq -r '.leader' <<< "$st")" ]; then echo "$n"; return; fi
  done
  echo ""
}

etcd_url() { echo "http://127.0.0.1:$(($(cat "$ETCD_DIR/baseport") + $1))"; }

cluster_get() {
  log "cluster: GET, local (fresh data dir, fsync always) vs one instance in cluster mode, $ROUNDS rounds"
  local out
  for _ in $(seq 1 "$ROUNDS"); do
    out=$(BENCH_KEYS=1000 wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s scripts/bench/get.lua "http://127.0.0.1:$LOCAL_PORT" 2>&1)
    crow local get $(wrk_stats "$out")
    out=$(BENCH_KEYS=1000 wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s scripts/bench/get.lua "http://127.0.0.1:$A_PORT" 2>&1)
    crow cluster get $(wrk_stats "$out")
  done
}

cluster_put() {
  log "cluster: PUT, two instances at 2 x 32 connections vs wrk at 64 straight at etcd's gateway, then one connection each, $ROUNDS rounds"
  local gateway a b out
  gateway=$(etcd_url 1) # the member microstore talks to first
  for _ in $(seq 1 "$ROUNDS"); do
    BENCH_KEYS=1000 wrk -t1 -c32 -d"$DURATION" --latency -s scripts/bench/put.lua "http://127.0.0.1:$A_PORT" > "$WORK/put-a.out" 2>&1 &
    a=$!
    BENCH_KEYS=1000 wrk -t1 -c32 -d"$DURATION" --latency -s scripts/bench/put.lua "http://127.0.0.1:$B_PORT" > "$WORK/put-b.out" 2>&1 &
    b=$!
    wait "$a" "$b"
    read -r ra pa qa ea <<< "$(wrk_stats "$(cat "$WORK/put-a.out")")"
    read -r rb pb qb eb <<< "$(wrk_stats "$(cat "$WORK/put-b.out")")"
    # req/s summed; latencies: the mean of the two p50s, the larger p99
    crow cluster-2x32 put "$(awk -v x="$ra" -v y="$rb" 'BEGIN {printf "%.2f", x + y}')" \
        "$(awk -v x="$pa" -v y="$pb" 'BEGIN {printf "%.2f", (x + y) / 2}')" \
        "$(awk -v x="$qa" -v y="$qb" 'BEGIN {print (x > y ? x : y)}')" $((ea + eb))
    out=$(BENCH_KEYS=1000 wrk -t2 -c64 -d"$DURATION" --latency -s scripts/bench/etcd-put.lua "$gateway" 2>&1)
    crow gateway-64 put $(wrk_stats "$out")
    out=$(BENCH_KEYS=1000 wrk -t1 -c1 -d"$DURATION" --latency -s scripts/bench/put.lua "http://127.0.0.1:$A_PORT" 2>&1)
    crow cluster-1 put1 $(wrk_stats "$out")
    out=$(BENCH_KEYS=1000 wrk -t1 -c1 -d"$DURATION" --latency -s scripts/bench/etcd-put.lua "$gateway" 2>&1)
    crow gateway-1 put1 $(wrk_stats "$out")
  done
}

cluster_lag() {
  log "cluster: watch lag A -> B, $WATCH_WRITES writes per round, $ROUNDS rounds"
  local line
  for _ in $(seq 1 "$ROUNDS"); do
    line=$("$JAVA" -cp "$CP" io.microstore.bench.WatchLag "http://127.0.0.1:$A_PORT" "http://127.0.0.1:$B_PORT" \
        "$WATCH_WRITES" 5 2>&1 | tee "$WORK/watchlag.out" | grep '^writes ' | tail -n 1)
    # "writes N seen S ack-to-B p50 X p99 Y max Z send-to-B p50 X p99 Y"
    read -r _ n _ seen _ _ p50 _ p99 _ _ _ _ sp50 _ sp99 <<< "$line"
    [[ ${seen:-} =~ ^[0-9]+$ ]] || { log "WatchLag failed, round skipped: $(tail -n 3 "$WORK/watchlag.out")"; continue; }
    crow cluster lag "$seen" "${p50:-0}" "${p99:-0}" $((n - seen))
    crow cluster lag-send "$seen" "${sp50:-0}" "${sp99:-0}" $((n - seen))
  done
}

cluster_stall() {
  log "cluster: write stall around a SIGKILL of the etcd leader, $ROUNDS rounds"
  local ready=$WORK/stall.ready writer leader line
  for _ in $(seq 1 "$ROUNDS"); do
    rm -f "$ready"
    "$JAVA" -cp "$CP" io.microstore.bench.WriteStall "http://127.0.0.1:$A_PORT" 12 "$ready" > "$WORK/stall.out" 2>&1 &
    writer=$!
    for _ in $(seq 1 100); do [ -f "$ready" ] && break; sleep 0.1; done
    sleep 2
    leader=$(etcd_leader)
    if [ -z "$leader" ]; then log "no etcd leader found"; wait "$writer" || true; continue; fi
    log "killing etcd member m$leader (the leader)"
    scripts/etcd-cluster.sh kill "$ETCD_DIR" "$leader"
    sleep 5
    scripts/etcd-cluster.sh restart "$ETCD_DIR" "$leader"
    wait "$writer" || true
    line=$(grep '^acked ' "$WORK/stall.out" | tail -n 1)
    # "acked N failed F max-gap-ms G gap-start-ms T slowest-failure-ms D status S"
    read -r _ acked _ failed _ gap _ at _ slow _ slowst <<< "$line"
    [[ ${acked:-} =~ ^[0-9]+$ ]] || { log "WriteStall: $line"; continue; }
    log "stall: $acked writes acknowledged, $failed failed, longest gap $gap ms, starting $at ms after the writer's start; slowest failed write $slow ms (status $slowst: $(sed -n 's/^slowest failure: //p' "$WORK/stall.out" | cut -c1-200))"
    crow cluster stall "$gap" - - "$failed"
    sleep 2
  done
}

check_perf() {
  log "cluster: etcdctl check perf --load=l (60 s)"
  local out
  out=$(ETCDCTL_API=3 etcdctl --endpoints "$(scripts/etcd-cluster.sh endpoints "$ETCD_DIR")" check perf --load=l 2>&1 || true)
  echo "$out" > "$WORK/check-perf.out"
  # "PASS: Throughput is 150 writes/s" or "FAIL: Throughput too low: 3900 writes/s" (below the load's target),
  # "PASS: Slowest request took 0.2s", "PASS: Stddev is 0.02s"
  # ("FAIL: Slowest request took too long: 1.2s" when over the load's bound); "-" when absent, as an
  # empty field would shift the report's columns (read collapses adjacent tabs)
  local slowest
  slowest=$(sed -n 's/.*Slowest request took[a-z ]*[:]* \([0-9.]*\)s.*/\1/p' <<< "$out" | head -n 1)
  crow check-perf put "$(sed -n 's/.*Throughput[a-z ]*[:]* \([0-9.]*\) writes\/s.*/\1/p' <<< "$out" | head -n 1)" - \
      "$([ -n "$slowest" ] && awk -v s="$slowest" 'BEGIN {printf "%.0f", s * 1000}' || echo -)" 0
}

cluster_cleanup() {
  local pid
  for pid in ${LOCAL_PID:-} ${A_PID:-} ${B_PID:-}; do stop "$pid"; done
  LOCAL_PID="" A_PID="" B_PID=""
  [ -f "$ETCD_DIR/baseport" ] && scripts/etcd-cluster.sh stop "$ETCD_DIR" || true
}

bench_cluster() {
  : > "$CLUSTER_RESULTS"
  cut -d' ' -f1-3 /proc/loadavg > "$WORK/cluster-load.txt"
  make_data 1000
  cluster_cleanup
  rm -rf "$ETCD_DIR" "$WORK/data-local-cluster"
  local base endpoints
  base=$(etcd_base)
  endpoints=$(scripts/etcd-cluster.sh start "$ETCD_DIR" "$base")
  trap 'cluster_cleanup; bench_cleanup' EXIT
  log "cluster: etcd $(etcd --version | head -n 1 | awk '{print $NF}') at $endpoints"
  start cluster-a "$JAVA" -jar target/microstore.jar --port 0 --etcd "$endpoints"
  A_PID=$PID A_PORT=$PORT
  # The 1k apps through instance A's API (an import reads back a write etcd left unanswered, but a
  # loaded machine can still time the whole request out): retried, overwriting.
  local i
  for i in 1 2 3 4 5; do
    curl -fsS --max-time 120 -X POST -H 'Content-Type: application/x-ndjson' --data-binary "@$WORK/apps-1000.jsonl" \
        "http://127.0.0.1:$A_PORT/api/import?overwrite=true" > "$WORK/cluster-import.out" 2>&1 && break
    log "cluster: import through instance A failed ($(head -c 300 "$WORK/cluster-import.out")), retrying"
    sleep 2
  done
  [ "$(curl -s "http://127.0.0.1:$A_PORT/api/apps/k1000" -o /dev/null -w '%{http_code}')" = 200 ] || { log "cluster: import failed"; exit 1; }
  start cluster-b "$JAVA" -jar target/microstore.jar --port 0 --etcd "$endpoints"
  B_PID=$PID B_PORT=$PORT
  start local-1000 "$JAVA" -jar target/microstore.jar --port 0 --data "$WORK/data-local-cluster" --fsync always \
      --import "$WORK/apps-1000.jsonl"
  LOCAL_PID=$PID LOCAL_PORT=$PORT
  local pid; for pid in "$A_PID" "$B_PID" "$LOCAL_PID"; do settle "$pid"; done
  warm_up "$LOCAL_PORT" get
  warm_up "$A_PORT" get
  # Both instances written at once, as measured, and long enough for the JIT: after the 5 s of the other
  # tests, an instance's compiler threads still took half its CPU through the measured PUTs.
  BENCH_KEYS=1000 wrk -t1 -c32 -d"${BENCH_CLUSTER_WARMUP:-20s}" -s scripts/bench/put.lua "http://127.0.0.1:$A_PORT" > /dev/null 2>&1 &
  local warming=$!
  BENCH_KEYS=1000 wrk -t1 -c32 -d"${BENCH_CLUSTER_WARMUP:-20s}" -s scripts/bench/put.lua "http://127.0.0.1:$B_PORT" > /dev/null 2>&1 || true
  wait "$warming" || true
  BENCH_KEYS=1000 wrk -t2 -c64 -d3s -s scripts/bench/etcd-put.lua "$(etcd_url 1)" > /dev/null 2>&1 || true
  cluster_get
  stop "$LOCAL_PID"; LOCAL_PID=""
  cluster_put
  cluster_lag
  [ "${BENCH_CHECK_PERF:-1}" = 1 ] && check_perf
  cluster_stall
  cluster_cleanup
  trap bench_cleanup EXIT
}
