#!/usr/bin/env bash
# Usage: scripts/bench-report.sh RESULTS.tsv SCALE.tsv "WRK COMMAND" [CLUSTER.tsv [PEERS.tsv PEERS-SYSTEMS.tsv]]
#        (called by scripts/bench.sh)
# Prints the results with ratios to the bare Helidon server of the same run and checks the goals; writes
# all of it with the date and the machine to target/bench/report-<date>.md and draws target/bench/bench.png.
# CLUSTER.tsv (scripts/bench-cluster.sh) adds the cluster-mode table and goals; PEERS.tsv and
# PEERS-SYSTEMS.tsv (scripts/bench-peers.sh) the table of all systems with ratios to bare Helidon and to
# the best peer, the goals against the peers, and a second panel in the chart. With BENCH_ONLY=cluster or
# =peers RESULTS.tsv is empty and only that part is reported (cluster alone: no chart).
#
# A full run (two sizes or more, the peers and cluster mode) is also published: its report replaces
# everything after the marker line of docs/BENCHMARKS.md ("The latest full run", the file's last section)
# and its chart becomes docs/bench.png, so that the file keeps one run and git the ones before. A partial
# run (BENCH_ONLY, BENCH_PEERS=0, BENCH_CLUSTER=0, a single BENCH_SIZES) leaves docs/ as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=$1 scale=$2 wrk=$3 cluster=${4:-/dev/null} peers=${5:-/dev/null} systems=${6:-/dev/null}
[ -f "$cluster" ] || cluster=/dev/null
[ -f "$peers" ] || peers=/dev/null
[ -f "$systems" ] || systems=/dev/null
report=$(mktemp)
now=$(date -u +%s)
out=target/bench/report-$(date -u -d "@$now" +%Y%m%d-%H%M).md
chart=target/bench/bench.png
docs=docs/BENCHMARKS.md
marker='<!-- scripts/bench-report.sh replaces everything below this line'
mkdir -p target/bench

