#!/usr/bin/env bash
# Usage: scripts/lb-test.sh   (what `make lb-test` runs)
# The shipped load-balancer configurations (deploy/nginx.conf, deploy/haproxy.cfg) with the real programs:
# Debian's nginx and HAProxy (installed when missing, as root, their system services never started) in
# front of two cluster-mode instances of target/microstore.jar on a 3-member etcd cluster, all on
# 127.0.0.1 on ports free at run time. nginx and HAProxy run in the foreground on configurations generated
# from the shipped files with only the addresses (and HAProxy's stats socket) replaced. Through each:
# every route once, an SSE stream, a long-poll and an app watch of 70 s (over nginx's default 60 s), and
# HAProxy's health check marking both instances UP; an HTTP/1.0 client through nginx's default upstream
# settings and straight to an instance; then one instance killed (kill -9) while SSE clients read through
# both proxies and a writer keeps writing: each client resumes with Last-Event-ID and sees every
# acknowledged write exactly once. One line per check; exits non-zero if any fails. Everything it
# started is stopped by pid, and its temporary directory removed.
set -euo pipefail
cd "$(dirname "$0")/.."
java="${JAVA_HOME:?JAVA_HOME must point at a JDK >= 21}/bin/java"
jar=target/microstore.jar
[ -f "$jar" ] || { echo "lb-test: $jar is missing: run make build" >&2; exit 1; }
export PATH="$PATH:/usr/sbin:/sbin" LC_ALL=C
LONG_WAIT=70 # seconds: over nginx's default proxy_read_timeout (60 s)

failures=0
ok() { echo "ok   $*"; }
fail() { printf '\033[1;31mFAIL %s\033[0m\n' "$*"; failures=$((failures + 1)); }
# check DESCRIPTION EXPECTED ACTUAL
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: expected $2, got $3"; fi; }

# Debian's packages, without starting their services (policy-rc.d says no while they are installed).
ensure_installed() {
  command -v nginx >/dev/null && command -v haproxy >/dev/null && return
  [ "$(id -u)" = 0 ] || { echo "lb-test: install Debian's nginx and haproxy packages (as root)" >&2; exit 1; }
  local policy=/usr/sbin/policy-rc.d made=
  if [ ! -e $policy ]; then printf '#!/bin/sh\nexit 101\n' >$policy && chmod +x $policy && made=1; fi
  echo "lb-test: installing nginx and haproxy" >&2
  local status=0
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx haproxy) >&2 || status=$?
  [ -n "$made" ] && rm -f $policy
  [ $status = 0 ] || { echo "lb-test: installing nginx and haproxy failed" >&2; exit 1; }
}
ensure_installed

dir=$(mktemp -d "${TMPDIR:-/tmp}/microstore-lb.XXXXXX")
chmod 755 "$dir" # nginx's workers (nobody) read and write under it
pids=()          # every process started here but etcd, stopped by pid on exit

