import type { Case, Step } from "../case.js";

const busybox = "sockerless-test/busybox";
const filters = (f: object) => encodeURIComponent(JSON.stringify(f));
/** Events of this case so far: from its start until now. */
const past = (f: object) => `/events?since={start}&until={now}&filters=${filters(f)}`;

const create = (name: string, cmd: string[], labels: Record<string, string> = {}): Step => ({
  method: "POST",
  path: `/containers/create?name=${name}`,
  body: { Image: busybox, Cmd: cmd, Labels: labels },
});
/** Create, start, wait for the exit and remove: create, start, die, destroy. */
const runOnce = (name: string, cmd: string[], labels: Record<string, string> = {}): Step[] => [
  create(name, cmd, labels),
  { method: "POST", path: `/containers/${name}/start` },
  { method: "POST", path: `/containers/${name}/wait?condition=not-running` },
  { method: "DELETE", path: `/containers/${name}` },
];
const remove = (name: string): Step => ({ method: "DELETE", path: `/containers/${name}?force=1` });

/** Docker 28's filters.FromJSON refuses malformed filters itself; Docker 20.10 passed the JSON error on as 500. */
const malformedFilters = { status: 400, body: { message: "invalid filter" }, why: "Docker 28 answers malformed filters with 400 \"invalid filter\"" };

const basic = ["Type", "Action", "Actor.Attributes.name"];
const legacy = ["status", "id", "from", "Type", "Action", "Actor.ID", "Actor.Attributes.name", "Actor.Attributes.image", "scope"];

