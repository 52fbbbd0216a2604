# Sourced by the conformance scripts (which set $root): starts and stops a
# fresh sockerless daemon whose data, socket (DIR/docker.sock) and logs live
# in DIR.
sockerless_pid=""

# start_sockerless DIR [SERVE_ARGS...]: returns once the socket exists.
start_sockerless() {
  local dir=$1
  shift
  mkdir -p "$dir"
  node "$root/dist/cli/main.js" serve --data "$dir" -H "unix://$dir/docker.sock" --log-level warn "$@" >"$dir/stdout" 2>"$dir/daemon.log" &
  sockerless_pid=$!
  for _ in $(seq 1 100); do
    [ -S "$dir/docker.sock" ] && return 0
    kill -0 "$sockerless_pid" 2>/dev/null || { cat "$dir/daemon.log" >&2; return 1; }
    sleep 0.1
  done
  echo "sockerless did not open $dir/docker.sock in 10 s" >&2
  return 1
}

stop_sockerless() {
  [ -n "$sockerless_pid" ] || return 0
  kill "$sockerless_pid" 2>/dev/null || true
  wait "$sockerless_pid" 2>/dev/null || true
}
