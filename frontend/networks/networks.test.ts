import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSYBOX_IMAGE } from "../../conformance/images/busybox.js";
import { loadBusybox, startTestDaemon, type TestDaemon } from "../testing.js";

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
  await loadBusybox(d);
});
afterAll(() => d.close());

const json = { "Content-Type": "application/json" };
const post = (path: string, body?: object) => d.request("POST", path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? {} : json);
const get = async (path: string) => (await d.request("GET", path)).json();

describe("networks", () => {
  it("has bridge, host and none with stable IDs", async () => {
    const list = await get("/networks");
    expect(list.map((n: any) => n.Name).sort()).toEqual(["bridge", "host", "none"]);
    const bridge = await get("/networks/bridge");
    expect(bridge.IPAM.Config).toEqual([{ Subnet: "172.17.0.0/16", Gateway: "172.17.0.1" }]);
    expect(bridge.Id).toMatch(/^[0-9a-f]{64}$/);
  });

  it("creates user networks with validated IPAM and refuses duplicates", async () => {
    const created = await post("/networks/create", { Name: "app", Labels: { tier: "x" }, IPAM: { Config: [{ Subnet: "10.77.0.0/24" }] }, Internal: true });
    expect(created.status).toBe(201);
    const n = await get(`/networks/${created.json().Id}`);
    expect(n).toMatchObject({ Name: "app", Driver: "bridge", Internal: true, Labels: { tier: "x" }, IPAM: { Driver: "default", Config: [{ Subnet: "10.77.0.0/24", Gateway: "10.77.0.1" }] } });
    const dup = await post("/networks/create", { Name: "app" });
    expect(dup.status).toBe(409);
    expect(dup.json().message).toBe("network with name app already exists");
    const bad = await post("/networks/create", { Name: "bad", IPAM: { Config: [{ Subnet: "10.78.0.0/24", Gateway: "10.79.0.1" }] } });
    expect(bad.json().message).toBe("invalid network config:\ninvalid gateway 10.79.0.1: parent subnet 10.78.0.0/24 doesn't contain this address");
    expect((await post("/networks/create", { Name: "bridge" })).status).toBe(403);
    const auto = (await post("/networks/create", { Name: "auto" })).json();
    expect((await get(`/networks/${auto.Id}`)).IPAM.Config[0].Subnet).toBe("172.18.0.0/16");
  });

  it("gives running containers addresses, aliases and DNS names, and releases them at exit", async () => {
    const c = (await post("/containers/create?name=web", { Image: BUSYBOX_IMAGE, Cmd: ["sleep", "infinity"], HostConfig: { NetworkMode: "app" }, NetworkingConfig: { EndpointsConfig: { app: { Aliases: ["www"], IPAMConfig: { IPv4Address: "10.77.0.9" } } } } })).json();
    const created = (await get("/containers/web/json")).NetworkSettings.Networks.app;
    expect(created.IPAddress).toBe("");
    expect(created.NetworkID).toBe((await get("/networks/app")).Id);
    await post("/containers/web/start");
    const running = (await get("/containers/web/json")).NetworkSettings.Networks.app;
    expect(running).toMatchObject({ IPAddress: "10.77.0.9", IPPrefixLen: 24, Gateway: "10.77.0.1", Aliases: ["www"], DNSNames: ["web", "www", c.Id.slice(0, 12)], MacAddress: "02:42:0a:4d:00:09" });
    expect(running.EndpointID).toMatch(/^[0-9a-f]{64}$/);
    const old = (await get("/v1.44/containers/web/json")).NetworkSettings.Networks.app;
    expect(old.Aliases).toEqual(["www", c.Id.slice(0, 12)]);
    const members = (await get("/networks/app")).Containers;
    expect(members[c.Id]).toMatchObject({ Name: "web", IPv4Address: "10.77.0.9/24" });
    const inUse = await d.request("DELETE", "/networks/app");
    expect(inUse.status).toBe(403);
    expect(inUse.json().message).toContain("has active endpoints");
    await post("/containers/web/kill");
    await post("/containers/web/wait");
    expect((await get("/containers/web/json")).NetworkSettings.Networks.app.IPAddress).toBe("");
  });

  it("connects and disconnects, with dockerd's errors", async () => {
    await post("/containers/create?name=plain", { Image: BUSYBOX_IMAGE, Cmd: ["sleep", "infinity"] });
    const bridge = (await get("/containers/plain/json")).NetworkSettings;
    expect(Object.keys(bridge.Networks)).toEqual(["bridge"]);
    await post("/containers/plain/start");
    expect((await get("/containers/plain/json")).NetworkSettings.IPAddress).toMatch(/^172\.17\.0\.\d+$/);
    expect((await post("/networks/auto/connect", { Container: "plain", EndpointConfig: { Aliases: ["p"] } })).status).toBe(200);
    expect((await get("/containers/plain/json")).NetworkSettings.Networks.auto.IPAddress).toBe("172.18.0.2");
    expect((await post("/networks/auto/connect", { Container: "plain" })).status).toBe(403);
    expect((await post("/networks/auto/connect", { Container: "nope" })).json().message).toBe("No such container: nope");
    expect((await post("/networks/auto/disconnect", { Container: "plain" })).status).toBe(200);
    expect((await post("/networks/auto/disconnect", { Container: "plain" })).status).toBe(500);
    await d.request("DELETE", "/containers/plain?force=1");
  });

  it("takes any name but a blank one, as dockerd 28, and shows a configured MAC address before start", async () => {
    expect((await post("/networks/create", { Name: " " })).json()).toEqual({ message: "invalid name: name is empty" });
    const spaced = await post("/networks/create", { Name: "with space" });
    expect(spaced.status).toBe(201);
    await post("/containers/create?name=macd", { Image: BUSYBOX_IMAGE, Cmd: ["true"] });
    expect((await post("/networks/with%20space/connect", { Container: "macd", EndpointConfig: { MacAddress: "02:42:ac:11:00:02" } })).status).toBe(200);
    expect((await get("/containers/macd/json")).NetworkSettings.Networks["with space"].MacAddress).toBe("02:42:ac:11:00:02");
    await d.request("DELETE", "/containers/macd");
    expect((await d.request("DELETE", "/networks/with%20space")).status).toBe(204);
  });

  it("lists by filters and prunes unused user networks", async () => {
    const custom = await get(`/networks?filters=${encodeURIComponent('{"type":["custom"]}')}`);
    expect(custom.map((n: any) => n.Name).sort()).toEqual(["app", "auto"]);
    const labelled = await get(`/networks?filters=${encodeURIComponent('{"label":["tier=x"]}')}`);
    expect(labelled.map((n: any) => n.Name)).toEqual(["app"]);
    const pruned = (await post("/networks/prune")).json();
    expect(pruned.NetworksDeleted.sort()).toEqual(["app", "auto"]);
  });
});
