import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateRepositoryCommand, DescribeImagesCommand } from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackend } from "../../../../backends/registry.js";
import { pushTestImage, registryLogin } from "../../../../conformance/aws/images.js";
import { Engine } from "../../../../engine/engine.js";
import { hostFacts } from "../../../../engine/host.js";
import { pullImage } from "../../../../engine/images/pull.js";
import { openState } from "../../../../engine/state/db.js";
import { login } from "../../../../engine/registry/login.js";
import { MEDIA } from "../../../../engine/registry/manifest.js";
import { startEcrTestbed, type EcrTestbed } from "./testing.js";

const sha256 = (b: Buffer | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

describe("ECR's registry", () => {
  let t: EcrTestbed;
  beforeAll(async () => {
    t = await startEcrTestbed();
  });
  afterAll(async () => t.close());

  it("challenges a client without credentials as ECR does", async () => {
    const res = await fetch(`${t.endpoint}/v2/`);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(`Basic realm="${t.endpoint}/",service="ecr.amazonaws.com"`);
    expect(res.headers.get("docker-distribution-api-version")).toBe("registry/2.0");
    const wrong = await fetch(`${t.endpoint}/v2/`, { headers: { Authorization: `Basic ${Buffer.from("AWS:nope").toString("base64")}` } });
    expect(wrong.status).toBe(401);
    expect((await t.fetch("/v2/")).status).toBe(200);
  });

  it("takes a Sockerless docker login with the ECR password and refuses a wrong one", async () => {
    const { username, password } = await registryLogin(t.ecr);
    expect(await login({ username, password, serveraddress: t.endpoint }, [])).toEqual({ Status: "Login Succeeded", IdentityToken: "" });
    await expect(login({ username, password: "wrong", serveraddress: t.host }, [])).rejects.toThrow(/401 Unauthorized/);
  });

  it("denies an expired password with ECR's message", async () => {
    t.ctx.sqlite.prepare("INSERT INTO ecr_tokens (password, expires_at_ms) VALUES (?, ?)").run("stale", Date.now() - 1);
    const res = await fetch(`${t.endpoint}/v2/`, { headers: { Authorization: `Basic ${Buffer.from("AWS:stale").toString("base64")}` } });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ errors: [{ code: "DENIED", message: "Your authorization token has expired. Reauthenticate and try again." }] });
  });

  it("takes a push from the engine and serves the image back to another engine's pull", async () => {
    const uri = await pushTestImage(t.config, "team/busybox", "v1");
    expect(uri).toBe(`${t.host}/team/busybox:v1`);
    const details = (await t.ecr.send(new DescribeImagesCommand({ repositoryName: "team/busybox" }))).imageDetails!;
    expect(details).toHaveLength(1);
    expect(details[0]).toMatchObject({ imageTags: ["v1"], imageManifestMediaType: MEDIA.dockerManifest, artifactMediaType: MEDIA.dockerConfig });
    expect(details[0].imageSizeInBytes).toBeGreaterThan(100_000);

    const dir = mkdtempSync(join(tmpdir(), "ecr-pull-"));
    const state = openState(":memory:");
    const backend = createBackend("sandbox", {}, dir);
    try {
      const engine = new Engine(state, backend, { dataDir: dir });
      const auth = await registryLogin(t.ecr);
      await pullImage(
        { store: engine.images, distribution: engine.distribution, access: { auth, insecure: [] }, hostArch: hostFacts().arch, emit: () => {} },
        { fromImage: `${t.host}/team/busybox`, tag: "v1", platform: "" },
      );
      const image = engine.images.resolve(uri);
      expect(image.digests).toEqual([`${t.host}/team/busybox@${details[0].imageDigest}`]);
      expect(details[0].lastRecordedPullTime).toBeUndefined();
      const pulled = (await t.ecr.send(new DescribeImagesCommand({ repositoryName: "team/busybox" }))).imageDetails![0];
      expect(Math.abs(pulled.lastRecordedPullTime!.getTime() - Date.now())).toBeLessThan(60_000);
    } finally {
      await backend.close();
      state.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serves manifests and blobs with their digests and lengths", async () => {
    const res = await t.fetch("/v2/team/busybox/manifests/v1", { headers: { Accept: MEDIA.dockerManifest } });
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get("docker-content-digest")).toBe(sha256(bytes));
    expect(res.headers.get("content-type")).toBe(MEDIA.dockerManifest);
    const manifest = JSON.parse(bytes.toString()) as { config: { digest: string; size: number }; layers: { digest: string; size: number }[] };
    const head = await t.fetch(`/v2/team/busybox/blobs/${manifest.layers[0].digest}`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(manifest.layers[0].size));
    const config = await t.fetch(`/v2/team/busybox/blobs/${manifest.config.digest}`);
    expect(sha256(Buffer.from(await config.arrayBuffer()))).toBe(manifest.config.digest);
    const byDigest = await t.fetch(`/v2/team/busybox/manifests/${sha256(bytes)}`, { method: "HEAD" });
    expect(byDigest.status).toBe(200);
    expect(byDigest.headers.get("content-length")).toBe(String(bytes.length));
  });

  it("refuses a push to a repository that does not exist with NAME_UNKNOWN", async () => {
    const res = await t.fetch("/v2/nowhere/blobs/uploads/", { method: "POST" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      errors: [{ code: "NAME_UNKNOWN", message: "The repository with name 'nowhere' does not exist in the registry with id '123456789012'" }],
    });
  });

  it("takes chunked uploads in order, verifies digests, and mounts blobs across repositories", async () => {
    await t.ecr.send(new CreateRepositoryCommand({ repositoryName: "chunks" }));
    const data = Buffer.from("hello, chunked world");
    const started = await t.fetch("/v2/chunks/blobs/uploads/", { method: "POST" });
    expect(started.status).toBe(202);
    const location = started.headers.get("location")!;
    expect(started.headers.get("range")).toBe("0-0");
    const first = await t.fetch(location, { method: "PATCH", body: data.subarray(0, 5), headers: { "Content-Range": "0-4" } });
    expect(first.status).toBe(202);
    expect(first.headers.get("range")).toBe("0-4");
    const gap = await t.fetch(location, { method: "PATCH", body: data.subarray(7), headers: { "Content-Range": "7-19" } });
    expect(gap.status).toBe(416);
    await t.fetch(location, { method: "PATCH", body: data.subarray(5), headers: { "Content-Range": `5-${data.length - 1}` } });
    const status = await t.fetch(location);
    expect(status.status).toBe(204);
    expect(status.headers.get("range")).toBe(`0-${data.length - 1}`);
    const wrong = await t.fetch(`${location}?digest=${sha256("other")}`, { method: "PUT" });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { errors: { code: string }[] }).errors[0].code).toBe("DIGEST_INVALID");

    const mono = await t.fetch(`/v2/chunks/blobs/uploads/?digest=${sha256(data)}`, { method: "POST", body: data });
    expect(mono.status).toBe(201);
    expect(mono.headers.get("docker-content-digest")).toBe(sha256(data));
    await t.ecr.send(new CreateRepositoryCommand({ repositoryName: "mounted" }));
    expect((await t.fetch(`/v2/mounted/blobs/${sha256(data)}`, { method: "HEAD" })).status).toBe(404);
    const mount = await t.fetch(`/v2/mounted/blobs/uploads/?mount=${sha256(data)}&from=chunks`, { method: "POST" });
    expect(mount.status).toBe(201);
    const got = await t.fetch(`/v2/mounted/blobs/${sha256(data)}`);
    expect(Buffer.from(await got.arrayBuffer())).toEqual(data);
    const partial = await t.fetch(`/v2/mounted/blobs/${sha256(data)}`, { headers: { Range: "bytes=7-" } });
    expect(partial.status).toBe(206);
    expect(await partial.text()).toBe("chunked world");
  });

  it("keeps tags of an IMMUTABLE repository, refuses manifests with unknown blobs, lists and deletes tags", async () => {
    await t.ecr.send(new CreateRepositoryCommand({ repositoryName: "fixed", imageTagMutability: "IMMUTABLE" }));
    const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }));
    const put = await t.fetch(`/v2/fixed/blobs/uploads/?digest=${sha256(config)}`, { method: "POST", body: config });
    expect(put.status).toBe(201);
    const manifest = (annotation: string) =>
      JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociManifest, config: { mediaType: MEDIA.ociConfig, digest: sha256(config), size: config.length }, layers: [], annotations: { a: annotation } });
    const first = await t.fetch("/v2/fixed/manifests/one", { method: "PUT", body: manifest("1"), headers: { "Content-Type": MEDIA.ociManifest } });
    expect(first.status).toBe(201);
    expect(first.headers.get("docker-content-digest")).toBe(sha256(manifest("1")));
    const again = await t.fetch("/v2/fixed/manifests/one", { method: "PUT", body: manifest("2"), headers: { "Content-Type": MEDIA.ociManifest } });
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({
      errors: [{ code: "TAG_INVALID", message: "The image tag 'one' already exists in the 'fixed' repository and cannot be overwritten because the repository is immutable." }],
    });
    await t.fetch("/v2/fixed/manifests/two", { method: "PUT", body: manifest("2"), headers: { "Content-Type": MEDIA.ociManifest } });

    const missing = JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociManifest, config: { mediaType: MEDIA.ociConfig, digest: sha256("x"), size: 1 }, layers: [] });
    const refused = await t.fetch("/v2/fixed/manifests/three", { method: "PUT", body: missing, headers: { "Content-Type": MEDIA.ociManifest } });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { errors: { code: string }[] }).errors[0].code).toBe("MANIFEST_BLOB_UNKNOWN");

    const index = JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [{ mediaType: MEDIA.ociManifest, digest: sha256(manifest("1")), size: manifest("1").length }] });
    expect((await t.fetch("/v2/fixed/manifests/multi", { method: "PUT", body: index, headers: { "Content-Type": MEDIA.ociIndex } })).status).toBe(201);

    const page = await t.fetch("/v2/fixed/tags/list?n=2");
    expect(await page.json()).toEqual({ name: "fixed", tags: ["multi", "one"] });
    expect(page.headers.get("link")).toBe('</v2/fixed/tags/list?last=one&n=2>; rel="next"');
    expect(await (await t.fetch("/v2/fixed/tags/list?last=one&n=2")).json()).toEqual({ name: "fixed", tags: ["two"] });

    expect((await t.fetch(`/v2/fixed/manifests/${sha256(manifest("2"))}`, { method: "DELETE" })).status).toBe(202);
    expect((await t.fetch("/v2/fixed/manifests/two")).status).toBe(404);
    expect(await (await t.fetch("/v2/fixed/tags/list")).json()).toEqual({ name: "fixed", tags: ["multi", "one"] });
  });
});

