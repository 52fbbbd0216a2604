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
stop_engines() {
  stop_sockerless
  bash "$root/conformance/reference/stop.sh" "$work/reference"
  [ "${CONFORMANCE_BACKEND:-sandbox}" != docker ] || bash "$root/conformance/reference/stop.sh" "$work/backend-engine"
  [ "${CONFORMANCE_BACKEND:-sandbox}" != ecs ] || stop_aws_sim
}
trap stop_engines EXIT
if [ "${CONFORMANCE_BACKEND:-sandbox}" = docker ]; then
  # Fresh each run: what an earlier run left there (networks holding subnets) must not shape this one.
  bash "$root/conformance/reference/stop.sh" "$work/backend-engine"
  rm -rf "$work/backend-engine"
  backend_sock=$(bash "$root/conformance/reference/start.sh" "$work/backend-engine")
  backend_args=(--backend docker --backend-opt "host=unix://$backend_sock")
elif [ "${CONFORMANCE_BACKEND:-sandbox}" = ecs ]; then
  source "$root/conformance/aws/sim.sh"
  rm -rf "$work/aws-simulator"
  start_aws_sim "$work/aws-simulator" --data "$work/aws-simulator/data" || exit 1
  backend_args=(--backend ecs --backend-opt "$(node "$root/dist/conformance/aws/ecs-setup.js" 50 2>/dev/null)")
fi
start_sockerless "$sub_dir" "${backend_args[@]}"
sub_pid=$sockerless_pid

node "$root/dist/conformance/images/build.js" "$work/images" >/dev/null
for sock in "$ref_sock" "$sub_sock"; do
  for image in busybox wasi; do
    DOCKER_HOST="unix://$sock" docker load -q -i "$work/images/$image.tar" >/dev/null
  done
done
