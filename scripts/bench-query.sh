# The queries in `make bench`: sourced by scripts/bench.sh (uses its JAVA, CP, WORK, DURATION, ROUNDS, CONNS,
# log, start, stop, settle, heap_used, to_ms, and its STARTED list of pids to stop on exit; the peers part also
# bench-peers.sh's install_peers, free_port, spawn and wait_for). BENCH_ONLY=query runs bench_query alone,
# BENCH_ONLY=query-peers bench_query_peers alone; a full run does both, BENCH_QUERY=0 skips them.
#
# The documents (scripts/bench/query.lua asks the questions; QueryScanBench, `make jmh`, holds the same):
#   q<i>: {"status":"s<i%10>","priority":<i/10%10>,"created":1700000000+i,"tags":["t<i%7>","t<i%13>"],
#          "owner":"user<i%1000>"}
#
# bench_query, microstore alone (rows in $QUERY_RESULTS: system, test, req/s, p50 ms, p99 ms, errors):
#   M3  1M apps with three indexes (status, priority, created)     S   1k apps with the same three
#   M0  1M apps without an index
#   get       GET by name on M3 (the reference)      eq, eq-count  the equality page on M3, without/with the count
#   count     the count alone of 10% on M3 and on S (count-1m, count-1k): O(log n) means about equal
#   count-range  the same with a range of created holding 10% (count-range-1m, count-range-1k)
#   put       durable PUTs (fsync always) on M0 and M3 (put-0, put-3), documents of the same shape
#   scan      the count of 10% through all 1M apps of M0 (no index: a scan), one connection; the apps examined
#             per second are the examined of its Query-Plan over the request's p50 latency
# then the heap per index entry, (heap of M3 - heap of M0) / 3M, after a full GC of each.
# Each test alternates between its servers BENCH_ROUNDS times. Without the index routes (a build before the
# indexes: PUT /api/indexes/{id} answers 404 or 405), M3 and S run without indexes, the plan says scan, and
# the rows whose goal needs an index are reported as "n/a (no indexes in this build)".
#
# bench_query_peers: microstore (fsync always, indexes on status and created when it has them), json-server
# 1.0 (npm, its filters; 0.17.4 stays the key/value peer), pouchdb-server (Mango _find with _index on status and
# on created) and PostgreSQL (Debian's package, its own cluster in a temporary directory on a free port, a
# jsonb column with expression indexes, asked through pgbench -f: its own protocol, no HTTP), each holding the
# same 100k documents, asked the same questions (eq, eq-count, range), each round over all of them.

QUERY_RESULTS=${QUERY_RESULTS:-$WORK/query.tsv}
QUERY_PEERS_RESULTS=${QUERY_PEERS_RESULTS:-$WORK/query-peers.tsv}
QUERY_FACTS=${QUERY_FACTS:-$WORK/query-facts.tsv}
QUERY_DIR=$WORK/query
QUERY_PEER_KEYS=${BENCH_QUERY_PEER_KEYS:-100000}
QUERY_INDEXES=unknown
JSON_SERVER_1=1.0.0-beta.15

query_die() { log "query: $*"; exit 1; }
fact() { printf '%s\t%s\n' "$1" "$2" >> "$QUERY_FACTS"; log "query: $1: $2"; }

# query_data N: JSON lines for --import, q1..qN (the shape above).
query_data() {
  local n=$1
  [ -f "$WORK/query-$n.jsonl" ] || awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++)
      printf "{\"name\":\"q%d\",\"data\":{\"status\":\"s%d\",\"priority\":%d,\"created\":%d,\"tags\":[\"t%d\",\"t%d\"],\"owner\":\"user%d\"}}\n",
          i, i % 10, int(i / 10) % 10, 1700000000 + i, i % 7, i % 13, i % 1000 }' > "$WORK/query-$n.jsonl"
}

