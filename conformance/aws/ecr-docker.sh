#!/usr/bin/env bash
# ECR with the docker CLI and the reference Docker engine: log in with the
# password `aws ecr get-login-password` prints, tag, push, remove, pull and
# run the image back. Needs the reference engine's socket in
# CONFORMANCE_REFERENCE_SOCK (run.sh sets it when given one).
set -euo pipefail
source "$(dirname "$0")/cli-lib.sh"
suite=ecr-docker
root=$(cd "$(dirname "$0")/../.." && pwd)
sock=${CONFORMANCE_REFERENCE_SOCK:-}
if [ -z "$sock" ]; then
  echo "SKIP $suite: no reference engine; run conformance/aws/run.sh REFERENCE_DOCKER_SOCKET to log in, push and pull with the docker CLI"
  exit 0
fi
host=${AWS_ENDPOINT_URL#*://}
repo=docker/app-$$-$RANDOM
image=$host/$repo:v1
pushed=""
work=$(mktemp -d)
# A docker config of its own: the login must not touch the user's.
export DOCKER_CONFIG=$work/docker
dk() { docker --host "unix://$sock" "$@"; }
cleanup() {
  dk rmi "$image" "$host/$repo@$pushed" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# The busybox test image, built offline as conformance/images/build.js builds it.
node --input-type=module -e "import { buildBusyboxImage } from '$root/dist/conformance/images/busybox.js'; await buildBusyboxImage('$work/busybox.tar');"
dk load -q -i "$work/busybox.tar" >/dev/null
expect_ok "ecr create-repository" aws ecr create-repository --repository-name "$repo"
expect_ok "docker login with get-login-password" sh -c "'$AWS_CLI' --endpoint-url '$AWS_ENDPOINT_URL' ecr get-login-password | docker --host 'unix://$sock' login -u AWS --password-stdin '$host'"
if out=$(echo wrong | dk login -u AWS --password-stdin "$host" 2>&1); then fail "docker login with a wrong password fails" "$out"; else pass "docker login with a wrong password fails"; fi
expect_ok "docker login again" sh -c "'$AWS_CLI' --endpoint-url '$AWS_ENDPOINT_URL' ecr get-login-password | docker --host 'unix://$sock' login -u AWS --password-stdin '$host'"
expect_ok "docker tag" dk tag sockerless-test/busybox:latest "$image"
expect_ok "docker push" dk push "$image"
pushed=$(dk image inspect -f '{{range .RepoDigests}}{{println .}}{{end}}' "$image" | grep "^$host/$repo@" | cut -d@ -f2 || true)
expect_json "describe-images shows the pushed digest" ".imageDetails[0].imageDigest == \"$pushed\" and .imageDetails[0].imageTags == [\"v1\"]" \
  aws ecr describe-images --repository-name "$repo"
expect_ok "docker rmi" dk rmi "$image"
expect_ok "docker pull" dk pull "$image"
pulled=$(dk image inspect -f '{{join .RepoDigests " "}}' "$image" 2>&1 || true)
if [ -n "$pushed" ] && [[ " $pulled " == *" $host/$repo@$pushed "* ]]; then pass "the pulled image is the one pushed"; else fail "the pulled image is the one pushed" "pushed $pushed, pulled $pulled"; fi
expect_ok "docker pull by digest" dk pull "$host/$repo@$pushed"
if out=$(dk run --rm "$image" cat /etc/passwd 2>&1) && echo "$out" | grep -q '^root:'; then pass "docker run of the pulled image"; else fail "docker run of the pulled image" "$out"; fi
if out=$(dk pull "$host/$repo-none:v1" 2>&1); then fail "docker pull of a missing repository fails" "$out"
elif echo "$out" | grep -q "does not exist in the registry"; then pass "docker pull of a missing repository fails"
else fail "docker pull of a missing repository fails" "unexpected: $out"; fi
docker_push_missing() {
  local out
  dk tag sockerless-test/busybox:latest "$host/$repo-none:v1"
  if out=$(dk push "$host/$repo-none:v1" 2>&1); then fail "docker push to a missing repository fails" "$out"
  elif echo "$out" | grep -q "name unknown: The repository with name '$repo-none' does not exist in the registry with id '123456789012'"; then pass "docker push to a missing repository fails"
  else fail "docker push to a missing repository fails" "unexpected: $out"; fi
  dk rmi "$host/$repo-none:v1" >/dev/null
}
docker_push_missing
expect_ok "ecr delete-repository --force" aws ecr delete-repository --repository-name "$repo" --force
expect_ok "docker logout" dk logout "$host"
finish
