#!/usr/bin/env bash
# A 3-member etcd cluster on 127.0.0.1 for tests and benchmarks (never on port 2379, which Debian's
# etcd package may claim for its own service).
#
#   etcd-cluster.sh start DIR BASEPORT [--secure PREFIX [TTL]]
#                                        members m1..m3: client ports BASEPORT+1..3, peer ports BASEPORT+11..13;
#                                        --secure: TLS + auth (below), simple tokens living TTL s (default 300)
#   etcd-cluster.sh stop DIR             SIGTERM every member started in DIR, SIGKILL after 5 s
#   etcd-cluster.sh kill DIR N           SIGKILL member N
#   etcd-cluster.sh restart DIR N        start member N again on its data dir (--initial-cluster-state existing)
#   etcd-cluster.sh endpoints DIR        prints the client URLs, comma-separated
#   etcd-cluster.sh install              installs Debian's etcd-server and etcd-client when missing (as root)
#
# DIR holds mN/ (data), mN.log, mN.pid and baseport. Flags go on the command line: --config-file would
# turn the v3 JSON gateway off.
#
# --secure: clients speak https and must show a certificate of the cluster's own CA (--client-cert-auth),
# made with openssl at start in DIR/tls: ca.pem, server.pem (CN etcd-server, 127.0.0.1; also a client
# certificate, because etcd's JSON gateway presents the server's certificate to its own gRPC port),
# root.pem (for etcdctl) and microstore.pem (no CN: the gateway refuses one) (+ -key.pem). Then etcd's auth is on: user root (password in
# DIR/root.password) and user microstore (DIR/microstore.password) whose role microstore may read and
# write PREFIX and nothing else. Peers speak plain http on 127.0.0.1. DIR/etcdctl.sh runs etcdctl as root.
set -euo pipefail

usage() { sed -n '4,10p' "$0" | sed 's/^# *//' >&2; exit 2; }
die() { echo "etcd-cluster: $*" >&2; exit 1; }

ensure_etcd() {
  command -v etcd >/dev/null && command -v etcdctl >/dev/null && return
  [ "$(id -u)" = 0 ] || die "etcd is missing: install Debian's etcd-server and etcd-client packages"
  echo "etcd-cluster: installing etcd-server and etcd-client" >&2
  # The package may try to start its own service on 2379: we ignore it and never use that port.
  (apt-get update -qq && apt-get install -y -qq etcd-server etcd-client) >&2 || die "installing etcd failed"
}

scheme() { [ -f "$1/secure" ] && echo https || echo http; }
client_url() { echo "$(scheme "$1")://127.0.0.1:$(($(cat "$1/baseport") + $2))"; }
# curl and etcdctl options that reach a secure cluster (nothing for a plain one)
tls_curl() { [ -f "$1/secure" ] && echo "--cacert $1/tls/ca.pem --cert $1/tls/root.pem --key $1/tls/root-key.pem"; true; }
tls_etcd() {
  [ -f "$1/secure" ] || return 0
  echo "--client-cert-auth --trusted-ca-file $1/tls/ca.pem --cert-file $1/tls/server.pem --key-file $1/tls/server-key.pem"
  echo "--auth-token simple --auth-token-ttl $(cat "$1/secure")"
}

