#!/usr/bin/env bash
# The AWS simulator's ECS tasks, sessions and Lambda functions on the docker
# backend, over an isolated engine of their own (started fresh, stopped after).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
engine_dir="${CONFORMANCE_WORK:-$root/.cache/conformance}-aws-engine"
bash "$root/conformance/reference/stop.sh" "$engine_dir"
rm -rf "$engine_dir"
sock=$(bash "$root/conformance/reference/start.sh" "$engine_dir") || exit 1
bash "$root/conformance/aws/run.sh" --backend-engine "$sock"
status=$?
bash "$root/conformance/reference/stop.sh" "$engine_dir"
exit $status