# One row per server, apps and test: the median of its runs (requests/s, p50, p99), errors summed.
results=$(mktemp)
awk -F'\t' '
  function median(a, k, c,    i, j, t, v) {
    for (i = 1; i <= c; i++) v[i] = a[k, i]
    for (i = 2; i <= c; i++) for (j = i; j > 1 && v[j-1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
    return c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
  }
  { k = $1 "\t" $2 "\t" $3; if (!(k in n)) order[++m] = k; c = ++n[k]; r[k, c] = $4; p[k, c] = $5; q[k, c] = $6; e[k] += $7 }
  END { for (i = 1; i <= m; i++) { k = order[i]; print k "\t" median(r, k, n[k]) "\t" median(p, k, n[k]) "\t" median(q, k, n[k]) "\t" e[k] "\t" n[k] } }
' "$runs" > "$results"

bare() { awk -F'\t' -v a="$1" -v t="$2" '$1=="bare" && $2==a && $3==t {print $4}' "$results"; }
value() { awk -F'\t' -v s="$1" -v a="$2" -v t="$3" -v c="$4" '$1==s && $2==a && $3==t {print $c}' "$results"; }
scaled() { awk -F'\t' -v k="$1" '$1==k {print $2}' "$scale"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# medians FILE: for rows "system, test, value, p50, p99, errors" (cluster mode, the peers), one row per
# system and test: median value, median p50 and p99 ("-" if none), errors summed, runs, max value.
medians() {
awk -F'\t' '
  function median(a, k, c,    i, j, t, v) {
    for (i = 1; i <= c; i++) v[i] = a[k, i]
    for (i = 2; i <= c; i++) for (j = i; j > 1 && v[j-1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
    return c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
  }
  { k = $1 "\t" $2; if (!(k in n)) order[++m] = k; c = ++n[k]; r[k, c] = $3; p[k, c] = $4; q[k, c] = $5; e[k] += $6
    if (!(k in mx) || $3 + 0 > mx[k]) mx[k] = $3 + 0 }
  END { for (i = 1; i <= m; i++) { k = order[i]; print k "\t" median(r, k, n[k]) "\t" (p[k, 1] == "-" ? "-" : median(p, k, n[k])) "\t" (q[k, 1] == "-" ? "-" : median(q, k, n[k])) "\t" e[k] "\t" n[k] "\t" mx[k] } }
' "$1"
}
# Cluster mode: ratios within the run.
cluster_med=$(mktemp)
medians "$cluster" > "$cluster_med"
cvalue() { awk -F'\t' -v s="$1" -v t="$2" -v c="$3" '$1==s && $2==t {print $c}' "$cluster_med"; }
cluster_report() {
  local getr putr p50r
  getr=$(ratio "$(cvalue cluster get 3)" "$(cvalue local get 3)")
  putr=$(ratio "$(cvalue cluster-2x32 put 3)" "$(cvalue gateway-64 put 3)")
  p50r=$(ratio "$(cvalue cluster-1 put1 4)" "$(cvalue gateway-1 put1 4)")
  echo
  echo "Cluster mode (scripts/bench-cluster.sh): a 3-member etcd $(etcd --version 2>/dev/null | head -n 1 | awk '{print $NF}') cluster on 127.0.0.1 (fsync on), microstore instances and clients on the same machine (load average when it started: $(cat "$(dirname "$cluster")/cluster-load.txt" 2>/dev/null || echo ?)); each comparison alternates between its two systems, medians of the rounds. get: 1k apps, get.lua at ${CONNS:-64} connections, one instance in cluster mode vs local mode (fresh data dir, fsync always). put: put.lua through two instances, one wrk -t1 -c32 each at the same time (req/s summed, p50 the mean, p99 the larger) vs wrk -t2 -c64 of etcd-put.lua straight at etcd's JSON gateway (the member microstore talks to). put1: one connection, put.lua through instance A vs etcd-put.lua at the gateway; the ratio is of the p50s. lag: SSE stream on instance B, sequential PUTs through A 5 ms apart; ms from A's acknowledgement to B (lag-send: from sending the PUT); value = events seen, errors = never seen. stall: sequential PUTs through A, the etcd leader killed with SIGKILL and restarted 5 s later; value = the longest gap between two acknowledged writes (ms), errors = failed writes. check-perf: \`etcdctl check perf --load=l\` (etcd's Go gRPC client), writes/s and the slowest request (ms)."
  echo
  echo "| system | test | runs | value (median) | unit | p50 ms | p99 ms | errors | ratio |"
  echo "|---|---|---:|---:|---|---:|---:|---:|---:|"
  while IFS=$'\t' read -r sys test val p50 p99 errs count max; do
    local unit=req/s r=""
    case $test in
      lag*) unit="events seen" ;;
      stall) unit="ms (max of runs: $max)" ;;
      put) [ "$sys" = check-perf ] && unit=writes/s ;;
    esac
    [ "$sys/$test" = cluster/get ] && r="$getr (to local)"
    [ "$sys/$test" = cluster-2x32/put ] && r="$putr (to the gateway)"
    [ "$sys/$test" = cluster-1/put1 ] && r="$p50r (p50 to the gateway's)"
    printf '| %s | %s | %s | %.0f | %s | %s | %s | %s | %s |\n' "$sys" "$test" "$count" "${val:-0}" "$unit" "$p50" "$p99" "$errs" "$r"
  done < "$cluster_med"
  local stall lag lagmax
  stall=$(cvalue cluster stall 3)
  lag=$(cvalue cluster lag 5)
  echo
  echo "| goal (cluster mode) | target | measured | met |"
  echo "|---|---|---:|---|"
  echo "| GET through one instance vs local mode (1k apps) | >= 0.80 | $getr | $(met "$getr" 0.80 ">=") |"
  echo "| PUT through two instances at 64 connections vs wrk at 64 straight at etcd's gateway | >= 0.70 | $putr | $(met "$putr" 0.70 ">=") |"
  echo "| one-connection PUT p50 vs a one-connection gateway put's | <= 1.5 | $p50r | $(met "$p50r" 1.5 "<=") |"
  echo "| write stall when the etcd leader is killed (ms, median of runs; max $(cvalue cluster stall 8)) | <= 3000 | ${stall:-?} | $(met "${stall:-}" 3000 "<=") |"
  echo "| watch lag between instances, p99 (ms, median of runs) | <= 20 | ${lag:-?} | $(met "${lag:-}" 20 "<=") |"
}
met() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { if (v == "" || v == "n/a") print "?"; else if ((op == ">=" && v + 0 >= t) || (op == "<" && v + 0 < t) || (op == "<=" && v + 0 <= t)) print "yes"; else print "**no**" }'; }

# The peers: medians per system and test; ratios to bare Helidon's median for the same test, and to the
# best peer's (the peers being every system but bare, microstore and the fdatasync probe). For PUT at
# CONNS connections the goal compares with the best durable peer (durable = acknowledges after its
# fsync); the table shows both.
peers_med=$(mktemp)
medians "$peers" > "$peers_med"
pvalue() { awk -F'\t' -v s="$1" -v t="$2" -v c="$3" '$1==s && $2==t {print $c}' "$peers_med"; }
# best_peer TEST [durable]: "system<TAB>req/s" of the peer with the highest median req/s.
best_peer() {
  awk -F'\t' -v t="$1" -v only="${2:-}" 'NR == FNR { durable[$1] = $4; next }
    $2 == t && $1 != "bare" && $1 != "microstore" && $1 != "fdatasync" && (only == "" || durable[$1] == "yes") \
      && $3 + 0 > best + 0 { best = $3; who = $1 }
    END { if (who != "") print who "\t" best }' "$systems" "$peers_med"
}
peers_report() {
  local test sys t val p50 p99 errs count max tname bare best bestd
  echo
  echo "Peers (scripts/bench-peers.sh): every system up at once on 127.0.0.1 with 1k keys k1..k1000 and a small JSON value, each checked (answers a GET, reads back a PUT) before any run; for each test the rounds alternate over all systems, medians of the rounds. get and put: \`wrk -t2 -c${CONNS:-64}\`; put1: \`wrk -t1 -c1\`, one write at a time, so its p50/p99 are the latency of one write; fdatasync: \`scripts/fsync-probe.py\`, 100-byte appends each followed by fdatasync on the filesystem of target/bench, run in each put1 round just before microstore's put1 (its req/s are syncs/s). pouchdb-server's PUTs are creates of fresh ids (an update needs the current \`_rev\`). Ratios: to bare Helidon's median for the same test, and to the best peer's (for put, also to the best durable peer's). Load average at the start: $(cat "$(dirname "$peers")/peers-load.txt" 2>/dev/null || echo ?)."
  echo
  echo "| system | durability |"
  echo "|---|---|"
  while IFS=$'\t' read -r sys t dur _; do echo "| $sys: $t | $dur |"; done < "$systems"
  echo
  echo "| test | system | runs | req/s (median) | p50 ms | p99 ms | errors | to bare | to best peer | to best durable peer |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for test in get put put1; do
    bare=$(pvalue bare "$test" 3)
    best=$(best_peer "$test" | cut -f2)
    bestd=$(best_peer "$test" durable | cut -f2)
    case $test in get) tname=GET ;; put) tname="PUT, ${CONNS:-64} conns" ;; put1) tname="PUT, 1 conn" ;; esac
    while IFS=$'\t' read -r sys t val p50 p99 errs count max; do
      [ "$t" = "$test" ] || continue
      printf '| %s | %s | %s | %.0f | %s | %s | %s | %s | %s | %s |\n' "$tname" "$sys" "$count" "$val" "$p50" "$p99" "$errs" \
          "$(ratio "$val" "$bare")" "$( [ "$sys" = fdatasync ] && echo – || ratio "$val" "$best")" \
          "$( [ "$test" = put ] && ratio "$val" "$bestd" || echo –)"
    done < "$peers_med"
  done
  local get put getp putp put1p lat fsp50 bestg bestp bestp1
  bestg=$(best_peer get | cut -f1); bestp=$(best_peer put durable | cut -f1); bestp1=$(best_peer put1 | cut -f1)
  get=$(ratio "$(pvalue microstore get 3)" "$(pvalue bare get 3)")
  put=$(ratio "$(pvalue microstore put 3)" "$(pvalue bare put 3)")
  getp=$(ratio "$(pvalue microstore get 3)" "$(best_peer get | cut -f2)")
  putp=$(ratio "$(pvalue microstore put 3)" "$(best_peer put durable | cut -f2)")
  put1p=$(ratio "$(pvalue microstore put1 3)" "$(best_peer put1 | cut -f2)")
  fsp50=$(pvalue fdatasync put1 4)
  lat=$(ratio "$(pvalue microstore put1 4)" "$fsp50")
  echo
  echo "| goal (against the peers, 1k keys) | target | measured | met |"
  echo "|---|---|---:|---|"
  echo "| GET vs bare Helidon | >= 0.95 | $get | $(met "$get" 0.95 ">=") |"
  echo "| PUT, fsync always, ${CONNS:-64} connections, vs bare | >= 0.80 | $put | $(met "$put" 0.80 ">=") |"
  echo "| PUT at 1 connection: p50 vs raw fdatasync p50 (${fsp50:-?} ms) | <= 1.25 | $lat | $(met "$lat" 1.25 "<=") |"
  echo "| GET vs the best peer (${bestg:-?}) | >= 1.15 | $getp | $(met "$getp" 1.15 ">=") |"
  echo "| PUT, ${CONNS:-64} connections, vs the best durable peer (${bestp:-?}) | >= 1.50 | $putp | $(met "$putp" 1.50 ">=") |"
  echo "| PUT at 1 connection vs the best peer (${bestp1:-?}) | >= 1.00 | $put1p | $(met "$put1p" 1.00 ">=") |"
}