# query_wrk SYSTEM TEST PORT THREADS CONNS [VAR=VALUE...]: one wrk run of query.lua (QUERY_SCRIPT names another),
# a row in QUERY_RESULTS.
query_wrk() {
  local sys=$1 test=$2 port=$3 threads=$4 conns=$5; shift 5
  local out rps p50 p99 errs
  # A timeout far above wrk's 2 s: a scan of 1M apps on a busy machine is slow, not an error.
  out=$(env "$@" wrk -t"$threads" -c"$conns" -d"$DURATION" --timeout 30s --latency -s "scripts/bench/${QUERY_SCRIPT:-query}.lua" \
        "http://127.0.0.1:$port" 2>&1) || query_die "wrk failed on $sys $test: $out"
  rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
  p50=$(awk '$1=="50%" {print $2}' <<< "$out" | to_ms)
  p99=$(awk '$1=="99%" {print $2}' <<< "$out" | to_ms)
  errs=$(awk '/Socket errors/ {gsub(",",""); s=$4+$6+$8+$10} /Non-2xx/ {n=$5} END {print s+n}' <<< "$out")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$sys" "$test" "${rps:-0}" "${p50:-0}" "${p99:-0}" "${errs:-0}" >> "$QUERY_RESULTS"
  log "query: ${QUERY_NOTE:-}$sys $test: ${rps:-0} req/s, p50 ${p50:-?} ms, p99 ${p99:-?} ms, errors ${errs:-0}"
}

# index_routes PORT: sets QUERY_INDEXES to yes when PUT /api/indexes/{id} exists (a probe index, dropped), else no.
index_routes() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
      --data-binary '{"paths":["/status"]}' "http://127.0.0.1:$1/api/indexes/bench-probe")
  case $code in
    2*) QUERY_INDEXES=yes; curl -s -o /dev/null -X DELETE "http://127.0.0.1:$1/api/indexes/bench-probe" ;;
    404|405) QUERY_INDEXES=no ;;
    *) query_die "PUT /api/indexes/bench-probe answered $code" ;;
  esac
  log "query: index routes: $QUERY_INDEXES"
}

