#!/usr/bin/env bash
# Usage: scripts/bench-tls.sh   (run by `make bench-tls`, which builds first)
#
# TLS GET against plain GET: target/microstore.jar twice, both up at once, in memory, with BENCH_KEYS apps:
# one plain, one with server.tls (a self-made CA and certificate, openssl, EC P-256; client-auth none: with
# kept-alive connections a client certificate only costs the handshake, once per connection). wrk GET at
# BENCH_CONNS (64) kept-alive connections, BENCH_ROUNDS rounds alternating the order; prints each run, the
# medians and TLS / plain in requests per second and in the server's CPU time per request. The machine is
# shared and noisy: only alternating runs say anything.
set -euo pipefail
cd "$(dirname "$0")/.."
java="${JAVA_HOME:?JAVA_HOME must point at a JDK >= 21}/bin/java"
DURATION=${BENCH_DURATION:-8s}
ROUNDS=${BENCH_ROUNDS:-5}
CONNS=${BENCH_CONNS:-64}
KEYS=${BENCH_KEYS:-1000}
WARMUP=${BENCH_WARMUP:-5s}
WORK=$(mktemp -d)
log() { echo "bench-tls: $*" >&2; }
source scripts/bench/processes.sh
trap 'bench_cleanup; rm -rf "$WORK"' EXIT
command -v wrk >/dev/null || { log "installing wrk from Debian's packages"; apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

# the certificates, as docs/SECURITY.md shows
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=bench-ca" \
  -keyout "$WORK/ca-key.pem" -out "$WORK/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$WORK/server-key.pem" -out "$WORK/server.csr" 2>/dev/null
openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca-key.pem" -CAcreateserial -days 2 \
  -extfile <(echo "subjectAltName=IP:127.0.0.1") -out "$WORK/server.pem" 2>/dev/null
cat >"$WORK/tls.yaml" <<YAML
server:
  tls:
    private-key:
      pem:
        key: {resource: {path: $WORK/server-key.pem}}
        cert-chain: {resource: {path: $WORK/server.pem}}
YAML

declare -A url pid
start plain "$java" -jar target/microstore.jar --port 0
url[plain]=http://127.0.0.1:$PORT; pid[plain]=$PID
start tls "$java" -jar target/microstore.jar --port 0 --config "$WORK/tls.yaml"
url[tls]=https://127.0.0.1:$PORT; pid[tls]=$PID
curl -fsS --cacert "$WORK/ca.pem" "${url[tls]}/api/apps?limit=1" >/dev/null || { log "the TLS server does not answer"; exit 1; }
# fill k1..kN (every GET finds its app), on one kept-alive connection per server; then warm up in turns
for v in plain tls; do
  for i in $(seq 1 "$KEYS"); do
    printf 'url = "%s/api/apps/k%d"\nrequest = "PUT"\nheader = "Content-Type: application/json"\n' "${url[$v]}" "$i"
    printf 'cacert = "%s"\n' "$WORK/ca.pem"
    printf 'data = "{\\"data\\":{\\"n\\":1,\\"s\\":\\"some small value\\"}}"\noutput = "/dev/null"\nnext\n'
  done | sed '$d' >"$WORK/fill-$v.curl" # no "next" after the last
  curl -fsS -K "$WORK/fill-$v.curl"
done
for v in plain tls plain tls; do
  BENCH_KEYS=$KEYS wrk -t2 -c"$CONNS" -d"$WARMUP" -s scripts/bench/get.lua "${url[$v]}" >/dev/null
done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
run() { # run VERSION: req/s and the server's CPU µs per request of one GET run
  local before out
  before=$(ticks "${pid[$1]}")
  out=$(BENCH_KEYS=$KEYS wrk -t2 -c"$CONNS" -d"$DURATION" -s scripts/bench/get.lua "${url[$1]}")
  grep -q "Non-2xx" <<<"$out" && { log "$1: errors"; echo "$out" >&2; exit 1; }
  awk -v ticks=$(($(ticks "${pid[$1]}") - before)) -v hz="$(getconf CLK_TCK)" \
    '/^Requests\/sec/ {rate = $2} /requests in/ {n = $1} END {printf "%s %.1f\n", rate, ticks * 1e6 / hz / n}' <<<"$out"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
declare -A results cpus
for round in $(seq 1 "$ROUNDS"); do
  order="plain tls"; [ $((round % 2)) = 0 ] && order="tls plain"
  for v in $order; do
    read -r r c < <(run "$v")
    results[$v]+="$r "; cpus[$v]+="$c "
    log "round $round $v: $r req/s, $c µs CPU per request"
  done
done
medianOf() { echo "$1" | tr ' ' '\n' | grep . | median; }
echo "| GET, $CONNS connections | plain (req/s) | TLS (req/s) | TLS / plain | plain (µs CPU/req) | TLS (µs CPU/req) |"
echo "|---|--:|--:|--:|--:|--:|"
awk -v a="$(medianOf "${results[plain]}")" -v b="$(medianOf "${results[tls]}")" \
  -v c="$(medianOf "${cpus[plain]}")" -v d="$(medianOf "${cpus[tls]}")" \
  'BEGIN {printf "| median of rounds | %.0f | %.0f | %.2f | %.1f | %.1f |\n", a, b, b / a, c, d}'
