#!/usr/bin/env bash
# Usage: scripts/cluster.sh   (what `make cluster` runs)
# A real 3-member etcd cluster on loopback (scripts/etcd-cluster.sh: client ports CLUSTER_ETCD_BASE+1..3 and
# peer ports CLUSTER_ETCD_BASE+11..13, by default 32371-32373 and 32381-32383; Debian's etcd-server is
# installed when missing) and two microstore instances on it (target/microstore.jar, ports CLUSTER_PORTS,
# default 8081,8082). Prints the URLs and the etcd
# endpoints and runs until Ctrl-C (SIGINT) or SIGTERM, then stops every process it started, by pid,
# and removes its temporary directory (data dirs and logs). It also stops when an instance exits.
set -euo pipefail
cd "$(dirname "$0")/.."
java="${JAVA_HOME:?JAVA_HOME must point at a JDK >= 21}/bin/java"
ports=${CLUSTER_PORTS:-8081,8082}
base=${CLUSTER_ETCD_BASE:-32370}
jar=target/microstore.jar
[ -f "$jar" ] || { echo "cluster: $jar is missing: run make build" >&2; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/microstore-cluster.XXXXXX")
pids=()
sleeper=

cleanup() {
  trap '' INT TERM
  local pid
  [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null || true
  if [ ${#pids[@]} -gt 0 ]; then
    echo "cluster: stopping microstore (pids ${pids[*]})" >&2
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 1 100); do
      local live=0
      for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && live=1; done
      [ $live = 0 ] && break
      sleep 0.1
    done
    kill -KILL "${pids[@]}" 2>/dev/null || true
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  fi
  if [ -f "$dir/etcd/baseport" ]; then
    echo "cluster: stopping etcd" >&2
    scripts/etcd-cluster.sh stop "$dir/etcd" || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "cluster: starting a 3-member etcd cluster (client ports $((base + 1))-$((base + 3)))" >&2
endpoints=$(scripts/etcd-cluster.sh start "$dir/etcd" "$base" | tail -n 1)

urls=()
i=0
for port in ${ports//,/ }; do
  i=$((i + 1))
  "$java" ${CLUSTER_JVM_OPTS:-} -jar "$jar" --etcd "$endpoints" --port "$port" >"$dir/microstore$i.log" 2>&1 &
  pids+=($!)
done
i=0
for pid in "${pids[@]}"; do
  i=$((i + 1))
  url=""
  for _ in $(seq 1 300); do
    url=$(sed -n 's/^microstore listening on \(http:[^ ]*\)\/ .*/\1/p' "$dir/microstore$i.log")
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$url" ]; then
    echo "cluster: microstore instance $i did not start:" >&2; cat "$dir/microstore$i.log" >&2; exit 1
  fi
  urls+=("$url")
done

echo
echo "etcd endpoints: $endpoints"
i=0
for url in "${urls[@]}"; do
  i=$((i + 1))
  echo "microstore $i:   $url/   (pid ${pids[$((i - 1))]}, log $dir/microstore$i.log)"
done
echo "Ctrl-C stops everything."

# Until a signal, or until an instance exits by itself.
while true; do
  for pid in "${pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "cluster: microstore (pid $pid) exited; its log:" >&2
      for log in "$dir"/microstore*.log; do echo "--- $log" >&2; tail -n 20 "$log" >&2; done
      exit 1
    fi
  done
  sleep 1 & sleeper=$!
  wait "$sleeper" || true
  sleeper=
done
