#!/usr/bin/env bash
# Runs every conformance suite: starts the isolated reference engine and a
# sockerless daemon, loads the offline test images into both, and runs the
# differential cases. Usage: conformance/run.sh [SUITE...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/.cache/conformance"
mkdir -p "$work"

bash "$root/conformance/reference/install.sh"
ref_sock=$(bash "$root/conformance/reference/start.sh" "$work/reference")
sub_dir="$work/sockerless"
rm -rf "$sub_dir"
mkdir -p "$sub_dir"
node "$root/dist/cli/main.js" serve --data "$sub_dir" -H "unix://$sub_dir/docker.sock" --log-level warn >"$sub_dir/stdout" 2>"$sub_dir/daemon.log" &
sub_pid=$!
cleanup() {
  kill "$sub_pid" 2>/dev/null || true
  wait "$sub_pid" 2>/dev/null || true
  bash "$root/conformance/reference/stop.sh" "$work/reference"
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  [ -S "$sub_dir/docker.sock" ] && break
  kill -0 "$sub_pid" 2>/dev/null || { cat "$sub_dir/daemon.log" >&2; exit 1; }
  sleep 0.1
done

node "$root/dist/conformance/images/build.js" "$work/images" >/dev/null
for sock in "$ref_sock" "$sub_dir/docker.sock"; do
  DOCKER_HOST="unix://$sock" docker load -q -i "$work/images/busybox.tar" >/dev/null
done

node "$root/dist/conformance/differential/run.js" --reference "$ref_sock" --subject "$sub_dir/docker.sock" "$@"
