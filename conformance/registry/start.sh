#!/usr/bin/env bash
# Starts Debian's docker-registry (distribution v2) on 127.0.0.1 with its
# storage under DIR and its config in a temporary directory. Prints HOST:PORT.
set -euo pipefail
dir=${1:?usage: start.sh DIR}
mkdir -p "$dir/storage"
dir=$(cd "$dir" && pwd)
if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
  cat "$dir/address"; exit 0
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
conf=$(mktemp -d)
cat >"$conf/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
YAML
docker-registry serve "$conf/config.yml" >"$dir/registry.log" 2>&1 &
echo $! >"$dir/pid"
echo "127.0.0.1:$port" >"$dir/address"
for _ in $(seq 1 100); do
  if curl -sf "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; then
    rm -rf "$conf"
    echo "127.0.0.1:$port"; exit 0
  fi
  kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
  sleep 0.1
done
rm -rf "$conf"
echo "docker-registry did not come up; see $dir/registry.log" >&2
tail -20 "$dir/registry.log" >&2
exit 1
