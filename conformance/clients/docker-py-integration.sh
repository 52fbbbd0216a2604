#!/usr/bin/env bash
# Runs docker-py's own integration tests for containers, exec, logs, volumes and networks,
# unchanged, against a fresh sockerless daemon. Long; not part of `make
# conformance` (run it with `make conformance-docker-py`).
#
# The tests come from the docker package's source distribution on PyPI,
# downloaded into .cache/ (never committed). They use TEST_IMG =
# 'alpine:3.10' and 'alpine' and pull only when the image is missing; Docker
# Hub is unreachable here, so the offline busybox test image is loaded under
# those names instead.
# Usage: docker-py-integration.sh [PYTEST_ARGS...]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# 7.1.0's sdist ships no tests; 7.0.0 is the newest 7.x release whose sdist does.
version=${DOCKER_PY_TEST_VERSION:-7.0.0}
cache="$root/.cache/docker-py"
work="${CONFORMANCE_WORK:-$root/.cache/conformance}/docker-py"
files=(api_container_test.py api_exec_test.py models_containers_test.py api_volume_test.py models_volumes_test.py api_network_test.py models_networks_test.py)

bash "$root/conformance/reference/install.sh"
# The tests' helpers import paramiko (for their ssh variants) at load time.
if ! /usr/bin/python3 -c "import pytest, paramiko" 2>/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends python3-pytest python3-paramiko >/dev/null 2>&1
fi
src="$cache/docker-$version"
if [ ! -d "$src/tests/integration" ]; then
  mkdir -p "$cache"
  python3 -m pip download "docker==$version" --no-binary :all: --no-deps -d "$cache" -q
  tar -xzf "$cache/docker-$version.tar.gz" -C "$cache"
fi

rm -rf "$work"
sock="$work/sockerless/docker.sock"
source "$root/conformance/sockerless.sh"
trap stop_sockerless EXIT
# The bind-mount tests mount directories they make with Python's tempfile, under /tmp.
start_sockerless "$work/sockerless" --bind-root /tmp
node "$root/dist/conformance/images/build.js" "$work/images" >/dev/null
/usr/bin/python3 "$root/conformance/clients/retag_archive.py" "$work/images/busybox.tar" "$work/images/as-alpine.tar" alpine:3.10 alpine:latest busybox:latest
DOCKER_HOST="unix://$sock" docker load -q -i "$work/images/as-alpine.tar" >/dev/null

# The sdist's own docker package is the one under test (it is first on sys.path).
status=0
(cd "$src" && DOCKER_HOST="unix://$sock" PYTHONPATH="$src" timeout 3600 /usr/bin/python3 -m pytest -p no:cacheprovider -q -rN \
  --junitxml="$work/junit.xml" -o junit_family=xunit2 "${@}" "${files[@]/#/tests/integration/}" >"$work/pytest.log" 2>&1) || status=$?
[ -f "$work/junit.xml" ] || { tail -50 "$work/pytest.log"; exit 1; }
/usr/bin/python3 - "$work/junit.xml" <<'PY'
import collections, sys, xml.etree.ElementTree as ET
counts = collections.defaultdict(collections.Counter)
for case in ET.parse(sys.argv[1]).getroot().iter("testcase"):
    f = case.get("classname", "").split(".")[2] + ".py" if case.get("classname", "").count(".") >= 2 else case.get("classname")
    kinds = {c.tag for c in case}
    outcome = "failed" if kinds & {"failure", "error"} else "skipped" if "skipped" in kinds else "passed"
    counts[f][outcome] += 1
    if outcome == "failed":
        node = next(c for c in case if c.tag in ("failure", "error"))
        print(f"FAIL {f}::{case.get('name')}: {(node.get('message') or '').splitlines()[0][:200] if node.get('message') else node.tag}")
total = collections.Counter()
for f in sorted(counts):
    c = counts[f]
    total.update(c)
    print(f"{f}: {c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped")
print(f"docker-py integration: {total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
PY
echo "pytest log: $work/pytest.log"
exit $status
