# Shared by the *.cli.sh scripts: named checks over aws CLI commands, with a tally.
suite=$(basename "$0" .cli.sh)-cli
passed=0
failed=0
export AWS_PAGER=""

# The aws CLI v2 of Debian (2.9) predates AWS_ENDPOINT_URL: the endpoint is passed on each call.
aws() { "$AWS_CLI" --endpoint-url "$AWS_ENDPOINT_URL" "$@"; }
# The same, signing with a secret the simulator does not know.
aws_bad_secret() { AWS_SECRET_ACCESS_KEY=wrong aws "$@"; }

# push_test_image REPOSITORY TAG: pushes the busybox test image to the simulator's ECR; prints its URI.
push_test_image() { node --no-warnings "$(dirname "${BASH_SOURCE[0]}")/../../dist/conformance/aws/push-test-image.js" "$@"; }

pass() { passed=$((passed + 1)); echo "PASS $suite: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $suite: $1: $2"; }

# expect_json NAME JQ_FILTER COMMAND...: the command succeeds and its JSON output satisfies the filter.
expect_json() {
  local name=$1 filter=$2 out
  shift 2
  if ! out=$("$@" --output json 2>&1); then fail "$name" "$out"; return; fi
  if echo "$out" | jq -e "$filter" >/dev/null 2>&1; then pass "$name"; else fail "$name" "output does not satisfy $filter: $out"; fi
}

# expect_ok NAME COMMAND...: the command succeeds.
expect_ok() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$out"; fi
}

# expect_fail NAME ERROR_CODE COMMAND...: the command fails and names the error code.
expect_fail() {
  local name=$1 code=$2 out
  shift 2
  if out=$("$@" 2>&1); then fail "$name" "succeeded: $out"; return; fi
  if echo "$out" | grep -q "($code)"; then pass "$name"; else fail "$name" "expected ($code): $out"; fi
}

finish() {
  echo "$suite: $passed/$((passed + failed)) passed"
  [ "$failed" -eq 0 ]
}
