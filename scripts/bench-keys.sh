#!/usr/bin/env bash
# Usage: scripts/bench-keys.sh   (run by `make bench-keys`, which builds first)
#
# What scoped keys cost a request: target/microstore.jar twice, both up at once, each on a fresh data directory
# (a PUT is durable: acknowledged once synced, the default fsync policy): one with no security at all, one with
# security.keys holding a key of 20 rules (19 prefixes that do not match k1..kN, longer than the one that does,
# so every request tests all 20) whose secret each request sends. wrk GET and PUT at BENCH_CONNS (64) kept-alive
# connections, BENCH_ROUNDS rounds alternating the order; prints each run, the medians, keys / open, and the load
# average. The machine is shared and noisy: only alternating runs say anything.
set -euo pipefail
cd "$(dirname "$0")/.."
java="${JAVA_HOME:?JAVA_HOME must point at a JDK >= 21}/bin/java"
DURATION=${BENCH_DURATION:-8s}
ROUNDS=${BENCH_ROUNDS:-5}
CONNS=${BENCH_CONNS:-64}
KEYS=${BENCH_KEYS:-1000}
WARMUP=${BENCH_WARMUP:-5s}
WORK=$(mktemp -d)
log() { echo "bench-keys: $*" >&2; }
source scripts/bench/processes.sh
trap 'bench_cleanup; rm -rf "$WORK"' EXIT
command -v wrk >/dev/null || { log "installing wrk from Debian's packages"; apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

SECRET=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
{
  echo "security:"
  echo "  keys:"
  echo "    - id: bench"
  echo "      secret-sha256: $(printf '%s' "$SECRET" | sha256sum | cut -d' ' -f1)"
  echo "      rules:"
  for i in $(seq 0 18); do
    access=read; [ $((i % 3)) = 0 ] && access=deny
    echo "        - {prefix: \"team$(printf '%02d' "$i")/\", access: $access}"
  done
  echo "        - {prefix: \"k\", access: write}"
} >"$WORK/keys.yaml"

declare -A url pid secret
start open "$java" -jar target/microstore.jar --port 0 --data "$WORK/open"
url[open]=http://127.0.0.1:$PORT; pid[open]=$PID; secret[open]=""
start keys "$java" -jar target/microstore.jar --port 0 --data "$WORK/keys" --config "$WORK/keys.yaml"
url[keys]=http://127.0.0.1:$PORT; pid[keys]=$PID; secret[keys]=$SECRET
code=$(curl -s -o /dev/null -w '%{http_code}' "${url[keys]}/api/apps?limit=1")
[ "$code" = 401 ] || { log "the keyed server answers $code without its key, not 401"; exit 1; }

bench() { # bench VERSION METHOD DURATION
  BENCH_KEYS=$KEYS BENCH_METHOD=$2 BENCH_SECRET=${secret[$1]} \
    wrk -t2 -c"$CONNS" -d"$3" -s scripts/bench/keys.lua "${url[$1]}"
}
# fill k1..kN (every GET finds its app), on one kept-alive connection per server
for v in open keys; do
  for i in $(seq 1 "$KEYS"); do
    printf 'url = "%s/api/apps/k%d"\nrequest = "PUT"\nheader = "Content-Type: application/json"\n' "${url[$v]}" "$i"
    [ -n "${secret[$v]}" ] && printf 'header = "Authorization: Bearer %s"\n' "${secret[$v]}"
    printf 'data = "{\\"data\\":{\\"n\\":1,\\"s\\":\\"some small value\\"}}"\noutput = "/dev/null"\nnext\n'
  done | sed '$d' >"$WORK/fill-$v.curl" # no "next" after the last
  curl -fsS -K "$WORK/fill-$v.curl"
done
for v in open keys open keys; do # warm up both, in turns
  bench "$v" PUT "$WARMUP" >/dev/null
  bench "$v" GET "$WARMUP" >/dev/null
done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
run() { # run VERSION METHOD: req/s and the server's CPU µs per request of one run
  local before out
  before=$(ticks "${pid[$1]}")
  out=$(bench "$1" "$2" "$DURATION")
  grep -q "Non-2xx" <<<"$out" && { log "$1 $2: errors"; echo "$out" >&2; exit 1; }
  awk -v ticks=$(($(ticks "${pid[$1]}") - before)) -v hz="$(getconf CLK_TCK)" \
    '/^Requests\/sec/ {rate = $2} /requests in/ {n = $1} END {printf "%s %.1f\n", rate, ticks * 1e6 / hz / n}' <<<"$out"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
medianOf() { echo "$1" | tr ' ' '\n' | grep . | median; }
declare -A results cpus
for round in $(seq 1 "$ROUNDS"); do
  order="open keys"; [ $((round % 2)) = 0 ] && order="keys open"
  for m in GET PUT; do
    for v in $order; do
      read -r r c < <(run "$v" "$m")
      results[$v$m]+="$r "; cpus[$v$m]+="$c "
      log "round $round $m $v: $r req/s, $c µs CPU per request"
    done
  done
done
echo "| $CONNS connections | open (req/s) | key of 20 rules (req/s) | keys / open | open (µs CPU/req) | keys (µs CPU/req) |"
echo "|---|--:|--:|--:|--:|--:|"
for m in GET PUT; do
  awk -v m="$m" -v a="$(medianOf "${results[open$m]}")" -v b="$(medianOf "${results[keys$m]}")" \
    -v c="$(medianOf "${cpus[open$m]}")" -v d="$(medianOf "${cpus[keys$m]}")" \
    'BEGIN {printf "| %s, median of rounds | %.0f | %.0f | %.2f | %.1f | %.1f |\n", m, a, b, b / a, c, d}'
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
