# Sourced by the conformance and benchmark runners: starts the isolated
# reference engine and a fresh sockerless daemon, loads the offline test
# images into both, and stops both on exit. Sets ref_sock, sub_sock, sub_pid.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# CONFORMANCE_WORK lets several runs (each with its own engines) work side by side.
work="${CONFORMANCE_WORK:-$root/.cache/conformance}"
mkdir -p "$work"

bash "$root/conformance/reference/install.sh"
ref_sock=$(bash "$root/conformance/reference/start.sh" "$work/reference")
sub_dir="$work/sockerless"
sub_sock="$sub_dir/docker.sock"
rm -rf "$sub_dir"
source "$root/conformance/sockerless.sh"
# CONFORMANCE_BACKEND=docker runs sockerless on its docker backend, over a
# second isolated engine of its own, so the reference engine sees none of it.
# CONFORMANCE_BACKEND=ecs runs it on its ecs backend, over an AWS simulator
# of its own whose tasks run on the sandbox.
backend_args=()
sim_pid=""
stop_engines() {
  stop_sockerless
  bash "$root/conformance/reference/stop.sh" "$work/reference"
  [ "${CONFORMANCE_BACKEND:-sandbox}" != docker ] || bash "$root/conformance/reference/stop.sh" "$work/backend-engine"
  [ -z "$sim_pid" ] || { kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null || true; }
}
trap stop_engines EXIT
if [ "${CONFORMANCE_BACKEND:-sandbox}" = docker ]; then
  # Fresh each run: what an earlier run left there (networks holding subnets) must not shape this one.
  bash "$root/conformance/reference/stop.sh" "$work/backend-engine"
  rm -rf "$work/backend-engine"
  backend_sock=$(bash "$root/conformance/reference/start.sh" "$work/backend-engine")
  backend_args=(--backend docker --backend-opt "host=unix://$backend_sock")
elif [ "${CONFORMANCE_BACKEND:-sandbox}" = ecs ]; then
  sim_dir="$work/aws-simulator"
  rm -rf "$sim_dir"
  mkdir -p "$sim_dir"
  node "$root/dist/cli/main.js" sim aws --listen 127.0.0.1:0 --data "$sim_dir/data" --log-level warn >"$sim_dir/stdout" 2>"$sim_dir/sim.log" &
  sim_pid=$!
  for _ in $(seq 1 100); do grep -q AWS_ENDPOINT_URL "$sim_dir/stdout" && break; sleep 0.1; done
  eval "$(grep AWS_ENDPOINT_URL "$sim_dir/stdout")" || { cat "$sim_dir/sim.log" >&2; exit 1; }
  # The backend, like any AWS client, takes its credentials from the environment.
  export AWS_SECRET_ACCESS_KEY=test
  # What the ecs backend expects to exist: its cluster and the tasks' execution role.
  role=$(NODE_NO_WARNINGS=1 node -e '
    const { ECSClient, CreateClusterCommand } = require(process.argv[1] + "/node_modules/@aws-sdk/client-ecs");
    const { IAMClient, CreateRoleCommand } = require(process.argv[1] + "/node_modules/@aws-sdk/client-iam");
    const config = { endpoint: process.env.AWS_ENDPOINT_URL, region: process.env.AWS_REGION };
    (async () => {
      await new ECSClient(config).send(new CreateClusterCommand({ clusterName: "work" }));
      const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] });
      const { Role } = await new IAMClient(config).send(new CreateRoleCommand({ RoleName: "ecsTaskExecutionRole", AssumeRolePolicyDocument: policy }));
      console.log(Role.Arn);
    })().catch((e) => { console.error(e); process.exit(1); });' "$root")
  backend_args=(--backend ecs --backend-opt "region=$AWS_REGION,endpoint=$AWS_ENDPOINT_URL,cluster=work,subnets=subnet-12345678,executionRoleArn=$role,pollMs=50")
fi
start_sockerless "$sub_dir" "${backend_args[@]}"
sub_pid=$sockerless_pid

node "$root/dist/conformance/images/build.js" "$work/images" >/dev/null
for sock in "$ref_sock" "$sub_sock"; do
  for image in busybox wasi; do
    DOCKER_HOST="unix://$sock" docker load -q -i "$work/images/$image.tar" >/dev/null
  done
done