cleanup() {
  trap '' INT TERM
  if [ ${#pids[@]} -gt 0 ]; then
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 1 50); do
      local live=0 pid
      for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && live=1; done
      [ $live = 0 ] && break
      sleep 0.1
    done
    kill -KILL "${pids[@]}" 2>/dev/null || true
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  fi
  [ -f "$dir/etcd/baseport" ] && scripts/etcd-cluster.sh stop "$dir/etcd" || true
  if [ $failures -gt 0 ] || [ "${LB_TEST_KEEP:-}" = 1 ]; then
    for log in "$dir"/*.log; do echo "--- $log (tail)"; tail -n 15 "$log"; done >&2
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The small client (Python 3's standard library): free ports, SSE with resume, the writer, the checks.
cat >"$dir/lb.py" <<'EOF'
import csv, json, os, random, socket, sys, time, urllib.error, urllib.request

def free(n):  # n free loopback ports, or with "block", a base B with B+1..3 and B+11..13 free
    if n == "block":
        for _ in range(200):
            base = random.randrange(40000, 40980, 20)
            try:
                socks = [socket.create_server(("127.0.0.1", base + o)) for o in (1, 2, 3, 11, 12, 13)]
            except OSError:
                continue
            for s in socks: s.close()
            return print(base)
        sys.exit("no free port block")
    socks = [socket.create_server(("127.0.0.1", 0)) for _ in range(int(n))]
    print(" ".join(str(s.getsockname()[1]) for s in socks))
    for s in socks: s.close()

def haproxy(sock, *want):  # prints each server's status; exit 0 if they are as wanted (ms1=UP ...)
    s = socket.socket(socket.AF_UNIX); s.connect(sock); s.sendall(b"show stat\n")
    data = b""
    while chunk := s.recv(65536): data += chunk
    rows = list(csv.reader(data.decode().lstrip("# ").splitlines()))
    status = {r[1]: r[rows[0].index("status")] for r in rows[1:] if r and r[0] == "microstore" and r[1].startswith("ms")}
    print(" ".join(f"{k}={v}" for k, v in sorted(status.items())))
    sys.exit(0 if all(status.get(k) == v for k, v in (w.split("=") for w in want)) else 1)

def sse(base, since, out, end, seconds):  # follows the feed, resuming with Last-Event-ID, until `end` is put
    last, deadline = None, time.time() + float(seconds)
    with open(out, "w", buffering=1) as log:
        while time.time() < deadline:
            headers = {"Accept": "text/event-stream"}
            if last: headers["Last-Event-ID"] = last
            try:
                req = urllib.request.Request(f"{base}/api/changes?since={since}", headers=headers)
                with urllib.request.urlopen(req, timeout=20) as r:
                    log.write("connected\n")
                    event = {}
                    for raw in r:
                        line = raw.decode().rstrip("\r\n")
                        if line == "" and "data" in event:
                            change = json.loads(event["data"])
                            log.write(f"event {change['seq']} {change['name']}\n")
                            if "id" in event: last = event["id"]
                            if change["name"] == end: return
                            event = {}
                        elif line and not line.startswith(":"):
                            key, _, value = line.partition(":")
                            event[key] = value[1:] if value.startswith(" ") else value
            except (OSError, urllib.error.URLError) as e:
                log.write(f"error {e}\n")
            log.write("reconnect\n")
            time.sleep(0.2)

def write(base, prefix, stop, out):  # PUTs until the file `stop` exists, then puts `prefix`end
    i = 0
    with open(out, "w", buffering=1) as log:
        while True:
            name = f"{prefix}end" if os.path.exists(stop) else f"{prefix}{i}"
            req = urllib.request.Request(f"{base}/api/apps/{name}", data=json.dumps({"data": i}).encode(),
                                         method="PUT", headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    log.write(f"ack {r.headers['ETag'].strip(chr(34))} {name}\n")
                    if name.endswith("end"): return
            except (OSError, urllib.error.URLError) as e:
                log.write(f"error {name} {e}\n")
            i += 1
            time.sleep(0.02)

def verify(acks, *logs):  # every acknowledged write's event exactly once in each client's log, in order
    acked = {int(l.split()[1]): l.split()[2] for l in open(acks) if l.startswith("ack ")}
    problems = []
    for log in logs:
        lines = open(log).read().splitlines()
        seqs = [int(l.split()[1]) for l in lines if l.startswith("event ")]
        names = {int(l.split()[1]): l.split()[2] for l in lines if l.startswith("event ")}
        if any(b <= a for a, b in zip(seqs, seqs[1:])):
            problems.append(f"{log}: seqs repeated or out of order")
        missing = [s for s in acked if names.get(s) != acked[s]]
        if missing:
            problems.append(f"{log}: {len(missing)} acknowledged writes missing, e.g. seq {missing[0]}")
    print(f"{len(acked)} acknowledged writes, {sum(open(l).read().count('reconnect') for l in logs)} resumes;",
          "; ".join(problems) or "each seen once, in order, by every client")
    sys.exit(1 if problems else 0)

globals()[sys.argv[1]](*sys.argv[2:])
EOF
py() { python3 "$dir/lb.py" "$@"; }

# --- etcd, two instances -----------------------------------------------------------------------------
base=$(py free block)
endpoints=$(scripts/etcd-cluster.sh start "$dir/etcd" "$base" | tail -n 1)
ms=()
ms_pids=()
for i in 1 2; do
  "$java" -Xmx256m -XX:+ExitOnOutOfMemoryError -jar "$jar" --etcd "$endpoints" --port 0 >"$dir/microstore$i.log" 2>&1 &
  pids+=($!)
  ms_pids+=($!)
done
for i in 1 2; do
  url=
  for _ in $(seq 1 300); do
    url=$(sed -n 's/^microstore listening on \(http:[^ ]*\)\/ .*/\1/p' "$dir/microstore$i.log")
    [ -n "$url" ] && break
    kill -0 "${ms_pids[$((i - 1))]}" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$url" ] || { fail "microstore instance $i did not start"; exit 1; }
  ms+=("$url")
done
hostports=("${ms[0]#http://}" "${ms[1]#http://}")

# --- nginx and HAProxy on the shipped files, only the addresses replaced ------------------------------
read -r nginx_port nginx_default_port haproxy_port < <(py free 3)
sub() { # sub FILE FROM TO: replaces every FROM, which must be there
  grep -qF -- "$2" "$1" || { fail "'$2' is no longer in the shipped file copied to $1"; exit 1; }
  sed -i "s|$2|$3|g" "$1"
}
cp deploy/nginx.conf "$dir/microstore-nginx.conf"
sub "$dir/microstore-nginx.conf" "10.0.0.11:8080" "${hostports[0]}"
sub "$dir/microstore-nginx.conf" "10.0.0.12:8080" "${hostports[1]}"
sub "$dir/microstore-nginx.conf" "listen 80;" "listen 127.0.0.1:$nginx_port;"
mkdir -p "$dir/nginx-temp"
cat >"$dir/nginx.conf" <<EOF
$([ "$(id -u)" = 0 ] && echo "user root;")
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events { worker_connections 512; }
http {
    access_log $dir/nginx-access.log;
    client_body_temp_path $dir/nginx-temp/body;
    proxy_temp_path $dir/nginx-temp/proxy;
    fastcgi_temp_path $dir/nginx-temp/fastcgi;
    uwsgi_temp_path $dir/nginx-temp/uwsgi;
    scgi_temp_path $dir/nginx-temp/scgi;
    include $dir/microstore-nginx.conf;
    # nginx's defaults (HTTP/1.0 to the upstream, one connection per request, buffering): the same
    # instances, nothing but proxy_pass. An upstream of its own: an HTTP/1.0 request sent on a connection
    # the shipped upstream keeps alive (HTTP/1.1) would get 505 (docs/OPERATIONS.md says why).
    upstream defaults {
        server ${hostports[0]};
        server ${hostports[1]};
    }
    server {
        listen 127.0.0.1:$nginx_default_port;
        location / { proxy_pass http://defaults; }
    }
}
EOF
nginx -t -q -e "$dir/nginx-error.log" -c "$dir/nginx.conf" -p "$dir" || { fail "nginx does not take the configuration"; exit 1; }
nginx -e "$dir/nginx-error.log" -c "$dir/nginx.conf" -p "$dir" -g 'daemon off;' >"$dir/nginx.log" 2>&1 &
pids+=($!)

cp deploy/haproxy.cfg "$dir/haproxy.cfg"
sub "$dir/haproxy.cfg" "10.0.0.11:8080" "${hostports[0]}"
sub "$dir/haproxy.cfg" "10.0.0.12:8080" "${hostports[1]}"
sub "$dir/haproxy.cfg" "bind :80" "bind 127.0.0.1:$haproxy_port"
sub "$dir/haproxy.cfg" "/run/haproxy/microstore.sock" "$dir/haproxy.sock"
haproxy -c -q -f "$dir/haproxy.cfg" || { fail "HAProxy does not take the configuration"; exit 1; }
haproxy -db -f "$dir/haproxy.cfg" >"$dir/haproxy.log" 2>&1 &
pids+=($!)

NGINX=http://127.0.0.1:$nginx_port
NGINX_DEFAULT=http://127.0.0.1:$nginx_default_port
HAPROXY=http://127.0.0.1:$haproxy_port
for _ in $(seq 1 100); do
  curl -fs -o /dev/null "$NGINX/observe/health" && curl -fs -o /dev/null "$HAPROXY/observe/health" && break
  sleep 0.1
done
echo "lb-test: etcd $endpoints; microstore ${ms[*]}; nginx $NGINX (defaults: $NGINX_DEFAULT); HAProxy $HAPROXY"

# --- checks ------------------------------------------------------------------------------------------
# status METHOD URL [CURL ARGS...]: the status code (000: no answer)
status() { local m=$1 u=$2; shift 2; curl -s -o /dev/null -w '%{http_code}' --max-time 20 -X "$m" "$@" "$u" || true; }
etag() { curl -s -o /dev/null -D - "$1" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p'; }
# The clients waiting on the feeds of both instances (SSE streams, long-polls, watches): a stream
# through a proxy is open once it is counted here.
subscribers() {
  local n=0 i v
  for i in 0 1; do
    v=$(curl -s "${ms[$i]}/observe/metrics" | sed -n 's/^microstore_subscribers[{ ].* \([0-9]*\)\.*[0-9]*$/\1/p')
    n=$((n + ${v:-0}))
  done
  echo $n
}

# The long waits first, in the background, so that they run beside the other checks.
waits=()
for proxy in nginx haproxy; do
  url=$([ $proxy = nginx ] && echo "$NGINX" || echo "$HAPROXY")
  curl -s -o "$dir/poll-$proxy.body" -w '%{http_code} %{time_total}' --max-time $((LONG_WAIT + 60)) \
    "$url/api/changes?since=now&prefix=lp-$proxy-&wait=$LONG_WAIT" >"$dir/poll-$proxy.out" 2>&1 &
  pids+=($!)
  waits+=($!)
  status PUT "$url/api/apps/watch-$proxy" -H 'Content-Type: application/json' -d '{"data":0}' >/dev/null
  tag=$(etag "$url/api/apps/watch-$proxy")
  curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time $((LONG_WAIT + 60)) -H "If-None-Match: $tag" \
    "$url/api/apps/watch-$proxy?wait=$LONG_WAIT" >"$dir/watch-$proxy.out" 2>&1 &
  pids+=($!)
  waits+=($!)
done

# Every route once, with the status it should give.
routes() {
  local p=$1 b=$2 a="lb-$1-app" json=(-H 'Content-Type: application/json')
  check "$p: GET / redirects to the Swagger UI" 302 "$(status GET "$b/")"
  check "$p: HEAD /" 302 "$(status HEAD "$b/" -I)"
  check "$p: GET /openapi" 200 "$(status GET "$b/openapi")"
  check "$p: GET /observe/health" 200 "$(status GET "$b/observe/health")"
  check "$p: GET /observe/metrics" 200 "$(status GET "$b/observe/metrics")"
  check "$p: PUT /api/apps/{name}" 204 "$(status PUT "$b/api/apps/$a" "${json[@]}" -d '{"data":{"n":1}}')"
  check "$p: PUT a bad body gets 400" 400 "$(status PUT "$b/api/apps/$a" "${json[@]}" -d '{"data":')"
  check "$p: GET /api/apps/{name}" 200 "$(status GET "$b/api/apps/$a")"
  check "$p: HEAD /api/apps/{name}" 200 "$(status HEAD "$b/api/apps/$a" -I)"
  local tag
  tag=$(etag "$b/api/apps/$a")
  check "$p: GET /api/apps/{name} with If-None-Match" 304 "$(status GET "$b/api/apps/$a" -H "If-None-Match: $tag")"
  check "$p: GET /api/apps/{name}?wait=1, unchanged" 304 \
    "$(status GET "$b/api/apps/$a?wait=1" -H "If-None-Match: $tag")"
  check "$p: PATCH /api/apps/{name}" 200 \
    "$(status PATCH "$b/api/apps/$a" -H 'Content-Type: application/merge-patch+json' -d '{"data":{"m":2}}')"
  check "$p: PUT with a stale If-Match gets 412" 412 \
    "$(status PUT "$b/api/apps/$a" "${json[@]}" -H "If-Match: $tag" -d '{"data":3}')"
  check "$p: GET /api/apps" 200 "$(status GET "$b/api/apps?prefix=lb-$p-&include=data")"
  check "$p: DELETE /api/apps is not allowed" 405 "$(status DELETE "$b/api/apps")"
  check "$p: POST /api/txn" 200 "$(status POST "$b/api/txn" "${json[@]}" \
    -d "[{\"op\":\"put\",\"name\":\"lb-$p-txn\",\"data\":1}]")"
  check "$p: GET /api/changes" 200 "$(status GET "$b/api/changes?since=now")"
  check "$p: GET /api/schema" 200 "$(status GET "$b/api/schema")"
  check "$p: GET /api/export" 200 "$(status GET "$b/api/export")"
  check "$p: POST /api/import" 200 "$(status POST "$b/api/import" -H 'Content-Type: application/x-ndjson' \
    --data-binary "{\"name\":\"lb-$p-imported\",\"data\":1}")"
  check "$p: POST /api/admin/compact" 200 "$(status POST "$b/api/admin/compact")"
  check "$p: DELETE /api/apps/{name}" 204 "$(status DELETE "$b/api/apps/$a")"
  check "$p: GET /api/apps/{name} deleted gets 404" 404 "$(status GET "$b/api/apps/$a")"
}
routes nginx "$NGINX"
routes haproxy "$HAPROXY"

# SSE through each proxy: a write made through the proxy arrives on the stream.
for proxy in nginx haproxy; do
  url=$([ $proxy = nginx ] && echo "$NGINX" || echo "$HAPROXY")
  before=$(subscribers)
  curl -s -N --max-time 30 -H 'Accept: text/event-stream' "$url/api/changes?since=now&prefix=sse-$proxy" \
    >"$dir/sse-$proxy.txt" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do [ "$(subscribers)" -gt "$before" ] && break; sleep 0.1; done
  status PUT "$url/api/apps/sse-$proxy" -H 'Content-Type: application/json' -d '{"data":1}' >/dev/null
  got=
  for _ in $(seq 1 100); do
    grep -q "\"name\":\"sse-$proxy\"" "$dir/sse-$proxy.txt" && { got=yes; break; }
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  check "$proxy: an SSE stream of /api/changes gets a write made through the proxy" yes "${got:-no}"
done

# HAProxy's health check: both instances UP.
state=
for _ in $(seq 1 100); do
  state=$(py haproxy "$dir/haproxy.sock" ms1=UP ms2=UP) && break
  sleep 0.2
done
check "haproxy: the health check marks both instances UP" "ms1=UP ms2=UP" "$state"

# HTTP/1.0: through nginx's default upstream settings, and straight to an instance.
check "nginx, default upstream settings (HTTP/1.0): GET /observe/health" 200 \
  "$(status GET "$NGINX_DEFAULT/observe/health" --http1.0)"
check "nginx, default upstream settings: PUT /api/apps/{name}" 204 \
  "$(status PUT "$NGINX_DEFAULT/api/apps/lb-http10" -H 'Content-Type: application/json' -d '{"data":1}')"
big=$(head -c 70000 /dev/zero | tr '\0' v) # over 64 KiB: a streamed answer, chunked to HTTP/1.1
status PUT "$NGINX/api/apps/lb-big" -H 'Content-Type: application/json' -d "{\"data\":\"$big\"}" >/dev/null
# ?consistent: the PUT went through one instance, the listing may reach the other (read-your-writes holds only on
# the instance that acknowledged a write)
listing=$(curl -s "$NGINX_DEFAULT/api/apps?prefix=lb-big&include=data&consistent")
check "nginx, default upstream settings: a streamed listing arrives whole" "the app's 70000 bytes" \
  "$([ "$listing" = "[{\"name\":\"lb-big\",\"data\":\"$big\"}]" ] && echo "the app's 70000 bytes" \
    || echo "${#listing} bytes: ${listing:0:60}...")"
check "curl --http1.0 straight to an instance: GET /observe/health" 200 \
  "$(status GET "${ms[0]}/observe/health" --http1.0)"
te=$(curl -s --http1.0 -D - -o /dev/null "${ms[0]}/api/apps?prefix=lb-big&include=data" | tr -d '\r' \
  | grep -ci '^transfer-encoding' || true)
check "curl --http1.0 straight to an instance: a streamed listing is not chunked" 0 "$te"

# The long waits: microstore's own answer after LONG_WAIT seconds, not the proxy's 504.
for pid in "${waits[@]}"; do wait "$pid" || true; done # curl's --max-time bounds each
# after CODE SECONDS: "CODE after LONG_WAIT s or more", or how long it took instead
after() { local t=${2%.*}; [ "${t:-0}" -ge $LONG_WAIT ] && echo "$1 after ${LONG_WAIT} s or more" || echo "$1 after ${t:-0} s"; }
for proxy in nginx haproxy; do
  read -r code took <"$dir/poll-$proxy.out" || true
  check "$proxy: a long-poll of ${LONG_WAIT} s gets its page" "200 after ${LONG_WAIT} s or more" "$(after "$code" "$took")"
  grep -qs '"last_seq"' "$dir/poll-$proxy.body" || fail "$proxy: the long-poll's answer is not microstore's page"
  read -r code took <"$dir/watch-$proxy.out" || true
  check "$proxy: an app watch of ${LONG_WAIT} s gets its 304" "304 after ${LONG_WAIT} s or more" "$(after "$code" "$took")"
done

# One instance killed while SSE clients read through both proxies and a writer writes through nginx.
since=$(curl -s "$NGINX/api/changes?since=now" | python3 -c 'import json,sys; print(json.load(sys.stdin)["last_seq"])')
clients=()
client_pids=()
# Two clients through each proxy, one after the other: round robin puts them on different instances, so
# whichever is killed, a client of each proxy has to resume.
for proxy in nginx nginx haproxy haproxy; do
  url=$([ $proxy = nginx ] && echo "$NGINX" || echo "$HAPROXY")
  before=$(subscribers)
  n=${#clients[@]}
  py sse "$url" "$since" "$dir/client$n-$proxy.txt" kill-end 90 &
  pids+=($!)
  client_pids+=($!)
  clients+=("$dir/client$n-$proxy.txt")
  for _ in $(seq 1 100); do [ "$(subscribers)" -gt "$before" ] && break; sleep 0.1; done
done
py write "$NGINX" kill- "$dir/stop" "$dir/acks.txt" &
writer=$!
pids+=($writer)
acks() { cat "$dir/acks.txt" 2>/dev/null | grep -c '^ack' || true; }
for _ in $(seq 1 100); do [ "$(acks)" -ge 20 ] && break; sleep 0.1; done
{ kill -KILL "${ms_pids[1]}" && wait "${ms_pids[1]}"; } 2>/dev/null || true
killed_at=$(acks)
for _ in $(seq 1 100); do [ "$(acks)" -ge $((killed_at + 30)) ] && break; sleep 0.1; done
check "haproxy: the health check marks the killed instance DOWN" "ms1=UP ms2=DOWN" \
  "$(for _ in $(seq 1 50); do py haproxy "$dir/haproxy.sock" ms1=UP ms2=DOWN && break; sleep 0.2; done | tail -n 1)"
touch "$dir/stop"
wait "$writer" || true
for pid in "${client_pids[@]}"; do wait "$pid" || true; done
if result=$(py verify "$dir/acks.txt" "${clients[@]}"); then
  ok "instance 2 killed: SSE clients through both proxies resumed: $result"
else
  fail "instance 2 killed: $result"
fi
for proxy in nginx haproxy; do
  n=0
  for c in "${clients[@]}"; do [[ $c == *-$proxy.txt ]] && grep -q '^reconnect' "$c" && n=$((n + 1)); done
  check "$proxy: a client on the killed instance resumed through the proxy" yes "$([ $n -ge 1 ] && echo yes || echo no)"
done

if [ $failures -gt 0 ]; then
  printf '\033[1;31mlb-test: %d check(s) failed\033[0m\n' $failures
  exit 1
fi
echo "lb-test: every check passed in $SECONDS s"
