import type { Case } from "../case.js";

const busybox = "sockerless-test/busybox";
const removeC1 = { method: "DELETE", path: "/containers/diff-c1?force=1" };

/** Error shapes for unknown objects and bad bodies, and the records behind them. */
export const errorCases: Case[] = [
  { name: "inspect an unknown container", request: { method: "GET", path: "/containers/nope/json" }, compare: "exact" },
  { name: "remove an unknown container", request: { method: "DELETE", path: "/containers/nope" }, compare: "exact" },
  { name: "start an unknown container", request: { method: "POST", path: "/containers/nope/start" }, compare: "exact" },
  { name: "wait on an unknown container", request: { method: "POST", path: "/containers/nope/wait" }, compare: "exact" },
  { name: "logs of an unknown container", request: { method: "GET", path: "/containers/nope/logs?stdout=1" }, compare: "exact" },
  { name: "inspect an unknown image", request: { method: "GET", path: "/images/nope/json" }, compare: "exact" },
  { name: "inspect an unknown image tag", request: { method: "GET", path: "/v1.41/images/nope:1/json" }, compare: "exact" },
  {
    name: "inspect an invalid image reference",
    request: { method: "GET", path: "/images/Bad/json" },
    compare: "exact",
    subject: {
      status: 400,
      body: { message: "invalid reference format: repository name (library/Bad) must be lowercase" },
      why: "Docker 28 returns the reference error unwrapped",
    },
  },
  { name: "create from an unknown image", request: { method: "POST", path: "/containers/create", body: { Image: "nope" } }, compare: "exact" },
  { name: "create with an empty config", request: { method: "POST", path: "/containers/create", body: {} }, compare: "exact" },
  {
    name: "create with an invalid name",
    request: { method: "POST", path: "/containers/create?name=bad%20name", body: { Image: busybox } },
    compare: "exact",
  },
  {
    name: "create with a name in use",
    setup: [{ method: "POST", path: "/containers/create?name=diff-c1", body: { Image: busybox, Cmd: ["true"] } }],
    request: { method: "POST", path: "/containers/create?name=diff-c1", body: { Image: busybox } },
    compare: "exact",
    cleanup: [removeC1],
  },
  {
    name: "create with malformed JSON",
    request: { method: "POST", path: "/containers/create", body: "{", headers: { "Content-Type": "application/json" } },
    compare: "status",
    subject: { status: 400, why: "Docker 28 answers invalid JSON with 400; 20.10 answered 500" },
  },
  {
    name: "create with a JSON array",
    request: { method: "POST", path: "/containers/create", body: "[1]", headers: { "Content-Type": "application/json" } },
    compare: "status",
    subject: { status: 400, why: "Docker 28 answers invalid JSON with 400; 20.10 answered 500" },
  },
  {
    name: "create with a non-JSON content type",
    request: { method: "POST", path: "/containers/create", body: "{}", headers: { "Content-Type": "text/plain" } },
    compare: "exact",
    subject: {
      status: 400,
      body: { message: "unsupported Content-Type header (text/plain): must be 'application/json'" },
      why: "Docker 28's wording of the same check",
    },
  },
  {
    name: "create with an unknown restart policy",
    request: { method: "POST", path: "/containers/create", body: { Image: busybox, HostConfig: { RestartPolicy: { Name: "bogus" } } } },
    compare: "status",
    subject: {
      status: 400,
      body: { message: "invalid restart policy: unknown policy 'bogus'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'" },
      why: "Docker 28's wording of the same check",
    },
  },
  {
    name: "inspect a created container",
    setup: [{ method: "POST", path: "/containers/create?name=diff-c1", body: { Image: busybox, Cmd: ["echo", "hi"], Labels: { a: "b" } } }],
    request: { method: "GET", path: "/v1.41/containers/diff-c1/json" },
    compare: "shape",
    ignore: ["HostConfig", "NetworkSettings", "GraphDriver.Data", "Config.Env"],
    cleanup: [removeC1],
  },
  {
    name: "logs without a stream",
    setup: [{ method: "POST", path: "/containers/create?name=diff-c1", body: { Image: busybox, Cmd: ["true"] } }],
    request: { method: "GET", path: "/containers/diff-c1/logs" },
    compare: "exact",
    cleanup: [removeC1],
  },
  {
    name: "stop a container that is not running",
    setup: [{ method: "POST", path: "/containers/create?name=diff-c1", body: { Image: busybox, Cmd: ["true"] } }],
    request: { method: "POST", path: "/containers/diff-c1/stop" },
    compare: "exact",
    cleanup: [removeC1],
  },
  {
    name: "kill a container that is not running",
    setup: [{ method: "POST", path: "/containers/create?name=diff-c1", body: { Image: busybox, Cmd: ["true"] } }],
    request: { method: "POST", path: "/containers/diff-c1/kill" },
    compare: "exact",
    cleanup: [removeC1],
  },
  {
    name: "wait on a created container",
    setup: [{ method: "POST", path: "/containers/create?name=diff-c1", body: { Image: busybox, Cmd: ["true"] } }],
    request: { method: "POST", path: "/containers/diff-c1/wait" },
    compare: "exact",
    cleanup: [removeC1],
  },
  {
    name: "inspect the loaded test image",
    request: { method: "GET", path: `/v1.41/images/${busybox}/json` },
    compare: "shape",
    ignore: ["GraphDriver.Data", "ContainerConfig", "Container", "VirtualSize"],
  },
  {
    name: "the loaded test image has the reference engine's ID",
    request: { method: "GET", path: `/v1.41/images/${busybox}/json` },
    compare: "exact",
    ignore: ["GraphDriver", "ContainerConfig", "Container", "VirtualSize", "Metadata", "DockerVersion", "Size", "Created", "Config"],
  },
];
