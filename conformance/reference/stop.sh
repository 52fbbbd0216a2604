#!/usr/bin/env bash
# Stops the reference dockerd started by start.sh DIR, by its PID, and
# unmounts the network namespaces it leaves mounted in its exec root.
set -euo pipefail
dir=${1:?usage: stop.sh DIR}
[ -f "$dir/pid" ] || exit 0
pid=$(cat "$dir/pid")
release_netns() {
  for ns in "$dir"/exec/netns/*; do
    [ -e "$ns" ] && umount "$ns" 2>/dev/null || true
  done
}
kill "$pid" 2>/dev/null || { release_netns; exit 0; }
for _ in $(seq 1 200); do
  kill -0 "$pid" 2>/dev/null || { release_netns; exit 0; }
  sleep 0.1
done
kill -9 "$pid" 2>/dev/null || true
release_netns
