# Sourced after engines.sh: a local registry (Debian's docker-registry) in
# $work/registry, its host:port exported as CONFORMANCE_REGISTRY, stopped with
# the engines on exit.
registry_dir="$work/registry"
bash "$root/conformance/registry/stop.sh" "$registry_dir"
rm -rf "$registry_dir"
export CONFORMANCE_REGISTRY=$(bash "$root/conformance/registry/start.sh" "$registry_dir")
trap 'bash "$root/conformance/registry/stop.sh" "$registry_dir"; stop_engines' EXIT
