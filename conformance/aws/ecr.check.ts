import { createHash } from "node:crypto";
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
  DescribeRegistryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  ListImagesCommand,
  ListTagsForResourceCommand,
  PutImageCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-ecr";
import { assert, assertEqual, Checks, expectError, startSimulator } from "./harness.js";
import { pushTestImage, registryLogin } from "./images.js";

/** ECR through the official JavaScript SDK v3, and its registry through the engine's own push and plain HTTP. */
const sim = await startSimulator();
const ecr = new ECRClient(sim.config);
const checks = new Checks("ecr");
const host = new URL(sim.endpoint).host;
const account = "123456789012";
const suffix = Date.now().toString(36);
const repo = `conformance/app-${suffix}`;
const arn = `arn:aws:ecr:${sim.config.region}:${account}:repository/${repo}`;
const sha256 = (b: string | Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
let manifest = "";
let digest = "";

async function registry(path: string, init: RequestInit = {}): Promise<Response> {
  const { username, password } = await registryLogin(ecr);
  return fetch(`${sim.endpoint}${path}`, { ...init, headers: { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`, ...(init.headers as Record<string, string>) } });
}

await checks.check("CreateRepository with ECR's defaults and a URI on the simulator's registry", async () => {
  const r = (await ecr.send(new CreateRepositoryCommand({ repositoryName: repo, tags: [{ Key: "suite", Value: "ecr" }] }))).repository!;
  assertEqual(r.repositoryArn, arn, "repositoryArn");
  assertEqual(r.registryId, account, "registryId");
  assertEqual(r.repositoryUri, `${host}/${repo}`, "repositoryUri");
  assertEqual(r.imageTagMutability, "MUTABLE", "imageTagMutability");
  assertEqual(r.imageScanningConfiguration, { scanOnPush: false }, "imageScanningConfiguration");
  assertEqual(r.encryptionConfiguration, { encryptionType: "AES256" }, "encryptionConfiguration");
  assert(r.createdAt instanceof Date && Math.abs(r.createdAt.getTime() - Date.now()) < 60_000, "createdAt is now");
});

await checks.check("CreateRepository of a taken name: RepositoryAlreadyExistsException", async () => {
  const e = await expectError(() => ecr.send(new CreateRepositoryCommand({ repositoryName: repo })), "RepositoryAlreadyExistsException", 400);
  assertEqual(e.message, `The repository with name '${repo}' already exists in the registry with id '${account}'`, "message");
});

await checks.check("CreateRepository of an invalid name: InvalidParameterException", async () => {
  await expectError(() => ecr.send(new CreateRepositoryCommand({ repositoryName: "Not_Valid!" })), "InvalidParameterException", 400);
  await expectError(() => ecr.send(new CreateRepositoryCommand({ repositoryName: "x" })), "InvalidParameterException", 400);
});

await checks.check("DescribeRepositories by name, and RepositoryNotFoundException for an unknown one", async () => {
  const found = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }));
  assertEqual(found.repositories?.map((r) => r.repositoryUri), [`${host}/${repo}`], "repositoryUri");
  const e = await expectError(() => ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [`${repo}-none`] })), "RepositoryNotFoundException", 400);
  assertEqual(e.message, `The repository with name '${repo}-none' does not exist in the registry with id '${account}'`, "message");
});

await checks.check("DescribeRepositories in pages of maxResults", async () => {
  for (const n of ["a", "b"]) await ecr.send(new CreateRepositoryCommand({ repositoryName: `${repo}-page-${n}` }));
  const seen: string[] = [];
  let nextToken: string | undefined;
  do {
    const p = await ecr.send(new DescribeRepositoriesCommand({ maxResults: 1, nextToken }));
    assert((p.repositories ?? []).length <= 1, "at most maxResults per page");
    seen.push(...(p.repositories ?? []).map((r) => r.repositoryName!));
    nextToken = p.nextToken;
  } while (nextToken);
  for (const n of [repo, `${repo}-page-a`, `${repo}-page-b`]) assert(seen.includes(n), `${n} listed`);
  assertEqual(new Set(seen).size, seen.length, "no repository twice");
  await expectError(() => ecr.send(new DescribeRepositoriesCommand({ maxResults: 0 })), "InvalidParameterException");
});

await checks.check("TagResource, ListTagsForResource and UntagResource", async () => {
  await ecr.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: "owner", Value: "me" }] }));
  assertEqual((await ecr.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, [{ Key: "suite", Value: "ecr" }, { Key: "owner", Value: "me" }], "tags");
  await ecr.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["suite"] }));
  assertEqual((await ecr.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, [{ Key: "owner", Value: "me" }], "tags after untag");
});

await checks.check("tag operations on an unknown repository, a bad ARN and a reserved key", async () => {
  await expectError(() => ecr.send(new ListTagsForResourceCommand({ resourceArn: `${arn}-none` })), "RepositoryNotFoundException");
  await expectError(() => ecr.send(new TagResourceCommand({ resourceArn: "arn:nothing", tags: [] })), "InvalidParameterException");
  await expectError(() => ecr.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: "aws:reserved", Value: "x" }] })), "InvalidTagParameterException");
});

await checks.check("SetRepositoryPolicy, GetRepositoryPolicy, DeleteRepositoryPolicy and their errors", async () => {
  await expectError(() => ecr.send(new GetRepositoryPolicyCommand({ repositoryName: repo })), "RepositoryPolicyNotFoundException", 400);
  await expectError(() => ecr.send(new SetRepositoryPolicyCommand({ repositoryName: repo, policyText: "not json" })), "InvalidParameterException", 400);
  const policyText = JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "pull", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: ["ecr:BatchGetImage"] }] });
  assertEqual((await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: repo, policyText }))).policyText, policyText, "set");
  assertEqual((await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: repo }))).policyText, policyText, "get");
  assertEqual((await ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: repo }))).policyText, policyText, "delete");
  await expectError(() => ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: repo })), "RepositoryPolicyNotFoundException", 400);
});

await checks.check("GetAuthorizationToken: a password for user AWS, for 12 hours, that the registry takes", async () => {
  const data = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0];
  assertEqual(data.proxyEndpoint, sim.endpoint, "proxyEndpoint");
  const hours = (data.expiresAt!.getTime() - Date.now()) / 3_600_000;
  assert(hours > 11.9 && hours <= 12, `expiresAt ${hours} hours away`);
  const [user] = Buffer.from(data.authorizationToken!, "base64").toString("utf8").split(":");
  assertEqual(user, "AWS", "user name");
  const ok = await fetch(`${sim.endpoint}/v2/`, { headers: { Authorization: `Basic ${data.authorizationToken}` } });
  assertEqual(ok.status, 200, "GET /v2/ with the token");
  assertEqual(ok.headers.get("docker-distribution-api-version"), "registry/2.0", "API version header");
});

await checks.check("the registry challenges a client without credentials with Basic", async () => {
  const res = await fetch(`${sim.endpoint}/v2/`);
  assertEqual(res.status, 401, "status");
  assert(/^Basic realm="[^"]+"/.test(res.headers.get("www-authenticate") ?? ""), `WWW-Authenticate: ${res.headers.get("www-authenticate")}`);
});

await checks.check("a push to a repository that does not exist fails with NAME_UNKNOWN", async () => {
  const res = await registry(`/v2/${repo}-none/blobs/uploads/`, { method: "POST" });
  assertEqual(res.status, 404, "status");
  assertEqual(await res.json(), { errors: [{ code: "NAME_UNKNOWN", message: `The repository with name '${repo}-none' does not exist in the registry with id '${account}'` }] }, "body");
});

await checks.check("an engine pushes the busybox test image to the registry", async () => {
  assertEqual(await pushTestImage(sim.config, repo, "v1"), `${host}/${repo}:v1`, "image URI");
  const res = await registry(`/v2/${repo}/manifests/v1`);
  assertEqual(res.status, 200, "manifest GET");
  manifest = await res.text();
  digest = sha256(manifest);
  assertEqual(res.headers.get("docker-content-digest"), digest, "Docker-Content-Digest");
});

await checks.check("DescribeImages after the push", async () => {
  const details = (await ecr.send(new DescribeImagesCommand({ repositoryName: repo }))).imageDetails!;
  assertEqual(details.length, 1, "images");
  const d = details[0];
  assertEqual([d.imageDigest, d.imageTags, d.registryId, d.repositoryName], [digest, ["v1"], account, repo], "identity");
  assertEqual(d.imageManifestMediaType, "application/vnd.docker.distribution.manifest.v2+json", "imageManifestMediaType");
  assertEqual(d.artifactMediaType, "application/vnd.docker.container.image.v1+json", "artifactMediaType");
  const layers = (JSON.parse(manifest) as { layers: { size: number }[] }).layers;
  assertEqual(d.imageSizeInBytes, layers.reduce((n, l) => n + l.size, 0), "imageSizeInBytes");
  assert(d.imagePushedAt instanceof Date, "imagePushedAt");
  const byTag = await ecr.send(new DescribeImagesCommand({ repositoryName: repo, imageIds: [{ imageTag: "v1" }] }));
  assertEqual(byTag.imageDetails?.[0].imageDigest, digest, "by tag");
});

await checks.check("DescribeImages of an unknown tag: ImageNotFoundException; of an unknown repository: RepositoryNotFoundException", async () => {
  await expectError(() => ecr.send(new DescribeImagesCommand({ repositoryName: repo, imageIds: [{ imageTag: "none" }] })), "ImageNotFoundException", 400);
  await expectError(() => ecr.send(new DescribeImagesCommand({ repositoryName: `${repo}-none` })), "RepositoryNotFoundException", 400);
});

await checks.check("PutImage tags the pushed manifest again; the same again is ImageAlreadyExistsException", async () => {
  const out = await ecr.send(new PutImageCommand({ repositoryName: repo, imageManifest: manifest, imageTag: "stable" }));
  assertEqual(out.image?.imageId, { imageDigest: digest, imageTag: "stable" }, "imageId");
  assertEqual(out.image?.imageManifestMediaType, "application/vnd.docker.distribution.manifest.v2+json", "media type");
  await expectError(() => ecr.send(new PutImageCommand({ repositoryName: repo, imageManifest: manifest, imageTag: "stable" })), "ImageAlreadyExistsException", 400);
});

await checks.check("PutImage refusals: missing layers, a wrong digest, invalid JSON", async () => {
  const parsed = JSON.parse(manifest) as { layers: { digest: string }[] };
  parsed.layers[0].digest = sha256("not pushed");
  await expectError(() => ecr.send(new PutImageCommand({ repositoryName: repo, imageManifest: JSON.stringify(parsed), imageTag: "broken" })), "LayersNotFoundException", 400);
  await expectError(() => ecr.send(new PutImageCommand({ repositoryName: repo, imageManifest: manifest, imageDigest: sha256("other") })), "ImageDigestDoesNotMatchException", 400);
  await expectError(() => ecr.send(new PutImageCommand({ repositoryName: repo, imageManifest: "{not json", imageTag: "x" })), "InvalidParameterException", 400);
});

await checks.check("ListImages, all and by tag status", async () => {
  const all = (await ecr.send(new ListImagesCommand({ repositoryName: repo }))).imageIds;
  assertEqual(all, [{ imageDigest: digest, imageTag: "stable" }, { imageDigest: digest, imageTag: "v1" }], "imageIds");
  assertEqual((await ecr.send(new ListImagesCommand({ repositoryName: repo, filter: { tagStatus: "UNTAGGED" } }))).imageIds, [], "untagged");
});

await checks.check("BatchGetImage: the manifest, and failures for an unknown tag and a mismatched digest", async () => {
  const out = await ecr.send(new BatchGetImageCommand({ repositoryName: repo, imageIds: [{ imageTag: "v1" }, { imageTag: "none" }, { imageTag: "v1", imageDigest: sha256("x") }] }));
  assertEqual(out.images?.map((i) => [i.imageId, i.imageManifest === manifest, i.imageManifestMediaType]), [[{ imageDigest: digest, imageTag: "v1" }, true, "application/vnd.docker.distribution.manifest.v2+json"]], "images");
  assertEqual(out.failures?.map((f) => [f.imageId?.imageTag, f.failureCode]), [["none", "ImageNotFound"], ["v1", "ImageTagDoesNotMatchDigest"]], "failures");
});

await checks.check("PutImageTagMutability IMMUTABLE: a tag cannot move, by PutImage or by a registry push", async () => {
  const out = await ecr.send(new PutImageTagMutabilityCommand({ repositoryName: repo, imageTagMutability: "IMMUTABLE" }));
  assertEqual(out.imageTagMutability, "IMMUTABLE", "setting");
  // The same image written without indentation: another manifest, another digest.
  const other = JSON.stringify(JSON.parse(manifest));
  await expectError(() => ecr.send(new PutImageCommand({ repositoryName: repo, imageManifest: other, imageTag: "v1" })), "ImageTagAlreadyExistsException", 400);
  const res = await registry(`/v2/${repo}/manifests/v1`, { method: "PUT", body: other, headers: { "Content-Type": "application/vnd.docker.distribution.manifest.v2+json" } });
  assertEqual(res.status, 400, "registry status");
  assertEqual(((await res.json()) as { errors: { code: string }[] }).errors[0].code, "TAG_INVALID", "registry code");
  await ecr.send(new PutImageTagMutabilityCommand({ repositoryName: repo, imageTagMutability: "MUTABLE" }));
});

await checks.check("PutImageScanningConfiguration and DescribeRegistry", async () => {
  const out = await ecr.send(new PutImageScanningConfigurationCommand({ repositoryName: repo, imageScanningConfiguration: { scanOnPush: true } }));
  assertEqual(out.imageScanningConfiguration, { scanOnPush: true }, "scanning");
  assertEqual((await ecr.send(new DescribeRegistryCommand({}))).registryId, account, "registryId");
});

await checks.check("layers through the API: InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload, BatchCheckLayerAvailability", async () => {
  const layer = Buffer.from(`a layer of the API check ${suffix}`);
  const { uploadId, partSize } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: repo }));
  assert(uploadId && partSize && partSize > 0, "uploadId and partSize");
  await expectError(() => ecr.send(new CompleteLayerUploadCommand({ repositoryName: repo, uploadId, layerDigests: [sha256(layer)] })), "EmptyUploadException", 400);
  const part = await ecr.send(new UploadLayerPartCommand({ repositoryName: repo, uploadId, partFirstByte: 0, partLastByte: 9, layerPartBlob: layer.subarray(0, 10) }));
  assertEqual(part.lastByteReceived, 9, "lastByteReceived");
  await expectError(
    () => ecr.send(new UploadLayerPartCommand({ repositoryName: repo, uploadId, partFirstByte: 11, partLastByte: layer.length - 1, layerPartBlob: layer.subarray(11) })),
    "InvalidLayerPartException",
    400,
  );
  await ecr.send(new UploadLayerPartCommand({ repositoryName: repo, uploadId, partFirstByte: 10, partLastByte: layer.length - 1, layerPartBlob: layer.subarray(10) }));
  const done = await ecr.send(new CompleteLayerUploadCommand({ repositoryName: repo, uploadId, layerDigests: [sha256(layer)] }));
  assertEqual(done.layerDigest, sha256(layer), "layerDigest");
  await expectError(() => ecr.send(new UploadLayerPartCommand({ repositoryName: repo, uploadId, partFirstByte: 0, partLastByte: 0, layerPartBlob: Buffer.from("x") })), "UploadNotFoundException", 400);
  const checked = await ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: repo, layerDigests: [sha256(layer), sha256("absent")] }));
  assertEqual(checked.layers, [{ layerDigest: sha256(layer), layerAvailability: "AVAILABLE", layerSize: layer.length }], "layers");
  assertEqual(checked.failures?.map((f) => f.failureCode), ["MissingLayerDigest"], "failures");
  const { downloadUrl } = await ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: repo, layerDigest: sha256(layer) }));
  const res = await fetch(downloadUrl!);
  assertEqual([res.status, await res.text()], [200, layer.toString()], "download");
  await expectError(() => ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: repo, layerDigest: sha256("absent") })), "LayersNotFoundException", 400);
});

await checks.check("lifecycle policies: a preview, PutLifecyclePolicy expiring what its rules select, GetLifecyclePolicy, DeleteLifecyclePolicy and their errors", async () => {
  await expectError(() => ecr.send(new GetLifecyclePolicyCommand({ repositoryName: repo })), "LifecyclePolicyNotFoundException", 400);
  const rule = (rulePriority: number, selection: object) => ({ rulePriority, selection, action: { type: "expire" } });
  const twoUntagged = JSON.stringify({ rules: [rule(1, { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 1 }), rule(2, { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 })] });
  await expectError(() => ecr.send(new PutLifecyclePolicyCommand({ repositoryName: repo, lifecyclePolicyText: twoUntagged })), "InvalidParameterException", 400);
  // Two untagged images: the pushed manifest stored again, written two other ways.
  const older = JSON.stringify(JSON.parse(manifest));
  const younger = JSON.stringify(JSON.parse(manifest), null, 1);
  for (const m of [older, younger]) await ecr.send(new PutImageCommand({ repositoryName: repo, imageManifest: m }));
  const keepOne = JSON.stringify({ rules: [rule(1, { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 1 })] });
  await expectError(() => ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: repo })), "LifecyclePolicyPreviewNotFoundException", 400);
  await ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: repo, lifecyclePolicyText: keepOne }));
  const preview = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: repo }));
  assertEqual(preview.status, "COMPLETE", "preview status");
  assertEqual(preview.previewResults?.map((r) => [r.imageDigest, r.action?.type, r.appliedRulePriority]), [[sha256(older), "EXPIRE", 1]], "preview results");
  assertEqual((await ecr.send(new ListImagesCommand({ repositoryName: repo, filter: { tagStatus: "UNTAGGED" } }))).imageIds?.length, 2, "a preview expires nothing");
  assertEqual((await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: repo, lifecyclePolicyText: keepOne }))).lifecyclePolicyText, keepOne, "put");
  const left = (await ecr.send(new ListImagesCommand({ repositoryName: repo, filter: { tagStatus: "UNTAGGED" } }))).imageIds;
  assertEqual(left, [{ imageDigest: sha256(younger) }], "the younger untagged image is kept");
  assertEqual((await ecr.send(new ListImagesCommand({ repositoryName: repo, filter: { tagStatus: "TAGGED" } }))).imageIds?.length, 2, "tagged images untouched");
  const got = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: repo }));
  assertEqual(got.lifecyclePolicyText, keepOne, "get");
  assert(got.lastEvaluatedAt instanceof Date, "lastEvaluatedAt");
  assertEqual((await ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: repo }))).lifecyclePolicyText, keepOne, "delete");
  await expectError(() => ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: repo })), "LifecyclePolicyNotFoundException", 400);
  await ecr.send(new BatchDeleteImageCommand({ repositoryName: repo, imageIds: [{ imageDigest: sha256(younger) }] }));
});

await checks.check("DeleteRepository of a repository with images: RepositoryNotEmptyException", async () => {
  const e = await expectError(() => ecr.send(new DeleteRepositoryCommand({ repositoryName: repo })), "RepositoryNotEmptyException", 400);
  assertEqual(e.message, `The repository with name '${repo}' in registry with id '${account}' cannot be deleted because it still contains images`, "message");
});

await checks.check("BatchDeleteImage by tag and an unknown one", async () => {
  const out = await ecr.send(new BatchDeleteImageCommand({ repositoryName: repo, imageIds: [{ imageTag: "stable" }, { imageTag: "none" }] }));
  assertEqual(out.imageIds, [{ imageDigest: digest, imageTag: "stable" }], "deleted");
  assertEqual(out.failures?.map((f) => f.failureCode), ["ImageNotFound"], "failures");
  assertEqual((await ecr.send(new ListImagesCommand({ repositoryName: repo }))).imageIds?.length, 1, "left");
});

await checks.check("DeleteRepository with force, then RepositoryNotFoundException", async () => {
  const out = await ecr.send(new DeleteRepositoryCommand({ repositoryName: repo, force: true }));
  assertEqual(out.repository?.repositoryName, repo, "deleted");
  await expectError(() => ecr.send(new DeleteRepositoryCommand({ repositoryName: repo })), "RepositoryNotFoundException", 400);
  for (const n of ["a", "b"]) await ecr.send(new DeleteRepositoryCommand({ repositoryName: `${repo}-page-${n}` }));
});

ecr.destroy();
await sim.stop();
checks.finish();