describe("ECR's registry under a data directory", () => {
  it("keeps repositories, images, blobs and passwords across a restart", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "ecr-data-"));
    try {
      const before = await startEcrTestbed({ dataDir });
      await before.ecr.send(new CreateRepositoryCommand({ repositoryName: "kept" }));
      const { username, password } = await registryLogin(before.ecr);
      const blob = Buffer.from("kept bytes");
      expect((await before.fetch(`/v2/kept/blobs/uploads/?digest=${sha256(blob)}`, { method: "POST", body: blob })).status).toBe(201);
      const started = await before.fetch("/v2/kept/blobs/uploads/", { method: "POST" });
      await before.fetch(started.headers.get("location")!, { method: "PATCH", body: "half" });
      await before.close();

      const after = await startEcrTestbed({ dataDir });
      try {
        const auth = { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` };
        const got = await fetch(`${after.endpoint}/v2/kept/blobs/${sha256(blob)}`, { headers: auth });
        expect(await got.text()).toBe("kept bytes");
        // An upload under way resumes where it was.
        const location = started.headers.get("location")!;
        const resumed = await fetch(`${after.endpoint}${location}?digest=${sha256("half done")}`, { method: "PUT", body: " done", headers: auth });
        expect(resumed.status).toBe(201);
        expect((await after.ecr.send(new DescribeImagesCommand({ repositoryName: "kept" }))).imageDetails).toEqual([]);
      } finally {
        await after.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
