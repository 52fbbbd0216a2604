#!/usr/bin/env bash
# `aws ecs execute-command` through the aws CLI v2 and AWS's session-manager-plugin, when it is on PATH:
# the plugin opens the data channel, runs the command in the task's container and prints its output.
set -uo pipefail
source "$(dirname "$0")/cli-lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)

if ! command -v session-manager-plugin >/dev/null; then
  echo "SKIP $suite: session-manager-plugin is not on PATH"
  exit 0
fi
if aws ecs list-clusters 2>&1 | grep -q "(UnknownOperationException)"; then
  echo "SKIP $suite: ECS answers with UnknownOperationException, so no session can be opened yet"
  exit 0
fi

name=ssm-cli-$(date +%s)
image=$(cd "$root" && node --input-type=module -e "
  import { pushTestImage } from './dist/conformance/aws/images.js';
  const config = { endpoint: process.env.AWS_ENDPOINT_URL, region: process.env.AWS_REGION, credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY } };
  console.log(await pushTestImage(config, 'conformance/$name', 'latest'));" 2>/dev/null | tail -1)
aws ecs create-cluster --cluster-name "$name" >/dev/null
aws ecs register-task-definition --family "$name" --requires-compatibilities FARGATE --network-mode awsvpc --cpu 256 --memory 512 \
  --container-definitions "[{\"name\":\"app\",\"image\":\"$image\",\"command\":[\"sleep\",\"600\"],\"stopTimeout\":2}]" >/dev/null
task=$(aws ecs run-task --cluster "$name" --task-definition "$name" --launch-type FARGATE --enable-execute-command \
  --network-configuration 'awsvpcConfiguration={subnets=[subnet-12345678]}' --query 'tasks[0].taskArn' --output text)
for _ in $(seq 1 100); do
  [ "$(aws ecs describe-tasks --cluster "$name" --tasks "$task" --query 'tasks[0].lastStatus' --output text)" = RUNNING ] && break
  sleep 0.2
done

# The plugin reads the terminal until the session ends; an open pipe stands in for it.
exec 3< <(sleep 60)
holder=$!
out=$(timeout 60 "$AWS_CLI" --endpoint-url "$AWS_ENDPOINT_URL" ecs execute-command --cluster "$name" --task "$task" --container app \
  --command "cat /etc/group" --interactive <&3 2>&1)
status=$?
exec 3<&-
kill "$holder" 2>/dev/null
if [ $status -eq 0 ] && echo "$out" | grep -q "^Starting session with SessionId: ecs-execute-command-" && echo "$out" | grep -q "root:x:0:" &&
  echo "$out" | grep -q "^Exiting session with sessionId: ecs-execute-command-"; then
  pass "ecs execute-command runs the command through session-manager-plugin"
else
  fail "ecs execute-command runs the command through session-manager-plugin" "exit $status: $out"
fi

aws ecs stop-task --cluster "$name" --task "$task" >/dev/null
finish
