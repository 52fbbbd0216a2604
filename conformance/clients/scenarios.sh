#!/usr/bin/env bash
# Unmodified clients (docker-py, dockerode) drive containers, exec, logs,
# attach and events on both engines. A check passes when it passes on the
# reference engine (which proves the expectation) and on sockerless.
# Usage: scenarios.sh REFERENCE_SOCKET SUBJECT_SOCKET
set -euo pipefail
ref=${1:?usage: scenarios.sh REFERENCE_SOCKET SUBJECT_SOCKET}
sub=${2:?usage: scenarios.sh REFERENCE_SOCKET SUBJECT_SOCKET}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
passed=0
failed=0
run() {
  local client=$1; shift
  "$@" "$ref" >"$out/$client.ref" 2>&1 || true
  "$@" "$sub" >"$out/$client.sub" 2>&1 || true
  # Every check must have printed a line on each engine; anything else is a crash.
  if ! grep -q '^\(PASS\|FAIL\) ' "$out/$client.ref" || ! grep -q '^\(PASS\|FAIL\) ' "$out/$client.sub"; then
    failed=$((failed + 1))
    printf 'FAIL clients: %s did not run\n--- reference\n%s\n--- sockerless\n%s\n' "$client" "$(cat "$out/$client.ref")" "$(cat "$out/$client.sub")"
    return
  fi
  local name
  while IFS= read -r name; do
    local r s
    r=$(grep -m1 -F "PASS $name" "$out/$client.ref" | grep -qx -F "PASS $name" && echo pass || grep -m1 -F "FAIL $name:" "$out/$client.ref" || echo missing)
    s=$(grep -m1 -F "PASS $name" "$out/$client.sub" | grep -qx -F "PASS $name" && echo pass || grep -m1 -F "FAIL $name:" "$out/$client.sub" || echo missing)
    if [ "$r" = pass ] && [ "$s" = pass ]; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
      printf 'FAIL clients: %s: %s\n  reference: %s\n  sockerless: %s\n' "$client" "$name" "$r" "$s"
    fi
  done < <(sed -n 's/^PASS \(.*\)$/\1/p; s/^FAIL \([^:]*\):.*$/\1/p' "$out/$client.ref" "$out/$client.sub" | sort -u)
  # Output that is neither a check line (a traceback, a warning) is shown.
  grep -hv '^\(PASS\|FAIL\) ' "$out/$client.ref" "$out/$client.sub" | sed "s/^/$client: /" || true
}
run docker-py /usr/bin/python3 "$root/conformance/clients/docker_py_scenario.py"
run dockerode node "$root/dist/conformance/clients/dockerode-scenario.js"
echo "clients: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
