import type { Case, Step } from "../case.js";

const busybox = "sockerless-test/busybox";
const createNetwork = (name: string, extra: object = {}): Step => ({ method: "POST", path: "/networks/create", body: { Name: name, ...extra } });
const removeNetwork = (name: string): Step => ({ method: "DELETE", path: `/networks/${name}` });
const filters = (f: object) => encodeURIComponent(JSON.stringify(f));
/** IDs and creation times are each engine's own; the reference runs without a default bridge, so it draws automatic subnets from 172.17.0.0/16 where sockerless (which has one) starts at 172.18.0.0/16. */
const own = { ignore: ["Id", "Created", "IPAM.Config"], why: "IDs, creation times and automatic subnets are each engine's own" };
const ipamWhy = "API 1.44 validates IPAM configuration at create and answers 400 with every problem found (unversioned; moby's ValidateIPAM)";

/** Networks: create, inspect, list, connect, disconnect, remove, prune. The reference runs with --bridge=none: it has host and none but no bridge network. */
export const networkCases: Case[] = [
  { name: "create a user network", request: createNetwork("cn-a", { Labels: { k: "v" } }), compare: "exact", ignore: ["Id"], why: "IDs are each engine's own", cleanup: [removeNetwork("cn-a")] },
  { name: "inspect a user network", setup: [createNetwork("cn-a", { Labels: { k: "v" }, Internal: true, Attachable: true })], request: { method: "GET", path: "/v1.41/networks/cn-a" }, compare: "exact", ...own, cleanup: [removeNetwork("cn-a")] },
  {
    name: "inspect a network with its own subnet",
    setup: [createNetwork("cn-s", { IPAM: { Config: [{ Subnet: "10.91.0.0/24", Gateway: "10.91.0.254" }] } })],
    request: { method: "GET", path: "/v1.41/networks/cn-s" },
    compare: "exact",
    ignore: ["Id", "Created"],
    why: "IDs and creation times are each engine's own",
    cleanup: [removeNetwork("cn-s")],
  },
  {
    name: "create a network whose name is taken",
    setup: [createNetwork("cn-d")],
    request: createNetwork("cn-d"),
    compare: "exact",
    subject: { status: 409, body: { message: "network with name cn-d already exists" }, why: "API 1.44 refuses duplicate network names systematically (CheckDuplicate deprecated)" },
    cleanup: [removeNetwork("cn-d")],
  },
  {
    name: "create with a gateway outside the subnet",
    request: createNetwork("cn-g", { IPAM: { Config: [{ Subnet: "10.92.0.0/24", Gateway: "10.93.0.1" }] } }),
    compare: "exact",
    subject: { status: 400, body: { message: "invalid network config:\ninvalid gateway 10.93.0.1: parent subnet 10.92.0.0/24 doesn't contain this address" }, why: ipamWhy },
  },
  {
    name: "create with an invalid subnet",
    request: createNetwork("cn-g", { IPAM: { Config: [{ Subnet: "10.92.0.0/33" }] } }),
    compare: "exact",
    subject: { status: 400, body: { message: "invalid network config:\ninvalid subnet 10.92.0.0/33: invalid CIDR block notation" }, why: ipamWhy },
  },
  { name: "create a second host network", request: createNetwork("cn-h", { Driver: "host" }), compare: "exact" },
  { name: "create with an unknown driver", request: createNetwork("cn-u", { Driver: "nope" }), compare: "exact" },
  { name: "create a network named bridge", request: createNetwork("bridge"), compare: "exact" },
  {
    name: "create a network with an empty name",
    request: createNetwork(""),
    compare: "exact",
    subject: { status: 400, body: { message: "invalid name: name is empty" }, why: "dockerd 28's libnetwork refuses only a blank name, with 400; 20.10 answered 500 and refused more names" },
  },
  { name: "inspect an unknown network", request: { method: "GET", path: "/networks/cn-nope" }, compare: "exact" },
  { name: "remove an unknown network", request: removeNetwork("cn-nope"), compare: "exact" },
  { name: "remove the host network", request: removeNetwork("host"), compare: "exact" },
  { name: "remove a user network", setup: [createNetwork("cn-r")], request: removeNetwork("cn-r"), compare: "exact" },
  {
    name: "list custom networks by name",
    setup: [createNetwork("cn-l1", { Labels: { team: "a" } }), createNetwork("cn-l2")],
    request: { method: "GET", path: `/v1.41/networks?filters=${filters({ name: ["cn-l"], type: ["custom"], label: ["team=a"] })}` },
    compare: "exact",
    ignore: ["Id", "Created", "IPAM.Config"],
    why: "IDs, creation times and automatic subnets are each engine's own",
    cleanup: [removeNetwork("cn-l1"), removeNetwork("cn-l2")],
  },
  { name: "list builtin networks by driver", request: { method: "GET", path: `/v1.41/networks?filters=${filters({ type: ["builtin"], driver: ["host"] })}` }, compare: "exact", ignore: ["Id", "Created"], why: "IDs and creation times are each engine's own" },
  { name: "list with an invalid type", request: { method: "GET", path: `/networks?filters=${filters({ type: ["x"] })}` }, compare: "exact" },
  { name: "connect an unknown container", setup: [createNetwork("cn-c")], request: { method: "POST", path: "/networks/cn-c/connect", body: { Container: "cn-nope" } }, compare: "exact", cleanup: [removeNetwork("cn-c")] },
  {
    name: "disconnect a container that is not connected",
    setup: [createNetwork("cn-c"), { method: "POST", path: "/containers/create?name=cn-x", body: { Image: busybox, Cmd: ["true"] } }],
    request: { method: "POST", path: "/networks/cn-c/disconnect", body: { Container: "cn-x" } },
    compare: "status",
    cleanup: [{ method: "DELETE", path: "/containers/cn-x?force=1" }, removeNetwork("cn-c")],
  },
  {
    name: "a created container's networks after connect",
    setup: [createNetwork("cn-c"), { method: "POST", path: "/containers/create?name=cn-y", body: { Image: busybox, Cmd: ["true"], HostConfig: { NetworkMode: "cn-c" } } }],
    request: { method: "GET", path: "/v1.41/containers/cn-y/json" },
    compare: "shape",
    ignore: ["NetworkSettings.Networks.cn-c.Aliases"],
    why: "dockerd 20.10 adds the short ID to a user network's aliases only once the container runs",
    cleanup: [{ method: "DELETE", path: "/containers/cn-y?force=1" }, removeNetwork("cn-c")],
  },
  {
    name: "prune by label",
    setup: [createNetwork("cn-p1", { Labels: { prune: "yes" } }), createNetwork("cn-p2")],
    request: { method: "POST", path: `/networks/prune?filters=${filters({ label: ["prune=yes"] })}` },
    compare: "exact",
    cleanup: [removeNetwork("cn-p2")],
  },
];
