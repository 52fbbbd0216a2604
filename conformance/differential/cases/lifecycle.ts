import type { Case, Step } from "../case.js";

const busybox = "sockerless-test/busybox";
const createNamed = (name: string, body: object = {}): Step => ({ method: "POST", path: `/containers/create?name=${name}`, body: { Image: busybox, ...body } });
const start = (name: string): Step => ({ method: "POST", path: `/containers/${name}/start` });
const wait = (name: string): Step => ({ method: "POST", path: `/containers/${name}/wait` });
const remove = (name: string): Step => ({ method: "DELETE", path: `/containers/${name}?force=1` });
const filters = (f: object) => encodeURIComponent(JSON.stringify(f));
/** PID 1 ignores SIGTERM: only SIGKILL ends it. */
const sleeper = (name: string): Step[] => [createNamed(name, { Cmd: ["sleep", "infinity"] }), start(name)];
/** It ends at SIGTERM, so a backend that can only stop containers (SIGTERM, then SIGKILL after a grace period) removes it at once. */
const stoppable = (name: string): Step[] => [createNamed(name, { Cmd: ["sh", "-c", "trap 'exit 0' TERM; sleep infinity & wait"] }), start(name)];
/** The reference runs with --bridge=none: it records a "bridge" endpoint and marks started containers NetworkDisabled; the sandbox has no network. */
const noNetwork = { ignore: ["NetworkSettings.Networks", "Config.NetworkDisabled"], why: "the reference engine runs without a bridge and the sandbox without a network" };
const policyWhy = "API 1.51 words restart policy errors as moby's validateRestartPolicy (Docker 25+)";

