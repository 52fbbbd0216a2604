#!/usr/bin/env bash
# Lambda through the aws CLI v2: an image function with the shell custom runtime,
# the function-active-v2 waiter, invocations with their log tail, listing, updates,
# deletion, and an unknown function's error.
set -euo pipefail
source "$(dirname "$0")/cli-lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
suffix=$(date +%s%N)
fn="cli-fn-$suffix"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

uri=$(node "$root/dist/conformance/aws/lambda/push-runtime-image.js" "conformance/lambda-cli-$suffix" v1)
role=$(aws iam create-role --role-name "lambda-cli-$suffix" --assume-role-policy-document '{"Version":"2012-10-17","Statement":[]}' --query Role.Arn --output text)

expect_fail "lambda create-function of a Zip package" "InvalidParameterValueException" \
  aws lambda create-function --function-name "zip-$suffix" --runtime nodejs20.x --handler index.handler --code S3Bucket=functions,S3Key=fn.zip --role "$role"
expect_json "lambda create-function --package-type Image" ".State == \"Pending\" and .PackageType == \"Image\" and .FunctionArn == \"arn:aws:lambda:$AWS_REGION:123456789012:function:$fn\"" \
  aws lambda create-function --function-name "$fn" --package-type Image --code "ImageUri=$uri" --role "$role" --environment 'Variables={GREETING=hello}'
expect_fail "lambda create-function again" "ResourceConflictException" \
  aws lambda create-function --function-name "$fn" --package-type Image --code "ImageUri=$uri" --role "$role"
expect_ok "lambda wait function-active-v2" aws lambda wait function-active-v2 --function-name "$fn"
expect_json "lambda get-function" ".Configuration.State == \"Active\" and .Code.RepositoryType == \"ECR\" and .Code.ImageUri == \"$uri\" and (.Code.ResolvedImageUri | test(\"@sha256:[0-9a-f]{64}$\"))" \
  aws lambda get-function --function-name "$fn"
expect_json "lambda get-function-configuration" '.Timeout == 3 and .MemorySize == 128 and .Environment.Variables.GREETING == "hello"' \
  aws lambda get-function-configuration --function-name "$fn"

# invoke writes the function's answer to a file and prints the response's metadata.
invoke() { aws lambda invoke --function-name "$fn" --cli-binary-format raw-in-base64-out "$@"; }
if meta=$(invoke --payload '{"n":1}' --log-type Tail "$work/out.json" 2>&1) &&
  echo "$meta" | jq -e '.StatusCode == 200 and .ExecutedVersion == "$LATEST" and (has("FunctionError") | not)' >/dev/null &&
  jq -e ".received.n == 1 and .function == \"$fn\" and .greeting == \"hello\"" "$work/out.json" >/dev/null &&
  tail=$(echo "$meta" | jq -r .LogResult | base64 -d) &&
  echo "$tail" | grep -q '^START RequestId: .* Version: \$LATEST$' && echo "$tail" | grep -q "^handling an event for $fn$" &&
  echo "$tail" | grep -q '^END RequestId: ' && echo "$tail" | grep -qP '^REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB'; then
  pass "lambda invoke --log-type Tail"
else
  fail "lambda invoke --log-type Tail" "$meta $(cat "$work/out.json" 2>/dev/null)"
fi
if meta=$(invoke --payload '{"action":"fail"}' "$work/err.json" 2>&1) && echo "$meta" | jq -e '.FunctionError == "Unhandled"' >/dev/null &&
  jq -e '.errorType == "HandlerError"' "$work/err.json" >/dev/null; then
  pass "lambda invoke of a failing handler"
else
  fail "lambda invoke of a failing handler" "$meta $(cat "$work/err.json" 2>/dev/null)"
fi
expect_json "lambda invoke --invocation-type Event" '.StatusCode == 202' invoke --invocation-type Event --payload '{}' "$work/event.json"
expect_json "lambda list-functions" "[.Functions[].FunctionName] | index(\"$fn\") != null" aws lambda list-functions
expect_json "lambda update-function-configuration" '.Timeout == 5' aws lambda update-function-configuration --function-name "$fn" --timeout 5
expect_ok "lambda wait function-updated-v2" aws lambda wait function-updated-v2 --function-name "$fn"
expect_json "logs filter-log-events of the function's group" '[.events[].message] | any(startswith("REPORT RequestId: "))' \
  aws logs filter-log-events --log-group-name "/aws/lambda/$fn"
arn="arn:aws:lambda:$AWS_REGION:123456789012:function:$fn"
expect_ok "lambda tag-resource" aws lambda tag-resource --resource "$arn" --tags team=cli
expect_json "lambda list-tags" '.Tags == {"team": "cli"}' aws lambda list-tags --resource "$arn"
expect_ok "lambda delete-function" aws lambda delete-function --function-name "$fn"
expect_fail "lambda get-function of a deleted function" "ResourceNotFoundException" aws lambda get-function --function-name "$fn"
expect_fail "lambda invoke of an unknown function" "ResourceNotFoundException" invoke "$work/none.json"
finish
