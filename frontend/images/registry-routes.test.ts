import { readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSYBOX_IMAGE } from "../../conformance/images/busybox.js";
import { MEDIA } from "../../engine/registry/manifest.js";
import { TestRegistry } from "../../engine/registry/testing.js";
import { loadBusybox, startTestDaemon, type TestDaemon } from "../testing.js";

let d: TestDaemon;
let reg: TestRegistry;
let busyboxId: string;

beforeAll(async () => {
  d = await startTestDaemon();
  reg = await new TestRegistry().start();
  await loadBusybox(d);
  busyboxId = (await d.request("GET", `/images/${BUSYBOX_IMAGE}/json`)).json().Id;
});
afterAll(async () => {
  await d.close();
  await reg.close();
});

const lines = (body: string) =>
  body
    .split("\r\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const post = (path: string, headers: Record<string, string> = {}) => d.request("POST", path, undefined, headers);
const auth = (v: object) => ({ "X-Registry-Auth": Buffer.from(JSON.stringify(v)).toString("base64url") });
const push = (name: string) => post(`/images/${name}/push?tag=v1`, auth({}));

async function tarOf(entries: { name: string; data?: string; type?: "file" | "symlink" | "link"; linkname?: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name, type: e.type ?? "file", linkname: e.linkname }, e.type && e.type !== "file" ? undefined : Buffer.from(e.data ?? ""));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Plants a one-layer image; `tamper` may change what is served. */
function plant(
  r: TestRegistry,
  repo: string,
  tag: string,
  layerTar: Buffer,
  tamper: { diffId?: string; servedLayer?: Buffer; mediaType?: string } = {},
): { layerDigest: string; configDigest: string; manifestDigest: string } {
  const layer = gzipSync(layerTar);
  const layerDigest = TestRegistry.digest(layer);
  r.putBlob(repo, tamper.servedLayer ?? layer, layerDigest);
  const config = Buffer.from(
    JSON.stringify({ architecture: "amd64", os: "linux", config: { Cmd: ["sh"] }, rootfs: { type: "layers", diff_ids: [tamper.diffId ?? TestRegistry.digest(layerTar)] } }),
  );
  const configDigest = r.putBlob(repo, config);
  const manifestDigest = r.putManifest(
    repo,
    tag,
    {
      schemaVersion: 2,
      mediaType: MEDIA.dockerManifest,
      config: { mediaType: MEDIA.dockerConfig, size: config.length, digest: configDigest },
      layers: [{ mediaType: tamper.mediaType ?? MEDIA.dockerLayer, size: layer.length, digest: layerDigest }],
    },
    MEDIA.dockerManifest,
  );
  return { layerDigest, configDigest, manifestDigest };
}

/** What a failed pull must leave as it was: images, layers and the scratch directory. */
function snapshot() {
  const scratch = (() => {
    try {
      return readdirSync(d.engine.scratchDir).filter((f) => f.startsWith("pull-"));
    } catch {
      return [];
    }
  })();
  return { images: d.engine.images.list().map((i) => i.id).sort(), layers: d.engine.images.layers.list().sort(), scratch };
}

describe("push and pull", () => {
  it("pushes the busybox image and pulls it back as the same image with its RepoDigest", async () => {
    const name = `${reg.host}/bb`;
    expect((await post(`/images/${BUSYBOX_IMAGE}/tag?repo=${name}&tag=v1`)).status).toBe(201);
    const pushed = await push(name);
    expect(pushed.status).toBe(200);
    const out = lines(pushed.body);
    expect(out[0]).toEqual({ status: `The push refers to repository [${name}]` });
    expect(out.some((l) => l.status === "Preparing" && l.progressDetail)).toBe(true);
    expect(out.some((l) => l.status === "Pushed")).toBe(true);
    const final = out.at(-2).status as string;
    const digest = /^v1: digest: (sha256:[0-9a-f]{64}) size: \d+$/.exec(final)![1];
    expect(out.at(-1).aux).toMatchObject({ Tag: "v1", Digest: digest });
    expect(reg.manifests.has(`bb@${digest}`)).toBe(true);
    expect((await d.request("GET", `/images/${name}:v1/json`)).json().RepoDigests).toEqual([`${name}@${digest}`]);

    // A second push finds the layer there and names the same manifest.
    const again = lines((await push(name)).body);
    expect(again.some((l) => l.status === "Layer already exists")).toBe(true);
    expect(again.at(-2).status).toBe(final);

    // Another repository of the same registry gets the layer by a cross-repository mount.
    await post(`/images/${BUSYBOX_IMAGE}/tag?repo=${reg.host}/other&tag=v1`);
    const mounted = lines((await push(`${reg.host}/other`)).body);
    expect(mounted.some((l) => l.status === "Mounted from bb")).toBe(true);
    expect(reg.requests.some((r) => r.startsWith("POST /v2/other/blobs/uploads/?mount="))).toBe(true);

    for (const ref of [`${name}:v1`, `${reg.host}/other:v1`, BUSYBOX_IMAGE]) await d.request("DELETE", `/images/${ref}`);
    expect((await d.request("GET", `/images/${busyboxId}/json`)).status).toBe(404);

    const pulled = await post(`/images/create?fromImage=${name}&tag=v1`);
    expect(pulled.status).toBe(200);
    const statuses = lines(pulled.body).map((l) => l.status);
    expect(statuses[0]).toBe("Pulling from bb");
    for (const s of ["Pulling fs layer", "Downloading", "Verifying Checksum", "Download complete", "Extracting", "Pull complete"]) expect(statuses).toContain(s);
    expect(statuses.slice(-2)).toEqual([`Digest: ${digest}`, `Status: Downloaded newer image for ${name}:v1`]);
    const img = (await d.request("GET", `/images/${name}:v1/json`)).json();
    expect(img.Id).toBe(busyboxId);
    expect(img.RepoDigests).toEqual([`${name}@${digest}`]);

    const upToDate = lines((await post(`/images/create?fromImage=${name}&tag=v1`)).body).map((l) => l.status);
    // As dockerd: nothing is fetched for an image that is here already.
    expect(upToDate).toEqual(["Pulling from bb", `Digest: ${digest}`, `Status: Image is up to date for ${name}:v1`]);

    const byDigest = await post(`/images/create?fromImage=${name}&tag=${digest}`);
    // The pull by tag recorded the digest reference already.
    expect(lines(byDigest.body).at(-1).status).toBe(`Status: Image is up to date for ${name}@${digest}`);

    const dist = (await d.request("GET", `/distribution/${name}:v1/json`)).json();
    expect(dist).toEqual({ Descriptor: { mediaType: MEDIA.dockerManifest, digest, size: expect.any(Number) }, Platforms: [{ architecture: expect.any(String), os: "linux" }] });

    await post(`/images/${name}:v1/tag?repo=sockerless-test/busybox&tag=latest`);
  });

  it("answers Docker's errors before the stream starts", async () => {
    expect((await post(`/images/${reg.host}/bb/push?tag=v1`)).json().message).toBe("Bad parameters and missing X-Registry-Auth: EOF");
    const unknownTag = await post(`/images/create?fromImage=${reg.host}/bb&tag=nope`);
    expect(unknownTag.status).toBe(404);
    expect(unknownTag.json().message).toBe(`manifest for ${reg.host}/bb:nope not found: manifest unknown: manifest unknown`);
    expect((await post(`/images/create?fromImage=Bad&tag=x`)).status).toBe(400);
    const hub = await post(`/images/create?fromImage=busybox&tag=latest`);
    expect(hub.status).toBe(500);
    expect(hub.json().message).toMatch(/^Get "https:\/\/registry-1\.docker\.io\/v2\/": dial tcp: lookup registry-1\.docker\.io/);
    expect((await d.request("GET", `/distribution/${reg.host}/nope:x/json`)).status).toBe(404);
  });

  it("selects the daemon's platform from a manifest list", async () => {
    const layerTar = await tarOf([{ name: "hello", data: "from a list" }]);
    const { manifestDigest: amd } = plant(reg, "multi", "amd64-only", layerTar);
    const arch = d.engine.version().Arch;
    const list = reg.putManifest(
      "multi",
      "v1",
      {
        schemaVersion: 2,
        mediaType: MEDIA.ociIndex,
        manifests: [
          { mediaType: MEDIA.ociManifest, digest: `sha256:${"0".repeat(64)}`, size: 1, platform: { os: "windows", architecture: arch } },
          { mediaType: MEDIA.dockerManifest, digest: amd, size: 1, platform: { os: "linux", architecture: arch } },
        ],
      },
      MEDIA.ociIndex,
    );
    const res = await post(`/images/create?fromImage=${reg.host}/multi&tag=v1`);
    expect(lines(res.body).at(-2).status).toBe(`Digest: ${list}`);
    expect((await d.request("GET", `/images/${reg.host}/multi:v1/json`)).json().RepoDigests).toEqual([`${reg.host}/multi@${list}`]);
    const none = await post(`/images/create?fromImage=${reg.host}/multi&tag=v1&platform=linux/s390x`);
    expect(none.status).toBe(404);
    expect(none.json().message).toBe("no matching manifest for linux/s390x in the manifest list entries");
  });
});

describe("pulls that must leave nothing behind", () => {
  const failing = async (repo: string, expected: RegExp, status = 200) => {
    const before = snapshot();
    const res = await post(`/images/create?fromImage=${reg.host}/${repo}&tag=v1`);
    expect(res.status).toBe(status);
    const last = status === 200 ? lines(res.body).at(-1) : res.json();
    expect(status === 200 ? last.errorDetail.message : last.message).toMatch(expected);
    expect(snapshot()).toEqual(before);
  };

  it("refuses a blob that does not match its digest", async () => {
    const layerTar = await tarOf([{ name: "a", data: "good" }]);
    plant(reg, "mismatch", "v1", layerTar, { servedLayer: gzipSync(await tarOf([{ name: "a", data: "evil" }])) });
    await failing("mismatch", /^filesystem layer verification failed for digest sha256:/);
  });

  it("refuses a layer whose content does not match the config's diff ID", async () => {
    plant(reg, "diffid", "v1", await tarOf([{ name: "a", data: "x" }]), { diffId: `sha256:${"1".repeat(64)}` });
    await failing("diffid", /layer content does not match its digest/);
  });

  it("refuses a layer that climbs out of the root", async () => {
    plant(reg, "hostile", "v1", await tarOf([{ name: "../../etc/evil", data: "x" }]));
    await failing("hostile", /climbs out of the archive root/);
  });

  it("refuses a layer with a hard link out of the root", async () => {
    plant(reg, "hardlink", "v1", await tarOf([{ name: "passwd", type: "link", linkname: "../../etc/passwd" }]));
    await failing("hardlink", /refusing hard link "passwd"/);
  });

  it("fails a download cut short", async () => {
    const { layerDigest } = plant(reg, "truncated", "v1", await tarOf([{ name: "big", data: "y".repeat(200_000) }]));
    reg.truncate.add(layerDigest);
    await failing("truncated", /./);
  });

  it("refuses zstd layers with 501's message", async () => {
    plant(reg, "zstd", "v1", await tarOf([{ name: "a" }]), { mediaType: MEDIA.ociLayerZstd });
    await failing("zstd", /zstd layers are not supported yet/);
  });
});

describe("authentication", () => {
  let secure: TestRegistry;
  beforeAll(async () => {
    secure = await new TestRegistry({ bearer: { username: "u", password: "p" } }).start();
    plant(secure, "private", "v1", await tarOf([{ name: "secret", data: "s" }]));
  });
  afterAll(() => secure.close());

  it("gets a bearer token with the client's credentials", async () => {
    const denied = await post(`/images/create?fromImage=${secure.host}/private&tag=v1`);
    expect(denied.status).toBe(401);
    expect(denied.json().message).toMatch(/^pull access denied for .*\/private, repository does not exist or may require 'docker login': unauthorized: /);
    const ok = await post(`/images/create?fromImage=${secure.host}/private&tag=v1`, auth({ username: "u", password: "p", serveraddress: secure.host }));
    expect(lines(ok.body).at(-1).status).toBe(`Status: Downloaded newer image for ${secure.host}/private:v1`);
    expect(secure.requests.some((r) => r.startsWith("GET /token?") && r.includes("scope=repository%3Aprivate%3Apull"))).toBe(true);
  });

  it("POST /auth checks credentials against the registry", async () => {
    const json = { "Content-Type": "application/json" };
    const good = await d.request("POST", "/auth", JSON.stringify({ username: "u", password: "p", serveraddress: secure.host }), json);
    expect(good.status).toBe(200);
    expect(good.json()).toEqual({ Status: "Login Succeeded", IdentityToken: "" });
    const bad = await d.request("POST", "/auth", JSON.stringify({ username: "u", password: "wrong", serveraddress: `http://${secure.host}` }), json);
    expect(bad.status).toBe(401);
    expect(bad.json().message).toBe("unauthorized: incorrect username or password");
  });

  it("sends Basic credentials to a registry that asks for them", async () => {
    const basic = await new TestRegistry({ basic: { username: "b", password: "q" } }).start();
    try {
      plant(basic, "app", "v1", await tarOf([{ name: "f", data: "basic" }]));
      const res = await post(`/images/create?fromImage=${basic.host}/app&tag=v1`, auth({ username: "b", password: "q" }));
      expect(lines(res.body).at(-1).status).toBe(`Status: Downloaded newer image for ${basic.host}/app:v1`);
      const none = await post(`/images/create?fromImage=${basic.host}/app&tag=v1`);
      expect(none.json().message).toBe(`Get "http://${basic.host}/v2/app/manifests/v1": no basic auth credentials`);
    } finally {
      await basic.close();
    }
  });
});
