# The peers in `make bench`: sourced by scripts/bench.sh (uses its JAVA, CP, WORK, DURATION, ROUNDS,
# CONNS, log, start, stop, settle, to_ms, make_data and its STARTED list of pids to stop on exit).
# bench_peers appends rows to $PEERS_RESULTS:
#   system, test, req/s, p50 ms, p99 ms, errors
# and describes each system (label, durability, durable yes/no) in $PEERS_SYSTEMS.
#
# Every system holds 1k keys k1..k1000 with the same small JSON value, runs at the same time as the
# others (idle but for the one under load) and is set up as a user would for durability where it has
# it. Each answers a GET and reads back a PUT before anything is measured (the bench stops otherwise),
# and after the runs webdis's Redis, etcd and pouchdb must hold at least the writes wrk saw answered.
# Then, for each test, BENCH_ROUNDS rounds, each round running every system once, one after the other
# (the shared machine drifts by tens of percent within minutes; alternating keeps the systems'
# figures minutes apart at most):
#   get   random existing keys, wrk -t2 -cCONNS
#   put   random existing keys (pouchdb-server: creates of fresh ids), wrk -t2 -cCONNS
#   put1  the same with one connection, wrk -t1 -c1: one write at a time, so p50 is the latency of one
#         durable write; each round also runs scripts/fsync-probe.py (system "fdatasync"), the raw
#         fdatasync of a 100-byte append on the filesystem of target/bench, for the same time, just
#         before microstore's run.
#
# Systems (all on 127.0.0.1, ports from FreePort, never 2379; data under $WORK/peers):
#   bare        BareServer: microstore's routes and no store (the ceiling)
#   microstore  fresh data dir, --fsync always (the default)
#   webdis      webdis (Debian) over its own redis-server --appendonly yes --appendfsync always
#   etcd        one etcd member (Debian's etcd-server, fsync on as shipped) through its v3 JSON gateway
#   pouchdb     pouchdb-server 4.2.0 (npm), LevelDB; its log at level "error", not on stdout
#   json-server json-server 0.17.4 (npm), --quiet, the 1k records in its db file (no fsync)
#
# The value stored everywhere is the PUT body {"data":{"n":1,"s":"some small value"}} (webdis, etcd,
# pouchdb) or its data (microstore) or the record with its id (json-server).

PEERS_RESULTS=${PEERS_RESULTS:-$WORK/peers.tsv}
PEERS_SYSTEMS=${PEERS_SYSTEMS:-$WORK/peers-systems.tsv}
PEERS_DIR=$WORK/peers
PEER_KEYS=1000
PEER_BODY='{"data":{"n":1,"s":"some small value"}}'

peers_die() { log "peers: $*"; exit 1; }

# Debian packages and npm modules the peers need, installed when missing (as bench.sh does for wrk).
install_peers() {
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v redis-cli >/dev/null || missing+=(redis-tools)
  command -v webdis >/dev/null || missing+=(webdis)
  command -v etcd >/dev/null || missing+=(etcd-server)
  command -v python3 >/dev/null || missing+=(python3)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} from Debian's packages"
    # Debian may start redis-server or etcd as services on their default ports (6379, 2379): the bench
    # never uses those ports, it starts its own on free ones.
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if [ ! -x "$WORK/node_modules/.bin/pouchdb-server" ]; then
    log "installing pouchdb-server 4.2.0 from npm (a few minutes)"
    npm install --prefix "$WORK" --no-audit --no-fund --silent pouchdb-server@4.2.0 >/dev/null
  fi
}

# free_port: a free loopback port, never etcd's default client and peer ports.
free_port() {
  local p
  for _ in 1 2 3 4 5; do
    p=$("$JAVA" -cp "$CP" io.microstore.bench.FreePort)
    [ "$p" != 2379 ] && [ "$p" != 2380 ] && { echo "$p"; return; }
  done
  peers_die "no free port"
}

# spawn NAME COMMAND...: in the background, output to $PEERS_DIR/NAME.log; the pid goes to SPAWNED and
# to bench.sh's STARTED (stopped on exit, also on error).
spawn() {
  local name=$1; shift
  "$@" > "$PEERS_DIR/$name.log" 2>&1 &
  SPAWNED=$!
  STARTED+=("$SPAWNED")
}

