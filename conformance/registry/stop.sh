#!/usr/bin/env bash
# Stops the registry start.sh started under DIR, by its PID.
set -euo pipefail
dir=${1:?usage: stop.sh DIR}
[ -f "$dir/pid" ] || exit 0
pid=$(cat "$dir/pid")
kill "$pid" 2>/dev/null || true
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
rm -f "$dir/pid" "$dir/address"
