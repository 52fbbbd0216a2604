#!/usr/bin/env bash
# Unmodified clients (docker-py, dockerode) drive containers, exec, logs,
# attach and events on both engines. A check passes when it passes on the
# reference engine (which proves the expectation) and on sockerless; it is
# skipped when sockerless's backend declares unsupported what it needs (and
# the reference still passes it). A skip on the reference is a failure.
# Usage: scenarios.sh REFERENCE_SOCKET SUBJECT_SOCKET
set -euo pipefail
ref=${1:?usage: scenarios.sh REFERENCE_SOCKET SUBJECT_SOCKET}
sub=${2:?usage: scenarios.sh REFERENCE_SOCKET SUBJECT_SOCKET}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
passed=0
failed=0
skipped=0
# outcome FILE NAME: pass, skip, the FAIL line, or missing.
outcome() {
  grep -qx -F "PASS $2" "$1" && echo pass && return
  grep -q -F "SKIP $2: needs " "$1" && echo skip && return
  grep -m1 -F "FAIL $2:" "$1" || echo missing
}
run() {
  local client=$1; shift
  "$@" "$ref" >"$out/$client.ref" 2>&1 || true
  "$@" "$sub" >"$out/$client.sub" 2>&1 || true
  # Every check must have printed a line on each engine; anything else is a crash.
  if ! grep -q '^\(PASS\|FAIL\|SKIP\) ' "$out/$client.ref" || ! grep -q '^\(PASS\|FAIL\|SKIP\) ' "$out/$client.sub"; then
    failed=$((failed + 1))
    printf 'FAIL clients: %s did not run\n--- reference\n%s\n--- sockerless\n%s\n' "$client" "$(cat "$out/$client.ref")" "$(cat "$out/$client.sub")"
    return
  fi
  local name
  while IFS= read -r name; do
    local r s
    r=$(outcome "$out/$client.ref" "$name")
    s=$(outcome "$out/$client.sub" "$name")
    if [ "$r" = pass ] && [ "$s" = pass ]; then
      passed=$((passed + 1))
    elif [ "$r" = pass ] && [ "$s" = skip ]; then
      skipped=$((skipped + 1))
      grep -m1 -F "SKIP $name: needs " "$out/$client.sub" | sed "s/^SKIP /SKIP clients: $client: /"
    else
      failed=$((failed + 1))
      printf 'FAIL clients: %s: %s\n  reference: %s\n  sockerless: %s\n' "$client" "$name" "$r" "$s"
    fi
  done < <(sed -n 's/^PASS \(.*\)$/\1/p; s/^FAIL \([^:]*\):.*$/\1/p; s/^SKIP \(.*\): needs .*$/\1/p' "$out/$client.ref" "$out/$client.sub" | sort -u)
  # Output that is neither a check line (a traceback, a warning) is shown.
  grep -hv '^\(PASS\|FAIL\|SKIP\) ' "$out/$client.ref" "$out/$client.sub" | sed "s/^/$client: /" || true
}
run docker-py /usr/bin/python3 "$root/conformance/clients/docker_py_scenario.py"
run dockerode node "$root/dist/conformance/clients/dockerode-scenario.js"
echo "clients: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
