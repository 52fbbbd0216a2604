#!/usr/bin/env bash
# Runs every conformance suite against the reference engine and sockerless:
# the differential API cases, the docker CLI scenarios, then other clients.
# Usage: conformance/run.sh [SUITE...] (differential suites to run; default all)
set -euo pipefail
source "$(dirname "$0")/engines.sh"

status=0
node "$root/dist/conformance/differential/run.js" --reference "$ref_sock" --subject "$sub_sock" "$@" || status=1
node "$root/dist/conformance/cli/run.js" --reference "$ref_sock" --subject "$sub_sock" || status=1
node "$root/dist/conformance/cli/concurrent.js" --subject "$sub_sock" --data "$sub_dir" || status=1
bash "$root/conformance/cross-engine-images.sh" "$ref_sock" "$sub_sock" || status=1
bash "$root/conformance/clients/version.sh" "$sub_sock" || status=1
bash "$root/conformance/clients/scenarios.sh" "$ref_sock" "$sub_sock" || status=1
exit $status
