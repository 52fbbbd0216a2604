#!/usr/bin/env bash
# Cross-engine image transfer: `docker save` from each engine loads into the
# other with the same image ID, and a container from the loaded image runs.
# Usage: conformance/cross-engine-images.sh REFERENCE_SOCK SUBJECT_SOCK
set -euo pipefail
ref="unix://$1"
sub="unix://$2"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
passed=0
failed=0
check() {
  local from=$1 to=$2 image=$3 label=$4
  DOCKER_HOST=$from docker rm -f xeng-src >/dev/null 2>&1 || true
  DOCKER_HOST=$from docker run --name xeng-src sockerless-test/busybox sh -c "echo $label > /made-by" >/dev/null
  DOCKER_HOST=$from docker commit xeng-src "$image" >/dev/null
  DOCKER_HOST=$from docker rm -f xeng-src >/dev/null
  local want got out
  want=$(DOCKER_HOST=$from docker image inspect -f '{{.ID}}' "$image")
  DOCKER_HOST=$from docker save -o "$dir/$label.tar" "$image"
  DOCKER_HOST=$to docker load -q -i "$dir/$label.tar" >/dev/null
  got=$(DOCKER_HOST=$to docker image inspect -f '{{.ID}}' "$image")
  out=$(DOCKER_HOST=$to docker run --rm "$image" cat /made-by)
  if [ "$want" = "$got" ] && [ "$out" = "$label" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $label: saved $want, loaded $got, ran \"$out\"" >&2
  fi
  DOCKER_HOST=$from docker rmi "$image" >/dev/null
  DOCKER_HOST=$to docker rmi "$image" >/dev/null
}
check "$sub" "$ref" xeng/from-sockerless from-sockerless
check "$ref" "$sub" xeng/from-reference from-reference
echo "cross-engine images: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