{
  echo
  echo "### $(date -u -d "@$now" '+%Y-%m-%d %H:%M UTC') — $(hostname), $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(env -u JDK_JAVA_OPTIONS "$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)${JDK_JAVA_OPTIONS:+, JVM options $JDK_JAVA_OPTIONS}"
  echo
  if [ ! -s "$runs" ] && [ -s "$peers" ]; then
    echo "The peers part of \`make bench\` alone (\`BENCH_ONLY=peers\`), \`$wrk\` on loopback. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores; the machine is shared)."
  elif [ ! -s "$runs" ]; then
    echo "The cluster part of \`make bench\` alone (\`BENCH_ONLY=cluster\`), \`$wrk\` on loopback. Load average at the start: $(cat "$(dirname "$cluster")/cluster-load.txt" 2>/dev/null || echo ?), at the end: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores; the machine is shared)."
  else
  echo "\`$wrk\` on loopback, one run of \`make bench\`. Each test alternates between the bare Helidon server (same routes, no store) and microstore, both running; the figures are medians of the runs, and ratios are to the bare server's median in the same run. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  fi
  echo
  if [ -s "$runs" ]; then
  echo "| server | apps | test | runs | req/s (median) | p50 ms | p99 ms | errors | ratio to bare |"
  echo "|---|---|---|---:|---:|---:|---:|---:|---:|"
  while IFS=$'\t' read -r server apps test rps p50 p99 errs count; do
    base=$(bare "$apps" "${test%%-*}")
    printf '| %s | %s | %s | %s | %.0f | %s | %s | %s | %s |\n' "$server" "$apps" "$test" "$count" "$rps" "$p50" "$p99" "$errs" "$(ratio "$rps" "$base")"
  done < "$results"
  echo
  echo "| scale figure (microstore) | value |"
  echo "|---|---:|"
  while IFS=$'\t' read -r key val; do echo "| $key | $val |"; done < "$scale"
  echo
  small=$(awk -F'\t' '$1=="microstore" {print $2}' "$results" | sort -n | head -n 1)
  large=$(awk -F'\t' '$1=="microstore" {print $2}' "$results" | sort -n | tail -n 1)
  get=$(ratio "$(value microstore "$small" get 4)" "$(bare "$small" get)")
  put=$(ratio "$(value microstore "$small" put 4)" "$(bare "$small" put)")
  scaleput=$(ratio "$(value microstore "$large" put-scale 4)" "$(value microstore "$small" put-scale 4)")
  p99=$(ratio "$(value microstore "$large" put-compacting 6)" "$(value microstore "$large" put-baseline 6)")
  startup=$(scaled "start-up from a snapshot of $large apps (ms, load)")
  replay=$(scaled "start-up replaying a journal of $large records (ms, load)")
  worst=$(scaled "start-up from a snapshot of $large apps and a journal just short of compaction (ms, load)")
  heap=$(scaled "heap per app beyond its value's JSON bytes")
  met() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { if (v == "" || v == "n/a") print "?"; else if ((op == ">=" && v + 0 >= t) || (op == "<" && v + 0 < t) || (op == "<=" && v + 0 <= t)) print "yes"; else print "**no**" }'; }
  echo "| goal | target | measured | met |"
  echo "|---|---|---:|---|"
  echo "| GET vs bare Helidon ($small apps) | >= 0.80 | $get | $(met "$get" 0.80 ">=") |"
  echo "| PUT, fsync always, ${CONNS:-64} connections, vs bare ($small apps) | >= 0.50 | $put | $(met "$put" 0.50 ">=") |"
  echo "| PUT throughput at $large apps vs at $small (put-scale: alternating, both up) | >= 0.90 | $scaleput | $(met "$scaleput" 0.90 ">=") |"
  echo "| PUT p99 during compaction vs without ($large apps) | <= 3.0 | $p99 | $(met "$p99" 3.0 "<=") |"
  echo "| start-up with $large apps from a snapshot (ms) | < 3000 | ${startup:-?} | $(met "${startup:-}" 3000 "<") |"
  echo "| start-up replaying a journal of $large records (ms) | < 3000 | ${replay:-?} | $(met "${replay:-}" 3000 "<") |"
  echo "| start-up from a snapshot of $large apps and a journal just short of compaction (ms) | < 3000 | ${worst:-?} | $(met "${worst:-}" 3000 "<") |"
  echo "| heap per small app beyond its JSON (bytes) | < 300 | ${heap:-?} | $(met "${heap:-}" 300 "<") |"
  fi
  if [ -s "$peers" ]; then peers_report; fi
  if [ -s "$cluster" ]; then cluster_report; fi
} > "$report"
cat "$report"
cp "$report" "$out"
full=
if [ -s "$runs" ] && [ -s "$peers" ] && [ -s "$cluster" ] && [ "${small:-}" != "${large:-}" ]; then full=1; fi
# publish: the report replaces what follows the marker line in docs/BENCHMARKS.md.
publish() {
  if ! grep -q "^$marker" "$docs"; then
    echo "$docs has no line starting with '$marker': not updated" >&2
    return 1
  fi
  awk -v m="$marker" 'index($0, m) == 1 { print; exit } { print }' "$docs" > "$docs.new"
  cat "$report" >> "$docs.new"
  mv "$docs.new" "$docs"
}

