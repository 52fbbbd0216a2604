#!/usr/bin/env bash
# Runs every benchmark on sockerless and on the isolated reference engine in
# the same run and prints one table. Each run's JSON goes to
# .cache/bench/<timestamp>.json and a one-line summary is appended to
# .cache/bench/history.jsonl (neither is committed).
# BENCH_ARGS=--quick shrinks every benchmark to check the harness itself.
set -euo pipefail
export CONFORMANCE_WORK="${CONFORMANCE_WORK:-/tmp/bench-work}"
source "$(dirname "$0")/../conformance/engines.sh"
# The local registry the pull benchmark pulls from.
registry_dir="$work/registry"
bash "$root/conformance/registry/stop.sh" "$registry_dir"
rm -rf "$registry_dir"
registry=$(bash "$root/conformance/registry/start.sh" "$registry_dir")
trap 'bash "$root/conformance/registry/stop.sh" "$registry_dir"; stop_engines' EXIT
out="$root/.cache/bench"
mkdir -p "$out"
node "$root/dist/bench/main.js" \
  --subject "$sub_sock" --subject-pid "$sub_pid" \
  --reference "$ref_sock" --reference-pid "$(cat "$work/reference/pid")" --reference-exec "$work/reference/exec" \
  --registry "$registry" \
  --json "$out/$(date -u +%Y%m%dT%H%M%SZ).json" --history "$out/history.jsonl" ${BENCH_ARGS:-}
# The AWS simulator has no reference to run beside: real Fargate takes 30-60 s per task.
node "$root/dist/bench/aws-runtask.js" --tasks "$([[ "${BENCH_ARGS:-}" == *--quick* ]] && echo 5 || echo 100)"
# docker run on the ecs backend (tasks on the AWS simulator) beside the sandbox backend.
node "$root/dist/bench/ecs-run.js" --runs "$([[ "${BENCH_ARGS:-}" == *--quick* ]] && echo 3 || echo 21)"
