#!/usr/bin/env bash
# Runs the Testcontainers scenario (npm testcontainers, redis and pg clients,
# unmodified) against the Docker API engine DOCKER_HOST names: builds the
# Redis and PostgreSQL images from Debian packages (reused from .cache while
# unchanged), loads them into that engine, provides the Ryuk reaper image when
# it can be built (otherwise runs with TESTCONTAINERS_RYUK_DISABLED=true and
# says why), and runs conformance/testcontainers/scenario.ts.
# The engine's containers must be able to publish ports to this host.
# Usage: DOCKER_HOST=unix:///path/to/docker.sock bash conformance/testcontainers/run.sh
# TESTCONTAINERS_API_LOG=FILE records every API request the clients (and the reaper) made.
set -euo pipefail
: "${DOCKER_HOST:?set DOCKER_HOST to the engine to test, e.g. unix:///run/docker.sock}"
root=$(cd "$(dirname "$0")/../.." && pwd)
images=${TESTCONTAINERS_IMAGES:-$root/.cache/images/servers}
export DOCKER_HOST
# Testcontainers that sees /.dockerenv (as on these machines) believes it runs
# beside the engine in a sibling container and dials published ports on the
# bridge network's gateway address. Here the client runs on the engine's own
# host, where published ports are on loopback: say so.
export TESTCONTAINERS_HOST_OVERRIDE=${TESTCONTAINERS_HOST_OVERRIDE:-localhost}

make -C "$root" -s build >/dev/null
node "$root/dist/conformance/images/build-servers.js" "$images" redis postgres
docker load -q -i "$images/redis.tar" >/dev/null
docker load -q -i "$images/postgres.tar" >/dev/null

if [ "${TESTCONTAINERS_RYUK_DISABLED:-}" != true ]; then
  ryuk=$(cd "$root" && node -e 'import("./dist/conformance/images/ryuk.js").then((m) => console.log(m.expectedRyukImage()))')
  if docker image inspect "$ryuk" >/dev/null 2>&1; then
    echo "ryuk: $ryuk is already in the engine"
  elif built=$(node "$root/dist/conformance/images/build-servers.js" "$images" ryuk 2>&1); then
    echo "$built"
    docker load -q -i "$images/ryuk.tar" >/dev/null
  else
    echo "ryuk: $ryuk cannot be built here, so the reaper is disabled (TESTCONTAINERS_RYUK_DISABLED=true):"
    echo "$built" | grep -v '^ *at ' | sed 's/^/  /'
    export TESTCONTAINERS_RYUK_DISABLED=true
  fi
fi

if [ -n "${TESTCONTAINERS_API_LOG:-}" ]; then
  case "$DOCKER_HOST" in
  unix://*) ;;
  *) echo "TESTCONTAINERS_API_LOG needs a unix:// DOCKER_HOST" >&2; exit 2 ;;
  esac
  proxy_dir=$(mktemp -d)
  : >"$TESTCONTAINERS_API_LOG"
  node "$root/dist/conformance/testcontainers/api-log-proxy.js" "$proxy_dir/docker.sock" "${DOCKER_HOST#unix://}" "$TESTCONTAINERS_API_LOG" >/dev/null &
  proxy_pid=$!
  trap 'kill "$proxy_pid" 2>/dev/null; wait "$proxy_pid" 2>/dev/null; rm -rf "$proxy_dir"' EXIT
  for _ in $(seq 1 100); do [ -S "$proxy_dir/docker.sock" ] && break; sleep 0.1; done
  export DOCKER_HOST="unix://$proxy_dir/docker.sock"
fi

status=0
node "$root/dist/conformance/testcontainers/scenario.js" || status=$?

# Nothing of the run may stay behind: the scenario stops its containers, and
# the reaper (when enabled) removes itself a few seconds after the last client left.
leftovers() { docker ps -aq --filter label=org.testcontainers=true; }
wait_s=0
[ "${TESTCONTAINERS_RYUK_DISABLED:-}" = true ] || wait_s=40
for _ in $(seq 1 $((wait_s * 4))); do
  [ -z "$(leftovers)" ] && break
  sleep 0.25
done
if [ -n "$(leftovers)" ]; then
  echo "FAIL testcontainers: containers left behind after the run:" >&2
  docker ps -a --filter label=org.testcontainers=true >&2
  docker rm -f -v $(leftovers) >/dev/null
  status=1
fi
exit $status
