#!/usr/bin/env bash
# act (nektos/act, unmodified) runs a container job with a Redis service
# container and a JavaScript action from the repository's own path, on
# sockerless: the action (node:net, no npm packages) reaches the service by its
# name on the job's network, sets outputs that the next step checks, and bash
# reaches it by name too. Afterwards nothing of the job may be left behind.
# This runs on sockerless only, not differentially: the reference engine runs
# with --bridge=none and no iptables, and cannot give act the network it needs
# here, while sockerless on its docker backend (over an engine of its own) can.
# Usage: conformance/act/services.sh SUBJECT_SOCKET (ACT_WORK=DIR keeps the logs in DIR;
# ACT_IMAGES=DIR caches the built images there, default .cache/images/servers)
set -euo pipefail
sub=${1:?usage: services.sh SUBJECT_SOCKET}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
act_version=v0.2.89
act="$(go env GOPATH)/bin/act"
[ -x "$act" ] || go install "github.com/nektos/act@$act_version"
runner=sockerless-test/runner:latest
images=${ACT_IMAGES:-$root/.cache/images/servers}
work=${ACT_WORK:-$(mktemp -d)}
[ -n "${ACT_WORK:-}" ] || trap 'rm -rf "$work"' EXIT
export DOCKER_HOST="unix://$sub"

# The job's image (bash, coreutils and Debian's Node.js) and the service's,
# built from Debian packages and reused from the cache while unchanged.
[ -f "$root/dist/conformance/images/build-servers.js" ] || make -C "$root" -s build >/dev/null
node "$root/dist/conformance/images/build-servers.js" "$images" runner redis
docker load -q -i "$images/runner.tar" >/dev/null
docker load -q -i "$images/redis.tar" >/dev/null

# A repository as a user has it: the workflow and the action under .github.
# No hook samples in .git: actions/checkout copies the whole work tree, .git
# included, into the job container, and every file costs the copy time.
repo="$work/repo"
rm -rf "$repo" && mkdir -p "$repo/.github/workflows" "$repo/.github/actions"
cp "$here/workflows/services.yml" "$repo/.github/workflows/"
cp -r "$here/actions/redis-ping" "$repo/.github/actions/"
git -C "$repo" init -q --template= && git -C "$repo" add -A && git -C "$repo" -c user.email=ci@sockerless -c user.name=ci commit -qm workflow

started=$(date +%s)
code=0
(cd "$repo" && "$act" push --pull=false --container-daemon-socket=- \
  -P ubuntu-latest="$runner" >"$work/services.log" 2>&1) || code=$?
grep -E '^\[[^]]*\] +\| |exitcode|Job (succeeded|failed)' "$work/services.log" | sed -E 's/ \[[0-9.]+m?s\]$//' >"$work/services.out" || true
echo "act services: the job took $(($(date +%s) - started)) s"

passed=0
failed=0
report() {
  local name=$1
  shift
  if [ $# -eq 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'FAIL act services %s: %s\n' "$name" "$(IFS=';'; echo "$*")" >&2
  fi
}

problems=()
[ "$code" -eq 0 ] || problems+=("act exited $code")
for line in "PING -> PONG, SET -> OK, GET -> hello through a service container" \
  "pong is PONG, value is hello through a service container" \
  "bash read 33 bytes: hello through a service container" \
  "Job succeeded"; do
  grep -qF -- "$line" "$work/services.out" || problems+=("act printed no \"$line\"")
done
report workflow "${problems[@]}"
[ ${#problems[@]} -eq 0 ] || tail -60 "$work/services.log" >&2

# act removes the job container, the service container, their volumes and the job's network.
problems=()
left=$(docker ps -aq --filter name=act-services-ping)
[ -z "$left" ] || problems+=("containers left behind: $(echo $left)")
left=$(docker network ls -q --filter name=act-services-ping)
[ -z "$left" ] || problems+=("networks left behind: $(echo $left)")
left=$(docker volume ls -q --filter name=act-services-ping)
[ -z "$left" ] || problems+=("volumes left behind: $(echo $left)")
report cleanup "${problems[@]}"

echo "act services: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