# declare_indexes PORT PATH...: an index per path (id = the path's name), then waits until each is ready.
declare_indexes() {
  local port=$1 p id state; shift
  [ "$QUERY_INDEXES" = yes ] || return 0
  for p in "$@"; do
    id=${p#/}
    curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/json' --data-binary "{\"paths\":[\"$p\"]}" \
        "http://127.0.0.1:$port/api/indexes/$id" || query_die "declaring the index $id failed"
  done
  for p in "$@"; do
    id=${p#/}
    for _ in $(seq 1 3000); do
      state=$(curl -s "http://127.0.0.1:$port/api/indexes/$id" | jq -r .state)
      [ "$state" = ready ] && break
      sleep 0.2
    done
    [ "$state" = ready ] || query_die "the index $id is not ready after 10 minutes ($state)"
  done
}

# check_queries PORT N: the questions answer what the data holds: 20 rows of s3, a count of N/10, 20 rows from
# the range in order. Prints the Query-Plan of the equality page (without the count).
check_queries() {
  local port=$1 n=$2 url="http://127.0.0.1:$1/api/apps" headers body
  headers=$(curl -s -D - -o "$QUERY_DIR/check.json" -G "$url" --data-urlencode 'where={"/status":"s3"}' \
      -d limit=20 -d include=data -d count=exact)
  [ "$(jq '[.[] | select(.data.status == "s3")] | length' "$QUERY_DIR/check.json")" = 20 ] \
      || query_die "microstore ($n apps): the equality page is not 20 apps of s3"
  grep -qi "^X-Total-Count: $((n / 10))" <<< "$headers" || query_die "microstore ($n apps): count is not $((n / 10))"
  body=$(curl -s -G "$url" --data-urlencode 'where={"/created":{"$gte":1700000005}}' -d order=/created -d limit=20 \
      -d include=data | jq -c '[.[].data.created]')
  [ "$body" = "$(seq 1700000005 1700000024 | jq -sc .)" ] || query_die "microstore ($n apps): the range answered $body"
  curl -s -D - -o /dev/null -G "$url" --data-urlencode 'where={"/status":"s3"}' -d limit=20 -d include=data \
      | sed -n 's/^Query-Plan: *//Ip' | tr -d '\r'
}

bench_query() {
  rm -rf "$QUERY_DIR"; mkdir -p "$QUERY_DIR"
  local big=1000000 small=1000 m3 m0 s plan examined p50
  query_data "$big"; query_data "$small"
  fact "load before (1, 5, 15 min)" "$(cut -d' ' -f1-3 /proc/loadavg)"
  start query-m3 "$JAVA" -jar target/microstore.jar --port 0 --data "$QUERY_DIR/m3" --import "$WORK/query-$big.jsonl"
  M3_PID=$PID m3=$PORT
  index_routes "$m3"
  declare_indexes "$m3" /status /priority /created
  settle "$M3_PID"
  start query-s "$JAVA" -jar target/microstore.jar --port 0 --data "$QUERY_DIR/s" --import "$WORK/query-$small.jsonl"
  S_PID=$PID s=$PORT
  declare_indexes "$s" /status /priority /created
  start query-m0 "$JAVA" -jar target/microstore.jar --port 0 --data "$QUERY_DIR/m0" --import "$WORK/query-$big.jsonl"
  M0_PID=$PID m0=$PORT
  settle "$M0_PID"
  plan=$(check_queries "$m3" "$big"); fact "plan of the equality page, 1M apps, three indexes" "$plan"
  fact "plan of the equality page, 1k apps, three indexes" "$(check_queries "$s" "$small")"
  fact "plan of the equality page, 1M apps, no index" "$(check_queries "$m0" "$big")"
  fact "index routes" "$QUERY_INDEXES"
  if [ "$QUERY_INDEXES" = yes ]; then # the range count of 10% is exact and read from the index alone
    local headers
    headers=$(curl -s -D - -o /dev/null -G "http://127.0.0.1:$m3/api/apps" -d limit=0 -d count=exact \
        --data-urlencode 'where={"/created":{"$gte":1700000001,"$lt":1700100001}}')
    grep -qi '^X-Total-Count: 100000' <<< "$headers" || query_die "microstore: the range count is not 100000"
    fact "plan of the range count of 10%, 1M apps" "$(sed -n 's/^Query-Plan: *//Ip' <<< "$headers" | tr -d '\r')"
  fi

  # Unrecorded warm-ups, so the JIT has compiled what is measured.
  QUERY_RESULTS=/dev/null QUERY_NOTE="warm-up, " DURATION=${BENCH_WARMUP:-5s} QUERY_SCRIPT=get query_wrk m3 get "$m3" 2 "$CONNS" BENCH_KEYS=$big BENCH_PATH=/api/apps/q
  # Without indexes a count of 1M is a scan of a second or more: at CONNS connections the requests wrk leaves
  # behind would still run during the next tests, so the counts are measured only through indexes.
  local counts=(eq-count count count-range)
  [ "$QUERY_INDEXES" = yes ] || counts=()
  for q in eq "${counts[@]}"; do
    QUERY_RESULTS=/dev/null QUERY_NOTE="warm-up, " DURATION=${BENCH_WARMUP:-5s} query_wrk m3 "$q" "$m3" 2 "$CONNS" BENCH_KEYS=$big BENCH_QUERY=$q
  done
  if [ "$QUERY_INDEXES" = yes ]; then
    QUERY_RESULTS=/dev/null QUERY_NOTE="warm-up, " DURATION=${BENCH_WARMUP:-5s} \
        query_wrk s count "$s" 2 "$CONNS" BENCH_KEYS=$small BENCH_QUERY=count
    QUERY_RESULTS=/dev/null QUERY_NOTE="warm-up, " DURATION=${BENCH_WARMUP:-5s} \
        query_wrk s count-range "$s" 2 "$CONNS" BENCH_KEYS=$small BENCH_QUERY=count-range
  fi
  QUERY_RESULTS=/dev/null QUERY_NOTE="warm-up, " DURATION=${BENCH_WARMUP:-5s} query_wrk m0 scan "$m0" 1 1 BENCH_KEYS=$big BENCH_QUERY=scan

  for _ in $(seq 1 "$ROUNDS"); do
    QUERY_SCRIPT=get query_wrk microstore get "$m3" 2 "$CONNS" BENCH_KEYS=$big BENCH_PATH=/api/apps/q
    query_wrk microstore eq "$m3" 2 "$CONNS" BENCH_KEYS=$big BENCH_QUERY=eq
    if [ "$QUERY_INDEXES" = yes ]; then
      query_wrk microstore eq-count "$m3" 2 "$CONNS" BENCH_KEYS=$big BENCH_QUERY=eq-count
    fi
  done
  for _ in $(seq 1 "$ROUNDS"); do
    [ "$QUERY_INDEXES" = yes ] || break
    query_wrk microstore count-1m "$m3" 2 "$CONNS" BENCH_KEYS=$big BENCH_QUERY=count
    query_wrk microstore count-1k "$s" 2 "$CONNS" BENCH_KEYS=$small BENCH_QUERY=count
    query_wrk microstore count-range-1m "$m3" 2 "$CONNS" BENCH_KEYS=$big BENCH_QUERY=count-range
    query_wrk microstore count-range-1k "$s" 2 "$CONNS" BENCH_KEYS=$small BENCH_QUERY=count-range
  done
  stop "$S_PID"
  examined=$(curl -s -D - -o /dev/null -G "http://127.0.0.1:$m0/api/apps" --data-urlencode 'where={"/status":"s3"}' \
      -d limit=1 -d count=exact | sed -n 's/^Query-Plan:.*examined=\([0-9]*\).*/\1/Ip')
  fact "apps examined by one unindexed count (Query-Plan)" "$examined"
  for _ in $(seq 1 "$ROUNDS"); do
    query_wrk microstore scan "$m0" 1 1 BENCH_KEYS=$big BENCH_QUERY=scan
  done
  # One request at a time, each a walk of every app: the apps examined per second are those of one request
  # over its latency (the median of the rounds' p50; req/s has too few requests in a run to resolve it).
  p50=$(awk -F'\t' '$2 == "scan" {print $4}' "$QUERY_RESULTS" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  fact "unindexed scan over HTTP, apps examined per second (one connection, examined / p50)" \
      "$(awk -v t="$p50" -v e="$examined" 'BEGIN { if (t > 0) printf "%.0f", e / (t / 1000) }')"
  if [ "$QUERY_INDEXES" = yes ]; then
    QUERY_RESULTS=/dev/null QUERY_NOTE="warm-up, " DURATION=${BENCH_WARMUP:-5s} query_wrk m0 put "$m0" 2 "$CONNS" BENCH_KEYS=$big BENCH_QUERY=put
    QUERY_RESULTS=/dev/null QUERY_NOTE="warm-up, " DURATION=${BENCH_WARMUP:-5s} query_wrk m3 put "$m3" 2 "$CONNS" BENCH_KEYS=$big BENCH_QUERY=put
    for _ in $(seq 1 "$ROUNDS"); do
      query_wrk microstore put-0 "$m0" 2 "$CONNS" BENCH_KEYS=$big BENCH_QUERY=put
      query_wrk microstore put-3 "$m3" 2 "$CONNS" BENCH_KEYS=$big BENCH_QUERY=put
    done
    local h3 h0
    h3=$(heap_used "$M3_PID"); h0=$(heap_used "$M0_PID")
    fact "heap used, 1M apps, three indexes (bytes, after GC)" "$h3"
    fact "heap used, 1M apps, no index (bytes, after GC)" "$h0"
    fact "heap per index entry (bytes)" "$(( (h3 - h0) / (3 * big) ))"
  fi
  stop "$M0_PID"; stop "$M3_PID"
  fact "load after (1, 5, 15 min)" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

# --- the peers ---------------------------------------------------------------------------------------------

install_query_peers() {
  if [ ! -x "$WORK/node_modules/.bin/pouchdb-server" ]; then
    log "installing pouchdb-server 4.2.0 from npm (a few minutes)"
    npm install --prefix "$WORK" --no-audit --no-fund --silent pouchdb-server@4.2.0 >/dev/null
  fi
  if [ ! -x "$WORK/js1/node_modules/.bin/json-server" ]; then
    log "installing json-server $JSON_SERVER_1 from npm (under $WORK/js1; 0.17.4 stays the key/value peer)"
    npm install --prefix "$WORK/js1" --no-audit --no-fund --silent "json-server@$JSON_SERVER_1" >/dev/null
  fi
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || ! command -v pgbench >/dev/null; then
    log "installing postgresql from Debian's packages"
    # Debian's package creates and starts a cluster on 5432 unless told not to; the bench runs its own.
    if [ ! -f /etc/postgresql-common/createcluster.conf ]; then
      mkdir -p /etc/postgresql-common
      echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf
    fi
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
}

# The same 100k documents for everyone: JSON lines for microstore, json-server's db file, pouchdb's bulk
# docs in batches of 10k, and PostgreSQL's COPY text (name, then the document; no backslash in them).
query_peer_data() {
  local n=$QUERY_PEER_KEYS
  query_data "$n"
  jq -c '{id: .name} + .data' "$WORK/query-$n.jsonl" | jq -sc '{apps: .}' > "$QUERY_DIR/json-server-db.json"
  jq -c '{_id: .name} + .data' "$WORK/query-$n.jsonl" | split -l 10000 - "$QUERY_DIR/pouch-"
  jq -r '[.name, (.data | tojson)] | @tsv' "$WORK/query-$n.jsonl" > "$QUERY_DIR/pg.tsv"
}

query_peer_microstore() {
  rm -rf "$QUERY_DIR/peer-ms"
  start query-peer-ms "$JAVA" -jar target/microstore.jar --port 0 --data "$QUERY_DIR/peer-ms" \
      --import "$WORK/query-$QUERY_PEER_KEYS.jsonl"
  QMS_PID=$PID QMS_PORT=$PORT
  index_routes "$QMS_PORT"
  grep -q '^index routes' "$QUERY_FACTS" || fact "index routes" "$QUERY_INDEXES"
  declare_indexes "$QMS_PORT" /status /created
  settle "$QMS_PID"
  fact "peers: microstore plan of the equality page" "$(check_queries "$QMS_PORT" "$QUERY_PEER_KEYS")"
}

query_peer_json_server() {
  local port
  port=$(free_port)
  spawn query-json-server node "$WORK/js1/node_modules/json-server/lib/bin.js" --host 127.0.0.1 --port "$port" \
      "$(cd "$QUERY_DIR" && pwd)/json-server-db.json"
  QJS_PID=$SPAWNED QJS_PORT=$port
  wait_for query-json-server "$QJS_PID" curl -fsS --max-time 5 "http://127.0.0.1:$port/apps/q1"
  local page
  page=$(curl -s "http://127.0.0.1:$port/apps?status=s3&_page=1&_per_page=20")
  [ "$(jq '[.data[] | select(.status == "s3")] | length' <<< "$page")" = 20 ] && \
      [ "$(jq .items <<< "$page")" = $((QUERY_PEER_KEYS / 10)) ] || query_die "json-server 1.0: the equality page: $(head -c 300 <<< "$page")"
  page=$(curl -s "http://127.0.0.1:$port/apps?created:gte=1700000005&_sort=created&_page=1&_per_page=20" | jq -c '[.data[].created]')
  [ "$page" = "$(seq 1700000005 1700000024 | jq -sc .)" ] || query_die "json-server 1.0: the range answered $page"
}

query_peer_pouchdb() {
  local port dir=$QUERY_DIR/pouchdb f got
  rm -rf "$dir"; mkdir -p "$dir"
  port=$(free_port)
  echo "{\"log\": {\"level\": \"error\", \"file\": \"$(cd "$dir" && pwd)/log.txt\"}}" > "$dir/config.json"
  spawn query-pouchdb node "$WORK/node_modules/pouchdb-server/bin/pouchdb-server" --host 127.0.0.1 --port "$port" \
      --dir "$dir" --config "$dir/config.json" --no-stdout-logs
  QPD_PID=$SPAWNED QPD_PORT=$port
  wait_for query-pouchdb "$QPD_PID" curl -fsS --max-time 2 "http://127.0.0.1:$port/"
  curl -fsS -o /dev/null -X PUT "http://127.0.0.1:$port/bench" || query_die "pouchdb: creating the database failed"
  for f in "$QUERY_DIR"/pouch-*; do
    jq -sc '{docs: .}' "$f" | curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @- \
        "http://127.0.0.1:$port/bench/_bulk_docs" || query_die "pouchdb: loading $f failed"
  done
  for f in status created; do
    curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
        --data-binary "{\"index\":{\"fields\":[\"$f\"]},\"name\":\"by-$f\"}" "http://127.0.0.1:$port/bench/_index" \
        || query_die "pouchdb: creating the index on $f failed"
  done
  # The first _find through each index builds it: done here, not in a measured run.
  got=$(curl -s -X POST -H 'Content-Type: application/json' --max-time 600 \
      --data-binary '{"selector":{"status":"s3"},"limit":20}' "http://127.0.0.1:$port/bench/_find" \
      | jq '[.docs[] | select(.status == "s3")] | length')
  [ "$got" = 20 ] || query_die "pouchdb: the equality page holds $got docs of s3"
  got=$(curl -s -X POST -H 'Content-Type: application/json' --max-time 600 \
      --data-binary '{"selector":{"created":{"$gte":1700000005}},"sort":[{"created":"asc"}],"limit":20}' \
      "http://127.0.0.1:$port/bench/_find" | jq -c '[.docs[].created]')
  [ "$got" = "$(seq 1700000005 1700000024 | jq -sc .)" ] || query_die "pouchdb: the range answered $got"
}

# PostgreSQL: a cluster of its own in a temporary directory owned by the postgres user, on a free loopback
# port, no socket elsewhere; fsync as shipped. Stopped by the postmaster's pid (SIGINT: fast shutdown).
query_peer_postgres() {
  PG_DIR=$(mktemp -d /tmp/microstore-bench-pg.XXXXXX)
  chown postgres: "$PG_DIR"
  PG_PORT=$(free_port)
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -U bench --auth=trust -E UTF8 > "$QUERY_DIR/pg-initdb.log" 2>&1 \
      || query_die "postgres: initdb failed ($(tail -n 3 "$QUERY_DIR/pg-initdb.log"))"
  spawn query-postgres runuser -u postgres -- "$PG_BIN/postgres" -D "$PG_DIR/data" -h 127.0.0.1 -p "$PG_PORT" \
      -k "$PG_DIR" -c max_connections=200 -c shared_buffers=256MB
  QPG_RUNNER=$SPAWNED
  wait_for query-postgres "$QPG_RUNNER" "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"
  QPG_PID=$(head -n 1 "$PG_DIR/data/postmaster.pid")
  STARTED+=("$QPG_PID")   # stopped on exit too, also when runuser does not pass the signal on
  pg() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U bench -d postgres "$@"; }
  pg -c "CREATE TABLE apps (name text PRIMARY KEY, doc jsonb NOT NULL)" || query_die "postgres: CREATE TABLE failed"
  pg -c "\\copy apps FROM '$(cd "$QUERY_DIR" && pwd)/pg.tsv'" || query_die "postgres: COPY failed"
  pg -c "CREATE INDEX apps_status ON apps ((doc->>'status'), name)" \
     -c "CREATE INDEX apps_created ON apps (((doc->>'created')::bigint), name)" \
     -c "VACUUM ANALYZE apps" || query_die "postgres: indexes failed"
  [ "$(pg -tA -c "SELECT count(*) FROM apps WHERE doc->>'status' = 's3'")" = $((QUERY_PEER_KEYS / 10)) ] \
      || query_die "postgres: the count of s3 is wrong"
  pg -tA -c "EXPLAIN SELECT name, doc FROM apps WHERE doc->>'status' = 's3' ORDER BY name LIMIT 20" \
      > "$QUERY_DIR/pg-plan.txt"
  fact "peers: postgres plan of eq" "$(tr '\n' ' ' < "$QUERY_DIR/pg-plan.txt" | tr -s ' ' | cut -c1-160)"
}

# pg_run TEST CONNS: pgbench with the test's script, a row like wrk's (tps, average latency as p50, no p99).
pg_run() {
  local test=$1 out tps lat errs
  out=$(PGUSER=bench pgbench -n -h 127.0.0.1 -p "$PG_PORT" -c "$2" -j 2 -T "${DURATION%s}" -D keys="$QUERY_PEER_KEYS" \
        -f "scripts/bench/pg-$test.sql" postgres 2>&1) || query_die "pgbench failed on $test: $out"
  tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<< "$out" | tail -n 1)
  lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<< "$out")
  errs=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<< "$out")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' postgres "$test" "${tps:-0}" "${lat:-0}" "" "${errs:-0}" >> "$QUERY_RESULTS"
  log "query: ${QUERY_NOTE:-}postgres $test: ${tps:-0} tps, latency average ${lat:-?} ms, failed ${errs:-0}"
}

