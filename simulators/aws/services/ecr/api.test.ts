import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  BatchCheckLayerAvailabilityCommand,
  BatchDeleteImageCommand,
  CompleteLayerUploadCommand,
  DeleteLifecyclePolicyCommand,
  DeleteRepositoryPolicyCommand,
  GetLifecyclePolicyCommand,
  GetLifecyclePolicyPreviewCommand,
  StartLifecyclePolicyPreviewCommand,
  PutLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  SetRepositoryPolicyCommand,
  GetDownloadUrlForLayerCommand,
  InitiateLayerUploadCommand,
  UploadLayerPartCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  ListImagesCommand,
  ListTagsForResourceCommand,
  PutImageCommand,
  PutImageTagMutabilityCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MEDIA } from "../../../../engine/registry/manifest.js";
import { startEcrTestbed, type EcrTestbed } from "./testing.js";

const sha256 = (b: Buffer | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

describe("the ECR API", () => {
  let t: EcrTestbed;
  beforeAll(async () => {
    t = await startEcrTestbed();
  });
  afterAll(async () => t.close());

  /** Uploads a config blob and returns an image manifest naming it, distinct per `note`. */
  async function manifestIn(repository: string, note: string): Promise<string> {
    const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] }, note }));
    const res = await t.fetch(`/v2/${repository}/blobs/uploads/?digest=${sha256(config)}`, { method: "POST", body: config });
    expect(res.status).toBe(201);
    return JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.dockerManifest, config: { mediaType: MEDIA.dockerConfig, digest: sha256(config), size: config.length }, layers: [] });
  }

  it("creates repositories with ECR's defaults, URIs on the simulator's registry, and refuses bad or taken names", async () => {
    const created = (await t.ecr.send(new CreateRepositoryCommand({ repositoryName: "apps/web", tags: [{ Key: "team", Value: "a" }] }))).repository!;
    expect(created).toMatchObject({
      repositoryArn: "arn:aws:ecr:us-east-1:123456789012:repository/apps/web",
      registryId: "123456789012",
      repositoryName: "apps/web",
      repositoryUri: `${t.host}/apps/web`,
      imageTagMutability: "MUTABLE",
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: "AES256" },
    });
    expect(created.createdAt).toBeInstanceOf(Date);
    await expect(t.ecr.send(new CreateRepositoryCommand({ repositoryName: "apps/web" }))).rejects.toMatchObject({
      name: "RepositoryAlreadyExistsException",
      message: "The repository with name 'apps/web' already exists in the registry with id '123456789012'",
    });
    await expect(t.ecr.send(new CreateRepositoryCommand({ repositoryName: "Upper" }))).rejects.toMatchObject({ name: "InvalidParameterException" });
    await expect(t.ecr.send(new CreateRepositoryCommand({ repositoryName: "a" }))).rejects.toMatchObject({ name: "InvalidParameterException" });
    const kms = (await t.ecr.send(new CreateRepositoryCommand({ repositoryName: "apps/kms", encryptionConfiguration: { encryptionType: "KMS" } }))).repository!;
    expect(kms.encryptionConfiguration).toEqual({ encryptionType: "KMS", kmsKey: "arn:aws:kms:us-east-1:123456789012:alias/aws/ecr" });
  });

  it("describes repositories by name and by page", async () => {
    for (const n of ["page/a", "page/b", "page/c"]) await t.ecr.send(new CreateRepositoryCommand({ repositoryName: n }));
    const named = await t.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["page/b"] }));
    expect(named.repositories!.map((r) => r.repositoryName)).toEqual(["page/b"]);
    await expect(t.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["page/b", "none"] }))).rejects.toMatchObject({
      name: "RepositoryNotFoundException",
      message: "The repository with name 'none' does not exist in the registry with id '123456789012'",
    });
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const p = await t.ecr.send(new DescribeRepositoriesCommand({ maxResults: 2, nextToken }));
      expect(p.repositories!.length).toBeLessThanOrEqual(2);
      names.push(...p.repositories!.map((r) => r.repositoryName!));
      nextToken = p.nextToken;
    } while (nextToken);
    expect(names).toEqual(expect.arrayContaining(["page/a", "page/b", "page/c", "apps/web"]));
    expect(new Set(names).size).toBe(names.length);
  });

  it("tags repositories by ARN", async () => {
    const arn = "arn:aws:ecr:us-east-1:123456789012:repository/apps/web";
    await t.ecr.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: "env", Value: "dev" }, { Key: "team", Value: "b" }] }));
    expect((await t.ecr.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([{ Key: "team", Value: "b" }, { Key: "env", Value: "dev" }]);
    await t.ecr.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["team"] }));
    expect((await t.ecr.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([{ Key: "env", Value: "dev" }]);
    await expect(t.ecr.send(new ListTagsForResourceCommand({ resourceArn: "arn:aws:ecr:us-east-1:123456789012:repository/none" }))).rejects.toMatchObject({ name: "RepositoryNotFoundException" });
    await expect(t.ecr.send(new TagResourceCommand({ resourceArn: "nonsense", tags: [] }))).rejects.toMatchObject({ name: "InvalidParameterException" });
    await expect(t.ecr.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: "aws:x", Value: "" }] }))).rejects.toMatchObject({ name: "InvalidTagParameterException" });
  });

  it("gives registry passwords for user AWS that the registry takes, with the simulator as proxy endpoint", async () => {
    const data = (await t.ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0];
    expect(data.proxyEndpoint).toBe(t.endpoint);
    const hours = (data.expiresAt!.getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThanOrEqual(12);
    expect(Buffer.from(data.authorizationToken!, "base64").toString().startsWith("AWS:")).toBe(true);
    const res = await fetch(`${t.endpoint}/v2/`, { headers: { Authorization: `Basic ${data.authorizationToken}` } });
    expect(res.status).toBe(200);
  });

  it("stores images with PutImage, describes, lists, gets and deletes them", async () => {
    await t.ecr.send(new CreateRepositoryCommand({ repositoryName: "store" }));
    const manifest = await manifestIn("store", "one");
    const put = (await t.ecr.send(new PutImageCommand({ repositoryName: "store", imageManifest: manifest, imageTag: "v1" }))).image!;
    expect(put).toMatchObject({ repositoryName: "store", registryId: "123456789012", imageId: { imageDigest: sha256(manifest), imageTag: "v1" }, imageManifestMediaType: MEDIA.dockerManifest });
    await expect(t.ecr.send(new PutImageCommand({ repositoryName: "store", imageManifest: manifest, imageTag: "v1" }))).rejects.toMatchObject({ name: "ImageAlreadyExistsException" });
    await t.ecr.send(new PutImageCommand({ repositoryName: "store", imageManifest: manifest, imageTag: "latest" }));
    const other = await manifestIn("store", "two");
    await t.ecr.send(new PutImageCommand({ repositoryName: "store", imageManifest: other }));
    await expect(t.ecr.send(new PutImageCommand({ repositoryName: "store", imageManifest: other, imageDigest: sha256("x") }))).rejects.toMatchObject({ name: "ImageDigestDoesNotMatchException" });
    const missing = JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.dockerManifest, config: { mediaType: MEDIA.dockerConfig, digest: sha256("nothing"), size: 7 }, layers: [] });
    await expect(t.ecr.send(new PutImageCommand({ repositoryName: "store", imageManifest: missing, imageTag: "x" }))).rejects.toMatchObject({ name: "LayersNotFoundException" });
    await expect(t.ecr.send(new PutImageCommand({ repositoryName: "store", imageManifest: "{", imageTag: "x" }))).rejects.toMatchObject({ name: "InvalidParameterException" });

    const details = (await t.ecr.send(new DescribeImagesCommand({ repositoryName: "store" }))).imageDetails!;
    expect(details.map((d) => [d.imageDigest, d.imageTags])).toEqual([
      [sha256(manifest), ["latest", "v1"]],
      [sha256(other), undefined],
    ]);
    expect(details[0]).toMatchObject({ registryId: "123456789012", imageSizeInBytes: 0, imageManifestMediaType: MEDIA.dockerManifest, artifactMediaType: MEDIA.dockerConfig });
    expect(details[0].imagePushedAt).toBeInstanceOf(Date);
    const tagged = await t.ecr.send(new DescribeImagesCommand({ repositoryName: "store", filter: { tagStatus: "UNTAGGED" } }));
    expect(tagged.imageDetails!.map((d) => d.imageDigest)).toEqual([sha256(other)]);
    await expect(t.ecr.send(new DescribeImagesCommand({ repositoryName: "store", imageIds: [{ imageTag: "nope" }] }))).rejects.toMatchObject({
      name: "ImageNotFoundException",
      message: "The image with imageId {imageDigest:'null', imageTag:'nope'} does not exist within the repository with name 'store' in the registry with id '123456789012'",
    });
    await expect(t.ecr.send(new DescribeImagesCommand({ repositoryName: "none" }))).rejects.toMatchObject({ name: "RepositoryNotFoundException" });

    const listed = (await t.ecr.send(new ListImagesCommand({ repositoryName: "store" }))).imageIds!;
    expect(listed).toEqual([
      { imageDigest: sha256(manifest), imageTag: "latest" },
      { imageDigest: sha256(manifest), imageTag: "v1" },
      { imageDigest: sha256(other) },
    ]);

    const got = await t.ecr.send(
      new BatchGetImageCommand({ repositoryName: "store", imageIds: [{ imageTag: "v1" }, { imageTag: "gone" }, { imageTag: "v1", imageDigest: sha256(other) }, {}] }),
    );
    expect(got.images).toEqual([
      { registryId: "123456789012", repositoryName: "store", imageId: { imageDigest: sha256(manifest), imageTag: "v1" }, imageManifest: manifest, imageManifestMediaType: MEDIA.dockerManifest },
    ]);
    expect(got.failures!.map((f) => f.failureCode)).toEqual(["ImageNotFound", "ImageTagDoesNotMatchDigest", "MissingDigestAndTag"]);

    await expect(t.ecr.send(new DeleteRepositoryCommand({ repositoryName: "store" }))).rejects.toMatchObject({
      name: "RepositoryNotEmptyException",
      message: "The repository with name 'store' in registry with id '123456789012' cannot be deleted because it still contains images",
    });
    const deleted = await t.ecr.send(new BatchDeleteImageCommand({ repositoryName: "store", imageIds: [{ imageTag: "v1" }, { imageDigest: sha256(other) }, { imageTag: "gone" }] }));
    expect(deleted.imageIds).toEqual([{ imageDigest: sha256(manifest), imageTag: "v1" }, { imageDigest: sha256(other) }]);
    expect(deleted.failures).toEqual([{ imageId: { imageTag: "gone" }, failureCode: "ImageNotFound", failureReason: "Requested image not found" }]);
    // Its last tag gone, an image goes too.
    await t.ecr.send(new BatchDeleteImageCommand({ repositoryName: "store", imageIds: [{ imageTag: "latest" }] }));
    expect((await t.ecr.send(new ListImagesCommand({ repositoryName: "store" }))).imageIds).toEqual([]);
  });

  it("refuses to move a tag of an IMMUTABLE repository, and deletes non-empty repositories only with force", async () => {
    await t.ecr.send(new CreateRepositoryCommand({ repositoryName: "frozen" }));
    await t.ecr.send(new PutImageTagMutabilityCommand({ repositoryName: "frozen", imageTagMutability: "IMMUTABLE" }));
    await t.ecr.send(new PutImageCommand({ repositoryName: "frozen", imageManifest: await manifestIn("frozen", "a"), imageTag: "v1" }));
    await expect(t.ecr.send(new PutImageCommand({ repositoryName: "frozen", imageManifest: await manifestIn("frozen", "b"), imageTag: "v1" }))).rejects.toMatchObject({
      name: "ImageTagAlreadyExistsException",
    });
    const gone = (await t.ecr.send(new DeleteRepositoryCommand({ repositoryName: "frozen", force: true }))).repository!;
    expect(gone).toMatchObject({ repositoryName: "frozen", imageTagMutability: "IMMUTABLE" });
    await expect(t.ecr.send(new DeleteRepositoryCommand({ repositoryName: "frozen" }))).rejects.toMatchObject({ name: "RepositoryNotFoundException" });
    expect((await t.fetch("/v2/frozen/tags/list")).status).toBe(404);
  });

  it("keeps repository policies, and images a manifest list names", async () => {
    await t.ecr.send(new CreateRepositoryCommand({ repositoryName: "policed" }));
    await expect(t.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: "policed" }))).rejects.toMatchObject({ name: "RepositoryPolicyNotFoundException" });
    await expect(t.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: "policed", policyText: "{" }))).rejects.toMatchObject({ name: "InvalidParameterException" });
    const policyText = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" }] });
    expect(await t.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: "policed", policyText }))).toMatchObject({ repositoryName: "policed", policyText });
    expect((await t.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: "policed" }))).policyText).toBe(policyText);
    expect((await t.ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: "policed" }))).policyText).toBe(policyText);
    await expect(t.ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: "policed" }))).rejects.toMatchObject({ name: "RepositoryPolicyNotFoundException" });

    const image = await manifestIn("policed", "child");
    await t.ecr.send(new PutImageCommand({ repositoryName: "policed", imageManifest: image, imageTag: "child" }));
    const index = JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [{ mediaType: MEDIA.dockerManifest, digest: sha256(image), size: image.length }] });
    const dangling = JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [{ mediaType: MEDIA.dockerManifest, digest: sha256("none"), size: 4 }] });
    await expect(t.ecr.send(new PutImageCommand({ repositoryName: "policed", imageManifest: dangling, imageTag: "dangling" }))).rejects.toMatchObject({
      name: "ReferencedImagesNotFoundException",
    });
    await t.ecr.send(new PutImageCommand({ repositoryName: "policed", imageManifest: index, imageTag: "multi" }));
    const listed = (await t.ecr.send(new DescribeImagesCommand({ repositoryName: "policed", imageIds: [{ imageTag: "multi" }] }))).imageDetails![0];
    expect(listed).toMatchObject({ imageManifestMediaType: MEDIA.ociIndex, imageSizeInBytes: 0 });
    expect(listed.artifactMediaType).toBeUndefined();
    const refused = await t.ecr.send(new BatchDeleteImageCommand({ repositoryName: "policed", imageIds: [{ imageDigest: sha256(image) }] }));
    expect(refused.failures![0]).toMatchObject({ failureCode: "ImageReferencedByManifestList" });
    await t.ecr.send(new BatchDeleteImageCommand({ repositoryName: "policed", imageIds: [{ imageTag: "child" }] }));
    expect((await t.ecr.send(new ListImagesCommand({ repositoryName: "policed" }))).imageIds).toEqual([{ imageDigest: sha256(image) }, { imageDigest: sha256(index), imageTag: "multi" }]);
  });

  it("applies a lifecycle policy when it is put and after each push, and keeps, gets and deletes it", async () => {
    await t.ecr.send(new CreateRepositoryCommand({ repositoryName: "cycled" }));
    await expect(t.ecr.send(new GetLifecyclePolicyCommand({ repositoryName: "cycled" }))).rejects.toMatchObject({ name: "LifecyclePolicyNotFoundException" });
    await expect(t.ecr.send(new PutLifecyclePolicyCommand({ repositoryName: "cycled", lifecyclePolicyText: '{"rules":[]}' }))).rejects.toMatchObject({ name: "InvalidParameterException" });
    for (const v of ["v1", "v2"]) await t.ecr.send(new PutImageCommand({ repositoryName: "cycled", imageManifest: await manifestIn("cycled", v), imageTag: v }));
    const lifecyclePolicyText = JSON.stringify({
      rules: [{ rulePriority: 1, description: "keep two", selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 2 }, action: { type: "expire" } }],
    });
    await expect(t.ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: "cycled" }))).rejects.toMatchObject({ name: "LifecyclePolicyPreviewNotFoundException" });
    const keepOne = lifecyclePolicyText.replace('"countNumber":2', '"countNumber":1');
    expect((await t.ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: "cycled", lifecyclePolicyText: keepOne }))).status).toBe("COMPLETE");
    const preview = await t.ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: "cycled" }));
    expect(preview).toMatchObject({ status: "COMPLETE", lifecyclePolicyText: keepOne, summary: { expiringImageTotalCount: 1 } });
    expect(preview.previewResults!.map((r) => [r.imageTags, r.action?.type, r.appliedRulePriority])).toEqual([[["v1"], "EXPIRE", 1]]);
    expect((await t.ecr.send(new ListImagesCommand({ repositoryName: "cycled" }))).imageIds).toHaveLength(2);
    expect(await t.ecr.send(new PutLifecyclePolicyCommand({ repositoryName: "cycled", lifecyclePolicyText }))).toMatchObject({ repositoryName: "cycled", lifecyclePolicyText });
    expect((await t.ecr.send(new ListImagesCommand({ repositoryName: "cycled" }))).imageIds!.map((i) => i.imageTag)).toEqual(["v1", "v2"]);
    // The third image makes the first one too many.
    await t.ecr.send(new PutImageCommand({ repositoryName: "cycled", imageManifest: await manifestIn("cycled", "v3"), imageTag: "v3" }));
    expect((await t.ecr.send(new ListImagesCommand({ repositoryName: "cycled" }))).imageIds!.map((i) => i.imageTag).sort()).toEqual(["v2", "v3"]);
    const got = await t.ecr.send(new GetLifecyclePolicyCommand({ repositoryName: "cycled" }));
    expect(got.lifecyclePolicyText).toBe(lifecyclePolicyText);
    expect(got.lastEvaluatedAt).toBeInstanceOf(Date);
    await t.ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: "cycled" }));
    await expect(t.ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: "cycled" }))).rejects.toMatchObject({ name: "LifecyclePolicyNotFoundException" });
  });

  it("uploads layers through the API, checks their availability and hands out download URLs", async () => {
    await t.ecr.send(new CreateRepositoryCommand({ repositoryName: "layers" }));
    const layer = Buffer.from("a layer sent in two parts");
    const { uploadId, partSize } = await t.ecr.send(new InitiateLayerUploadCommand({ repositoryName: "layers" }));
    expect(partSize).toBeGreaterThan(0);
    await expect(t.ecr.send(new CompleteLayerUploadCommand({ repositoryName: "layers", uploadId, layerDigests: [sha256(layer)] }))).rejects.toMatchObject({ name: "EmptyUploadException" });
    const first = await t.ecr.send(new UploadLayerPartCommand({ repositoryName: "layers", uploadId, partFirstByte: 0, partLastByte: 7, layerPartBlob: layer.subarray(0, 8) }));
    expect(first.lastByteReceived).toBe(7);
    await expect(
      t.ecr.send(new UploadLayerPartCommand({ repositoryName: "layers", uploadId, partFirstByte: 9, partLastByte: layer.length - 1, layerPartBlob: layer.subarray(9) })),
    ).rejects.toMatchObject({ name: "InvalidLayerPartException" });
    await t.ecr.send(new UploadLayerPartCommand({ repositoryName: "layers", uploadId, partFirstByte: 8, partLastByte: layer.length - 1, layerPartBlob: layer.subarray(8) }));
    const done = await t.ecr.send(new CompleteLayerUploadCommand({ repositoryName: "layers", uploadId, layerDigests: [sha256(layer)] }));
    expect(done).toMatchObject({ layerDigest: sha256(layer), uploadId, repositoryName: "layers" });
    await expect(t.ecr.send(new UploadLayerPartCommand({ repositoryName: "layers", uploadId, partFirstByte: 0, partLastByte: 0, layerPartBlob: Buffer.from("x") }))).rejects.toMatchObject({
      name: "UploadNotFoundException",
    });

    const wrong = await t.ecr.send(new InitiateLayerUploadCommand({ repositoryName: "layers" }));
    await t.ecr.send(new UploadLayerPartCommand({ repositoryName: "layers", uploadId: wrong.uploadId, partFirstByte: 0, partLastByte: 0, layerPartBlob: Buffer.from("y") }));
    await expect(t.ecr.send(new CompleteLayerUploadCommand({ repositoryName: "layers", uploadId: wrong.uploadId, layerDigests: [sha256("z")] }))).rejects.toMatchObject({ name: "InvalidLayerException" });

    const checked = await t.ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: "layers", layerDigests: [sha256(layer), sha256("absent"), "bad"] }));
    expect(checked.layers).toEqual([{ layerDigest: sha256(layer), layerAvailability: "AVAILABLE", layerSize: layer.length }]);
    expect(checked.failures!.map((f) => f.failureCode)).toEqual(["MissingLayerDigest", "InvalidLayerDigest"]);
    // The registry sees a layer uploaded through the API.
    expect(await (await t.fetch(`/v2/layers/blobs/${sha256(layer)}`)).text()).toBe(layer.toString());

    const { downloadUrl } = await t.ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: "layers", layerDigest: sha256(layer) }));
    const download = await fetch(downloadUrl!);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe(layer.toString());
    expect((await fetch(downloadUrl!.replace(/token=[^&]+/, "token=forged"))).status).toBe(403);
    await expect(t.ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: "layers", layerDigest: sha256("absent") }))).rejects.toMatchObject({ name: "LayersNotFoundException" });

    // Bytes no repository holds go with the last repository holding them.
    const file = join(t.ctx.filesDir, "ecr", "blobs", "sha256", sha256(layer).slice(7));
    expect(existsSync(file)).toBe(true);
    await t.ecr.send(new DeleteRepositoryCommand({ repositoryName: "layers", force: true }));
    expect(existsSync(file)).toBe(false);
  });

  it("names its repositories for the workload host under both registry names", async () => {
    const ecrHost = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
    expect(t.registry.owns(`${ecrHost}/apps/web:v1`)).toBe(true);
    expect(t.registry.owns(`${t.host}/apps/web@${sha256("x")}`)).toBe(true);
    expect(t.registry.owns("docker.io/library/busybox")).toBe(false);
    expect(t.registry.owns("999999999999.dkr.ecr.us-east-1.amazonaws.com/apps/web")).toBe(false);
    expect(t.registry.localReference(`${ecrHost}/apps/web:v1`)).toBe(`${t.host}/apps/web:v1`);
    const { username, password } = t.registry.pullCredentials();
    const res = await fetch(`${t.endpoint}/v2/`, { headers: { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` } });
    expect(res.status).toBe(200);
  });
});
