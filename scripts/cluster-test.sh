#!/usr/bin/env bash
# Usage: scripts/cluster-test.sh   (make smoke runs it; needs target/microstore.jar and etcd, which
# scripts/etcd-cluster.sh installs when missing)
#
# `make cluster` losing an instance: runs scripts/cluster.sh (etcd on a free base port, or CLUSTER_ETCD_BASE;
# two instances on free ports in 43000-43999, or CLUSTER_PORTS), writes through instance 2, kills instance 1
# with SIGKILL, and checks that cluster.sh names the instance that died (port, pid, exit status) and keeps
# running, and that instance 2 still serves the write and takes another one (so etcd runs too). Then
# it sends cluster.sh SIGTERM and checks that it exits and that none of the processes it printed (the
# instances, the etcd members) is left running, nor its temporary directory. Prints one line per check;
# exits 1 on the first failure, after stopping whatever is left.
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp "${TMPDIR:-/tmp}/cluster-test.XXXXXX")
script_pid=
printed_pids=()

fail() {
  echo "FAIL cluster-test: $*"
  echo "--- scripts/cluster.sh's output:"; sed 's/^/    /' "$out"
  exit 1
}
ok() { echo "ok   cluster-test: $*"; }

finish() {
  # Whatever a failed check left: cluster.sh first (it stops its own), then any pid it printed.
  if [ -n "$script_pid" ] && kill -0 "$script_pid" 2>/dev/null; then
    kill -TERM "$script_pid" 2>/dev/null
    for _ in $(seq 1 300); do kill -0 "$script_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  local pid
  for pid in ${printed_pids[@]+"${printed_pids[@]}"}; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -f "$out"
}
trap finish EXIT

# free PORT...: nothing listens on any of them on 127.0.0.1 now (a race with other processes remains).
free() {
  local port
  for port in "$@"; do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 1
  done
  return 0
}
# running PID: alive and not a zombie.
running() { kill -0 "$1" 2>/dev/null && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null; }

if [ -z "${CLUSTER_PORTS:-}" ]; then
  while :; do
    p1=$((43000 + RANDOM % 1000)); p2=$((43000 + RANDOM % 1000))
    [ "$p1" != "$p2" ] && free "$p1" "$p2" && break
  done
  CLUSTER_PORTS=$p1,$p2
fi
if [ -z "${CLUSTER_ETCD_BASE:-}" ]; then
  while :; do
    b=$((30000 + RANDOM % 9000))
    free $((b + 1)) $((b + 2)) $((b + 3)) $((b + 11)) $((b + 12)) $((b + 13)) && break
  done
  CLUSTER_ETCD_BASE=$b
fi
export CLUSTER_PORTS CLUSTER_ETCD_BASE

start=$SECONDS
scripts/cluster.sh >"$out" 2>&1 &
script_pid=$!
ready='Ctrl-C stops everything'
for _ in $(seq 1 1200); do
  grep -q "$ready" "$out" && break
  kill -0 "$script_pid" 2>/dev/null || fail "cluster.sh exited before it was ready"
  sleep 0.1
done
grep -q "$ready" "$out" || fail "cluster.sh not ready after 120 s"

read -r -a etcd_pids <<<"$(sed -n 's/^etcd endpoints: .*pids \([0-9 ]*\))$/\1/p' "$out")"
pid1=$(sed -n 's/^microstore 1: .*(pid \([0-9]*\),.*/\1/p' "$out")
pid2=$(sed -n 's/^microstore 2: .*(pid \([0-9]*\),.*/\1/p' "$out")
url2=$(sed -n 's/^microstore 2: *\(http:[^ ]*\)\/ .*/\1/p' "$out")
printed_pids=(${etcd_pids[@]+"${etcd_pids[@]}"} $pid1 $pid2)
[ -n "$pid1" ] && [ -n "$pid2" ] && [ -n "$url2" ] || fail "cluster.sh did not print 2 instances' pids and URLs"
port1=${CLUSTER_PORTS%%,*}
ok "cluster.sh ready in $((SECONDS - start)) s: etcd pids ${etcd_pids[*]-(not printed)}, instances $pid1 (:$port1)" \
  "and $pid2 ($url2)"

status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X PUT -H 'Content-Type: application/json' \
  -d '{"data": "before"}' "$url2/api/apps/failover")
[ "$status" = 204 ] || fail "PUT through instance 2 before the kill: $status"

kill -KILL "$pid1"
# cluster.sh checks its instances every second: its report comes within 10 s, or its exit.
for _ in $(seq 1 100); do
  grep -q "^cluster: microstore.* exited" "$out" && break
  kill -0 "$script_pid" 2>/dev/null || break
  sleep 0.1
done
running "$script_pid" || fail "cluster.sh stopped when instance 1 died"
running "$pid2" || fail "instance 2 (pid $pid2) stopped when instance 1 died"
[ ${#etcd_pids[@]} = 3 ] || fail "cluster.sh did not print the pids of the 3 etcd members"
for pid in "${etcd_pids[@]}"; do running "$pid" || fail "etcd member (pid $pid) stopped when instance 1 died"; done
line=$(grep "^cluster: microstore 1 (port $port1, pid $pid1) exited" "$out") \
  || fail "cluster.sh did not say within 10 s that instance 1 (port $port1, pid $pid1) died"
[[ $line == *"exit status 137 (killed by SIGKILL)"* ]] || fail "no exit status in: $line"
ok "cluster.sh says: $line"
body=$(curl -s --max-time 10 "$url2/api/apps/failover")
[ "$body" = '{"name":"failover","data":"before"}' ] || fail "GET through instance 2 after the kill: $body"
status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X PUT -H 'Content-Type: application/json' \
  -d '{"data": "after"}' "$url2/api/apps/failover")
[ "$status" = 204 ] || fail "PUT through instance 2 after the kill: $status"
ok "cluster.sh, etcd and instance 2 run on; instance 2 serves the earlier write and takes a new one"

dir=$(sed -n 's/^microstore 2: .*, log \(.*\)\/microstore2.log)$/\1/p' "$out")
kill -TERM "$script_pid"
for _ in $(seq 1 300); do kill -0 "$script_pid" 2>/dev/null || break; sleep 0.1; done
running "$script_pid" && fail "cluster.sh still runs 30 s after SIGTERM"
wait "$script_pid"; script_status=$?
script_pid=
left=()
for pid in "${printed_pids[@]}"; do running "$pid" && left+=("$pid"); done
[ ${#left[@]} = 0 ] || fail "left running after cluster.sh's SIGTERM: pids ${left[*]}"
[ -n "$dir" ] && [ ! -e "$dir" ] || fail "cluster.sh's directory ${dir:-(not printed)} is still there"
printed_pids=() # all gone: nothing for finish to stop
ok "SIGTERM: cluster.sh exited ($script_status), no process it printed is left, its directory is gone"
echo "cluster-test: passed in $((SECONDS - start)) s"
