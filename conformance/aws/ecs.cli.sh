#!/usr/bin/env bash
# ECS through the aws CLI v2: a cluster, a Fargate task definition from JSON, tasks run from an image in the simulator's ECR, their awslogs output, waiters, stops and errors.
set -euo pipefail
source "$(dirname "$0")/cli-lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
run=cli-$$-$RANDOM
cluster=ecs-$run
group=/ecs/$run
network='awsvpcConfiguration={subnets=[subnet-0123456789abcdef0],assignPublicIp=ENABLED}'
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The image, pushed to the simulator's ECR as a developer's engine would.
if image=$(push_test_image "ecs-$run" latest 2>&1); then
  pass "push of the busybox test image"
else
  fail "push of the busybox test image" "$image"
fi
expect_ok "logs create-log-group" aws logs create-log-group --log-group-name "$group"
role=$(aws iam create-role --role-name "ecs-execution-$run" --query Role.Arn --output text \
  --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}' 2>&1) || true
if [[ $role == arn:aws:iam::*:role/ecs-execution-$run ]]; then pass "iam create-role of the execution role"; else fail "iam create-role of the execution role" "$role"; fi

expect_json "ecs create-cluster" ".cluster.clusterName == \"$cluster\" and .cluster.status == \"ACTIVE\"" aws ecs create-cluster --cluster-name "$cluster"

definition() { # FAMILY COMMAND_JSON
  cat <<JSON
{
  "family": "$1",
  "requiresCompatibilities": ["FARGATE"],
  "networkMode": "awsvpc",
  "cpu": "256",
  "memory": "512",
  "executionRoleArn": "$role",
  "containerDefinitions": [{
    "name": "main",
    "image": "$image",
    "essential": true,
    "command": $2,
    "stopTimeout": 2,
    "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "$group", "awslogs-region": "$AWS_REGION", "awslogs-stream-prefix": "ecs"}}
  }]
}
JSON
}
definition "$run-echo" '["sh", "-c", "echo hello from ecs; exit 3"]' >"$work/echo.json"
definition "$run-sleep" '["sleep", "1000"]' >"$work/sleep.json"
expect_json "ecs register-task-definition --cli-input-json" ".taskDefinition.revision == 1 and .taskDefinition.status == \"ACTIVE\" and (.taskDefinition.compatibilities | index(\"FARGATE\") != null)" \
  aws ecs register-task-definition --cli-input-json "file://$work/echo.json"
expect_ok "ecs register-task-definition of a second family" aws ecs register-task-definition --cli-input-json "file://$work/sleep.json"
expect_fail "ecs register-task-definition with an invalid Fargate size" "ClientException" \
  aws ecs register-task-definition --family "$run-bad" --requires-compatibilities FARGATE --network-mode awsvpc --cpu 1024 --memory 1024 \
  --container-definitions "[{\"name\":\"main\",\"image\":\"$image\"}]"

task=$(aws ecs run-task --cluster "$cluster" --task-definition "$run-echo" --launch-type FARGATE --network-configuration "$network" --started-by cli \
  --query 'tasks[0].taskArn' --output text 2>&1) || true
if [[ $task == arn:aws:ecs:*:task/$cluster/* ]]; then pass "ecs run-task"; else fail "ecs run-task" "$task"; fi
expect_ok "ecs wait tasks-stopped" aws ecs wait tasks-stopped --cluster "$cluster" --tasks "$task"
expect_json "ecs describe-tasks of the stopped task" \
  '.tasks[0].lastStatus == "STOPPED" and .tasks[0].stopCode == "EssentialContainerExited" and .tasks[0].containers[0].exitCode == 3' \
  aws ecs describe-tasks --cluster "$cluster" --tasks "$task"
expect_json "logs get-log-events of the task's awslogs stream" '[.events[].message] == ["hello from ecs"]' \
  aws logs get-log-events --log-group-name "$group" --log-stream-name "ecs/main/${task##*/}" --start-from-head
expect_json "ecs list-tasks --desired-status STOPPED" ".taskArns == [\"$task\"]" aws ecs list-tasks --cluster "$cluster" --desired-status STOPPED --started-by cli

sleeper=$(aws ecs run-task --cluster "$cluster" --task-definition "$run-sleep" --launch-type FARGATE --network-configuration "$network" \
  --query 'tasks[0].taskArn' --output text 2>&1) || true
if [[ $sleeper == arn:aws:ecs:* ]]; then pass "ecs run-task of a long task"; else fail "ecs run-task of a long task" "$sleeper"; fi
expect_ok "ecs wait tasks-running" aws ecs wait tasks-running --cluster "$cluster" --tasks "$sleeper"
expect_json "ecs list-tasks" ".taskArns == [\"$sleeper\"]" aws ecs list-tasks --cluster "$cluster" --family "$run-sleep"
expect_fail "ecs delete-cluster with a running task" "ClusterContainsTasksException" aws ecs delete-cluster --cluster "$cluster"
expect_json "ecs stop-task" '.task.desiredStatus == "STOPPED" and .task.stopCode == "UserInitiated" and .task.stoppedReason == "cli is done"' \
  aws ecs stop-task --cluster "$cluster" --task "$sleeper" --reason "cli is done"
expect_ok "ecs wait tasks-stopped after stop-task" aws ecs wait tasks-stopped --cluster "$cluster" --tasks "$sleeper"
expect_json "ecs describe-tasks after stop-task" '.tasks[0].containers[0].exitCode == 137 and .tasks[0].stoppedReason == "cli is done"' \
  aws ecs describe-tasks --cluster "$cluster" --tasks "$sleeper"

expect_json "ecs deregister-task-definition" '.taskDefinition.status == "INACTIVE"' aws ecs deregister-task-definition --task-definition "$run-echo:1"
expect_fail "ecs run-task on an unknown cluster" "ClusterNotFoundException" \
  aws ecs run-task --cluster "$cluster-none" --task-definition "$run-sleep" --launch-type FARGATE --network-configuration "$network"
expect_fail "ecs run-task with a role that does not exist" "ClientException" \
  aws ecs run-task --cluster "$cluster" --task-definition "$run-sleep" --launch-type FARGATE --network-configuration "$network" --overrides "{\"taskRoleArn\":\"$role-none\"}"
expect_fail "ecs describe-task-definition unknown" "ClientException" aws ecs describe-task-definition --task-definition "$run-none"
expect_fail "ecs stop-task unknown" "InvalidParameterException" aws ecs stop-task --cluster "$cluster" --task 0123456789abcdef0123456789abcdef
expect_json "ecs delete-cluster" '.cluster.status == "INACTIVE"' aws ecs delete-cluster --cluster "$cluster"
finish