# query_peer_test SYSTEM TEST: one run. wrk stops with requests still queued in a slow server; a node server
# (one thread) answers a cheap request only after them, so that request waits until the queue is gone and
# the next system's run does not share the CPU with it.
query_peer_test() {
  local sys=$1 test=$2
  case $sys in
    microstore) query_wrk "$sys" "$test" "$QMS_PORT" 2 "$CONNS" BENCH_KEYS="$QUERY_PEER_KEYS" BENCH_QUERY="$test" ;;
    json-server-1) query_wrk "$sys" "$test" "$QJS_PORT" 2 "$CONNS" BENCH_KEYS="$QUERY_PEER_KEYS" BENCH_QUERY="$test" BENCH_STYLE=jsonserver
                   curl -s -o /dev/null --max-time 300 "http://127.0.0.1:$QJS_PORT/apps/q1" ;;
    pouchdb) if [ "$test" = eq-count ]; then return 0; fi   # Mango has no count: n/a in the report
             query_wrk "$sys" "$test" "$QPD_PORT" 2 "$CONNS" BENCH_KEYS="$QUERY_PEER_KEYS" BENCH_QUERY="$test" BENCH_STYLE=pouchdb
             curl -s -o /dev/null --max-time 300 "http://127.0.0.1:$QPD_PORT/bench/q1" ;;
    postgres) pg_run "$test" "$CONNS" ;;
  esac
}

