#!/usr/bin/env bash
# CloudWatch Logs through the aws CLI v2: groups, streams, events, filtering, retention, deletion and a missing group's error.
set -euo pipefail
source "$(dirname "$0")/cli-lib.sh"
group="/conformance/cli/$(date +%s%N)"
now=$(date +%s%3N)
events="[{\"timestamp\":$((now - 3000)),\"message\":\"GET /a 200\"},{\"timestamp\":$((now - 2000)),\"message\":\"GET /b 500 ERROR\"},{\"timestamp\":$((now - 1000)),\"message\":\"POST /c 201\"}]"

expect_ok "logs create-log-group" aws logs create-log-group --log-group-name "$group"
expect_fail "logs create-log-group again" "ResourceAlreadyExistsException" aws logs create-log-group --log-group-name "$group"
expect_json "logs describe-log-groups" ".logGroups | length == 1 and .[0].logGroupName == \"$group\" and (.[0].arn | endswith(\":log-group:$group:*\"))" \
  aws logs describe-log-groups --log-group-name-prefix "$group"
expect_ok "logs create-log-stream" aws logs create-log-stream --log-group-name "$group" --log-stream-name web
expect_json "logs put-log-events" '.nextSequenceToken | test("^[0-9]+$")' \
  aws logs put-log-events --log-group-name "$group" --log-stream-name web --log-events "$events"
expect_fail "logs put-log-events out of order" "InvalidParameterException" \
  aws logs put-log-events --log-group-name "$group" --log-stream-name web \
  --log-events "[{\"timestamp\":$now,\"message\":\"b\"},{\"timestamp\":$((now - 1)),\"message\":\"a\"}]"
expect_json "logs get-log-events" '[.events[].message] == ["GET /a 200", "GET /b 500 ERROR", "POST /c 201"] and (.nextForwardToken | test("^f/[0-9]{56}$")) and (.nextBackwardToken | test("^b/[0-9]{56}$"))' \
  aws logs get-log-events --log-group-name "$group" --log-stream-name web --start-from-head
forward=$(aws logs get-log-events --log-group-name "$group" --log-stream-name web --start-from-head --query nextForwardToken --output text 2>&1 || true)
expect_json "logs get-log-events past the end returns the token passed in" ".events == [] and .nextForwardToken == \"$forward\"" \
  aws logs get-log-events --log-group-name "$group" --log-stream-name web --next-token "$forward"
expect_json "logs filter-log-events" '[.events[].message] == ["GET /b 500 ERROR"] and .events[0].logStreamName == "web"' \
  aws logs filter-log-events --log-group-name "$group" --filter-pattern "ERROR"
expect_json "logs filter-log-events ?term" '[.events[].message] == ["GET /b 500 ERROR", "POST /c 201"]' \
  aws logs filter-log-events --log-group-name "$group" --filter-pattern "?POST ?ERROR"
# aws logs tail reads through FilterLogEvents' paginator and prints stream and message.
if out=$(aws logs tail "$group" 2>&1) && [ "$(echo "$out" | awk '{ $1 = ""; print substr($0, 2) }')" = "$(printf 'web GET /a 200\nweb GET /b 500 ERROR\nweb POST /c 201')" ]; then
  pass "logs tail"
else
  fail "logs tail" "$out"
fi
expect_json "logs describe-log-streams" '.logStreams[0].logStreamName == "web" and .logStreams[0].lastEventTimestamp != null' \
  aws logs describe-log-streams --log-group-name "$group"
expect_ok "logs put-retention-policy" aws logs put-retention-policy --log-group-name "$group" --retention-in-days 7
expect_json "logs describe-log-groups shows the retention" '.logGroups[0].retentionInDays == 7' aws logs describe-log-groups --log-group-name-prefix "$group"
expect_fail "logs put-retention-policy with a value AWS does not take" "InvalidParameterException" \
  aws logs put-retention-policy --log-group-name "$group" --retention-in-days 2
expect_ok "logs delete-log-group" aws logs delete-log-group --log-group-name "$group"
expect_fail "logs delete-log-group unknown" "ResourceNotFoundException" aws logs delete-log-group --log-group-name "$group"
expect_fail "logs get-log-events in an unknown group" "ResourceNotFoundException" \
  aws logs get-log-events --log-group-name "$group/none" --log-stream-name web
finish
