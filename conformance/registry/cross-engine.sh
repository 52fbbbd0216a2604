#!/usr/bin/env bash
# The cross-engine proof through a local registry: an image the reference
# engine pushes is pulled by sockerless, and one sockerless pushes is pulled by
# the reference engine; image IDs and manifest digests must match and
# containers from the pulled images must run.
# Usage: cross-engine.sh REFERENCE_SOCKET SUBJECT_SOCKET REGISTRY
set -uo pipefail
ref="unix://${1:?reference socket}"
sub="unix://${2:?subject socket}"
registry=${3:?registry host:port}
image=sockerless-test/busybox:latest
passed=0
failed=0
check() { # NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ] && [ -n "$2" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL registry: $1: expected '$2', got '$3'"
  fi
}
on() { DOCKER_HOST=$1 docker "${@:2}"; }
digest_of() { on "$1" image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$2" | grep "^${3}@" | head -1 | sed 's/.*@//'; }

# An image only ENGINE has (its ID holds the import's time): the busybox root file system, exported and imported.
fresh() { # ENGINE TAG
  on "$1" create --name registry-xe-src "$image" true >/dev/null
  on "$1" export registry-xe-src | on "$1" import --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["sh"]' - "$2" >/dev/null
  on "$1" rm registry-xe-src >/dev/null
}

# reference → registry → sockerless
from_ref="$registry/conformance/busybox:from-reference"
fresh "$ref" "$from_ref"
on "$ref" push -q "$from_ref" >/dev/null || echo "reference push failed"
on "$sub" pull -q "$from_ref" >/dev/null || echo "sockerless pull failed"
check "sockerless pulls the reference's push: image ID" "$(on "$ref" image inspect -f '{{.Id}}' "$from_ref")" "$(on "$sub" image inspect -f '{{.Id}}' "$from_ref" 2>&1)"
check "sockerless pulls the reference's push: RepoDigest" "$(digest_of "$ref" "$from_ref" "$registry/conformance/busybox")" "$(digest_of "$sub" "$from_ref" "$registry/conformance/busybox")"
check "a container from the pulled image runs on sockerless" "pulled" "$(on "$sub" run --rm "$from_ref" echo pulled 2>&1)"

# sockerless → registry → reference
from_sub="$registry/conformance/busybox:from-sockerless"
fresh "$sub" "$from_sub"
on "$sub" push -q "$from_sub" >/dev/null || echo "sockerless push failed"
on "$ref" rmi -f "$from_sub" >/dev/null 2>&1
on "$ref" pull -q "$from_sub" >/dev/null || echo "reference pull failed"
check "the reference pulls sockerless's push: image ID" "$(on "$sub" image inspect -f '{{.Id}}' "$from_sub")" "$(on "$ref" image inspect -f '{{.Id}}' "$from_sub" 2>&1)"
check "the reference pulls sockerless's push: RepoDigest" "$(digest_of "$sub" "$from_sub" "$registry/conformance/busybox")" "$(digest_of "$ref" "$from_sub" "$registry/conformance/busybox")"
check "a container from the pulled image runs on the reference" "pulled" "$(on "$ref" run --rm --network none "$from_sub" echo pulled 2>&1)"

# A second push of the same image names the same manifest (the layer's gzip is kept).
first=$(digest_of "$sub" "$from_sub" "$registry/conformance/busybox")
again=$(on "$sub" push "$from_sub" | sed -n 's/^from-sockerless: digest: \(sha256:[0-9a-f]*\) size: [0-9]*$/\1/p')
check "sockerless pushes the same manifest again" "$first" "$again"

for engine in "$ref" "$sub"; do on "$engine" rmi -f "$from_ref" "$from_sub" >/dev/null 2>&1; done
echo "registry cross-engine: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