/** Start, stop, restart, kill, rename, update, prune and their validation, and logs' options. */
export const lifecycleCases: Case[] = [
  // rename
  { name: "rename to the same name", setup: [createNamed("lc-r1")], request: { method: "POST", path: "/containers/lc-r1/rename?name=lc-r1" }, compare: "exact", cleanup: [remove("lc-r1")] },
  { name: "rename to an empty name", setup: [createNamed("lc-r1")], request: { method: "POST", path: "/containers/lc-r1/rename?name=" }, compare: "exact", cleanup: [remove("lc-r1")] },
  { name: "rename to an invalid name", setup: [createNamed("lc-r1")], request: { method: "POST", path: "/containers/lc-r1/rename?name=bad%20n" }, compare: "exact", cleanup: [remove("lc-r1")] },
  {
    name: "rename to a name in use",
    setup: [createNamed("lc-r1"), createNamed("lc-r2")],
    request: { method: "POST", path: "/containers/lc-r1/rename?name=lc-r2" },
    compare: "exact",
    cleanup: [remove("lc-r1"), remove("lc-r2")],
  },
  { name: "rename an unknown container", request: { method: "POST", path: "/containers/lc-nope/rename?name=x" }, compare: "exact" },
  {
    name: "a renamed container answers to its new name only",
    setup: [createNamed("lc-r1"), { method: "POST", path: "/containers/lc-r1/rename?name=lc-r3" }],
    request: { method: "GET", path: "/containers/lc-r1/json" },
    compare: "exact",
    cleanup: [remove("lc-r3")],
  },
  // kill and stop
  { name: "kill with an invalid signal", setup: stoppable("lc-k1"), request: { method: "POST", path: "/containers/lc-k1/kill?signal=FOO" }, compare: "exact", cleanup: [remove("lc-k1")] },
  { name: "kill with a signal number", setup: sleeper("lc-k1"), request: { method: "POST", path: "/containers/lc-k1/kill?signal=9" }, compare: "exact", cleanup: [remove("lc-k1")] },
  {
    name: "the exit code of a killed container",
    setup: [...sleeper("lc-k1"), { method: "POST", path: "/containers/lc-k1/kill?signal=KILL" }],
    request: { method: "POST", path: "/containers/lc-k1/wait" },
    compare: "exact",
    cleanup: [remove("lc-k1")],
  },
  { name: "kill a container that is not running", setup: [createNamed("lc-k2")], request: { method: "POST", path: "/containers/lc-k2/kill" }, compare: "exact", cleanup: [remove("lc-k2")] },
  { name: "stop with a bad timeout", setup: stoppable("lc-s1"), request: { method: "POST", path: "/containers/lc-s1/stop?t=x" }, compare: "exact", cleanup: [remove("lc-s1")] },
  {
    name: "stop sends SIGKILL after the timeout",
    setup: [...sleeper("lc-s1"), { method: "POST", path: "/containers/lc-s1/stop?t=0" }],
    request: { method: "GET", path: "/v1.41/containers/lc-s1/json" },
    compare: "shape",
    ...noNetwork,
    cleanup: [remove("lc-s1")],
  },
  {
    name: "the exit code after stop with a zero timeout",
    setup: [...sleeper("lc-s1"), { method: "POST", path: "/containers/lc-s1/stop?t=0" }],
    request: { method: "POST", path: "/containers/lc-s1/wait" },
    compare: "exact",
    cleanup: [remove("lc-s1")],
  },
  // restart
  { name: "restart with a bad timeout", setup: stoppable("lc-rs"), request: { method: "POST", path: "/containers/lc-rs/restart?t=x" }, compare: "exact", cleanup: [remove("lc-rs")] },
  {
    name: "restart a stopped container",
    setup: [createNamed("lc-rs", { Cmd: ["sh", "-c", "trap 'exit 0' TERM; sleep infinity & wait"] }), { method: "POST", path: "/containers/lc-rs/restart?t=0" }],
    request: { method: "GET", path: "/containers/json?filters=" + filters({ name: ["lc-rs"], status: ["running"] }) },
    compare: "shape",
    cleanup: [remove("lc-rs")],
  },
  { name: "restart an unknown container", request: { method: "POST", path: "/containers/lc-nope/restart" }, compare: "exact" },
  // create validation
  {
    name: "create with an unknown restart policy",
    request: { method: "POST", path: "/containers/create", body: { Image: busybox, HostConfig: { RestartPolicy: { Name: "bogus" } } } },
    compare: "exact",
    subject: { status: 400, body: { message: "invalid restart policy: unknown policy 'bogus'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'" }, why: policyWhy },
  },
  {
    name: "create with a retry count on always",
    request: { method: "POST", path: "/containers/create", body: { Image: busybox, HostConfig: { RestartPolicy: { Name: "always", MaximumRetryCount: 2 } } } },
    compare: "exact",
    subject: { status: 400, body: { message: "invalid restart policy: maximum retry count can only be used with 'on-failure'" }, why: policyWhy },
  },
  {
    name: "create AutoRemove with a restart policy",
    request: { method: "POST", path: "/containers/create", body: { Image: busybox, HostConfig: { AutoRemove: true, RestartPolicy: { Name: "always" } } } },
    compare: "exact",
  },
  {
    name: "create with a health check interval below 1ms",
    request: { method: "POST", path: "/containers/create", body: { Image: busybox, Healthcheck: { Test: ["CMD", "true"], Interval: 10 } } },
    compare: "exact",
  },
  {
    name: "create with negative health check retries",
    request: { method: "POST", path: "/containers/create", body: { Image: busybox, Healthcheck: { Test: ["CMD", "true"], Retries: -1 } } },
    compare: "exact",
  },
  {
    name: "create with a memory limit below 6MB",
    request: { method: "POST", path: "/containers/create", body: { Image: busybox, HostConfig: { Memory: 1000 } } },
    compare: "exact",
  },
  ...[
    ["a relative working directory", { WorkingDir: "rel" }],
    ["swap below the memory limit", { HostConfig: { Memory: 10_000_000, MemorySwap: 7_000_000 } }],
    ["a memory limit below the reservation", { HostConfig: { Memory: 10_000_000, MemoryReservation: 20_000_000 } }],
    ["NanoCpus with a CPU quota", { HostConfig: { NanoCpus: 1_000_000_000, CpuQuota: 1000 } }],
    ["NanoCpus with a CPU period", { HostConfig: { NanoCpus: 1_000_000_000, CpuPeriod: 100000 } }],
    ["an out-of-range OomScoreAdj", { HostConfig: { OomScoreAdj: 5000 } }],
    ["a negative ShmSize", { HostConfig: { ShmSize: -1 } }],
  ].map(([what, body]): Case => ({ name: `create with ${what}`, request: { method: "POST", path: "/containers/create", body: { Image: busybox, ...(body as object) } }, compare: "exact" })),
  // update
  {
    name: "update with an unknown restart policy",
    setup: [createNamed("lc-u1")],
    request: { method: "POST", path: "/containers/lc-u1/update", body: { RestartPolicy: { Name: "bogus" } } },
    compare: "exact",
    subject: { status: 400, body: { message: "invalid restart policy: unknown policy 'bogus'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'" }, why: policyWhy },
    cleanup: [remove("lc-u1")],
  },
  { name: "update with a memory limit below 6MB", setup: [createNamed("lc-u1")], request: { method: "POST", path: "/containers/lc-u1/update", body: { Memory: 1000 } }, compare: "exact", cleanup: [remove("lc-u1")] },
  {
    name: "update the restart policy of an AutoRemove container",
    setup: [createNamed("lc-u2", { Cmd: ["sleep", "infinity"], HostConfig: { AutoRemove: true } })],
    request: { method: "POST", path: "/containers/lc-u2/update", body: { RestartPolicy: { Name: "always" } } },
    compare: "exact",
    cleanup: [remove("lc-u2")],
  },
  {
    name: "update the restart policy",
    setup: [createNamed("lc-u1"), { method: "POST", path: "/containers/lc-u1/update", body: { RestartPolicy: { Name: "on-failure", MaximumRetryCount: 3 } } }],
    request: { method: "GET", path: "/v1.41/containers/lc-u1/json" },
    compare: "shape",
    ...noNetwork,
    cleanup: [remove("lc-u1")],
  },
  { name: "update an unknown container", request: { method: "POST", path: "/containers/lc-nope/update", body: {} }, compare: "exact" },
  // prune
  {
    name: "prune with an unknown filter",
    request: { method: "POST", path: "/containers/prune?filters=" + filters({ bogus: ["x"] }) },
    compare: "exact",
    subject: { status: 400, body: { message: "invalid filter 'bogus'" }, why: "moby's filters.Validate has said 'invalid filter' in lower case since Docker 23" },
  },
  { name: "prune with a bad until", request: { method: "POST", path: "/containers/prune?filters=" + filters({ until: ["abc"] }) }, compare: "exact" },
  { name: "prune with two until filters", request: { method: "POST", path: "/containers/prune?filters=" + filters({ until: ["1h", "2h"] }) }, compare: "exact" },
  {
    name: "prune by label",
    setup: [createNamed("lc-p1", { Labels: { "lc-prune": "1" } }), createNamed("lc-p2", { Labels: { "lc-prune": "2" } })],
    request: { method: "POST", path: "/containers/prune?filters=" + filters({ label: ["lc-prune=1"] }) },
    compare: "exact",
    ignore: ["SpaceReclaimed"],
    why: "the writable layer's size depends on each engine's file system",
    cleanup: [remove("lc-p2")],
  },
  {
    name: "prune spares what label! excludes",
    setup: [createNamed("lc-p3", { Labels: { "lc-prune": "keep" } })],
    request: { method: "POST", path: "/containers/prune?filters=" + filters({ "label!": ["lc-prune=keep"], label: ["lc-prune=keep"] }) },
    compare: "exact",
    cleanup: [remove("lc-p3")],
  },
];

