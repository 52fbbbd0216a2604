#!/usr/bin/env bash
# Sockerless on its ecs backend, each container an ECS task on an AWS
# simulator of its own: the container differential suites against the
# reference engine, the docker CLI scenarios and the docker-py and dockerode
# scenarios. Cases needing what the backend declares unsupported (docker
# version's backend component) are skipped and counted as such.
# Usage: conformance/ecs-backend.sh [SUITE...]
set -euo pipefail
export CONFORMANCE_BACKEND=ecs
# Engines of its own, beside those of a conformance run still going.
export CONFORMANCE_WORK="${CONFORMANCE_WORK:-$(cd "$(dirname "$0")/.." && pwd)/.cache/conformance}-ecs-backend"
# A fresh reference engine: images an earlier run left there (the reference
# runs every case, even those sockerless skips) would show in image listings.
bash "$(dirname "$0")/reference/stop.sh" "$CONFORMANCE_WORK/reference"
rm -rf "$CONFORMANCE_WORK/reference"
source "$(dirname "$0")/engines.sh"
# A local registry docker-py pushes to and pulls from.
source "$root/conformance/registry.sh"
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(lifecycle logs list archive errors events top-stats)
status=0
node "$root/dist/conformance/differential/run.js" --reference "$ref_sock" --subject "$sub_sock" "${suites[@]}" || status=1
node "$root/dist/conformance/cli/run.js" --reference "$ref_sock" --subject "$sub_sock" || status=1
bash "$root/conformance/clients/scenarios.sh" "$ref_sock" "$sub_sock" || status=1
exit $status
