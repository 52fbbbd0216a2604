#!/usr/bin/env bash
# docker compose v2 (unmodified, as a CLI plugin) runs conformance/compose/project
# on a fresh sockerless daemon (sandbox backend): dependency conditions,
# health, a shared volume, a user network, a secret and a config; ps, logs,
# exec, run --rm, stop/start/restart; `up` again recreates nothing; `down -v`
# leaves nothing behind.
# Usage: conformance/compose/run.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
project="$root/conformance/compose/project"
bash "$root/conformance/compose/install.sh"
work="${CONFORMANCE_WORK:-$root/.cache/conformance}/compose"
rm -rf "$work"
sock="$work/sockerless/docker.sock"
source "$root/conformance/sockerless.sh"
trap stop_sockerless EXIT
# The secret is a bind mount of a file in the project directory.
start_sockerless "$work/sockerless" --bind-root "$project"
export DOCKER_HOST="unix://$sock"
node "$root/dist/conformance/images/build.js" "$work/images" >/dev/null
docker load -q -i "$work/images/busybox.tar" >/dev/null

compose() { docker compose --project-directory "$project" -f "$project/compose.yaml" "$@"; }
label=com.docker.compose.project=sockerless-compose
passed=0
failed=0
# expect NAME WANT COMMAND...: the command succeeds and prints exactly WANT.
expect() {
  local name=$1 want=$2 got
  shift 2
  if got=$("$@" 2>"$work/stderr") && [ "$got" = "$want" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'FAIL compose: %s\n--- wanted\n%s\n--- got\n%s\n%s\n' "$name" "$want" "$got" "$(cat "$work/stderr")" >&2
  fi
}
states() { compose ps -a --format '{{.Service}} {{.State}} {{.Health}}' | sort; }
ids() { docker ps -aq --no-trunc --filter "label=$label" | sort; docker network ls -q --no-trunc --filter "label=$label"; }

expect "config lists the services" "$(printf 'app\ninit\nstore')" sh -c "docker compose --project-directory '$project' config --services | sort"
expect "up --wait" "" sh -c "docker compose --project-directory '$project' up -d --wait --quiet-pull >/dev/null 2>&1"
expect "ps after up" "$(printf 'app running \ninit exited \nstore running healthy')" states
expect "the initialiser exited 0" "0" docker inspect -f '{{.State.ExitCode}}' sockerless-compose-init-1
expect "the app saw the volume, the secret and the config" "$(printf 'seeded by init\nsecret: s3cret\nconfig: level=debug')" compose logs --no-log-prefix app
# compose follows until interrupted, on dockerd too.
expect "logs -f follows" "$(printf 'store up\nexit 124')" sh -c "timeout 3 docker compose --project-directory '$project' logs -f --no-log-prefix store; echo exit \$?"
expect "exec sees the environment" "conformance 42" compose exec -T app sh -c 'echo "$MODE $((6 * 7))"'
expect "the store and the app share a user network" "$(printf 'backend\nbackend')" sh -c "docker inspect -f '{{range \$k, \$v := .NetworkSettings.Networks}}{{\$k}}{{end}}' sockerless-compose-store-1 sockerless-compose-app-1 | sed 's/^sockerless-compose_//'"
expect "run --rm sees the shared volume" "seeded by init" compose run --rm --no-deps -T app cat /data/seed
before=$(ids)
expect "up again changes nothing" "" sh -c "docker compose --project-directory '$project' up -d --wait 2>&1 | grep -E 'Recreat|Creat' || true"
expect "up again keeps every container and network" "$before" ids
expect "stop" "$(printf 'app exited \ninit exited \nstore exited ')" sh -c "docker compose --project-directory '$project' stop >/dev/null 2>&1 && docker compose --project-directory '$project' ps -a --format '{{.Service}} {{.State}} {{.Health}}' | sort"
expect "start" "" sh -c "docker compose --project-directory '$project' start >/dev/null 2>&1"
expect "restart the store" "" sh -c "docker compose --project-directory '$project' restart store >/dev/null 2>&1"
expect "healthy again" "" sh -c "docker compose --project-directory '$project' up -d --wait >/dev/null 2>&1"
expect "ps after restart" "$(printf 'app running \ninit exited \nstore running healthy')" states
expect "down -v" "" sh -c "docker compose --project-directory '$project' down -v >/dev/null 2>&1"
expect "nothing is left" "" sh -c "docker ps -aq --filter label=$label; docker network ls -q --filter label=$label; docker volume ls -q --filter label=$label"
echo "compose: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