bench_query_peers() {
  mkdir -p "$QUERY_DIR"
  install_query_peers
  query_peer_data
  local systems=(microstore json-server-1 pouchdb postgres) sys test
  PEERS_DIR=$QUERY_DIR   # spawn and wait_for keep their logs there
  fact "peers: load before (1, 5, 15 min)" "$(cut -d' ' -f1-3 /proc/loadavg)"
  log "query: starting and loading ${systems[*]} with $QUERY_PEER_KEYS documents"
  query_peer_microstore
  query_peer_json_server
  query_peer_pouchdb
  query_peer_postgres
  for sys in "${systems[@]}"; do
    for test in eq range; do
      DURATION=${BENCH_WARMUP:-5s} QUERY_RESULTS=/dev/null QUERY_NOTE="warm-up, " query_peer_test "$sys" "$test"
    done
  done
  for test in eq eq-count range; do
    for _ in $(seq 1 "$ROUNDS"); do
      for sys in "${systems[@]}"; do
        QUERY_RESULTS=$QUERY_PEERS_RESULTS query_peer_test "$sys" "$test"
      done
    done
  done
  fact "peers: load after (1, 5, 15 min)" "$(cut -d' ' -f1-3 /proc/loadavg)"
  query_peers_stop
}

query_peers_stop() {
  local pid
  for pid in ${QMS_PID:-} ${QJS_PID:-} ${QPD_PID:-}; do stop "$pid"; done
  if [ -n "${QPG_PID:-}" ]; then
    kill -INT "$QPG_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$QPG_PID" 2>/dev/null || break; sleep 0.1; done
    stop "$QPG_PID"
    stop "$QPG_RUNNER"
  fi
  [ -n "${PG_DIR:-}" ] && rm -rf "$PG_DIR"
  QMS_PID="" QJS_PID="" QPD_PID="" QPG_PID="" PG_DIR=""
}

