#!/usr/bin/env bash
# Installs the reference engine (Debian's docker.io), the local registry and
# the packages the offline test images are built from (busybox, bash, clang for WASI).
set -euo pipefail
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v docker-registry >/dev/null || need+=(docker-registry)
[ -x /bin/busybox ] || need+=(busybox-static)
[ -x /bin/bash-static ] || need+=(bash-static)
/usr/bin/python3 -c "import docker" 2>/dev/null || need+=(python3-docker)
# The WASI test program is compiled with clang for wasm32-wasi.
command -v clang-14 >/dev/null || need+=(clang-14 lld-14)
[ -f /usr/lib/wasm32-wasi/libc.a ] || need+=(wasi-libc)
ls /usr/lib/llvm-14/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1 || need+=(libclang-rt-14-dev-wasm32)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
