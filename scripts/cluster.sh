#!/usr/bin/env bash
# Usage: scripts/cluster.sh   (what `make cluster` runs)
# A real 3-member etcd cluster on loopback (scripts/etcd-cluster.sh: client ports CLUSTER_ETCD_BASE+1..3 and
# peer ports CLUSTER_ETCD_BASE+11..13, by default 32371-32373 and 32381-32383; Debian's etcd-server is
# installed when missing) and one microstore instance (target/microstore.jar) per port in CLUSTER_PORTS,
# default 8081,8082. Prints the etcd endpoints, peer ports and pids, then each instance's URL, pid and log.
#
# For trying failover: when an instance exits (kill it by its pid), the script says which (port, pid, exit
# status, the tail of its log) and keeps the others and etcd running. It stops on Ctrl-C (SIGINT) or SIGTERM,
# or once every instance has exited: then it stops every process it started, by pid, and removes its
# temporary directory (etcd's data, the logs).
set -euo pipefail
cd "$(dirname "$0")/.."
java="${JAVA_HOME:?JAVA_HOME must point at a JDK >= 21}/bin/java"
ports=${CLUSTER_PORTS:-8081,8082}
base=${CLUSTER_ETCD_BASE:-32370}
jar=target/microstore.jar
[ -f "$jar" ] || { echo "cluster: $jar is missing: run make build" >&2; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/microstore-cluster.XXXXXX")
pids=()     # instance i (from 1) is at index i - 1, its port in instance_ports, its log in $dir/microstoreI.log
instance_ports=()
live=()     # indexes of the instances still running
sleeper=

cleanup() {
  trap '' INT TERM
  local pid i running=()
  [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null || true
  for i in "${live[@]}"; do running+=("${pids[$i]}"); done
  if [ ${#running[@]} -gt 0 ]; then
    echo "cluster: stopping microstore (pids ${running[*]})" >&2
    kill -TERM "${running[@]}" 2>/dev/null || true
    for _ in $(seq 1 100); do
      local alive=0
      for pid in "${running[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
      [ $alive = 0 ] && break
      sleep 0.1
    done
    kill -KILL "${running[@]}" 2>/dev/null || true
    for pid in "${running[@]}"; do wait "$pid" 2>/dev/null || true; done
  fi
  if [ -f "$dir/etcd/baseport" ]; then
    echo "cluster: stopping etcd (pids" $(cat "$dir"/etcd/m*.pid 2>/dev/null)")" >&2
    scripts/etcd-cluster.sh stop "$dir/etcd" || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "cluster: starting a 3-member etcd cluster (client ports $((base + 1))-$((base + 3)), peer ports" \
  "$((base + 11))-$((base + 13)))" >&2
endpoints=$(scripts/etcd-cluster.sh start "$dir/etcd" "$base" | tail -n 1)

i=0
for port in ${ports//,/ }; do
  i=$((i + 1))
  "$java" ${CLUSTER_JVM_OPTS:-} -jar "$jar" --etcd "$endpoints" --port "$port" >"$dir/microstore$i.log" 2>&1 &
  pids+=($!)
  instance_ports+=("$port")
done
urls=()
for i in "${!pids[@]}"; do
  url=""
  log="$dir/microstore$((i + 1)).log"
  for _ in $(seq 1 300); do
    url=$(sed -n 's/^microstore listening on \(http:[^ ]*\)\/ .*/\1/p' "$log")
    [ -n "$url" ] && break
    kill -0 "${pids[$i]}" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$url" ]; then
    echo "cluster: microstore instance $((i + 1)) (port ${instance_ports[$i]}) did not start:" >&2; cat "$log" >&2
    live=("${!pids[@]}") # cleanup stops them all
    exit 1
  fi
  urls+=("$url")
done
live=("${!pids[@]}")

echo
echo "etcd endpoints: $endpoints   (peer ports $((base + 11))-$((base + 13));" \
  "pids $(cat "$dir"/etcd/m1.pid "$dir"/etcd/m2.pid "$dir"/etcd/m3.pid | tr '\n' ' ' | sed 's/ $//'))"
for i in "${!urls[@]}"; do
  echo "microstore $((i + 1)):   ${urls[$i]}/   (pid ${pids[$i]}, log $dir/microstore$((i + 1)).log)"
done
echo "Kill an instance to try failover: the others keep serving. Ctrl-C stops everything."

# died I: reports instance I's exit (its status from wait: the script is its parent) and drops it from $live.
died() {
  local i=$1 status=0 how rest=() j
  wait "${pids[$i]}" 2>/dev/null || status=$?
  how="exit status $status"
  [ "$status" -gt 128 ] && how="$how (killed by SIG$(kill -l $((status - 128)) 2>/dev/null || echo "$((status - 128))"))"
  for j in "${live[@]}"; do [ "$j" != "$i" ] && rest+=("$j"); done
  live=(${rest[@]+"${rest[@]}"})
  {
    echo "cluster: microstore $((i + 1)) (port ${instance_ports[$i]}, pid ${pids[$i]}) exited, $how; the tail of" \
      "its log $dir/microstore$((i + 1)).log:"
    tail -n 20 "$dir/microstore$((i + 1)).log" | sed 's/^/    /'
    if [ ${#live[@]} -gt 0 ]; then
      echo -n "cluster: still running: etcd and microstore"
      for j in "${live[@]}"; do echo -n " $((j + 1)) (${urls[$j]}/, pid ${pids[$j]})"; done
      echo "; Ctrl-C stops everything."
    fi
  } >&2
}

# Until a signal, or until every instance has exited.
while [ ${#live[@]} -gt 0 ]; do
  for i in "${live[@]}"; do
    kill -0 "${pids[$i]}" 2>/dev/null || died "$i"
  done
  [ ${#live[@]} -gt 0 ] || break
  sleep 1 &
  sleeper=$!
  wait "$sleeper" 2>/dev/null || true # quiet: bash would report a killed instance here, died() says more
  sleeper=
done
echo "cluster: every microstore instance has exited" >&2
exit 1
