#!/usr/bin/env bash
# Usage: scripts/image-test.sh target/microstore-<version>-oci.tar   (make image-test)
# The image as an operator runs it: loaded into podman from the archive, run on the host's network with a
# named volume on /var/lib/microstore (runc, and explicit limits: podman's defaults exceed this sandbox's),
# health (from outside and with the image's health-check command), scripts/smoke.sh, a write, the process
# running as a non-root user, `podman stop` ending it with status 0 within its grace period, then a new
# container on the same volume reading the write back. Removes what it made (containers, volume, image).
set -euo pipefail
archive="${1:?usage: image-test.sh OCI_ARCHIVE}"
here=$(cd "$(dirname "$0")/.." && pwd)
grace=10

for tool in podman runc; do
  if ! command -v $tool >/dev/null; then
    [ "$(id -u)" = 0 ] || { echo "image-test: install $tool (Debian package) as root first" >&2; exit 1; }
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc uidmap >/dev/null
  fi
done

containers=()
volume=
image=
cleanup() {
  for c in "${containers[@]}"; do podman rm -f "$c" >/dev/null 2>&1 || true; done
  [ -n "$volume" ] && podman volume rm -f "$volume" >/dev/null 2>&1 || true
  [ -n "$image" ] && podman rmi -f "$image" >/dev/null 2>&1 || true
}
trap cleanup EXIT
fail() { echo "image-test: FAIL $*" >&2; exit 1; }
ok() { echo "ok   $*"; }

loaded=$(podman load -q -i "$archive" | sed -n 's/^Loaded image: //p')
image=$(podman image inspect --format '{{.Id}}' "$loaded")
ok "loaded $loaded"
volume=$(podman volume create)

# A free loopback port (never 2379): the first of some random ones that nothing answers on.
port=
for _ in $(seq 1 50); do
  p=$((20000 + RANDOM % 10000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || fail "no free port found"
url="http://127.0.0.1:$port"

# run: a container of the image on the volume; prints its id
run() {
  podman run -d --runtime runc --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 --network host \
    -v "$volume:/var/lib/microstore" -e SERVER_HOST=127.0.0.1 -e SERVER_PORT="$port" \
    --health-cmd /opt/microstore/bin/microstore-healthcheck --health-interval disable "$image"
}
healthy() {
  for _ in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/observe/health")" = 200 ] && return 0
    [ "$(podman inspect --format '{{.State.Running}}' "$1")" = true ] || break
    sleep 0.1
  done
  podman logs "$1" >&2
  fail "the container did not get healthy"
}
stop() {
  local start=$SECONDS
  podman stop -t "$grace" "$1" >/dev/null
  local took=$((SECONDS - start)) status
  status=$(podman inspect --format '{{.State.ExitCode}}' "$1")
  [ "$status" = 0 ] || { podman logs "$1" >&2; fail "exit status $status after podman stop (${took} s), not 0"; }
  [ "$took" -lt "$grace" ] || fail "podman stop took $took s, the whole grace period"
  podman logs "$1" 2>&1 | grep -q "stopped" || fail "no 'stopped' in the log after podman stop"
  ok "podman stop: exit 0 in ${took} s"
}

c=$(run); containers+=("$c")
healthy "$c"
ok "healthy at $url"
podman healthcheck run "$c" >/dev/null || fail "the image's health check command says unhealthy"
ok "the image's health check command"
pid=$(podman inspect --format '{{.State.Pid}}' "$c")
uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")
[ "$uid" != 0 ] || fail "the process in the container runs as root"
ok "runs as uid $uid ($(podman exec "$c" id -un))"
"$here/scripts/smoke.sh" "$url" >/dev/null || { "$here/scripts/smoke.sh" "$url" >&2; fail "smoke.sh"; }
ok "smoke.sh"
curl -sf -o /dev/null -X PUT -H 'Content-Type: application/json' -d '{"data":{"kept":true}}' "$url/api/apps/image-test" ||
  fail "PUT /api/apps/image-test"
stop "$c"

c=$(run); containers+=("$c")
healthy "$c"
body=$(curl -sf "$url/api/apps/image-test") || fail "GET after the restart"
[ "$body" = '{"name":"image-test","data":{"kept":true}}' ] || fail "after the restart on the same volume: $body"
ok "the write is there in a new container on the same volume"
stop "$c"
echo "image-test: all checks passed"
