#!/usr/bin/env bash
# Unmodified clients ask the daemon for its version: the docker CLI
# (version, info), docker-py and dockerode. Usage: version.sh SOCKET
set -euo pipefail
sock=${1:?usage: version.sh SOCKET}
root=$(cd "$(dirname "$0")/../.." && pwd)
passed=0
failed=0
check() {
  local name=$1; shift
  if out=$("$@" 2>&1); then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'FAIL clients: %s\n%s\n' "$name" "$out"
  fi
}
check "docker version shows the negotiated API version" bash -c "DOCKER_HOST=unix://$sock docker version --format '{{.Client.APIVersion}} {{.Server.APIVersion}}' | grep -E '^1\.[0-9]+ 1\.51$'"
check "docker info" bash -c "DOCKER_HOST=unix://$sock docker info --format '{{.ServerVersion}} {{.DefaultRuntime}}' | grep -E '^[0-9]+\.[0-9]+\.[0-9]+ sandbox$'"
check "docker-py version()" /usr/bin/python3 -c "import docker; v = docker.DockerClient(base_url='unix://$sock').version(); assert v['ApiVersion'] == '1.51', v"
check "dockerode version()" node -e "
const Docker = require('$root/node_modules/dockerode');
new Docker({ socketPath: '$sock' }).version().then((v) => { if (v.ApiVersion !== '1.51') throw new Error(JSON.stringify(v)); }).catch((e) => { console.error(e); process.exit(1); });"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
