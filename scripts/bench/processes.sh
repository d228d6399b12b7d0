# Sourced by scripts/bench.sh and scripts/bench-cost.sh (which define WORK and log): every server a bench
# starts goes into STARTED; on exit, also on an error or ^C, the ones still running get SIGTERM (then
# SIGKILL), by pid. (bench-cluster.sh chains its own clean-up in front of bench_cleanup.)
STARTED=()
bench_cleanup() {
  local pid
  for pid in "${STARTED[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${STARTED[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME COMMAND...: runs it in the background and waits for "listening on http://127.0.0.1:PORT/"
# (microstore and BareServer print it); sets PORT and PID.
start() {
  local name=$1; shift
  "$@" > "$WORK/$name.log" 2>&1 &
  PID=$!
  STARTED+=("$PID")
  PORT=""
  for _ in $(seq 1 1200); do
    PORT=$(sed -n 's/.*listening on https\{0,1\}:\/\/127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$WORK/$name.log" | head -n 1)
    [ -n "$PORT" ] && return 0
    kill -0 $PID 2>/dev/null || break
    sleep 0.1
  done
  log "$name did not start:"; cat "$WORK/$name.log" >&2; exit 1
}

# stop PID: SIGTERM, reaped, and off the STARTED list (so that the clean-up on exit never signals a
# later process that got the same pid).
stop() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local keep=() p
  for p in "${STARTED[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  STARTED=("${keep[@]}")
}
