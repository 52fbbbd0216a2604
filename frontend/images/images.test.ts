import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSYBOX_IMAGE } from "../../conformance/images/busybox.js";
import { loadBusybox, startTestDaemon, type TestDaemon } from "../testing.js";

let d: TestDaemon;
let busyboxId: string;
beforeAll(async () => {
  d = await startTestDaemon();
  await loadBusybox(d);
  busyboxId = (await d.request("GET", `/images/${BUSYBOX_IMAGE}/json`)).json().Id;
});
afterAll(() => d.close());

const json = { "Content-Type": "application/json" };
const post = (path: string, body?: object) => d.request("POST", path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? {} : json);
const q = (v: object) => encodeURIComponent(JSON.stringify(v));

async function tarOf(entries: { name: string; data?: string; type?: "file" | "directory" | "symlink"; linkname?: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name, type: e.type ?? "file", linkname: e.linkname, mode: e.type === "directory" ? 0o755 : 0o644 }, Buffer.from(e.data ?? ""));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function untar(raw: Buffer): Promise<Map<string, { type: string; data: Buffer; linkname?: string }>> {
  const out = new Map<string, { type: string; data: Buffer; linkname?: string }>();
  const extract = tar.extract();
  extract.on("entry", (h, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      out.set(h.name, { type: h.type ?? "file", data: Buffer.concat(chunks), linkname: h.linkname ?? undefined });
      next();
    });
  });
  extract.end(raw);
  await new Promise((r) => extract.on("finish", r));
  return out;
}

/** Runs a container to its end and returns its output. */
async function run(image: string, cmd: string[]): Promise<string> {
  const id = (await post("/containers/create", { Image: image, Cmd: cmd })).json().Id;
  await post(`/containers/${id}/start`);
  await post(`/containers/${id}/wait`);
  const logs = await d.request("GET", `/containers/${id}/logs?stdout=1&stderr=1`);
  await d.request("DELETE", `/containers/${id}`);
  return logs.raw.subarray(8).toString();
}

describe("tag and remove", () => {
  it("tags, refuses bad references, and untags a tag without deleting the image", async () => {
    expect((await post(`/images/${BUSYBOX_IMAGE}/tag?repo=mine/app&tag=v1`)).status).toBe(201);
    expect((await post(`/images/${BUSYBOX_IMAGE}/tag?repo=Mine`)).json().message).toMatch(/must be lowercase/);
    expect((await post(`/images/${BUSYBOX_IMAGE}/tag?repo=mine&tag=bad:tag`)).status).toBe(400);
    expect((await post(`/images/nope/tag?repo=x`)).status).toBe(404);
    const del = await d.request("DELETE", "/images/mine/app:v1");
    expect(del.json()).toEqual([{ Untagged: "mine/app:v1" }]);
    expect((await d.request("GET", `/images/${busyboxId}/json`)).status).toBe(200);
  });

  it("refuses to delete by ID an image with several tags unless forced, and one a container uses", async () => {
    await post(`/images/${BUSYBOX_IMAGE}/tag?repo=second`);
    const conflict = await d.request("DELETE", `/images/${busyboxId.slice(7, 19)}`);
    expect(conflict.status).toBe(409);
    expect(conflict.json().message).toBe(`conflict: unable to delete ${busyboxId.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`);
    expect((await d.request("DELETE", "/images/second")).json()).toEqual([{ Untagged: "second:latest" }]);
    const solo = JSON.parse((await d.request("POST", "/images/create?fromSrc=-&repo=solo", await tarOf([{ name: "f", data: "x" }]))).body).status;
    const c = (await post("/containers/create", { Image: "solo", Cmd: ["true"] })).json().Id;
    const used = await d.request("DELETE", "/images/solo");
    expect(used.status).toBe(409);
    expect(used.json().message).toBe(`conflict: unable to remove repository reference "solo" (must force) - container ${c.slice(0, 12)} is using its referenced image ${solo.slice(7, 19)}`);
    const stopped = await d.request("DELETE", `/images/${solo}`);
    expect(stopped.json().message).toBe(`conflict: unable to delete ${solo.slice(7, 19)} (must be forced) - image is being used by stopped container ${c.slice(0, 12)}`);
    await d.request("DELETE", `/containers/${c}`);
    const gone = (await d.request("DELETE", "/images/solo")).json();
    expect(gone[0]).toEqual({ Untagged: "solo:latest" });
    expect(gone[1]).toEqual({ Deleted: solo });
  });
});

