#!/usr/bin/env bash
# Stops the reference dockerd started by start.sh DIR, by its PID, unmounts
# the network namespaces it leaves mounted in its exec root and deletes its
# networks' bridges.
set -euo pipefail
dir=${1:?usage: stop.sh DIR}
[ -f "$dir/pid" ] || exit 0
pid=$(cat "$dir/pid")
release_netns() {
  for ns in "$dir"/exec/netns/*; do
    [ -e "$ns" ] && umount "$ns" 2>/dev/null || true
  done
}
# dockerd keeps its networks' bridges when it stops (to bring them back at its
# next start); their routes would make other engines on this host avoid or
# clash with those subnets, so they go with it.
bridges=$(DOCKER_HOST="unix://$dir/docker.sock" timeout 10 docker network ls -q --no-trunc --filter driver=bridge 2>/dev/null | cut -c1-12 | sed 's/^/br-/' || true)
release_bridges() {
  for b in $bridges; do ip link del "$b" 2>/dev/null || true; done
}
kill "$pid" 2>/dev/null || { release_netns; release_bridges; exit 0; }
for _ in $(seq 1 200); do
  kill -0 "$pid" 2>/dev/null || { release_netns; release_bridges; exit 0; }
  sleep 0.1
done
kill -9 "$pid" 2>/dev/null || true
release_netns
release_bridges