const logged = (name: string): Step[] => [createNamed(name, { Cmd: ["sh", "-c", "echo one; echo two >&2; echo three; printf partial"] }), start(name), wait(name)];
const logs = (query: string): Step => ({ method: "GET", path: `/containers/lc-l1/logs?${query}` });
/** A case whose answer holds the logged output: it tells stdout from stderr. */
const streams = { needs: ["stderr"] };

/** `GET /containers/{id}/logs` options on a finished container. */
export const logCases: Case[] = [
  { name: "logs of stdout", ...streams, setup: logged("lc-l1"), request: logs("stdout=1"), compare: "exact", cleanup: [remove("lc-l1")] },
  { name: "logs of stderr", ...streams, setup: logged("lc-l1"), request: logs("stderr=1"), compare: "exact", cleanup: [remove("lc-l1")] },
  // The order of stdout and stderr lines written together is not fixed in dockerd, so the tail is taken of stdout alone.
  {
    name: "logs with tail",
    setup: [createNamed("lc-l1", { Cmd: ["sh", "-c", "echo one; echo two; echo three"] }), start("lc-l1"), wait("lc-l1")],
    request: logs("stdout=1&tail=2"),
    compare: "exact",
    cleanup: [remove("lc-l1")],
  },
  {
    name: "logs of a last line without a newline",
    needs: ["rawOutput"],
    setup: [createNamed("lc-l1", { Cmd: ["sh", "-c", "echo one; printf partial"] }), start("lc-l1"), wait("lc-l1")],
    request: logs("stdout=1"),
    compare: "exact",
    cleanup: [remove("lc-l1")],
  },
  { name: "logs with tail 0", setup: logged("lc-l1"), request: logs("stdout=1&tail=0"), compare: "exact", cleanup: [remove("lc-l1")] },
  { name: "logs with an unparsable tail", ...streams, setup: logged("lc-l1"), request: logs("stdout=1&tail=x"), compare: "exact", cleanup: [remove("lc-l1")] },
  { name: "logs with timestamps", ...streams, setup: logged("lc-l1"), request: logs("stdout=1&timestamps=1"), compare: "exact", cleanup: [remove("lc-l1")] },
  { name: "logs with details", ...streams, setup: logged("lc-l1"), request: logs("stdout=1&details=1"), compare: "exact", cleanup: [remove("lc-l1")] },
  { name: "logs since the future", setup: logged("lc-l1"), request: logs("stdout=1&since={now+3600}"), compare: "exact", cleanup: [remove("lc-l1")] },
  { name: "logs until the distant past", setup: logged("lc-l1"), request: logs("stdout=1&until=1"), compare: "exact", cleanup: [remove("lc-l1")] },
  { name: "logs since the start of the case", ...streams, setup: logged("lc-l1"), request: logs("stdout=1&since={start}"), compare: "exact", cleanup: [remove("lc-l1")] },
  { name: "logs with a bad since", setup: logged("lc-l1"), request: logs("stdout=1&since=abc"), compare: "exact", cleanup: [remove("lc-l1")] },
  { name: "logs without a stream", setup: logged("lc-l1"), request: logs("follow=1"), compare: "exact", cleanup: [remove("lc-l1")] },
  { name: "follow the logs of a stopped container", ...streams, setup: logged("lc-l1"), request: logs("stdout=1&follow=1"), compare: "exact", cleanup: [remove("lc-l1")] },
  {
    name: "logs of a TTY container",
    setup: [createNamed("lc-l1", { Tty: true, Cmd: ["sh", "-c", "echo one; echo two"] }), start("lc-l1"), wait("lc-l1")],
    request: logs("stdout=1&stderr=1"),
    compare: "exact",
    cleanup: [remove("lc-l1")],
  },
];
