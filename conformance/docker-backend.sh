#!/usr/bin/env bash
# Sockerless on its docker backend: the container, volume and network
# differential suites against the reference engine, the docker CLI scenarios,
# act with a service container, pools of the sandbox and docker backends, a
# Sockerless restart, and Testcontainers (redis and postgres built offline). Usage: conformance/docker-backend.sh [SUITE...]
set -euo pipefail
export CONFORMANCE_BACKEND=docker
# Engines of its own, beside those of a conformance run still going.
export CONFORMANCE_WORK="${CONFORMANCE_WORK:-$(cd "$(dirname "$0")/.." && pwd)/.cache/conformance}-docker-backend"
source "$(dirname "$0")/engines.sh"
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(lifecycle list archive errors events top-stats volumes networks)
status=0
node "$root/dist/conformance/differential/run.js" --reference "$ref_sock" --subject "$sub_sock" "${suites[@]}" || status=1
node "$root/dist/conformance/cli/run.js" --reference "$ref_sock" --subject "$sub_sock" || status=1
bash "$root/conformance/act/services.sh" "$sub_sock" || status=1
bash "$root/conformance/pools.sh" "$backend_sock" "$work/images" || status=1
bash "$root/conformance/docker-backend-restart.sh" "$backend_sock" "$work/images" || status=1
DOCKER_HOST="unix://$sub_sock" bash "$root/conformance/testcontainers/run.sh" || status=1
exit $status