# --- the report ----------------------------------------------------------------------------------------------

# query_report FILE: the Queries section (markdown) from the medians of QUERY_RESULTS, QUERY_PEERS_RESULTS and
# the facts; printed and written to FILE.
query_report() {
  local file=$1
  touch "$QUERY_FACTS" "$QUERY_PEERS_RESULTS" "$QUERY_RESULTS"
  awk -F'\t' -v facts="$QUERY_FACTS" -v peers="$QUERY_PEERS_RESULTS" -v keys="$QUERY_PEER_KEYS" -v method="wrk -t2 -c$CONNS -d$DURATION, $ROUNDS alternating rounds" '
    function median(key,   n, i, j, t, v) {
      n = split(vals[key], v, " ")
      for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j-1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
      return n ? v[int((n + 1) / 2)] : ""
    }
    function add(sys, test, rps, p50, p99) {
      k = sys SUBSEP test
      if (!(k in seen)) { seen[k] = 1; order[++count] = k }
      vals[k "rps"] = vals[k "rps"] " " rps; vals[k "p50"] = vals[k "p50"] " " p50; vals[k "p99"] = vals[k "p99"] " " p99
    }
    function rps(sys, test) { return median(sys SUBSEP test "rps") }
    function p99(sys, test) { return median(sys SUBSEP test "p99") }
    function goal(name, value, want, ok, needsIndex) {
      if (needsIndex && !indexes) { printf "| %s | %s | %s | n/a (no indexes in this build) |\n", name, (value == "" ? "–" : value " (plan: scan)"), want; return }
      if (value == "") { printf "| %s | – | %s | not measured |\n", name, want; return }
      printf "| %s | %s | %s | %s |\n", name, value, want, ok ? "met" : "**not met**"
    }
    FILENAME == facts { fact[$1] = $2; next }
    FILENAME == peers { add("peer:" $1, $2, $3, $4, $5); next }
    { add($1, $2, $3, $4, $5) }
    END {
      indexes = fact["index routes"] == "yes"
      print "### Queries"
      print ""
      printf "%s; index routes: %s.\n\n", method, (fact["index routes"] == "" ? "not run" : fact["index routes"])
      if (rps("microstore", "get") != "") {
        printf "At 1M apps; load %s before, %s after (1, 5, 15 min):\n\n", fact["load before (1, 5, 15 min)"], fact["load after (1, 5, 15 min)"]
        print "| microstore, 1M apps | req/s | p50 ms | p99 ms |"
        print "|---|---:|---:|---:|"
        for (i = 1; i <= count; i++) { split(order[i], kk, SUBSEP); if (kk[1] != "microstore") continue
          printf "| %s | %s | %s | %s |\n", kk[2], median(order[i] "rps"), median(order[i] "p50"), median(order[i] "p99") }
        print ""
        print "| goal | measured | wanted | |"
        print "|---|---:|---|---|"
        g = rps("microstore", "get"); e = rps("microstore", "eq"); c = rps("microstore", "eq-count")
        r = g > 0 ? sprintf("%.2f", e / g) : ""; goal("equality page / GET by name, req/s", r, ">= 0.5", r >= 0.5, 1)
        gp = p99("microstore", "get"); r = gp > 0 ? sprintf("%.2f", p99("microstore", "eq") / gp) : ""
        goal("equality page / GET by name, p99", r, "<= 3", r != "" && r <= 3, 1)
        r = g > 0 && c != "" ? sprintf("%.2f", c / g) : ""; goal("equality page with count=exact / GET, req/s", r, ">= 0.45", r >= 0.45, 1)
        c1 = rps("microstore", "count-1m"); c2 = rps("microstore", "count-1k")
        r = c1 > 0 ? sprintf("%.2f", c2 / c1) : ""; goal("cost of counting 10% of 1M / of 1k", r, "<= 1.25", r != "" && r <= 1.25, 1)
        c1 = rps("microstore", "count-range-1m"); c2 = rps("microstore", "count-range-1k")
        r = c1 > 0 ? sprintf("%.2f", c2 / c1) : ""; goal("cost of counting a range of 10% of 1M / of 1k", r, "<= 1.25", r != "" && r <= 1.25, 1)
        p0 = rps("microstore", "put-0"); p3 = rps("microstore", "put-3")
        r = p0 > 0 ? sprintf("%.2f", p3 / p0) : ""; goal("durable PUT, three indexes / none", r, ">= 0.85", r >= 0.85, 1)
        h = fact["heap per index entry (bytes)"]; goal("heap per index entry (bytes)", h, "reported", 1, 1)
        s = fact["unindexed scan over HTTP, apps examined per second (one connection, examined / p50)"]
        goal("unindexed scan over HTTP, apps examined/s (one request: examined / p50)", s, ">= 5000000", s >= 5000000, 0)
        print ""
        for (f in fact) if (f ~ /^plan/) printf "- %s: `%s`\n", f, fact[f]
        print ""
      }
      if (rps("peer:microstore", "eq") != "") {
        printf "Peers, %s documents each, req/s (PostgreSQL: transactions/s of pgbench, its own protocol, no HTTP); load %s before, %s after:\n\n", keys, fact["peers: load before (1, 5, 15 min)"], fact["peers: load after (1, 5, 15 min)"]
        print "| question | microstore | json-server 1.0 | pouchdb-server | PostgreSQL | microstore / json-server | microstore / pouchdb | microstore / PostgreSQL |"
        print "|---|---:|---:|---:|---:|---:|---:|---:|"
        split("eq eq-count range", qs, " ")
        for (i = 1; i <= 3; i++) { q = qs[i]
          m = rps("peer:microstore", q); j = rps("peer:json-server-1", q); p = rps("peer:pouchdb", q); g = rps("peer:postgres", q)
          printf "| %s | %.0f | %.0f | %s | %.0f | %s | %s | %s |\n", q, m, j, (p != "" ? sprintf("%.0f", p) : q == "eq-count" ? "n/a (no count in Mango)" : "–"), g,
            (j > 0 ? sprintf("%.1fx", m / j) : "–"), (p > 0 ? sprintf("%.1fx", m / p) : "–"), (g > 0 ? sprintf("%.2fx", m / g) : "–") }
        print ""
        print "Goal: microstore >= 20x json-server and pouchdb-server; the ratio to PostgreSQL is reported only."
        if ("peers: microstore plan of the equality page" in fact) printf "\n- microstore plan of the equality page: `%s`\n", fact["peers: microstore plan of the equality page"]
        if ("peers: postgres plan of eq" in fact) printf "- PostgreSQL plan of eq: `%s`\n", fact["peers: postgres plan of eq"]
      }
    }' "$QUERY_FACTS" "$QUERY_PEERS_RESULTS" "$QUERY_RESULTS" | tee "$file"
}