if [ ! -s "$runs" ] && [ ! -s "$peers" ]; then
  rm -f "$report" "$results" "$cluster_med" "$peers_med"
  echo "report in $out (cluster mode only: no chart; a partial run, so $docs is left as it is)"
  exit 0
fi
# The chart, up to three panels. Top (the main runs): microstore's requests/s as a ratio to bare Helidon,
# per test and size. Then (the peers): every system's requests/s as a ratio to bare Helidon's for the
# same test, and the raw fdatasync's syncs/s next to the one-connection PUTs. Log scale: the systems
# differ by orders of magnitude. Last (cluster mode): its two ratios against their goals, with the write
# stall and the watch lag in the title.
data=$(mktemp)
panels=0
if [ -s "$runs" ]; then
  panels=$((panels + 1))
  awk -F'\t' '
    function label(n) { return n >= 1000000 ? n / 1000000 "M" : n >= 1000 ? n / 1000 "k" : n }
    $1 == "bare" { base[$2, $3] = $4; next }
    $3 == "get" || $3 == "put" || $3 == "mix" || $3 == "list" {
      k = $3 ", " label($2) " apps"
      if (!(k in size)) { order[++n] = k; size[k] = $2; test[k] = $3 }
      rps[k, $1] = $4
    }
    END {
      print "test\tmicrostore"
      for (i = 1; i <= n; i++) {
        k = order[i]; b = base[size[k], test[k]]
        printf "\"%s\"\t%.6f\n", k, rps[k, "microstore"] / b
      }
    }' "$results" > "$data.cols"