# wait_for NAME PID COMMAND...: until COMMAND succeeds (30 s), else the log's tail and failure.
wait_for() {
  local name=$1 pid=$2; shift 2
  for _ in $(seq 1 150); do
    "$@" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  tail -n 20 "$PEERS_DIR/$name.log" >&2 || true
  peers_die "$name did not come up"
}

system() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$PEERS_SYSTEMS"; }

# --- each system: start, load 1k keys, check ---------------------------------------------------------

peer_bare() {
  start bare-peers "$JAVA" -cp "$CP" io.microstore.bench.BareServer 0
  PBARE_PID=$PID PBARE_PORT=$PORT
  # No store, so nothing to read back: it must answer a GET with a document and a PUT with a 2xx.
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PBARE_PORT/api/apps/k1")" = 200 ] \
      || peers_die "bare: GET did not answer 200"
  [[ "$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/json' --data-binary "$PEER_BODY" \
      "http://127.0.0.1:$PBARE_PORT/api/apps/k1")" == 2* ]] || peers_die "bare: PUT did not answer 2xx"
  system bare "bare Helidon, same routes, no store (the ceiling)" "–" no
}

peer_microstore() {
  rm -rf "$PEERS_DIR/microstore"
  start microstore-peers "$JAVA" -jar target/microstore.jar --port 0 --data "$PEERS_DIR/microstore" --fsync always \
      --import "$WORK/apps-$PEER_KEYS.jsonl"
  PMS_PID=$PID PMS_PORT=$PORT
  settle "$PMS_PID"
  local url="http://127.0.0.1:$PMS_PORT/api/apps"
  [ "$(curl -s "$url/k$PEER_KEYS" | jq -c .data)" = '{"n":1,"s":"some small value"}' ] \
      || peers_die "microstore: GET k$PEER_KEYS did not answer the imported value"
  curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/json' --data-binary '{"data":{"check":"'"$$"'"}}' \
      "$url/peer-check" || peers_die "microstore: PUT failed"
  [ "$(curl -s "$url/peer-check" | jq -r .data.check)" = "$$" ] || peers_die "microstore: a PUT did not read back"
  system microstore "microstore, fsync always" "fdatasync before the ack (group commit)" yes
}

# Redis with the append-only file synced on every write, as a user wanting durability sets it up, and
# webdis in front of it with its own config file (Debian's defaults but for the ports, the log and
# staying in the foreground). RDB snapshots are off (--save ''): the AOF is what makes a write durable,
# and a snapshot's fork during a run would measure the snapshot rather than the writes. webdis 0.1.9 leaves about a quarter of requests
# with `Connection: close` unanswered, so the checks use one curl invocation (which keeps its
# connection alive across URLs); wrk keeps connections alive too.
peer_webdis() {
  local rport wport dir=$PEERS_DIR/redis
  rm -rf "$dir"; mkdir -p "$dir"
  rport=$(free_port)
  spawn redis redis-server --bind 127.0.0.1 --port "$rport" --dir "$(cd "$dir" && pwd)" \
      --appendonly yes --appendfsync always --save '' --daemonize no --protected-mode yes
  REDIS_PID=$SPAWNED
  wait_for redis "$REDIS_PID" redis-cli -h 127.0.0.1 -p "$rport" ping
  [ "$(redis-cli -h 127.0.0.1 -p "$rport" config get appendfsync | tail -n 1)" = always ] \
      || peers_die "redis: appendfsync is not always"
  # 1k keys through redis-cli (one connection, inline commands; single quotes keep the JSON whole).
  awk -v n="$PEER_KEYS" -v v="$PEER_BODY" 'BEGIN { for (i = 1; i <= n; i++) printf "SET k%d '\''%s'\''\n", i, v }' \
      | redis-cli -h 127.0.0.1 -p "$rport" > "$PEERS_DIR/redis-load.out"
  [ "$(grep -c '^OK$' "$PEERS_DIR/redis-load.out")" = "$PEER_KEYS" ] || peers_die "redis: loading $PEER_KEYS keys failed"
  wport=$(free_port)
  # verbosity 1, quieter than the 3 of Debian's file: nothing is logged per request.
  cat > "$PEERS_DIR/webdis.json" <<JSON
{
  "redis_host": "127.0.0.1",
  "redis_port": $rport,
  "redis_auth": null,
  "http_host": "127.0.0.1",
  "http_port": $wport,
  "threads": 2,
  "daemonize": false,
  "database": 0,
  "verbosity": 1,
  "logfile": "$(cd "$PEERS_DIR" && pwd)/webdis-own.log"
}
JSON
  spawn webdis webdis "$PEERS_DIR/webdis.json"
  WEBDIS_PID=$SPAWNED WEBDIS_PORT=$wport
  wait_for webdis "$WEBDIS_PID" curl -fsS --max-time 2 "http://127.0.0.1:$wport/PING"
  # One curl invocation: GET k1, PUT a check value, GET it back (answers: {"GET":"..."}, {"SET":[true,"OK"]}).
  local out
  out=$(curl -s --max-time 10 "http://127.0.0.1:$wport/GET/k$PEER_KEYS" -w '\n' \
      --next -X PUT --data-binary "peer-check-$$" "http://127.0.0.1:$wport/SET/peer-check" -w '\n' \
      --next "http://127.0.0.1:$wport/GET/peer-check" -w '\n')
  [ "$(sed -n 1p <<< "$out" | jq -r .GET)" = "$PEER_BODY" ] || peers_die "webdis: GET k$PEER_KEYS answered: $(sed -n 1p <<< "$out")"
  [ "$(sed -n 3p <<< "$out" | jq -r .GET)" = "peer-check-$$" ] || peers_die "webdis: a PUT did not read back: $out"
  redis-cli -h 127.0.0.1 -p "$rport" config resetstat >/dev/null   # writes_landed counts SETs from here
  REDIS_PORT=$rport
  system webdis "webdis $(dpkg-query -W -f '${Version}' webdis 2>/dev/null | sed 's/+.*//') + Redis $(redis-server --version | sed 's/.* v=\([^ ]*\).*/\1/'), appendonly yes, appendfsync always" \
      "AOF fsync before the reply" yes
}

# One etcd member with Debian's build and defaults (the WAL is fsynced before a write is acknowledged;
# only --unsafe-no-fsync turns that off). Flags rather than --config-file: with a config file etcd
# 3.4 leaves the v3 JSON gateway off.
peer_etcd() {
  local cport pport dir=$PEERS_DIR/etcd
  rm -rf "$dir"
  cport=$(free_port); pport=$(free_port)
  spawn etcd etcd --name bench --data-dir "$dir" \
      --listen-client-urls "http://127.0.0.1:$cport" --advertise-client-urls "http://127.0.0.1:$cport" \
      --listen-peer-urls "http://127.0.0.1:$pport" --initial-advertise-peer-urls "http://127.0.0.1:$pport" \
      --initial-cluster "bench=http://127.0.0.1:$pport" --initial-cluster-state new \
      --initial-cluster-token "microstore-bench-$$" --logger zap --log-level warn
  ETCD_PID=$SPAWNED ETCD_PORT=$cport
  wait_for etcd "$ETCD_PID" sh -c "curl -fsS --max-time 1 http://127.0.0.1:$cport/health | grep -q '\"health\":\"true\"'"
  # 1k keys in one curl invocation (one connection): a curl config with an entry per key, written by
  # python3 (base64 of each key without a process per key).
  python3 - "$cport" "$PEER_KEYS" "$PEER_BODY" > "$PEERS_DIR/etcd-load.curl" <<'PY'
import base64, json, sys
port, n, body = sys.argv[1], int(sys.argv[2]), sys.argv[3]
b64 = lambda s: base64.b64encode(s.encode()).decode()
entries = []
for i in range(1, n + 1):
    data = json.dumps({"key": b64(f"k{i}"), "value": b64(body)}).replace('\\', '\\\\').replace('"', '\\"')
    entries.append(f'url = "http://127.0.0.1:{port}/v3/kv/put"\ndata = "{data}"\noutput = "/dev/null"\n')
print("next\n".join(entries), end="")
PY
  curl -sS -K "$PEERS_DIR/etcd-load.curl" || peers_die "etcd: loading $PEER_KEYS keys failed"
  local got
  got=$(curl -s -X POST -d "{\"key\":\"$(printf 'k%s' "$PEER_KEYS" | base64 -w0)\"}" "http://127.0.0.1:$cport/v3/kv/range" \
      | jq -r '.kvs[0].value // empty' | base64 -d)
  [ "$got" = "$PEER_BODY" ] || peers_die "etcd: GET k$PEER_KEYS answered '$got'"
  curl -fsS -o /dev/null -X POST -d "{\"key\":\"$(printf peer-check | base64 -w0)\",\"value\":\"$(printf 'c%s' "$$" | base64 -w0)\"}" \
      "http://127.0.0.1:$cport/v3/kv/put" || peers_die "etcd: PUT failed"
  got=$(curl -s -X POST -d "{\"key\":\"$(printf peer-check | base64 -w0)\"}" "http://127.0.0.1:$cport/v3/kv/range" \
      | jq -r '.kvs[0].value // empty' | base64 -d)
  [ "$got" = "c$$" ] || peers_die "etcd: a PUT did not read back ('$got')"
  ETCD_REV0=$(etcd_revision)   # writes_landed counts revisions from here
  system etcd "etcd $(etcd --version | head -n 1 | awk '{print $NF}'), one member, via its v3 JSON gateway" \
      "WAL fsync before the ack" yes
}

# pouchdb-server on LevelDB (its default). Durability: LevelDB writes go to its log without sync
# (leveldown's `sync` option defaults to false and PouchDB never sets it), so a write is acknowledged
# before it is on disk. Its log: level "error" and not on stdout (it logs every request at "info").
peer_pouchdb() {
  local port dir=$PEERS_DIR/pouchdb
  rm -rf "$dir"; mkdir -p "$dir"
  port=$(free_port)
  cat > "$dir/config.json" <<JSON
{"log": {"level": "error", "file": "$(cd "$dir" && pwd)/log.txt"}}
JSON
  spawn pouchdb node "$WORK/node_modules/pouchdb-server/bin/pouchdb-server" --host 127.0.0.1 --port "$port" \
      --dir "$dir" --config "$dir/config.json" --no-stdout-logs
  POUCH_PID=$SPAWNED POUCH_PORT=$port
  wait_for pouchdb "$POUCH_PID" curl -fsS --max-time 2 "http://127.0.0.1:$port/"
  curl -fsS -o /dev/null -X PUT "http://127.0.0.1:$port/bench" || peers_die "pouchdb: creating the database failed"
  awk -v n="$PEER_KEYS" 'BEGIN { printf "{\"docs\":["; for (i = 1; i <= n; i++)
      printf "%s{\"_id\":\"k%d\",\"data\":{\"n\":1,\"s\":\"some small value\"}}", (i > 1 ? "," : ""), i; print "]}" }' \
      | curl -fsS -o "$dir/load.out" -X POST -H 'Content-Type: application/json' --data-binary @- \
          "http://127.0.0.1:$port/bench/_bulk_docs" || peers_die "pouchdb: loading $PEER_KEYS docs failed"
  [ "$(curl -s "http://127.0.0.1:$port/bench/k$PEER_KEYS" | jq -c .data)" = '{"n":1,"s":"some small value"}' ] \
      || peers_die "pouchdb: GET k$PEER_KEYS did not answer the loaded doc"
  curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/json' --data-binary "{\"check\":\"$$\"}" \
      "http://127.0.0.1:$port/bench/peer-check" || peers_die "pouchdb: PUT failed"
  [ "$(curl -s "http://127.0.0.1:$port/bench/peer-check" | jq -r .check)" = "$$" ] || peers_die "pouchdb: a PUT did not read back"
  POUCH_DOCS0=$(curl -s "http://127.0.0.1:$port/bench" | jq -r .doc_count)   # writes_landed counts from here
  system pouchdb "pouchdb-server $(jq -r .version "$WORK/node_modules/pouchdb-server/package.json") (LevelDB); PUT = creates of fresh ids" \
      "none: LevelDB writes with sync off (acked before the disk)" no
}

# json-server 0.17.4: lowdb's FileAsync rewrites the whole file after a write, without fsync.
peer_json_server() {
  local port
  port=$(free_port)
  # Its db file: the 1k records under "apps", each with its id (json-server's PUT /apps/ID replaces one).
  awk -v n="$PEER_KEYS" 'BEGIN { printf "{\"apps\":["; for (i = 1; i <= n; i++)
      printf "%s{\"id\":\"k%d\",\"data\":{\"n\":1,\"s\":\"some small value\"}}", (i > 1 ? "," : ""), i; print "]}" }' \
      > "$PEERS_DIR/json-server-db.json"
  spawn json-server node "$WORK/node_modules/json-server/lib/cli/bin.js" --quiet --host 127.0.0.1 --port "$port" \
      "$PEERS_DIR/json-server-db.json"
  JSONS_PID=$SPAWNED JSONS_PORT=$port
  wait_for json-server "$JSONS_PID" curl -fsS --max-time 2 "http://127.0.0.1:$port/apps/k1"
  [ "$(curl -s "http://127.0.0.1:$port/apps/k$PEER_KEYS" | jq -c .data)" = '{"n":1,"s":"some small value"}' ] \
      || peers_die "json-server: GET k$PEER_KEYS did not answer the loaded record"
  curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/json' --data-binary "{\"id\":\"k1\",\"check\":\"$$\"}" \
      "http://127.0.0.1:$port/apps/k1" || peers_die "json-server: PUT failed"
  [ "$(curl -s "http://127.0.0.1:$port/apps/k1" | jq -r .check)" = "$$" ] || peers_die "json-server: a PUT did not read back"
  system json-server "json-server $(jq -r .version "$WORK/node_modules/json-server/package.json")" \
      "none: acks before lowdb rewrites its file (async, no fsync)" no
}

etcd_revision() { curl -s -X POST -d '{"key":"AA=="}' "http://127.0.0.1:$ETCD_PORT/v3/kv/range" | jq -r .header.revision; }

# After the runs: the stores that can count their writes hold at least as many as wrk saw answered
# with a 2xx, so no system is credited with writes it acknowledged without doing them (webdis answers
# 200 to a command Redis refused; each etcd put adds a revision; each pouchdb create a document).
writes_landed() {
  local sys answered seen
  for sys in webdis etcd pouchdb; do
    answered=$(awk -F'\t' -v s="$sys" '$1 == s {t += $2} END {print t + 0}' "$PEERS_DIR/writes.tsv")
    case $sys in
      webdis) seen=$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" info commandstats | tr -d '\r' \
                  | sed -n 's/^cmdstat_set:calls=\([0-9]*\),.*/\1/p') ;;
      etcd) seen=$(( $(etcd_revision) - ETCD_REV0 )) ;;
      pouchdb) seen=$(( $(curl -s "http://127.0.0.1:$POUCH_PORT/bench" | jq -r .doc_count) - POUCH_DOCS0 )) ;;
    esac
    [ "${seen:-0}" -ge "$answered" ] || peers_die "$sys: $answered writes answered with a 2xx, but only ${seen:-0} in the store"
    log "peers: $sys holds $seen writes for the $answered that wrk saw answered"
  done
}

