#!/usr/bin/env bash
# The unmodified docker CLI on the ecs backend, against the AWS simulator:
# run --rm, run -d with logs -f, exec, cp both ways, stop, wait, rm, and a
# Sockerless restart while tasks run (they are followed on: their output and
# exit codes still come through).
# Usage: conformance/aws/ecs-docker-cli.sh (after `npx tsc -p .`)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/conformance/aws/sim.sh"
source "$root/conformance/sockerless.sh"
work=$(mktemp -d)
logs_pid=""
cleanup() {
  [ -z "$logs_pid" ] || kill "$logs_pid" 2>/dev/null
  stop_sockerless
  stop_aws_sim
  rm -rf "$work"
}
trap cleanup EXIT
start_aws_sim "$work/sim" || exit 1
opts=$(node "$root/dist/conformance/aws/ecs-setup.js" 50 2>/dev/null) || exit 1
serve() { start_sockerless "$work/sockerless" --backend ecs --backend-opt "$opts"; }
serve || exit 1
export DOCKER_HOST="unix://$work/sockerless/docker.sock" DOCKER_CLI_HINTS=false
node --input-type=module -e "import { buildBusyboxImage } from '$root/dist/conformance/images/busybox.js'; await buildBusyboxImage('$work/busybox.tar');"
docker load -q -i "$work/busybox.tar" >/dev/null
img=sockerless-test/busybox

passed=0 failed=0
check() { # NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL ecs docker CLI: $1: expected $(printf %q "$2"), got $(printf %q "$3")"; fi
}
# until_logs NAME TEXT: polls until the container's logs are TEXT.
until_logs() {
  for _ in $(seq 1 200); do [ "$(docker logs "$1" 2>&1)" = "$2" ] && return 0; sleep 0.05; done
}

check "run --rm prints the task's output" "hi" "$(docker run --rm $img echo hi 2>&1)"
docker run --rm $img sh -c 'exit 3' >/dev/null 2>&1
check "run --rm exits with the task's code" "3" "$?"

docker run -d --name svc $img sh -c 'echo started; while [ ! -f /tmp/stop ]; do sleep 0.05; done; echo stopping; exit 5' >/dev/null
docker logs -f svc >"$work/follow.out" 2>&1 &
logs_pid=$!
until_logs svc started
check "exec runs in the task" "42" "$(docker exec svc sh -c 'echo $((6 * 7))' 2>&1)"
docker exec svc sh -c 'exit 9' >/dev/null 2>&1
check "exec's exit code" "9" "$?"

mkdir -p "$work/in/dir/sub"
printf 'one\n' >"$work/in/file.txt"
printf 'two\n' >"$work/in/dir/sub/deep.txt"
chmod 750 "$work/in/dir/sub"
docker cp "$work/in/file.txt" svc:/tmp/file.txt >/dev/null 2>&1
check "cp a file in" "one" "$(docker exec svc cat /tmp/file.txt 2>&1)"
docker cp "$work/in/dir" svc:/tmp/dir >/dev/null 2>&1
check "cp a directory in" "two" "$(docker exec svc cat /tmp/dir/sub/deep.txt 2>&1)"
docker exec svc sh -c 'mkdir -p /tmp/made && echo three >/tmp/made/new.txt' >/dev/null
docker cp svc:/tmp/made "$work/out" >/dev/null 2>&1
check "cp a directory out" "three" "$(cat "$work/out/new.txt" 2>&1)"
docker cp svc:/tmp/dir/sub/deep.txt "$work/deep.txt" >/dev/null 2>&1
check "cp a file out" "two" "$(cat "$work/deep.txt" 2>&1)"
check "cp keeps a directory's mode" "750" "$(docker exec svc stat -c %a /tmp/dir/sub 2>&1)"

docker exec svc touch /tmp/stop
check "wait gives the exit code" "5" "$(docker wait svc 2>&1)"
wait "$logs_pid"
logs_pid=""
check "logs -f follows to the end" "$(printf 'started\nstopping')" "$(cat "$work/follow.out")"
docker rm svc >/dev/null
check "rm removes it" "" "$(docker ps -aq --filter name=svc)"

docker run -d --name stopped $img sh -c 'trap "echo terminated; exit 7" TERM; echo up; while :; do sleep 0.05; done' >/dev/null
until_logs stopped up
docker stop -t 5 stopped >/dev/null
check "stop ends the task with SIGTERM" "7" "$(docker inspect -f '{{.State.ExitCode}}' stopped)"
check "the task's trap ran" "$(printf 'up\nterminated')" "$(docker logs stopped 2>&1)"
docker rm stopped >/dev/null

# A restart while tasks run: one waits for an exec, one ends on its own.
docker run -d --name survivor $img sh -c 'echo before; while [ ! -f /tmp/go ]; do sleep 0.05; done; echo after; exit 3' >/dev/null
docker run -d --name finisher $img sh -c 'echo begun; sleep 1; echo ended; exit 4' >/dev/null
until_logs survivor before
until_logs finisher begun
stop_sockerless
serve || exit 1
check "a running task is still running after the restart" "running" "$(docker inspect -f '{{.State.Status}}' survivor)"
docker exec survivor touch /tmp/go
check "its exit code comes through" "3" "$(docker wait survivor 2>&1)"
check "its logs hold what came before and after, once" "$(printf 'before\nafter')" "$(docker logs survivor 2>&1)"
check "a task that ended around the restart reports its exit code" "4" "$(docker wait finisher 2>&1)"
check "and its output" "$(printf 'begun\nended')" "$(docker logs finisher 2>&1)"
docker rm survivor finisher >/dev/null

echo "ecs docker CLI: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
