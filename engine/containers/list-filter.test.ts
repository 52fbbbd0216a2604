import { describe, expect, it } from "vitest";
import { FilterArgs } from "../filter-args.js";
import { filterContainers, type ListedContainer } from "./list-filter.js";

const hex = (n: number) => n.toString(16).padStart(2, "0").repeat(32);
function rec(n: number, over: Partial<ListedContainer> = {}): ListedContainer {
  return {
    id: hex(n),
    name: `/c${n}`,
    created: `2024-01-01T00:00:${String(n).padStart(2, "0")}.000000000Z`,
    imageId: "sha256:img",
    labels: {},
    status: "running",
    running: true,
    exitCode: 0,
    startedAt: "2024-01-01T00:00:00Z",
    health: "none",
    mounts: [],
    networks: [],
    ports: [],
    isTask: false,
    ...over,
  };
}
const exited = (n: number, code: number, over: Partial<ListedContainer> = {}) => rec(n, { status: "exited", running: false, exitCode: code, ...over });
const created = (n: number) => rec(n, { status: "created", running: false, startedAt: "0001-01-01T00:00:00Z" });

const images: Record<string, string> = { busybox: "sha256:img", "busybox:latest": "sha256:img", other: "sha256:other" };
const list = (records: ListedContainer[], filters: object | string, opts: { all?: boolean; limit?: number } = {}) =>
  filterContainers(records, { all: opts.all ?? false, limit: opts.limit ?? 0, filters: FilterArgs.fromJson(typeof filters === "string" ? filters : JSON.stringify(filters)) }, (r) => images[r]).map((c) => c.name);
const error = (records: ListedContainer[], filters: object | string) => {
  try {
    list(records, filters);
  } catch (err) {
    return { status: (err as { status: number }).status, message: (err as Error).message };
  }
  throw new Error("no error");
};

const set = [rec(1), exited(2, 0), exited(3, 3), created(4), rec(5, { labels: { a: "1", b: "x" } })];

describe("filter JSON", () => {
  it("accepts both forms and nothing", () => {
    expect(list(set, { name: ["c1"] })).toEqual(["/c1"]);
    expect(list(set, { name: { c1: true } })).toEqual(["/c1"]);
    expect(list(set, "")).toEqual(["/c5", "/c1"]);
    expect(list(set, "null")).toEqual(["/c5", "/c1"]);
  });

  it("refuses bad JSON, mixed forms and unknown keys with moby's messages", () => {
    expect(error(set, "notjson")).toEqual({ status: 400, message: "invalid filter" });
    expect(error(set, "[1]")).toEqual({ status: 400, message: "invalid filter" });
    expect(error(set, { name: ["a"], id: { b: true } })).toEqual({ status: 400, message: "invalid filter" });
    expect(error(set, { name: [1] })).toEqual({ status: 400, message: "invalid filter" });
    expect(error(set, { foo: ["x"] })).toEqual({ status: 400, message: "invalid filter 'foo'" });
  });
});