# --- measuring ------------------------------------------------------------------------------------------

# peer_wrk SYSTEM TEST PORT THREADS CONNS SCRIPT [VAR=VALUE...]: one wrk run, a row in PEERS_RESULTS.
peer_wrk() {
  local sys=$1 test=$2 port=$3 threads=$4 conns=$5 script=$6; shift 6
  local out rps p50 p99 errs
  out=$(env BENCH_KEYS="$PEER_KEYS" "$@" wrk -t"$threads" -c"$conns" -d"$DURATION" --latency \
        -s "scripts/bench/$script.lua" "http://127.0.0.1:$port" 2>&1) || peers_die "wrk failed on $sys $test: $out"
  rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
  p50=$(awk '$1=="50%" {print $2}' <<< "$out" | to_ms)
  p99=$(awk '$1=="99%" {print $2}' <<< "$out" | to_ms)
  errs=$(awk '/Socket errors/ {gsub(",",""); s=$4+$6+$8+$10} /Non-2xx/ {n=$5} END {print s+n}' <<< "$out")
  # Writes answered with a 2xx, warm-ups included, for writes_landed.
  if [ "${test%1}" = put ]; then
    awk -v s="$sys" '/requests in/ {r=$1} /Non-2xx/ {n=$5} END {print s "\t" r - n}' <<< "$out" >> "$PEERS_DIR/writes.tsv"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$sys" "$test" "${rps:-0}" "${p50:-0}" "${p99:-0}" "${errs:-0}" >> "$PEERS_RESULTS"
  log "peers: ${PEER_NOTE:-}$sys $test: ${rps:-0} req/s, p50 ${p50:-?} ms, p99 ${p99:-?} ms, errors ${errs:-0}"
}

