#!/usr/bin/env bash
# act (nektos/act, unmodified) runs GitHub Actions workflows whose container
# jobs use an image built offline, on the reference engine and on sockerless:
# the steps' output must be the same, a passing workflow must pass and a
# failing step must fail its job with the step's exit code.
# Usage: conformance/act/run.sh REFERENCE_SOCKET SUBJECT_SOCKET (ACT_WORK=DIR keeps the logs in DIR)
set -euo pipefail
ref=${1:?usage: run.sh REFERENCE_SOCKET SUBJECT_SOCKET}
sub=${2:?usage: run.sh REFERENCE_SOCKET SUBJECT_SOCKET}
here=$(cd "$(dirname "$0")" && pwd)
act_version=v0.2.89
act="$(go env GOPATH)/bin/act"
[ -x "$act" ] || go install "github.com/nektos/act@$act_version"
image=sockerless-test/act-runner:latest
work=${ACT_WORK:-$(mktemp -d)}
[ -n "${ACT_WORK:-}" ] || trap 'rm -rf "$work"' EXIT

# The runner image: busybox plus Debian's static bash, assembled with create, cp and commit.
build_image() {
  local sock=$1
  DOCKER_HOST="unix://$sock" docker rm -f act-image-src >/dev/null 2>&1 || true
  # The reference engine warns that this machine forwards no IPv4; nothing here needs it.
  DOCKER_HOST="unix://$sock" docker create --name act-image-src sockerless-test/busybox:latest 2> >(grep -v "IPv4 forwarding" >&2) >/dev/null
  DOCKER_HOST="unix://$sock" docker cp /bin/bash-static act-image-src:/bin/bash
  DOCKER_HOST="unix://$sock" docker commit act-image-src "$image" >/dev/null
  DOCKER_HOST="unix://$sock" docker rm act-image-src >/dev/null
}

# Runs a workflow; keeps the steps' output lines (job name and text) and act's exit code.
run_act() {
  local sock=$1 workflow=$2 out=$3
  local repo="$work/repo"
  rm -rf "$repo" && mkdir -p "$repo/.github/workflows"
  cp "$here/workflows/$workflow" "$repo/.github/workflows/"
  git -C "$repo" init -q && git -C "$repo" add -A && git -C "$repo" -c user.email=ci@sockerless -c user.name=ci commit -qm workflow
  local code=0
  (cd "$repo" && DOCKER_HOST="unix://$sock" "$act" push --pull=false --container-daemon-socket=- \
    -P ubuntu-latest="$image" >"$out.log" 2>&1) || code=$?
  grep -E '^\[[^]]*\] +\| |exitcode|Job (succeeded|failed)' "$out.log" | sed -E 's/ \[[0-9.]+m?s\]$//' >"$out" || true
  echo "exit $code" >>"$out"
}

passed=0
failed=0
check() {
  local name=$1 workflow=$2 want_exit=$3
  shift 3
  run_act "$ref" "$workflow" "$work/$name.ref"
  run_act "$sub" "$workflow" "$work/$name.sub"
  local problems=()
  grep -qx "exit $want_exit" "$work/$name.ref" || problems+=("the reference engine's act exited otherwise than $want_exit")
  local line
  for line in "$@"; do
    grep -qF -- "$line" "$work/$name.sub" || problems+=("sockerless printed no \"$line\"")
  done
  # Jobs run in parallel when they can: compare each job's lines in order, not their interleaving.
  diff <(sort -s -t']' -k1,1 "$work/$name.ref") <(sort -s -t']' -k1,1 "$work/$name.sub") >"$work/$name.diff" || problems+=("the output differs from the reference engine's")
  if [ ${#problems[@]} -eq 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'FAIL act %s: %s\n' "$name" "$(IFS=';'; echo "${problems[*]}")" >&2
    cat "$work/$name.diff" >&2
    tail -40 "$work/$name.sub.log" >&2
  fi
}

build_image "$ref"
build_image "$sub"
check workflow ci.yml 0 "hello from Linux as root in repo" "three lines" "3 words: ALPHA BETA GAMMA" "stage is tested" "build counted 3 lines" "Job succeeded"
check failing-step failing.yml 1 "before" "exitcode '3': failure" "Job failed"
grep -q never "$work/failing-step.sub" && { failed=$((failed + 1)); echo "FAIL act: a step ran after a failed one" >&2; }
echo "act workflows: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