describe("list", () => {
  it("filters by reference glob, label, dangling, before and since", async () => {
    await post(`/images/${BUSYBOX_IMAGE}/tag?repo=globbed/one`);
    const byRef = (await d.request("GET", `/images/json?filters=${q({ reference: ["globbed/*"] })}`)).json();
    expect(byRef.map((i: any) => i.RepoTags)).toEqual([["globbed/one:latest"]]);
    expect((await d.request("GET", `/images/json?filters=${q({ dangling: ["true"] })}`)).json()).toEqual([]);
    expect((await d.request("GET", `/images/json?filters=${q({ label: ["nope"] })}`)).json()).toEqual([]);
    expect((await d.request("GET", `/images/json?filters=${q({ before: ["nope:latest"] })}`)).status).toBe(404);
    expect((await d.request("GET", `/images/json?filters=${q({ since: [BUSYBOX_IMAGE] })}`)).json()).toEqual([]);
    expect((await d.request("GET", `/images/json?filters=${q({ bogus: ["x"] })}`)).json().message).toBe("invalid filter 'bogus'");
    const [img] = (await d.request("GET", "/v1.41/images/json")).json();
    expect(img).toMatchObject({ Id: busyboxId, Containers: -1, SharedSize: -1, VirtualSize: img.Size });
    await d.request("DELETE", "/images/globbed/one");
  });
});

describe("history", () => {
  it("lists the config's history newest first, the top with the image ID", async () => {
    const h = (await d.request("GET", `/images/${BUSYBOX_IMAGE}/history`)).json();
    expect(h[0].Id).toBe(busyboxId);
    expect(h[0].Tags).toEqual([BUSYBOX_IMAGE]);
    expect(h[0].Size).toBeGreaterThan(0);
    expect(h.slice(1).every((e: any) => e.Id === "<missing>")).toBe(true);
  });
});

