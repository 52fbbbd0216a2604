#!/usr/bin/env bash
# Starts an isolated reference dockerd under DIR: no bridge, no iptables, no
# forwarding, nothing shared with a host engine. Prints its socket path.
set -euo pipefail
dir=${1:?usage: start.sh DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
sock="$dir/docker.sock"
if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
  echo "$sock"; exit 0
fi
# dockerd needs containerd and runc on PATH; Debian installs them with docker.io.
dockerd --host "unix://$sock" --data-root "$dir/data" --exec-root "$dir/exec" \
  --pidfile "$dir/pid" --bridge=none --iptables=false --ip-forward=false \
  --ip-masq=false >"$dir/dockerd.log" 2>&1 &
for _ in $(seq 1 300); do
  if curl -sf --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1; then
    echo "$sock"; exit 0
  fi
  sleep 0.1
done
echo "reference dockerd did not come up; see $dir/dockerd.log" >&2
tail -20 "$dir/dockerd.log" >&2
exit 1
