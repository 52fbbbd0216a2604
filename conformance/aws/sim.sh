# Sourced by scripts that need an AWS simulator (they set $root):
# start_aws_sim DIR [SIM_ARGS...] starts `sockerless sim aws` on a free
# loopback port, its output in DIR, and exports AWS_ENDPOINT_URL, AWS_REGION
# and its credentials; stop_aws_sim stops it.
aws_sim_pid=""

start_aws_sim() {
  local dir=$1
  shift
  mkdir -p "$dir"
  node "$root/dist/cli/main.js" sim aws --listen 127.0.0.1:0 --log-level warn "$@" >"$dir/sim.out" 2>"$dir/sim.log" &
  aws_sim_pid=$!
  for _ in $(seq 1 100); do
    grep -q AWS_ENDPOINT_URL "$dir/sim.out" 2>/dev/null && break
    kill -0 "$aws_sim_pid" 2>/dev/null || break
    sleep 0.1
  done
  eval "$(grep AWS_ENDPOINT_URL "$dir/sim.out")" || { cat "$dir/sim.log" >&2; return 1; }
  [ -n "${AWS_ENDPOINT_URL:-}" ] || { echo "the AWS simulator did not start" >&2; cat "$dir/sim.log" >&2; return 1; }
  export AWS_ENDPOINT_URL AWS_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=$AWS_REGION
}

stop_aws_sim() {
  [ -n "$aws_sim_pid" ] || return 0
  kill "$aws_sim_pid" 2>/dev/null || true
  wait "$aws_sim_pid" 2>/dev/null || true
  aws_sim_pid=""
}