describe("save, import and commit", () => {
  it("saves a docker-archive that loads into another daemon with the same ID", async () => {
    const saved = await d.request("GET", `/images/get?names=${encodeURIComponent(BUSYBOX_IMAGE)}`);
    expect(saved.status).toBe(200);
    const members = await untar(saved.raw);
    const manifest = JSON.parse(members.get("manifest.json")!.data.toString());
    expect(manifest[0].Config).toBe(`${busyboxId.slice(7)}.json`);
    expect(manifest[0].RepoTags).toEqual([BUSYBOX_IMAGE]);
    expect(JSON.parse(members.get("repositories")!.data.toString())["sockerless-test/busybox"].latest).toBe(manifest[0].Layers.at(-1).split("/")[0]);
    const other = await startTestDaemon();
    try {
      const loaded = await other.request("POST", "/images/load", saved.raw, { "Content-Type": "application/x-tar" });
      expect(loaded.body).toContain(`Loaded image: ${BUSYBOX_IMAGE}`);
      expect((await other.request("GET", `/images/${BUSYBOX_IMAGE}/json`)).json().Id).toBe(busyboxId);
    } finally {
      await other.close();
    }
    expect((await d.request("GET", "/images/nope/get")).status).toBe(404);
  });

  it("imports a tarball as a one-layer image with changes and a message", async () => {
    const body = await tarOf([{ name: "hello.txt", data: "hi" }]);
    const res = await d.request("POST", `/images/create?fromSrc=-&repo=imported&tag=v1&message=from+test&changes=${encodeURIComponent('ENV A="x y"')}&changes=CMD+%5B%22cat%22%5D`, body);
    expect(res.status).toBe(200);
    const id = JSON.parse(res.body).status;
    const img = (await d.request("GET", "/images/imported:v1/json")).json();
    expect(img.Id).toBe(id);
    expect(img.Comment).toBe("from test");
    expect(img.Config.Env).toEqual(["A=x y"]);
    expect(img.Config.Cmd).toEqual(["cat"]);
    expect(img.RootFS.Layers).toHaveLength(1);
    expect((await d.request("POST", "/images/create?fromSrc=-&changes=RUN+x", body)).json().message).toBe("run is not a valid change command");
    expect((await d.request("POST", "/images/create?fromSrc=http://example.com/x.tar", body)).status).toBe(501);
  });

  it("commits a container's changes as a layer with whiteouts, and the image runs", async () => {
    const c = (await post("/containers/create", { Image: BUSYBOX_IMAGE, Cmd: ["sh", "-c", "echo new > /added.txt; rm /bin/ls"] })).json().Id;
    await post(`/containers/${c}/start`);
    await post(`/containers/${c}/wait`);
    const res = await post(`/commit?container=${c}&repo=committed&tag=v1&comment=made&author=me&changes=${encodeURIComponent("CMD cat /added.txt")}`);
    expect(res.status).toBe(201);
    const id = res.json().Id;
    const img = (await d.request("GET", "/v1.44/images/committed:v1/json")).json();
    expect(img.Id).toBe(id);
    expect(img.Parent).toBe(busyboxId);
    expect(img.Container).toBe(c);
    expect(img.Author).toBe("me");
    expect(img.Config.Cmd).toEqual(["/bin/sh", "-c", "cat /added.txt"]);
    expect(img.RootFS.Layers).toHaveLength(2);
    const top = d.engine.images.layers.index(img.RootFS.Layers[1]);
    expect(top.entries["/added.txt"].type).toBe("file");
    expect(top.whiteouts).toContain("/bin/ls");
    const history = (await d.request("GET", "/images/committed:v1/history")).json();
    expect(history[0]).toMatchObject({ Id: id, CreatedBy: "sh -c echo new > /added.txt; rm /bin/ls", Comment: "made", Tags: ["committed:v1"] });
    expect(history[1].Id).toBe(busyboxId);
    expect(await run("committed:v1", ["sh", "-c", "cat /added.txt; ls /bin/ls || echo gone"])).toContain("new");
    // The parent has a child now: deleting it by ID is a hard conflict.
    const conflict = await d.request("DELETE", `/images/${busyboxId}?force=1`);
    expect(conflict.json().message).toMatch(/cannot be forced\) - image has dependent child images/);
    await d.request("DELETE", `/containers/${c}`);
  });
});

describe("prune and garbage collection", () => {
  it("prunes dangling images and removes layers nothing uses", async () => {
    const body = await tarOf([{ name: "only-here.txt", data: "unique" }]);
    const id = JSON.parse((await d.request("POST", "/images/create?fromSrc=-", body)).body).status;
    const diffId = (await d.request("GET", `/images/${id}/json`)).json().RootFS.Layers[0];
    expect(d.engine.images.layers.has(diffId)).toBe(true);
    const c = (await post("/containers/create", { Image: id, Cmd: ["true"] })).json().Id;
    expect((await post("/images/prune")).json().ImagesDeleted).toBeNull();
    const forced = (await d.request("DELETE", `/images/${id}?force=1`)).json();
    expect(forced).toEqual([{ Deleted: id }]);
    expect(d.engine.images.layers.has(diffId)).toBe(true);
    await d.request("DELETE", `/containers/${c}`);
    expect(d.engine.images.layers.has(diffId)).toBe(false);
    const again = JSON.parse((await d.request("POST", "/images/create?fromSrc=-", body)).body).status;
    const pruned = (await post("/images/prune")).json();
    expect(pruned.ImagesDeleted).toEqual([{ Deleted: again }, { Deleted: diffId }]);
    expect(pruned.SpaceReclaimed).toBe(6);
  });
});

describe("BuildKit", () => {
  it("answers /grpc and /session with 501", async () => {
    expect((await post("/session")).status).toBe(501);
    expect((await post("/grpc")).status).toBe(501);
  });
});
