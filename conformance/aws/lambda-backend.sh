#!/usr/bin/env bash
# Sockerless on its lambda backend, over an AWS simulator of its own: the
# unmodified docker CLI runs a custom-runtime image (Lambda's Runtime API
# polled by a shell bootstrap) with `docker run --rm`, gets the function's
# result and exit code, and is refused what Lambda cannot do.
# Usage: bash conformance/aws/lambda-backend.sh   (after npx tsc -p .)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/conformance/aws/sim.sh"
source "$root/conformance/sockerless.sh"
suite=lambda-backend
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $suite: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $suite: $1: $2"; }

work=$(mktemp -d)
cleanup() {
  stop_sockerless
  stop_aws_sim
  rm -rf "$work"
}
trap cleanup EXIT
start_aws_sim "$work/sim" || exit 1

helper="$root/dist/conformance/aws/lambda-backend/prepare.js"
role=$(node "$helper" prepare "$work/runtime.tar") || exit 1
start_sockerless "$work/daemon" --backend lambda --backend-opt "region=$AWS_REGION,role=$role,endpoint=$AWS_ENDPOINT_URL,timeout=60,pollMs=100" || exit 1
docker() { command docker -H "unix://$work/daemon/docker.sock" "$@"; }
image=sockerless-test/lambda-shell-runtime:latest
docker load -i "$work/runtime.tar" >/dev/null || exit 1

# matches FILE PATTERN: the file matches the extended regular expression; "" means it is empty, "*" that anything goes.
matches() {
  case "$2" in
  "") [ ! -s "$1" ] ;;
  "*") true ;;
  *) grep -Eq "$2" "$1" ;;
  esac
}

# check NAME EXPECTED_EXIT STDOUT_PATTERN STDERR_PATTERN COMMAND...: the command exits so, its output matching.
check() {
  local name=$1 code=$2 out_pattern=$3 err_pattern=$4 status
  shift 4
  "$@" >"$work/out" 2>"$work/err"
  status=$?
  if [ "$status" -ne "$code" ]; then fail "$name" "exit $status, not $code: $(cat "$work/out" "$work/err")"; return; fi
  if ! matches "$work/out" "$out_pattern"; then fail "$name" "stdout does not match '$out_pattern': $(cat "$work/out")"; return; fi
  if ! matches "$work/err" "$err_pattern"; then fail "$name" "stderr does not match '$err_pattern': $(cat "$work/err")"; return; fi
  pass "$name"
}

check "docker run --rm prints the function's result and its log, and exits 0" 0 \
  '^\{"received":\{\},"function":"sockerless-[0-9a-f]{12}","greeting":"hello"\}$' '^handling an event for sockerless-[0-9a-f]{12}$' \
  docker run --rm -e GREETING=hello "$image"
check "docker run --rm of a function that fails exits 1 with Lambda's error" 1 \
  "" '"errorType":"Runtime.ExitError"' \
  docker run --rm "$image" missing.handler

id=$(docker run -d "$image")
check "docker wait reports the invocation's exit code" 0 '^0$' "" docker wait "$id"
check "docker logs shows the result as stdout and the log as stderr" 0 '"received":\{\}' '^REPORT RequestId: ' docker logs "$id"
check "docker rm removes the container" 0 "$id" "" docker rm "$id"

id=$(docker run -d --entrypoint sh "$image" -c "sleep 2")
check "docker exec is refused naming Lambda" 1 "" 'exec is not supported by the lambda backend' docker exec "$id" true
check "docker stop is refused naming Lambda" 1 "" 'lambda backend cannot signal a function' docker stop "$id"
check "docker cp is refused naming Lambda" 1 "" 'not supported by the lambda backend' docker cp "$id:/etc/hostname" "$work/hostname"
check "docker pause is refused naming Lambda" 1 "" 'pause is not supported by the lambda backend' docker pause "$id"
check "docker run -i is refused naming Lambda" 125 "" 'not supported by the lambda backend' docker run -i --rm "$image"
check "the runtime that ends without a response exits 1" 0 '^1$' "" docker wait "$id"
docker rm "$id" >/dev/null

check "no function is left once the containers are removed" 0 "" "*" node "$helper" functions

if ! kill -0 "$aws_sim_pid" 2>/dev/null; then fail "simulator" "no longer running"; fi
[ "$failed" -eq 0 ] || { echo "--- simulator log"; tail -20 "$work/sim/sim.log"; echo "--- daemon log"; tail -20 "$work/daemon/daemon.log"; }
echo "$suite: $passed/$((passed + failed)) passed"
[ "$failed" -eq 0 ]
