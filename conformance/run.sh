#!/usr/bin/env bash
# Runs every conformance suite against the reference engine and sockerless:
# the differential API cases, the docker CLI scenarios, then other clients.
# Usage: conformance/run.sh [SUITE...] (differential suites to run; default all)
set -euo pipefail
source "$(dirname "$0")/engines.sh"
# A local registry for the registry cases and the cross-engine pull/push proof.
source "$root/conformance/registry.sh"

status=0
node "$root/dist/conformance/differential/run.js" --reference "$ref_sock" --subject "$sub_sock" "$@" || status=1
node "$root/dist/conformance/cli/run.js" --reference "$ref_sock" --subject "$sub_sock" || status=1
node "$root/dist/conformance/cli/concurrent.js" --subject "$sub_sock" --data "$sub_dir" || status=1
bash "$root/conformance/cross-engine-images.sh" "$ref_sock" "$sub_sock" || status=1
bash "$root/conformance/registry/cross-engine.sh" "$ref_sock" "$sub_sock" "$CONFORMANCE_REGISTRY" || status=1
bash "$root/conformance/clients/version.sh" "$sub_sock" || status=1
bash "$root/conformance/clients/scenarios.sh" "$ref_sock" "$sub_sock" || status=1
bash "$root/conformance/act/run.sh" "$ref_sock" "$sub_sock" || status=1
bash "$root/conformance/compose/run.sh" || status=1
bash "$root/conformance/aws/run.sh" "$ref_sock" || status=1
bash "$root/conformance/docker-backend.sh" || status=1
bash "$root/conformance/ecs-backend.sh" || status=1
bash "$root/conformance/aws/docker-backend.sh" || status=1
exit $status
