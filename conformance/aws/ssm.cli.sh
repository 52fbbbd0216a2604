#!/usr/bin/env bash
# `aws ecs execute-command` through the aws CLI v2 and AWS's session-manager-plugin, when it is on PATH:
# the plugin opens the data channel, runs the command in the task's container and prints its output.
set -uo pipefail
source "$(dirname "$0")/cli-lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)

# AWS publishes the plugin as Go source; it is built once into a cache. Its release pins a 2016 twinj/uuid
# the module proxy no longer serves, so a stand-in with that API (New, NewV4, Bytes, String) replaces it;
# the plugin's own code is built unchanged.
plugin_version=v0.0.0-20260401221635-b79d06c1d3a2
build_plugin() {
  local dir=${XDG_CACHE_HOME:-$HOME/.cache}/sockerless/session-manager-plugin-$plugin_version
  if [ ! -x "$dir/session-manager-plugin" ]; then
    command -v go >/dev/null || return 1
    mkdir -p "$dir/uuid"
    printf 'module github.com/twinj/uuid\n\ngo 1.22\n' >"$dir/uuid/go.mod"
    cat >"$dir/uuid/uuid.go" <<'GO'
// Package uuid offers the pre-1.0 twinj/uuid API session-manager-plugin is written against.
package uuid

import (
	"crypto/rand"
	"fmt"
)

type UUID interface {
	Bytes() []byte
	String() string
}

type Format string

const CleanHyphen Format = "%x-%x-%x-%x-%x"

func SwitchFormat(Format) {}

type array [16]byte

func (a *array) Bytes() []byte { return a[:] }

func (a *array) String() string {
	return fmt.Sprintf(string(CleanHyphen), a[0:4], a[4:6], a[6:8], a[8:10], a[10:16])
}

func New(b []byte) UUID {
	var a array
	copy(a[:], b)
	return &a
}

func NewV4() UUID {
	var a array
	if _, err := rand.Read(a[:]); err != nil {
		panic(err)
	}
	a[6] = a[6]&0x0f | 0x40
	a[8] = a[8]&0x3f | 0x80
	return &a
}
GO
    printf 'module smpbuild\n\ngo 1.22\n\nreplace github.com/twinj/uuid => ./uuid\n' >"$dir/go.mod"
    (cd "$dir" && go get "github.com/aws/session-manager-plugin/src/sessionmanagerplugin-main@$plugin_version" &&
      go build -o session-manager-plugin github.com/aws/session-manager-plugin/src/sessionmanagerplugin-main) >"$dir/build.log" 2>&1 || return 1
  fi
  PATH=$dir:$PATH
}

if ! command -v session-manager-plugin >/dev/null && ! build_plugin; then
  echo "SKIP $suite: session-manager-plugin is not on PATH and could not be built from its Go module"
  exit 0
fi
if aws ecs list-clusters 2>&1 | grep -q "(UnknownOperationException)"; then
  echo "SKIP $suite: ECS answers with UnknownOperationException, so no session can be opened yet"
  exit 0
fi

cluster=ssm-cli-$(date +%s)
image=$(push_test_image "conformance/$cluster" latest 2>/dev/null)
aws ecs create-cluster --cluster-name "$cluster" >/dev/null
aws ecs register-task-definition --family "$cluster" --requires-compatibilities FARGATE --network-mode awsvpc --cpu 256 --memory 512 \
  --container-definitions "[{\"name\":\"app\",\"image\":\"$image\",\"command\":[\"sleep\",\"600\"],\"stopTimeout\":2}]" >/dev/null
task=$(aws ecs run-task --cluster "$cluster" --task-definition "$cluster" --launch-type FARGATE --enable-execute-command \
  --network-configuration 'awsvpcConfiguration={subnets=[subnet-12345678]}' --query 'tasks[0].taskArn' --output text)
for _ in $(seq 1 100); do
  [ "$(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" --query 'tasks[0].lastStatus' --output text)" = RUNNING ] && break
  sleep 0.2
done

# execute NAME COMMAND INPUT PATTERN: `aws ecs execute-command` with INPUT typed in prints PATTERN between the
# plugin's session lines and exits 0. The plugin reads its terminal until the session ends; an open pipe stands in.
execute() {
  local name=$1 command=$2 input=$3 pattern=$4 out status holder
  exec 3< <(printf '%b' "$input"; sleep 60)
  holder=$!
  out=$(timeout 60 "$AWS_CLI" --endpoint-url "$AWS_ENDPOINT_URL" ecs execute-command --cluster "$cluster" --task "$task" --container app \
    --command "$command" --interactive <&3 2>&1)
  status=$?
  exec 3<&-
  kill "$holder" 2>/dev/null
  if [ $status -eq 0 ] && echo "$out" | grep -q "^Starting session with SessionId: ecs-execute-command-" && echo "$out" | grep -q -- "$pattern" &&
    echo "$out" | grep -q "^Exiting session with sessionId: ecs-execute-command-"; then
    pass "$name"
  else
    fail "$name" "exit $status: $out"
  fi
}

execute "ecs execute-command runs a command through session-manager-plugin" "cat /etc/group" "" "root:x:0:"
execute "ecs execute-command runs a shell on what is typed" "/bin/sh" 'echo sum=$((6*7))\nexit\n' "sum=42"

aws ecs stop-task --cluster "$cluster" --task "$task" >/dev/null
finish
