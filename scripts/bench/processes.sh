# Sourced by scripts/bench.sh and scripts/bench-cost.sh: every server a bench starts goes into STARTED; on
# exit, also on an error or ^C, the ones still running get SIGTERM (then SIGKILL), by pid.
# (bench-cluster.sh chains its own clean-up in front of bench_cleanup.)
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
