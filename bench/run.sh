#!/usr/bin/env bash
# Runs every benchmark side by side with the reference engine and prints the table.
set -euo pipefail
source "$(dirname "$0")/../conformance/engines.sh"
mkdir -p "$root/.cache/bench"
node "$root/dist/bench/sandbox.js" --reference "$ref_sock" --subject "$sub_sock" --subject-pid "$sub_pid" --json "$root/.cache/bench/sandbox-$(date +%Y%m%dT%H%M%S).json"