RUN_ID=0
# peer_test SYSTEM TEST THREADS CONNS: the wrk run for that system and test (its port, script, paths).
peer_test() {
  local sys=$1 test=$2 t=$3 c=$4 kind
  kind=${test%1}   # put1 uses the put scripts
  RUN_ID=$((RUN_ID + 1))
  case $sys/$kind in
    bare/*)        peer_wrk "$sys" "$test" "$PBARE_PORT" "$t" "$c" "$kind" ;;
    microstore/*)  peer_wrk "$sys" "$test" "$PMS_PORT" "$t" "$c" "$kind" ;;
    webdis/*)      peer_wrk "$sys" "$test" "$WEBDIS_PORT" "$t" "$c" "$kind" BENCH_PATH="/$(tr a-z A-Z <<< "${kind/put/set}")/k" ;;
    etcd/*)        peer_wrk "$sys" "$test" "$ETCD_PORT" "$t" "$c" "etcd-$kind" ;;
    pouchdb/get)   peer_wrk "$sys" "$test" "$POUCH_PORT" "$t" "$c" get BENCH_PATH=/bench/k ;;
    pouchdb/put)   peer_wrk "$sys" "$test" "$POUCH_PORT" "$t" "$c" create BENCH_PATH=/bench/ BENCH_PREFIX="r$RUN_ID-$$" ;;
    json-server/get) peer_wrk "$sys" "$test" "$JSONS_PORT" "$t" "$c" get BENCH_PATH=/apps/k ;;
    json-server/put) peer_wrk "$sys" "$test" "$JSONS_PORT" "$t" "$c" put BENCH_PATH=/apps/k BENCH_BODY=jsonserver ;;
    *) peers_die "no test $test for $sys" ;;
  esac
}

# The raw fdatasync latency, as a row like wrk's: syncs/s, p50, p99, no errors.
fsync_probe() {
  local out ops p50 p99 count
  out=$(python3 scripts/fsync-probe.py "$WORK" "$DURATION") || peers_die "fsync probe failed"
  read -r ops p50 p99 count <<< "$out"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' fdatasync put1 "$ops" "$p50" "$p99" 0 >> "$PEERS_RESULTS"
  log "peers: fdatasync (raw, 100-byte appends): $ops/s, p50 $p50 ms, p99 $p99 ms ($count syncs)"
}

bench_peers() {
  : > "$PEERS_RESULTS"
  : > "$PEERS_SYSTEMS"
  rm -rf "$PEERS_DIR"; mkdir -p "$PEERS_DIR"
  cut -d' ' -f1-3 /proc/loadavg > "$WORK/peers-load.txt"
  make_data "$PEER_KEYS"
  local systems=(bare microstore webdis etcd pouchdb json-server) sys test
  log "peers: starting and checking ${systems[*]} with $PEER_KEYS keys"
  peer_bare
  peer_microstore
  peer_webdis
  peer_etcd
  peer_pouchdb
  peer_json_server
  system fdatasync "raw fdatasync of a 100-byte append (scripts/fsync-probe.py, filesystem of $WORK)" "–" no
  # Unrecorded warm-up: the JITs (Java's, V8's) compile what is measured next; pouchdb's creates
  # use their own id prefix.
  for sys in "${systems[@]}"; do
    for test in get put; do
      DURATION=${BENCH_WARMUP:-5s} PEERS_RESULTS=/dev/null PEER_NOTE="warm-up, " peer_test "$sys" "$test" 2 "$CONNS"
    done
  done
  for test in get put put1; do
    log "peers: $test, $ROUNDS rounds over ${systems[*]}"
    for _ in $(seq 1 "$ROUNDS"); do
      for sys in "${systems[@]}"; do
        if [ "$test" = put1 ]; then
          # The raw fdatasync right before microstore's one-connection PUTs, which a goal compares with
          # it: fdatasync's latency on this shared disk drifts within seconds with everyone's writeback.
          if [ "$sys" = microstore ]; then fsync_probe; fi
          peer_test "$sys" put1 1 1
        else
          peer_test "$sys" "$test" 2 "$CONNS"
        fi
      done
    done
  done
  writes_landed
  peers_stop
}

peers_stop() {
  local pid
  for pid in ${JSONS_PID:-} ${POUCH_PID:-} ${ETCD_PID:-} ${WEBDIS_PID:-} ${REDIS_PID:-} ${PMS_PID:-} ${PBARE_PID:-}; do
    stop "$pid"
  done
  JSONS_PID="" POUCH_PID="" ETCD_PID="" WEBDIS_PID="" REDIS_PID="" PMS_PID="" PBARE_PID=""
}