/** GET /events replayed between since and until, its filters and errors, and GET /system/df. */
export const eventCases: Case[] = [
  {
    name: "events of a container run, with the deprecated fields",
    setup: runOnce("ev-run", ["true"]),
    request: { method: "GET", path: past({ container: ["ev-run"] }) },
    compare: "exact",
    lines: legacy,
    headers: ["Content-Type"],
  },
  {
    name: "die carries the exit code and the container's labels",
    setup: runOnce("ev-die", ["sh", "-c", "exit 3"], { team: "red" }),
    request: { method: "GET", path: past({ container: ["ev-die"], event: ["die"] }) },
    compare: "exact",
    lines: [...basic, "Actor.Attributes.exitCode", "Actor.Attributes.team"],
  },
  {
    name: "filter by two events",
    setup: runOnce("ev-two", ["true"]),
    request: { method: "GET", path: past({ container: ["ev-two"], event: ["start", "destroy"] }) },
    compare: "exact",
    lines: basic,
  },
  {
    name: "filter by type container",
    setup: runOnce("ev-type", ["true"]),
    request: { method: "GET", path: past({ type: ["container"], container: ["ev-type"] }) },
    compare: "exact",
    lines: basic,
  },
  {
    name: "filter by type image finds no container events",
    setup: runOnce("ev-img", ["true"]),
    request: { method: "GET", path: past({ type: ["image"], container: ["ev-img"] }) },
    compare: "exact",
    lines: basic,
  },
  {
    name: "filter by container name prefix",
    setup: [...runOnce("ev-prefix-a", ["true"]), ...runOnce("ev-prefix-b", ["true"])],
    request: { method: "GET", path: past({ container: ["ev-prefix"], event: ["create"] }) },
    compare: "exact",
    lines: basic,
  },
  {
    name: "filter by label key",
    setup: [...runOnce("ev-lk1", ["true"], { tier: "web" }), ...runOnce("ev-lk2", ["true"])],
    request: { method: "GET", path: past({ label: ["tier"], event: ["create"] }) },
    compare: "exact",
    lines: basic,
  },
  {
    name: "filter by label key=value",
    setup: [...runOnce("ev-lv1", ["true"], { tier: "web" }), ...runOnce("ev-lv2", ["true"], { tier: "db" })],
    request: { method: "GET", path: past({ label: ["tier=db"] }) },
    compare: "exact",
    lines: basic,
  },
  {
    name: "filter by a label nobody has",
    setup: runOnce("ev-lnone", ["true"], { tier: "web" }),
    request: { method: "GET", path: past({ label: ["tier=none"] }) },
    compare: "exact",
    lines: basic,
  },
  {
    name: "filter by image, without its tag",
    setup: runOnce("ev-image", ["true"]),
    request: { method: "GET", path: past({ image: [busybox], container: ["ev-image"] }) },
    compare: "exact",
    lines: basic,
  },
  {
    name: "filter by image with its tag",
    setup: runOnce("ev-image-tag", ["true"]),
    request: { method: "GET", path: past({ image: [`${busybox}:latest`], container: ["ev-image-tag"] }) },
    compare: "exact",
    lines: basic,
  },
  {
    name: "filters in the legacy map form",
    setup: runOnce("ev-legacy", ["true"]),
    request: { method: "GET", path: `/events?since={start}&until={now}&filters=${filters({ container: { "ev-legacy": true }, event: { die: true } })}` },
    compare: "exact",
    lines: basic,
  },
  {
    name: "an unknown filter key is ignored",
    setup: runOnce("ev-unknown", ["true"]),
    request: { method: "GET", path: past({ container: ["ev-unknown"], nonsense: ["x"] }) },
    compare: "exact",
    lines: basic,
  },
  {
    name: "kill names the signal by number",
    setup: [create("ev-kill", ["sleep", "30"]), { method: "POST", path: "/containers/ev-kill/start" }, { method: "POST", path: "/containers/ev-kill/kill?signal=SIGKILL" }, { method: "POST", path: "/containers/ev-kill/wait?condition=not-running" }],
    request: { method: "GET", path: past({ container: ["ev-kill"], event: ["kill", "die"] }) },
    compare: "exact",
    lines: [...basic, "Actor.Attributes.signal", "Actor.Attributes.exitCode"],
    cleanup: [remove("ev-kill")],
  },
  {
    name: "forced removal of a running container: kill, die, destroy",
    // It ends at SIGTERM, so a backend that can only stop containers (SIGTERM, then SIGKILL after a grace period) removes it at once.
    setup: [create("ev-rmf", ["sh", "-c", "trap 'exit 0' TERM; sleep 30 & wait"]), { method: "POST", path: "/containers/ev-rmf/start" }, remove("ev-rmf")],
    request: { method: "GET", path: past({ container: ["ev-rmf"], event: ["kill", "die", "destroy"] }) },
    compare: "exact",
    lines: [...basic, "Actor.Attributes.signal"],
  },
  {
    name: "restart of an exited container: start, restart",
    setup: [...runOnce("ev-restart", ["true"]).slice(0, 3), { method: "POST", path: "/containers/ev-restart/restart" }, { method: "POST", path: "/containers/ev-restart/wait?condition=not-running" }],
    request: { method: "GET", path: past({ container: ["ev-restart"], event: ["start", "restart"] }) },
    compare: "exact",
    lines: basic,
    cleanup: [remove("ev-restart")],
  },
  {
    name: "rename carries the old name",
    setup: [create("ev-old", ["true"]), { method: "POST", path: "/containers/ev-old/rename?name=ev-new" }],
    request: { method: "GET", path: past({ container: ["ev-new"], event: ["rename"] }) },
    compare: "exact",
    lines: [...basic, "Actor.Attributes.oldName"],
    cleanup: [remove("ev-new")],
  },
  {
    name: "an until in the future ends the stream then",
    request: { method: "GET", path: `/events?since={now}&until={now+1}&filters=${filters({ container: ["ev-nobody"] })}` },
    compare: "exact",
    lines: basic,
  },
  { name: "filters that are not JSON", request: { method: "GET", path: "/events?until=1&filters=%7B" }, compare: "exact", subject: malformedFilters },
  { name: "filters that are a JSON array", request: { method: "GET", path: `/events?until=1&filters=${encodeURIComponent("[1]")}` }, compare: "exact", subject: malformedFilters },
  { name: "filters mixing the two forms", request: { method: "GET", path: `/events?until=1&filters=${filters({ type: ["container"], event: { die: true } })}` }, compare: "exact", subject: malformedFilters },
  { name: "since as a duration is refused by the daemon", request: { method: "GET", path: "/events?since=10m&until=1" }, compare: "exact" },
  { name: "until as a date is refused by the daemon", request: { method: "GET", path: "/events?until=2024-01-01T00:00:00Z" }, compare: "exact" },
  { name: "a bad fraction of a second", request: { method: "GET", path: "/events?since=1.x&until=2" }, compare: "exact" },
  { name: "since after until", request: { method: "GET", path: "/events?since=20&until=10" }, compare: "exact" },
  {
    name: "system df without containers of this case",
    request: { method: "GET", path: "/system/df" },
    compare: "shape",
    ignore: ["Images", "Containers", "BuilderSize"],
    why: "other suites' images and containers may be present on either engine; their shapes are checked below",
  },
  {
    name: "system df with a container",
    setup: [create("df-one", ["true"])],
    request: { method: "GET", path: "/v1.41/system/df" },
    compare: "shape",
    ignore: ["BuilderSize"],
    cleanup: [remove("df-one")],
  },
  {
    name: "system df ignores type before API 1.42",
    request: { method: "GET", path: "/v1.41/system/df?type=nope" },
    compare: "status",
  },
  {
    name: "system df refuses an unknown type",
    request: { method: "GET", path: "/system/df?type=nope" },
    compare: "exact",
    subject: { status: 400, body: { message: "unknown object type: nope" }, why: "the type parameter exists from API 1.42; Docker 20.10 (API 1.41) ignores it" },
  },
  {
    name: "system df of containers only",
    request: { method: "GET", path: "/system/df?type=container" },
    compare: "status",
    subject: { status: 200, why: "the type parameter exists from API 1.42, beyond Docker 20.10's API 1.41" },
  },
];
