#!/usr/bin/env bash
# A 3-member etcd cluster on 127.0.0.1 for tests and benchmarks (never on port 2379, which Debian's
# etcd package may claim for its own service).
#
#   etcd-cluster.sh start DIR BASEPORT   members m1..m3: client ports BASEPORT+1..3, peer ports BASEPORT+11..13
#   etcd-cluster.sh stop DIR             SIGTERM every member started in DIR, SIGKILL after 5 s
#   etcd-cluster.sh kill DIR N           SIGKILL member N
#   etcd-cluster.sh restart DIR N        start member N again on its data dir (--initial-cluster-state existing)
#   etcd-cluster.sh endpoints DIR        prints the client URLs, comma-separated
#   etcd-cluster.sh install              installs Debian's etcd-server and etcd-client when missing (as root)
#
# DIR holds mN/ (data), mN.log, mN.pid and baseport. Flags go on the command line: --config-file would
# turn the v3 JSON gateway off.
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

client_url() { echo "http://127.0.0.1:$(($(cat "$1/baseport") + $2))"; }
peer_url() { echo "http://127.0.0.1:$(($(cat "$1/baseport") + 10 + $2))"; }

# launch DIR N STATE: one member in the background, its pid in DIR/mN.pid.
launch() {
  local dir=$1 n=$2 state=$3 cluster="" i
  for i in 1 2 3; do cluster+="${cluster:+,}m$i=$(peer_url "$dir" "$i")"; done
  nohup etcd --name "m$n" --data-dir "$dir/m$n" \
    --listen-client-urls "$(client_url "$dir" "$n")" --advertise-client-urls "$(client_url "$dir" "$n")" \
    --listen-peer-urls "$(peer_url "$dir" "$n")" --initial-advertise-peer-urls "$(peer_url "$dir" "$n")" \
    --initial-cluster "$cluster" --initial-cluster-state "$state" \
    --initial-cluster-token "$(cat "$dir/token")" \
    >>"$dir/m$n.log" 2>&1 </dev/null &
  echo $! >"$dir/m$n.pid"
}

healthy() { curl -fsS --max-time 1 "$(client_url "$1" "$2")/health" 2>/dev/null | grep -q '"health":"true"'; }

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
    [ $((base + 1)) -le 2379 ] && [ $((base + 13)) -ge 2379 ] && die "port range around $base would touch 2379"
    ensure_etcd
    mkdir -p "$dir"; dir=$(cd "$dir" && pwd)
    echo "$base" >"$dir/baseport"
    echo "microstore-test-$base-$$-$RANDOM" >"$dir/token"
    echo "etcd-cluster: $(etcd --version | head -n 1), $(etcdctl version | head -n 1) in $dir" >&2
    for n in 1 2 3; do launch "$dir" "$n" new; done
    wait_healthy "$dir" 1 2 3
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