fi
if [ -s "$peers" ]; then
  panels=$((panels + 1))
  # Columns: the test, then one per system in the order of PEERS-SYSTEMS.tsv (bare left out: it is 1).
  awk -F'\t' '
    NR == FNR { if ($1 != "bare") sys[++ns] = $1; next }
    { v[$1, $2] = $3 }
    END {
      printf "test"; for (j = 1; j <= ns; j++) printf "\t%s", sys[j]; print ""
      split("get put put1", tests, " "); split("GET|PUT, '"${CONNS:-64}"' conns|PUT, 1 conn (fdatasync: syncs/s)", names, "|")
      for (i = 1; i <= 3; i++) {
        t = tests[i]; b = v["bare", t]; printf "\"%s\"", names[i]
        for (j = 1; j <= ns; j++) {
          x = v[sys[j], t]
          if (b > 0 && x > 0) printf "\t%.6f", x / b; else printf "\t?"
        }
        print ""
      }
    }' "$systems" "$peers_med" > "$data.peers"
fi
getr=$(ratio "$(cvalue cluster get 3)" "$(cvalue local get 3)")
putr=$(ratio "$(cvalue cluster-2x32 put 3)" "$(cvalue gateway-64 put 3)")
if [ -s "$cluster" ] && [ "$getr" != n/a ] && [ "$putr" != n/a ]; then
  panels=$((panels + 1))
  printf 'test\tratio\n"GET through one instance / local mode"\t%s\n"PUT through two instances / straight at the etcd gateway"\t%s\n' \
      "$getr" "$putr" > "$data.cluster"
