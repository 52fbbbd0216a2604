#!/usr/bin/env bash
# The container, volume and network conformance suites with sockerless on its
# docker backend: differential against the reference engine, plus the docker
# CLI scenarios. Usage: conformance/docker-backend.sh [SUITE...]
set -euo pipefail
export CONFORMANCE_BACKEND=docker
export CONFORMANCE_WORK="${CONFORMANCE_WORK:-$(cd "$(dirname "$0")/.." && pwd)/.cache/conformance-docker-backend}"
source "$(dirname "$0")/engines.sh"
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(lifecycle list archive errors events top-stats volumes networks)
status=0
node "$root/dist/conformance/differential/run.js" --reference "$ref_sock" --subject "$sub_sock" "${suites[@]}" || status=1
node "$root/dist/conformance/cli/run.js" --reference "$ref_sock" --subject "$sub_sock" || status=1
exit $status
