import type { Case, Step } from "../case.js";

const busybox = "sockerless-test/busybox";
const json = (path: string, body: object): Step => ({ method: "POST", path, body });

/** lf-a exited with 3, lf-b created, lf-c running; newest last. */
const setup: Step[] = [
  json("/containers/create?name=lf-a", { Image: busybox, Cmd: ["sh", "-c", "exit 3"], Labels: { team: "a", tier: "db" } }),
  { method: "POST", path: "/containers/lf-a/start" },
  { method: "POST", path: "/containers/lf-a/wait" },
  json("/containers/create?name=lf-b", { Image: busybox, Cmd: ["true"], Labels: { team: "b" } }),
  // It ends at SIGTERM, so a backend that can only stop containers (SIGTERM, then SIGKILL after a grace period) removes it at once.
  json("/containers/create?name=lf-c", { Image: busybox, Cmd: ["sh", "-c", "trap 'exit 0' TERM; sleep 300 & wait"], Labels: { team: "c" } }),
  { method: "POST", path: "/containers/lf-c/start" },
];
const cleanup: Step[] = ["lf-a", "lf-b", "lf-c"].map((n) => ({ method: "DELETE", path: `/containers/${n}?force=1` }));

const ignore = ["Created", "Status", "HostConfig", "NetworkSettings"];
const why = "Created and Status are times; with --bridge=none the reference reports a bridge endpoint the sandbox does not have";

/** A list request over the lf- containers, compared field by field. */
function listed(name: string, filters: Record<string, string[]>, query = "all=1"): Case {
  const f = encodeURIComponent(JSON.stringify({ name: ["lf-"], ...filters }));
  return { name, setup, request: { method: "GET", path: `/containers/json?${query}&filters=${f}` }, compare: "exact", ignore, why, cleanup };
}

/** A filter the reference (20.10) refuses in its own words: the v1.51 message is expected of the subject. */
function refused(name: string, raw: string, status: number, message: string, reason = "moby's v1.51 wording of the same refusal", query = ""): Case {
  return { name, request: { method: "GET", path: `/containers/json?${query}filters=${encodeURIComponent(raw)}` }, compare: "exact", subject: { status, body: { message }, why: reason } };
}

export const listCases: Case[] = [
  listed("running containers only by default", {}, "all=0"),
  listed("all containers", {}),
  listed("all=yes counts as true", {}, "all=yes"),
  listed("limit includes stopped containers", {}, "limit=1"),
  listed("limit 2 without all", {}, "limit=2&all=0"),
  listed("status exited", { status: ["exited"] }, "all=0"),
  listed("status created", { status: ["created"] }, "all=0"),
  listed("status running", { status: ["running"] }),
  listed("two statuses", { status: ["exited", "created"] }),
  listed("exited code that ran", { exited: ["3"] }),
  listed("exited 0 matches no container that never ran", { exited: ["0"] }),
  listed("exited without all lists only running ones", { exited: ["3"] }, "all=0"),
  listed("label key", { label: ["team"] }),
  listed("label key=value", { label: ["team=a"] }),
  listed("two labels must both match", { label: ["team=a", "tier=db"] }),
  listed("label value that no container has", { label: ["team=z"] }),
  listed("id that matches nothing", { id: ["0000000000"] }),
  listed("before a container, by name", { before: ["lf-c"] }),
  listed("since a container, by name", { since: ["lf-a"] }),
  listed("since and before together", { since: ["lf-a"], before: ["lf-c"] }),
  listed("ancestor by name", { ancestor: [busybox] }),
  listed("ancestor by name and tag", { ancestor: [`${busybox}:latest`] }),
  listed("ancestor that is no image", { ancestor: ["lf-no-such-image"] }),
  listed("health none", { health: ["none"] }),
  listed("health healthy", { health: ["healthy"] }),
  listed("is-task false", { "is-task": ["false"] }),
  listed("is-task true", { "is-task": ["true"] }),
  listed("volume no container mounts", { volume: ["/lf-data"] }),
  listed("network no container is on", { network: ["lf-no-such-network"] }),
  listed("published port", { publish: ["8080"] }),
  listed("exposed port", { expose: ["80/tcp"] }),
  listed("exposed port range", { expose: ["8000-8080/udp"] }),
  listed("name as an anchored regular expression", { name: ["^/lf-a$"] }),
  listed("status with label and limit", { status: ["exited", "running"], label: ["team"] }, "limit=1"),
  {
    name: "legacy filter form",
    setup,
    request: { method: "GET", path: `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify({ name: { "lf-b": true } }))}` },
    compare: "exact",
    ignore,
    why,
    cleanup,
  },
  {
    name: "size=1 adds sizes",
    needs: ["size"],
    setup,
    request: { method: "GET", path: `/containers/json?all=1&size=1&filters=${encodeURIComponent(JSON.stringify({ name: ["lf-a"] }))}` },
    compare: "shape",
    cleanup,
  },
  refused("a limit that is not a number", "{}", 400, 'strconv.Atoi: parsing "abc": invalid syntax', "v1.51 marks a bad limit as an invalid parameter (400); 20.10 answered 500", "limit=abc&"),
  refused("an unknown filter key", '{"lf-nope":["x"]}', 400, "invalid filter 'lf-nope'"),
  refused("filters that are not JSON", "notjson", 400, "invalid filter", "v1.51 answers unparsable filters with moby's invalid filter error (400); 20.10 passed the JSON error on as 500"),
  refused("an invalid status", '{"status":["bogus"]}', 400, "invalid filter 'status=bogus': invalid value for state (bogus): must be one of created, running, paused, restarting, removing, exited, dead"),
  refused("an invalid health", '{"health":["bogus"]}', 400, "invalid filter 'health=bogus': invalid value for health (bogus): must be one of none, starting, healthy, unhealthy"),
  refused("an exit code that is not a number", '{"exited":["abc"]}', 400, `invalid filter 'exited=abc': strconv.Atoi: parsing "abc": invalid syntax`, "v1.51 refuses it as an invalid filter (400); 20.10 answered 500"),
  refused("is-task that is not a boolean", '{"is-task":["maybe"]}', 400, "invalid filter 'is-task=[maybe]'"),
  refused("before an unknown container", '{"before":["lf-nope"]}', 404, "No such container: lf-nope", "v1.51 answers an unknown container with 404; 20.10 answered 500"),
  { name: "a published port with a colon", request: { method: "GET", path: `/containers/json?filters=${encodeURIComponent('{"publish":["80:80"]}')}` }, compare: "exact" },
];
