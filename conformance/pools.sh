#!/usr/bin/env bash
# Pools of two backends in one daemon, chosen by label: the default pool on
# the sandbox, pool "engine" on the docker backend over ENGINE_SOCK (limit 1
# running, queue 0). Checks each container ran where its label sent it, and
# that a second running container of the docker pool is refused with 429.
# Usage: conformance/pools.sh ENGINE_SOCK IMAGES_DIR
set -euo pipefail
engine_sock=${1:?usage: pools.sh ENGINE_SOCK IMAGES_DIR}
images=${2:?usage: pools.sh ENGINE_SOCK IMAGES_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
cat >"$dir/pools.yaml" <<YAML
default: local
pools:
  - name: local
    backend: sandbox
  - name: engine
    backend: docker
    options: { host: "unix://$engine_sock" }
    maxRunning: 1
    queueSize: 0
YAML
node "$root/dist/cli/main.js" serve --data "$dir/data" -H "unix://$dir/docker.sock" --log-level warn --pools "$dir/pools.yaml" >/dev/null 2>"$dir/daemon.log" &
pid=$!
cleanup() {
  DOCKER_HOST="unix://$dir/docker.sock" docker rm -f pools-a pools-b pools-c >/dev/null 2>&1 || true
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
for _ in $(seq 1 100); do [ -S "$dir/docker.sock" ] && break; sleep 0.1; done
export DOCKER_HOST="unix://$dir/docker.sock"
docker load -q -i "$images/busybox.tar" >/dev/null

passed=0 failed=0
check() { # NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL pools: $1: expected $(printf %q "$2"), got $(printf %q "$3")"; fi
}
on_engine() { docker -H "unix://$engine_sock" ps -q --filter "label=com.sockerless.container=$1" | wc -l | tr -d ' '; }

docker run -d --name pools-a sockerless-test/busybox sleep 60 >/dev/null
docker run -d --name pools-b --label com.sockerless.pool=engine sockerless-test/busybox sleep 60 >/dev/null
check "the unlabelled container runs in the sandbox" 0 "$(on_engine "$(docker inspect -f '{{.Id}}' pools-a)")"
check "the labelled container runs on the engine" 1 "$(on_engine "$(docker inspect -f '{{.Id}}' pools-b)")"
check "exec follows the container to its pool" "pools-b" "$(docker exec pools-b sh -c 'echo pools-b')"
refused=$(docker run -d --name pools-c --label com.sockerless.pool=engine sockerless-test/busybox true 2>&1 >/dev/null || true)
check "a second start in the full pool is refused" "429" "$(echo "$refused" | grep -q 'pool "engine" is full' && echo 429 || echo "$refused")"
metrics=$(curl -s --unix-socket "$dir/docker.sock" http://localhost/metrics)
check "metrics count the rejection" 1 "$(echo "$metrics" | grep -c '^sockerless_pool_rejections_total{pool="engine",reason="queue_full"} 1$')"
b=$(docker inspect -f '{{.Id}}' pools-b)
docker rm -f pools-b >/dev/null
check "the engine's container goes with it" 0 "$(docker -H "unix://$engine_sock" ps -aq --filter "label=com.sockerless.container=$b" | wc -l | tr -d ' ')"
echo "pools: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