describe("container list", () => {
  it("shows running containers newest first; all, limit and status widen it", () => {
    expect(list(set, {})).toEqual(["/c5", "/c1"]);
    expect(list(set, {}, { all: true })).toEqual(["/c5", "/c4", "/c3", "/c2", "/c1"]);
    expect(list(set, {}, { limit: 2 })).toEqual(["/c5", "/c4"]);
    expect(list(set, { status: ["exited"] })).toEqual(["/c3", "/c2"]);
    expect(list(set, { status: ["exited", "created"] })).toEqual(["/c4", "/c3", "/c2"]);
  });

  it("matches names and ids as dockerd does", () => {
    expect(list(set, { name: ["c"] }, { all: true })).toHaveLength(5);
    expect(list(set, { name: ["^/c1$"] }, { all: true })).toEqual(["/c1"]);
    expect(list(set, { name: ["^c2$"] }, { all: true })).toEqual(["/c2"]);
    expect(list(set, { name: ["(?=c)"] }, { all: true })).toEqual([]);
    expect(list(set, { id: [hex(3).slice(0, 6)] }, { all: true })).toEqual(["/c3"]);
    expect(list(set, { id: [""] }, { all: true })).toEqual([]);
    expect(list([rec(1, { id: "ab" + hex(1).slice(2) }), rec(2, { id: "ab" + hex(2).slice(2) })], { id: ["ab"] })).toEqual([]);
    expect(list(set, { id: [hex(1)], name: ["c2"] }, { all: true })).toEqual([]);
  });

  it("matches labels by key and by key=value, all of them", () => {
    expect(list(set, { label: ["a"] })).toEqual(["/c5"]);
    expect(list(set, { label: ["a=1", "b"] })).toEqual(["/c5"]);
    expect(list(set, { label: ["a=2"] })).toEqual([]);
    expect(list(set, { label: ["a", "c"] })).toEqual([]);
  });

  it("matches exit codes of containers that ran, and checks them", () => {
    expect(list(set, { exited: ["3"] }, { all: true })).toEqual(["/c3"]);
    expect(list(set, { exited: ["0"] }, { all: true })).toEqual(["/c2"]);
    expect(list(set, { exited: ["0"] })).toEqual([]);
    expect(error(set, { exited: ["x"] })).toEqual({ status: 400, message: `invalid filter 'exited=x': strconv.Atoi: parsing "x": invalid syntax` });
  });

  it("validates status, health and is-task", () => {
    expect(error(set, { status: ["bogus"] }).message).toBe("invalid filter 'status=bogus': invalid value for state (bogus): must be one of created, running, paused, restarting, removing, exited, dead");
    expect(error(set, { health: ["bogus"] }).message).toBe("invalid filter 'health=bogus': invalid value for health (bogus): must be one of none, starting, healthy, unhealthy");
    expect(error(set, { "is-task": ["maybe"] }).message).toBe("invalid filter 'is-task=[maybe]'");
    expect(error(set, { "is-task": ["true", "false"] }).message).toBe("invalid filter 'is-task=[false true]'");
    expect(list(set, { health: ["none"] })).toEqual(["/c5", "/c1"]);
    expect(list(set, { health: ["healthy"] })).toEqual([]);
    expect(list(set, { "is-task": ["false"] })).toEqual(["/c5", "/c1"]);
    expect(list(set, { "is-task": ["1"] })).toEqual([]);
  });

  it("takes before and since by creation order, by id or name", () => {
    expect(list(set, { before: ["c3"] }, { all: true })).toEqual(["/c2", "/c1"]);
    expect(list(set, { since: ["/c3"] }, { all: true })).toEqual(["/c5", "/c4"]);
    expect(list(set, { since: [hex(2)], before: ["c5"] }, { all: true })).toEqual(["/c4", "/c3"]);
    expect(error(set, { before: ["nope"] })).toEqual({ status: 404, message: "No such container: nope" });
    expect(error(set, { since: [hex(2).slice(0, 12)] })).toEqual({ status: 404, message: `No such container: ${hex(2).slice(0, 12)}` });
  });

  it("matches ancestors by any reference to the image; an unknown one matches nothing", () => {
    const two = [rec(1), rec(2, { imageId: "sha256:other" })];
    expect(list(two, { ancestor: ["busybox"] })).toEqual(["/c1"]);
    expect(list(two, { ancestor: ["busybox:latest", "other"] })).toEqual(["/c2", "/c1"]);
    expect(list(two, { ancestor: ["nope"] })).toEqual([]);
  });

  it("matches volumes, networks, published and exposed ports", () => {
    const r = [
      rec(1, { mounts: [{ name: "data", source: "/var/lib/x", destination: "/data" }], networks: [{ name: "net1", id: "abcdef" }], ports: [{ privatePort: 80, publicPort: 8080, type: "tcp" }] }),
      rec(2, { ports: [{ privatePort: 53, type: "udp" }] }),
    ];
    expect(list(r, { volume: ["data"] })).toEqual(["/c1"]);
    expect(list(r, { volume: ["/data"] })).toEqual(["/c1"]);
    expect(list(r, { volume: ["/other"] })).toEqual([]);
    expect(list(r, { network: ["net1"] })).toEqual(["/c1"]);
    expect(list(r, { network: ["abc"] })).toEqual(["/c1"]);
    expect(list(r, { network: ["bridge"] })).toEqual([]);
    expect(list(r, { publish: ["8080"] })).toEqual(["/c1"]);
    expect(list(r, { publish: ["8000-8090/tcp"] })).toEqual(["/c1"]);
    expect(list(r, { expose: ["80/tcp"] })).toEqual(["/c1"]);
    expect(list(r, { expose: ["53/udp"] })).toEqual(["/c2"]);
    expect(list(r, { expose: ["53"] })).toEqual([]);
    expect(error(r, { publish: ["80:80"] })).toEqual({ status: 500, message: "filter for 'publish' should not contain ':': 80:80" });
    expect(error(r, { expose: ["abc"] })).toEqual({ status: 500, message: "error while looking up for expose abc: invalid start port 'abc': invalid syntax" });
    expect(error(r, { expose: ["90-80"] }).message).toBe("error while looking up for expose 90-80: invalid port range: 90-80");
    expect(error(r, { expose: ["70000"] }).message).toBe("error while looking up for expose 70000: invalid start port '70000': value out of range");
  });

  it("combines filters with limit after them", () => {
    expect(list(set, { status: ["exited", "running"] }, { limit: 2 })).toEqual(["/c5", "/c3"]);
    expect(list(set, { name: ["c"], label: ["a"] }, { all: true })).toEqual(["/c5"]);
  });
});
