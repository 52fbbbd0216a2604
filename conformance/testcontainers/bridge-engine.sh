#!/usr/bin/env bash
# Starts or stops an isolated Debian dockerd whose containers can publish
# ports: unlike conformance/reference/start.sh it has a bridge (on its own
# small subnet) so Testcontainers' default network exists; it still touches
# no iptables rules, no forwarding and no masquerading. Published ports work
# through docker-proxy on the host's loopback. The bridge is a link of its
# own, made here, not docker0: a dockerd started with --bridge=none (the
# reference engine) deletes docker0 when it starts.
# Usage: bridge-engine.sh start DIR   (prints the socket path)
#        bridge-engine.sh stop DIR
set -euo pipefail
action=${1:?usage: bridge-engine.sh start|stop DIR}
dir=${2:?usage: bridge-engine.sh start|stop DIR}
bip=${BRIDGE_ENGINE_BIP:-10.213.0.1/24}
bridge=${BRIDGE_ENGINE_LINK:-sltc0}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
sock="$dir/docker.sock"

case "$action" in
start)
  if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
    echo "$sock"; exit 0
  fi
  command -v dockerd >/dev/null || apt-get install -y -q docker.io >/dev/null
  if ! ip link show "$bridge" >/dev/null 2>&1; then
    ip link add "$bridge" type bridge
    ip addr add "$bip" dev "$bridge"
  fi
  ip link set "$bridge" up
  dockerd --host "unix://$sock" --data-root "$dir/data" --exec-root "$dir/exec" \
    --pidfile "$dir/pid" --bridge "$bridge" --iptables=false --ip-forward=false \
    --ip-masq=false >"$dir/dockerd.log" 2>&1 &
  for _ in $(seq 1 300); do
    if curl -sf --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1; then
      echo "$sock"; exit 0
    fi
    sleep 0.1
  done
  echo "bridge dockerd did not come up; see $dir/dockerd.log" >&2
  tail -20 "$dir/dockerd.log" >&2
  exit 1
  ;;
stop)
  [ -f "$dir/pid" ] || exit 0
  pid=$(cat "$dir/pid")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 200); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  for ns in "$dir"/exec/netns/*; do
    [ -e "$ns" ] && umount "$ns" 2>/dev/null || true
  done
  ! ip link show "$bridge" >/dev/null 2>&1 || ip link delete "$bridge"
  ;;
*)
  echo "usage: bridge-engine.sh start|stop DIR" >&2; exit 2 ;;
esac