# make_certs DIR: a CA and its server and client certificates in DIR/tls (EC P-256, 2 days).
make_certs() {
  local t=$1/tls name
  mkdir -p "$t"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=etcd-test-ca" \
    -keyout "$t/ca-key.pem" -out "$t/ca.pem" 2>/dev/null
  for name in server root microstore; do
    # microstore's has no CN: etcd 3.4 refuses a JSON-gateway request whose certificate has one
    local subj="/CN=$name" ext="extendedKeyUsage=clientAuth"
    [ $name = microstore ] && subj="/O=microstore"
    [ $name = server ] && subj="/CN=etcd-server" \
      && ext="extendedKeyUsage=serverAuth,clientAuth"$'\n'"subjectAltName=IP:127.0.0.1,DNS:localhost"
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "$subj" \
      -keyout "$t/$name-key.pem" -out "$t/$name.csr" 2>/dev/null
    openssl x509 -req -in "$t/$name.csr" -CA "$t/ca.pem" -CAkey "$t/ca-key.pem" -CAcreateserial -days 2 \
      -extfile <(echo "$ext") -out "$t/$name.pem" 2>/dev/null
  done
  chmod 600 "$t"/*-key.pem
}

# secure_auth DIR PREFIX: etcd's auth on, root and microstore (readwrite on PREFIX only).
secure_auth() {
  local dir=$1 prefix=$2 ctl="$1/etcdctl.sh"
  head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$dir/root.password"
  head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$dir/microstore.password"
  chmod 600 "$dir"/*.password
  cat >"$ctl" <<CTL
#!/usr/bin/env bash
# etcdctl as the root user of the secure cluster in $dir
exec env ETCDCTL_API=3 etcdctl --endpoints "$("$0" endpoints "$dir")" --cacert "$dir/tls/ca.pem" \\
  --cert "$dir/tls/root.pem" --key "$dir/tls/root-key.pem" --user "root:\$(cat "$dir/root.password")" "\$@"
CTL
  chmod +x "$ctl"
  local noauth=(env ETCDCTL_API=3 etcdctl --endpoints "$("$0" endpoints "$dir")" --cacert "$dir/tls/ca.pem"
    --cert "$dir/tls/root.pem" --key "$dir/tls/root-key.pem")
  {
    "${noauth[@]}" user add "root:$(cat "$dir/root.password")" --interactive=false
    "${noauth[@]}" user grant-role root root
    "${noauth[@]}" role add microstore
    "${noauth[@]}" role grant-permission microstore readwrite --prefix=true "$prefix"
    "${noauth[@]}" user add "microstore:$(cat "$dir/microstore.password")" --interactive=false
    "${noauth[@]}" user grant-role microstore microstore
    "${noauth[@]}" auth enable
  } >>"$dir/auth.log" 2>&1 || { cat "$dir/auth.log" >&2; die "enabling etcd auth failed"; }
}
peer_url() { echo "http://127.0.0.1:$(($(cat "$1/baseport") + 10 + $2))"; }

# launch DIR N STATE: one member in the background, its pid in DIR/mN.pid.
launch() {
  local dir=$1 n=$2 state=$3 cluster="" i
  for i in 1 2 3; do cluster+="${cluster:+,}m$i=$(peer_url "$dir" "$i")"; done
  # shellcheck disable=SC2046 # the TLS options are words (DIR has no spaces)
  nohup etcd --name "m$n" --data-dir "$dir/m$n" \
    --listen-client-urls "$(client_url "$dir" "$n")" --advertise-client-urls "$(client_url "$dir" "$n")" \
    --listen-peer-urls "$(peer_url "$dir" "$n")" --initial-advertise-peer-urls "$(peer_url "$dir" "$n")" \
    --initial-cluster "$cluster" --initial-cluster-state "$state" \
    --initial-cluster-token "$(cat "$dir/token")" $(tls_etcd "$dir") \
    >>"$dir/m$n.log" 2>&1 </dev/null &
  echo $! >"$dir/m$n.pid"
}

# shellcheck disable=SC2046 # the TLS options are words
healthy() { curl -fsS --max-time 1 $(tls_curl "$1") "$(client_url "$1" "$2")/health" 2>/dev/null | grep -q '"health":"true"'; }

# wait_healthy DIR N...: every listed member healthy within 20 s, else the logs' tails and failure.
wait_healthy() {
  local dir=$1 n; shift
  for _ in $(seq 1 80); do
    local all=1
    for n in "$@"; do healthy "$dir" "$n" || { all=0; break; }; done
    [ $all = 1 ] && return 0
    sleep 0.25
  done
  for n in "$@"; do echo "--- $dir/m$n.log (tail)" >&2; tail -n 15 "$dir/m$n.log" >&2 || true; done
  die "members $* of $dir not healthy after 20 s"
}

# running PID: alive and not a zombie (a killed member may wait for a parent that does not reap).
running() { kill -0 "$1" 2>/dev/null && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null; }
alive() { [ -f "$1/m$2.pid" ] && running "$(cat "$1/m$2.pid")"; }
gone() { local pid; for pid in "$@"; do while running "$pid"; do sleep 0.05; done; done; }

cmd=${1:-}; dir=${2:-}
if [ "$cmd" = install ]; then ensure_etcd; exit 0; fi
[ -n "$cmd" ] && [ -n "$dir" ] || usage
case $cmd in
  start)
    base=${3:-}; [[ $base =~ ^[0-9]+$ ]] || usage
    secure_prefix=""; ttl=300
    if [ "${4:-}" = --secure ]; then
      secure_prefix=${5:-}; [ -n "$secure_prefix" ] || usage
      ttl=${6:-300}; [[ $ttl =~ ^[0-9]+$ ]] || usage
      command -v openssl >/dev/null || die "openssl is missing (Debian's openssl package)"
    fi
    [ $((base + 1)) -le 2379 ] && [ $((base + 13)) -ge 2379 ] && die "port range around $base would touch 2379"
    ensure_etcd
    mkdir -p "$dir"; dir=$(cd "$dir" && pwd)
    echo "$base" >"$dir/baseport"
    echo "microstore-test-$base-$$-$RANDOM" >"$dir/token"
    rm -f "$dir/secure"
    [ -n "$secure_prefix" ] && make_certs "$dir" && echo "$ttl" >"$dir/secure"
    echo "etcd-cluster: $(etcd --version | head -n 1), $(etcdctl version | head -n 1) in $dir" >&2
    for n in 1 2 3; do launch "$dir" "$n" new; done
    wait_healthy "$dir" 1 2 3
    [ -n "$secure_prefix" ] && secure_auth "$dir" "$secure_prefix"
    "$0" endpoints "$dir"
    ;;
  stop)
    pids=()
    for n in 1 2 3; do alive "$dir" "$n" && pids+=("$(cat "$dir/m$n.pid")"); done
    [ ${#pids[@]} = 0 ] && exit 0
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 1 50); do
      live=0; for pid in "${pids[@]}"; do running "$pid" && live=1; done
      [ $live = 0 ] && break
      sleep 0.1
    done
    kill -KILL "${pids[@]}" 2>/dev/null || true
    gone "${pids[@]}"
    ;;
  kill)
    n=${3:-}; [[ $n =~ ^[123]$ ]] || usage
    if alive "$dir" "$n"; then
      pid=$(cat "$dir/m$n.pid"); kill -KILL "$pid"; gone "$pid"
    fi
    ;;
  restart)
    n=${3:-}; [[ $n =~ ^[123]$ ]] || usage
    alive "$dir" "$n" && die "member m$n is still running"
    launch "$dir" "$n" existing
    wait_healthy "$dir" "$n"
    ;;
  endpoints)
    urls=""; for n in 1 2 3; do urls+="${urls:+,}$(client_url "$dir" "$n")"; done
    echo "$urls"
    ;;
  *) usage ;;
esac
