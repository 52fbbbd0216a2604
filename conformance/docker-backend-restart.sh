#!/usr/bin/env bash
# The docker backend across a Sockerless restart: a container started before
# keeps running on the engine and is adopted again (exec, signals, its output
# in the logs, stop, wait, exit code); one removed from the engine meanwhile
# is reported exited.
# Usage: conformance/docker-backend-restart.sh ENGINE_SOCK IMAGES_DIR
set -euo pipefail
engine_sock=${1:?usage: docker-backend-restart.sh ENGINE_SOCK IMAGES_DIR}
images=${2:?usage: docker-backend-restart.sh ENGINE_SOCK IMAGES_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
pid=""
serve() {
  node "$root/dist/cli/main.js" serve --data "$dir/data" -H "unix://$dir/docker.sock" --log-level warn --backend docker --backend-opt "host=unix://$engine_sock" >/dev/null 2>>"$dir/daemon.log" &
  pid=$!
  for _ in $(seq 1 100); do [ -S "$dir/docker.sock" ] && return 0; sleep 0.1; done
  echo "sockerless did not start" >&2; cat "$dir/daemon.log" >&2; return 1
}
halt() {
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
}
cleanup() {
  [ -n "$pid" ] && DOCKER_HOST="unix://$dir/docker.sock" docker rm -f survivor gone >/dev/null 2>&1 || true
  halt
  rm -rf "$dir"
}
trap cleanup EXIT
export DOCKER_HOST="unix://$dir/docker.sock"
passed=0 failed=0
check() { # NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL docker backend restart: $1: expected $(printf %q "$2"), got $(printf %q "$3")"; fi
}

serve
docker load -q -i "$images/busybox.tar" >/dev/null
docker run -d --name survivor sockerless-test/busybox sh -c 'trap "echo after" USR1; trap "exit 7" TERM; echo before; while true; do sleep 0.1; done' >/dev/null
docker run -d --name gone sockerless-test/busybox sleep 600 >/dev/null
gone_id=$(docker inspect -f '{{.Id}}' gone)
halt
docker -H "unix://$engine_sock" rm -f "sockerless-$gone_id" >/dev/null
serve

check "the survivor still runs" "running" "$(docker inspect -f '{{.State.Status}}' survivor)"
check "exec reaches it" "adopted" "$(docker exec survivor echo adopted)"
check "the one removed on the engine is reported exited" "exited" "$(docker inspect -f '{{.State.Status}}' gone)"
docker kill -s USR1 survivor >/dev/null
for _ in $(seq 1 50); do [ "$(docker logs survivor)" = "$(printf 'before\nafter')" ] && break; sleep 0.1; done
check "logs keep what came before and get what comes after" "$(printf 'before\nafter')" "$(docker logs survivor)"
docker stop -t 5 survivor >/dev/null
check "its exit code comes through" "7" "$(docker wait survivor)"
echo "docker backend restart: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
