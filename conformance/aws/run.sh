#!/usr/bin/env bash
# The AWS simulator's conformance: the official JavaScript SDK v3 clients
# (conformance/aws/*.check.ts) and the aws CLI v2 (conformance/aws/*.cli.sh)
# against one `sockerless sim aws`.
# Usage: conformance/aws/run.sh [--backend-engine SOCKET] [REFERENCE_DOCKER_SOCKET]
# With a reference engine's socket, the ECR checks also log in, push and pull
# with the docker CLI. With --backend-engine, the simulator runs its
# workloads on the docker backend over that engine, and only the services
# that run workloads (ECS with its sessions, Lambda) are checked; without it,
# the docker CLI then drives the ecs and lambda backends.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
sim_args=()
suites="*"
if [ "${1:-}" = "--backend-engine" ]; then
  sim_args=(--backend docker --backend-opt "host=unix://$2")
  suites="@(ecs|lambda|ssm)"
  shift 2
  # Real Linux processes need a real curl for the Lambda custom runtime: Debian's, in an image built offline.
  base=$(node "$root/dist/conformance/images/build-servers.js" "$root/.cache/images/servers" curl) || exit 1
  export CONFORMANCE_LAMBDA_BASE=$(echo "$base" | cut -d' ' -f2)
fi
export CONFORMANCE_REFERENCE_SOCK=${1:-}
aws_cli=/usr/bin/aws
if ! "$aws_cli" --version 2>/dev/null | grep -q '^aws-cli/2' || ! command -v jq >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends awscli jq >/dev/null
fi
export AWS_CLI=$aws_cli

work=$(mktemp -d)
node "$root/dist/cli/main.js" sim aws --listen 127.0.0.1:0 --log-level warn "${sim_args[@]}" >"$work/sim.out" 2>"$work/sim.log" &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null; wait $sim_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q AWS_ENDPOINT_URL "$work/sim.out" 2>/dev/null && break; sleep 0.1; done
eval "$(grep AWS_ENDPOINT_URL "$work/sim.out")" || { cat "$work/sim.log"; exit 1; }
export AWS_ENDPOINT_URL AWS_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=$AWS_REGION

shopt -s extglob nullglob
status=0
for script in "$root"/dist/conformance/aws/$suites.check.js; do
  node "$script" || status=1
done
for script in "$root"/conformance/aws/$suites.cli.sh; do
  bash "$script" || status=1
done
if ! kill -0 $sim_pid 2>/dev/null; then
  echo "FAIL aws: the simulator is no longer running"
  status=1
fi
[ $status -eq 0 ] || { echo "--- simulator log"; tail -50 "$work/sim.log"; }
# The ecs and lambda backends, each over a simulator of its own, through the docker CLI.
if [ ${#sim_args[@]} -eq 0 ]; then
  bash "$root/conformance/aws/ecs-docker-cli.sh" || status=1
  bash "$root/conformance/aws/lambda-backend.sh" || status=1
fi
exit $status
