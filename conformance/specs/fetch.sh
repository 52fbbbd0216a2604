#!/usr/bin/env bash
# Fetches the Docker Engine API spec (v1.51, from moby v28.5.2 on the Go
# module proxy) that the API fuzz test generates requests from.
# Usage: conformance/specs/fetch.sh OUT.yaml
set -euo pipefail
out=${1:?usage: fetch.sh OUT.yaml}
[ -s "$out" ] && exit 0
module=github.com/docker/docker@v28.5.2+incompatible
dir=$(cd "$(mktemp -d)" && go mod download -json "$module" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -f "$dir/api/swagger.yaml" ] || { echo "no api/swagger.yaml in $module" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
cp "$dir/api/swagger.yaml" "$out"
chmod u+w "$out"