fi
height=$((panels * 480 + 40))
{
  echo 'set terminal pngcairo size 1000,'"$height"' font "sans,11"'
  echo "set output \"$chart\""
  echo 'set datafile missing "?"'
  echo 'set style data histograms'
  echo 'set style histogram clustered gap 1'
  echo 'set style fill solid 0.9 border -1'
  echo 'set boxwidth 0.9'
  echo 'set logscale y'
  echo 'set grid ytics'
  echo 'set key outside bottom center horizontal'
  echo 'set ytics ("0.0001" 0.0001, "0.001" 0.001, "0.01" 0.01, "0.1" 0.1, "0.5" 0.5, "1" 1)'
  echo "set multiplot layout $panels,1"
  if [ -s "$runs" ]; then
    echo "set title \"microstore's requests/s as a ratio to bare Helidon (same routes, no store), $(date -u +%Y-%m-%d), wrk -c${CONNS:-64}\""
    echo 'set yrange [0.01:*]'
    echo 'set ytics add ("2" 2, "5" 5)'
    # one cluster per row at x = 1, 2, 3... (the header line is row 0); the goal lines would widen the range
    echo "set xrange [0.4:$(( $(wc -l < "$data.cols") - 1 )).6]"
    echo 'set xtics rotate by -30'
    echo "plot \"$data.cols\" using 2:xtic(1) title \"microstore\" lc rgb \"#2b7bba\", \\"
    echo '     0.8 with lines dt 2 lc rgb "#444444" title "goal for GET (0.8)", 0.5 with lines dt 3 lc rgb "#444444" title "goal for PUT (0.5)"'
  fi
  if [ -s "$peers" ]; then
    echo "set title \"The peers, 1k keys: requests/s as a ratio to bare Helidon's for the same test, $(date -u +%Y-%m-%d)\""
    # a peer faster than bare Helidon (a server in C can be) goes above 1: no fixed top
    echo 'set yrange [0.001:*]'
    echo 'set ytics add ("2" 2, "5" 5, "10" 10)'
    echo 'set xrange [-0.6:2.6]'
    echo 'set xtics norotate'
    echo 'set linetype 1 lc rgb "#2b7bba"'   # microstore (the first column) in the top panel's colour
    echo "plot for [i=2:$(head -n 1 "$data.peers" | awk -F'\t' '{print NF}')] \"$data.peers\" using i:xtic(1) title columnhead(i), \\"
    echo '     0.95 with lines dt 2 lc rgb "#444444" title "goal for GET (0.95)", 0.8 with lines dt 3 lc rgb "#444444" title "goal for PUT (0.8)"'
  fi
  if [ -f "$data.cluster" ]; then
    echo "set title \"Cluster mode, 3 etcd members on the same machine, $(date -u +%Y-%m-%d)\\nwrite stall when the etcd leader is killed: $(cvalue cluster stall 3) ms (goal 3000); watch lag between instances, p99: $(cvalue cluster lag 5) ms (goal 20)\""
    echo 'set yrange [0.1:2]'
    echo 'set ytics ("0.1" 0.1, "0.2" 0.2, "0.5" 0.5, "0.7" 0.7, "0.8" 0.8, "1" 1, "2" 2)'
    echo 'set xrange [0.4:2.6]' # the header line is row 0
    echo 'set xtics norotate'
    echo "plot \"$data.cluster\" using 2:xtic(1) title \"cluster mode\" lc rgb \"#2b7bba\", \\"
    echo '     0.8 with lines dt 2 lc rgb "#444444" title "goal for GET (0.8)", 0.7 with lines dt 3 lc rgb "#444444" title "goal for PUT (0.7)"'
  fi
  echo 'unset multiplot'
} > "$data.gp"
gnuplot "$data.gp"
published=
if [ -n "$full" ] && publish; then cp "$chart" docs/bench.png; published=1; fi
rm -f "$report" "$data" "$data.cols" "$data.peers" "$data.cluster" "$data.gp" "$results" "$cluster_med" "$peers_med"
if [ -n "$published" ]; then
  echo "report in $out, chart in $chart; a full run, so both are also the latest run in $docs and docs/bench.png"
  echo "(the README's \"Performance\" table is updated by hand)"
else
  echo "report in $out, chart in $chart ($docs and docs/bench.png are left as they are${full:+: see above})"
fi
