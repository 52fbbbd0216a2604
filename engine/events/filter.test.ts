import { describe, expect, it } from "vitest";
import { FilterArgs } from "../filter-args.js";
import { EventFilter } from "./filter.js";
import { EventLog, type EventMessage } from "./log.js";

const web = { id: "abc123", name: "/web", config: { Image: "busybox:latest", Labels: { app: "shop", tier: "front" } } };
const matches = (filters: object, m: EventMessage) => new EventFilter(FilterArgs.fromJson(JSON.stringify(filters))).includes(m);

describe("event messages", () => {
  it("carry labels, image and name, and the deprecated fields for containers and images", () => {
    const log = new EventLog();
    const m = log.container(web, "die", { exitCode: "0" });
    expect(m).toMatchObject({ status: "die", id: "abc123", from: "busybox:latest", Type: "container", Action: "die", scope: "local" });
    expect(m.Actor).toEqual({ ID: "abc123", Attributes: { exitCode: "0", app: "shop", tier: "front", image: "busybox:latest", name: "web" } });
    expect(m.time).toBe(Number(m.timeNano / 1_000_000_000n));
    const img = log.image("sha256:1", "busybox:latest", "tag", { l: "1" });
    expect(img).toMatchObject({ status: "tag", id: "sha256:1", Actor: { ID: "sha256:1", Attributes: { l: "1", name: "busybox:latest" } } });
    expect(img.from).toBeUndefined();
    expect(log.log("network", "create", { ID: "n", Attributes: {} }).status).toBeUndefined();
  });

  it("keeps the last 256 and answers since/until from them", () => {
    const log = new EventLog();
    const all = Array.from({ length: 300 }, (_, i) => log.container(web, `a${i}`));
    const pass = new EventFilter(FilterArgs.fromJson(""));
    expect(log.subscribe(undefined, undefined, pass, () => {}).past).toEqual([]);
    expect(log.subscribe(0n, undefined, pass, () => {}).past.map((m) => m.Action)).toEqual(all.slice(44).map((m) => m.Action));
    expect(log.subscribe(all[100].timeNano, all[102].timeNano, pass, () => {}).past.map((m) => m.Action)).toEqual(["a100", "a101", "a102"]);
  });

  it("delivers live events until unsubscribed", () => {
    const log = new EventLog();
    const seen: string[] = [];
    const sub = log.subscribe(undefined, undefined, new EventFilter(FilterArgs.fromJson('{"event":["start"]}')), (m) => seen.push(m.Action));
    expect(log.listeners).toBe(1);
    log.container(web, "create");
    log.container(web, "start");
    sub.unsubscribe();
    log.container(web, "start");
    expect(seen).toEqual(["start"]);
    expect(log.listeners).toBe(0);
  });
});

describe("event filters", () => {
  const log = new EventLog();
  const die = log.container(web, "die");
  const health = log.container(web, "health_status: healthy");
  const exec = log.container(web, "exec_start: sh -c true");
  const tag = log.image("sha256:feed", "me/app:v1", "tag");

  it("read both JSON forms and refuse anything else as dockerd does", () => {
    expect(matches({ type: { container: true } }, die)).toBe(true);
    expect(matches({ type: ["image"] }, die)).toBe(false);
    expect(matches({ type: { container: false } }, die)).toBe(false);
    for (const bad of ["{", "[1]", '"x"', '{"type":"container"}', '{"type":[1]}', '{"type":["a"],"event":{"b":true}}']) expect(() => FilterArgs.fromJson(bad)).toThrow("invalid filter");
    expect(matches({ unknown: ["x"] }, die)).toBe(true);
  });

  it("match actions exactly, except bare health_status, exec_create and exec_start", () => {
    expect(matches({ event: ["die"] }, die)).toBe(true);
    expect(matches({ event: ["di"] }, die)).toBe(false);
    expect(matches({ event: ["health_status"] }, health)).toBe(true);
    expect(matches({ event: ["exec_start"] }, exec)).toBe(true);
    expect(matches({ event: ["exec_start:"] }, exec)).toBe(false);
  });

  it("match containers by ID or name prefix, labels by key or key=value, images with or without tag", () => {
    expect(matches({ container: ["abc"] }, die)).toBe(true);
    expect(matches({ container: ["we"] }, die)).toBe(true);
    expect(matches({ container: ["other"] }, die)).toBe(false);
    expect(matches({ label: ["app"] }, die)).toBe(true);
    expect(matches({ label: ["app=shop", "tier=front"] }, die)).toBe(true);
    expect(matches({ label: ["app=shop", "tier=back"] }, die)).toBe(false);
    expect(matches({ label: ["app"] }, tag)).toBe(false);
    expect(matches({ image: ["busybox"] }, die)).toBe(true);
    expect(matches({ image: ["busybox:latest"] }, die)).toBe(true);
    expect(matches({ image: ["me/app"] }, tag)).toBe(true);
    expect(matches({ image: ["sha256:feed"] }, tag)).toBe(true);
    expect(matches({ image: ["me/app"] }, die)).toBe(false);
    expect(matches({ scope: ["local"] }, die)).toBe(true);
    expect(matches({ scope: ["swarm"] }, die)).toBe(false);
    expect(matches({ network: ["x"] }, die)).toBe(false);
  });
});
