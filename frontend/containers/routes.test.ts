import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSYBOX_IMAGE } from "../../conformance/images/busybox.js";
import { loadBusybox, startTestDaemon, type TestDaemon } from "../testing.js";

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
  const r = await loadBusybox(d);
  expect(r.body).toContain(`Loaded image: ${BUSYBOX_IMAGE}`);
});
afterAll(() => d.close());

const create = (body: object, name?: string) =>
  d.request("POST", `/containers/create${name ? `?name=${name}` : ""}`, JSON.stringify(body), { "Content-Type": "application/json" });

describe("container records", () => {
  it("creates with the image's defaults and Docker's inspect fields", async () => {
    const r = await create({ Image: BUSYBOX_IMAGE, Env: ["A=1"], Labels: { l: "v" } }, "first");
    expect(r.status).toBe(201);
    const { Id } = r.json();
    expect(Id).toMatch(/^[0-9a-f]{64}$/);
    const c = (await d.request("GET", `/containers/first/json`)).json();
    expect(c.Id).toBe(Id);
    expect(c.Name).toBe("/first");
    expect(c.Path).toBe("sh");
    expect(c.Config.Env).toEqual(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "A=1"]);
    expect(c.Config.Labels).toEqual({ l: "v" });
    expect(c.Config.Hostname).toBe(Id.slice(0, 12));
    expect(c.State.Status).toBe("created");
    expect((await d.request("GET", `/containers/${Id.slice(0, 8)}/json`)).json().Id).toBe(Id);
  });

  it("fills in the default log driver and moves a container-wide MAC address to the main network", async () => {
    const r = await create({ Image: BUSYBOX_IMAGE, Cmd: ["sleep", "30"], MacAddress: "02:42:ac:11:00:0a", HostConfig: { LogConfig: { Type: "", Config: { "max-file": "2" } } } }, "mac");
    expect(r.json().Warnings).toEqual(["The container-wide MacAddress field is now deprecated. It should be specified in EndpointsConfig instead."]);
    expect((await d.request("POST", "/containers/mac/start")).status).toBe(204);
    const c = (await d.request("GET", "/containers/mac/json")).json();
    expect(c.HostConfig.LogConfig).toEqual({ Type: "json-file", Config: { "max-file": "2" } });
    expect(c.Config.MacAddress).toBeUndefined();
    expect(c.NetworkSettings.Networks.bridge.MacAddress).toBe("02:42:ac:11:00:0a");
    const mismatch = await create({ Image: BUSYBOX_IMAGE, MacAddress: "02:42:ac:11:00:0a", NetworkingConfig: { EndpointsConfig: { bridge: { MacAddress: "02:42:ac:11:00:0b" } } } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json().message).toBe("the container-wide MAC address must match the endpoint-specific MAC address for the main network, or be left empty");
    const old = await d.request("POST", "/v1.41/containers/create", JSON.stringify({ Image: BUSYBOX_IMAGE, MacAddress: "02:42:ac:11:00:0c", HostConfig: { NetworkMode: "none" } }), { "Content-Type": "application/json" });
    expect(old.json()).toEqual({ message: "conflicting options: mac-address and the network mode" });
    expect((await d.request("DELETE", "/containers/mac?force=1")).status).toBe(204);
  });

  it("refuses a name in use, a bad name and an unknown image", async () => {
    expect((await create({ Image: BUSYBOX_IMAGE }, "first")).status).toBe(409);
    expect((await create({ Image: BUSYBOX_IMAGE }, "bad%20name")).json().message).toMatch(/^Invalid container name/);
    const unknown = await create({ Image: "nope" });
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toEqual({ message: "No such image: nope:latest" });
    expect((await create({})).json()).toEqual({ message: "Config cannot be empty in order to create a container" });
  });

  it("lists running containers by default and all with all=1", async () => {
    expect((await d.request("GET", "/containers/json")).json()).toEqual([]);
    const all = (await d.request("GET", "/containers/json?all=1")).json();
    expect(all.map((c: { Names: string[] }) => c.Names)).toEqual([["/first"]]);
    expect(all[0]).toMatchObject({ State: "created", Status: "Created", Image: BUSYBOX_IMAGE, Command: "sh" });
  });

  it("removes an AutoRemove container whose start fails", async () => {
    const { Id } = (await create({ Image: BUSYBOX_IMAGE, Cmd: ["nope"], HostConfig: { AutoRemove: true } })).json();
    const r = await d.request("POST", `/containers/${Id}/start`);
    expect(r.status).toBe(400);
    expect(r.json().message).toMatch(/executable file not found/);
    expect((await d.request("GET", `/containers/${Id}/json`)).status).toBe(404);
  });

  it("waits, stops and kills as Docker does for a container that is not running", async () => {
    const wait = await d.request("POST", "/containers/first/wait");
    expect(wait.json()).toEqual({ StatusCode: 0, Error: null });
    expect((await d.request("POST", "/containers/first/wait?condition=bogus")).status).toBe(400);
    expect((await d.request("POST", "/containers/first/stop")).status).toBe(304);
    expect((await d.request("POST", "/containers/first/kill")).status).toBe(409);
  });

  it("pauses only a running container, and answers 501 naming the backend that cannot", async () => {
    const { Id } = (await d.request("GET", "/containers/first/json")).json();
    expect((await d.request("POST", "/containers/first/pause")).json()).toEqual({ message: `Container ${Id} is not running` });
    expect((await d.request("POST", "/containers/first/unpause")).json()).toEqual({ message: `Container ${Id} is not paused` });
    expect((await create({ Image: BUSYBOX_IMAGE, Cmd: ["sleep", "30"] }, "frozen")).status).toBe(201);
    expect((await d.request("POST", "/containers/frozen/start")).status).toBe(204);
    const paused = await d.request("POST", "/containers/frozen/pause");
    expect(paused.status).toBe(501);
    expect(paused.json()).toEqual({ message: "pause is not supported by the sandbox backend" });
    expect((await d.request("DELETE", "/containers/frozen?force=1")).status).toBe(204);
  });

  it("removes a container and then knows nothing of it", async () => {
    expect((await d.request("DELETE", "/containers/first")).status).toBe(204);
    expect((await d.request("GET", "/containers/first/json")).json()).toEqual({ message: "No such container: first" });
    expect((await d.request("DELETE", "/containers/first")).status).toBe(404);
  });
});
