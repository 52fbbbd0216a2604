import { AwsError } from "../../errors.js";
import type { JsonInput } from "../../request.js";
import type { JsonOperation } from "../../service.js";
import { invalid, list, optionalString, page, repository, required, seconds, tagStatus, type ApiDeps } from "./api-common.js";
import { DIGEST } from "./blobs.js";
import { indexesReferencing, ManifestRefused, storeManifest, TAG } from "./images.js";
import { applyLifecycle } from "./lifecycle.js";
import type { ImageRow, Repository } from "./store.js";

interface ImageId {
  imageDigest?: string;
  imageTag?: string;
}

/** An image identifier that could not be resolved, as BatchGetImage and BatchDeleteImage report it. */
interface Failure {
  imageId: ImageId;
  failureCode: string;
  failureReason: string;
}

type Resolved = { image: ImageRow; id: ImageId } | { failure: Failure };

const idText = (id: ImageId) => `{imageDigest:'${id.imageDigest ?? "null"}', imageTag:'${id.imageTag ?? "null"}'}`;

function imageIds(input: JsonInput): ImageId[] {
  const ids = list<ImageId>(input, "imageIds");
  if (ids === undefined) required(input, "imageIds");
  if (ids!.length < 1 || ids!.length > 100) throw invalid("imageIds", "Member must have length less than or equal to 100 and greater than or equal to 1");
  return ids!.map((id) => (typeof id === "object" && id !== null ? id : {}));
}

export function imageOperations(deps: ApiDeps): Record<string, JsonOperation> {
  const { store } = deps;
  const account = deps.ctx.accountId;

  /** An image identifier against a repository: by digest, by tag, or both (which must agree). */
  function resolve(repo: Repository, id: ImageId): Resolved {
    const fail = (failureCode: string, failureReason: string): Resolved => ({ failure: { imageId: id, failureCode, failureReason } });
    if (!id.imageDigest && !id.imageTag) return fail("MissingDigestAndTag", "Invalid request parameters: both tag and digest cannot be null");
    if (id.imageDigest && !DIGEST.test(id.imageDigest)) return fail("InvalidImageDigest", "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'");
    if (id.imageTag && !TAG.test(id.imageTag)) return fail("InvalidImageTag", "Invalid request parameters: image tag should satisfy the regex '[a-zA-Z0-9-_.]+'");
    const tagged = id.imageTag ? store.tagged(repo.name, id.imageTag) : undefined;
    if (id.imageTag && id.imageDigest && tagged !== undefined && tagged !== id.imageDigest) {
      return fail("ImageTagDoesNotMatchDigest", "Invalid request parameters: image tag digest did not match image digest");
    }
    const digest = id.imageDigest ?? tagged;
    const image = digest ? store.image(repo.name, digest) : undefined;
    if (!image || (id.imageTag && tagged === undefined)) return fail("ImageNotFound", "Requested image not found");
    return { image, id: { imageDigest: image.digest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) } };
  }

  const detail = (repo: Repository, image: ImageRow) => {
    const tags = store.tagsOf(repo.name, image.digest);
    return {
      registryId: account,
      repositoryName: repo.name,
      imageDigest: image.digest,
      ...(tags.length > 0 ? { imageTags: tags } : {}),
      imageSizeInBytes: image.sizeBytes,
      imagePushedAt: seconds(image.pushedAtMs),
      imageManifestMediaType: image.mediaType,
      ...(image.artifactMediaType ? { artifactMediaType: image.artifactMediaType } : {}),
      ...(image.lastPulledAtMs !== null ? { lastRecordedPullTime: seconds(image.lastPulledAtMs) } : {}),
    };
  };

  return {
    DescribeImages: (input) => {
      const repo = repository(deps, input);
      const ids = list<ImageId>(input, "imageIds");
      if (ids !== undefined) {
        const found = ids.map((id) => {
          const r = resolve(repo, id);
          if ("failure" in r) {
            if (r.failure.failureCode !== "ImageNotFound") throw new AwsError("InvalidParameterException", r.failure.failureReason);
            throw new AwsError("ImageNotFoundException", `The image with imageId ${idText(id)} does not exist within the repository with name '${repo.name}' in the registry with id '${account}'`);
          }
          return r.image;
        });
        const unique = [...new Map(found.map((i) => [i.digest, i])).values()];
        return { imageDetails: unique.map((i) => detail(repo, i)) };
      }
      const status = tagStatus(input);
      const all = store.images(repo.name).filter((i) => {
        const tagged = store.tagsOf(repo.name, i.digest).length > 0;
        return status === "ANY" || (status === "TAGGED") === tagged;
      });
      const p = page(all, input);
      return { imageDetails: p.items.map((i) => detail(repo, i)), ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
    },

    ListImages: (input) => {
      const repo = repository(deps, input);
      const status = tagStatus(input);
      const ids: ImageId[] = store.images(repo.name).flatMap((i) => {
        const tags = store.tagsOf(repo.name, i.digest);
        if (tags.length === 0) return status === "TAGGED" ? [] : [{ imageDigest: i.digest }];
        return status === "UNTAGGED" ? [] : tags.map((imageTag) => ({ imageDigest: i.digest, imageTag }));
      });
      const p = page(ids, input);
      return { imageIds: p.items, ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
    },

    BatchGetImage: (input) => {
      const repo = repository(deps, input);
      const images: unknown[] = [];
      const failures: Failure[] = [];
      for (const id of imageIds(input)) {
        const r = resolve(repo, id);
        if ("failure" in r) failures.push(r.failure);
        else {
          store.recordPull(repo.name, r.image.digest);
          images.push({ registryId: account, repositoryName: repo.name, imageId: r.id, imageManifest: r.image.manifest, imageManifestMediaType: r.image.mediaType });
        }
      }
      return { images, failures };
    },

    BatchDeleteImage: (input) => {
      const repo = repository(deps, input);
      const deleted: ImageId[] = [];
      const failures: Failure[] = [];
      for (const id of imageIds(input)) {
        const r = resolve(repo, id);
        if ("failure" in r) {
          failures.push(r.failure);
          continue;
        }
        const lists = indexesReferencing(store, repo.name, r.image.digest);
        if (!id.imageTag && lists.length > 0) {
          failures.push({ imageId: id, failureCode: "ImageReferencedByManifestList", failureReason: `Requested image referenced by manifest list: [${lists.join(", ")}]` });
          continue;
        }
        store.transaction(() => {
          if (id.imageTag) {
            // Untagging: an image left without tags is deleted with its last one, unless a manifest list needs it.
            store.deleteTag(repo.name, id.imageTag);
            deleted.push({ imageDigest: r.image.digest, imageTag: id.imageTag });
            if (store.tagsOf(repo.name, r.image.digest).length === 0 && lists.length === 0) store.deleteImage(repo.name, r.image.digest);
            return;
          }
          const tags = store.tagsOf(repo.name, r.image.digest);
          store.deleteImage(repo.name, r.image.digest);
          if (tags.length === 0) deleted.push({ imageDigest: r.image.digest });
          for (const imageTag of tags) deleted.push({ imageDigest: r.image.digest, imageTag });
        });
      }
      return { imageIds: deleted, failures };
    },

    PutImage: (input) => {
      const repo = repository(deps, input);
      const manifest = required(input, "imageManifest");
      const imageTag = optionalString(input, "imageTag");
      const imageDigest = optionalString(input, "imageDigest");
      if (imageTag !== undefined && !TAG.test(imageTag)) throw invalid("imageTag", "Member must satisfy regular expression pattern: [a-zA-Z0-9-_.]+");
      if (imageDigest !== undefined && !DIGEST.test(imageDigest)) throw invalid("imageDigest", "Member must be a sha256 digest");
      let stored;
      try {
        stored = storeManifest(store, repo, Buffer.from(manifest, "utf8"), optionalString(input, "imageManifestMediaType"), { tag: imageTag, digest: imageDigest });
      } catch (err) {
        if (!(err instanceof ManifestRefused)) throw err;
        const where = `repository with name '${repo.name}' in the registry with id '${account}'`;
        switch (err.reason) {
          case "invalid":
            throw invalid("imageManifest", err.message);
          case "blobs":
            throw new AwsError("LayersNotFoundException", `Layers with digests '[${err.missing.join(", ")}]' required for pushing image into ${where} do not exist`);
          case "manifests":
            throw new AwsError("ReferencedImagesNotFoundException", `Manifests with digests '[${err.missing.join(", ")}]' referenced by the manifest list do not exist in the ${where}`);
          case "digest":
            throw new AwsError("ImageDigestDoesNotMatchException", `The specified image digest '${imageDigest}' does not match the digest that Amazon ECR calculated for the image: ${err.message}`);
          case "immutable":
            throw new AwsError("ImageTagAlreadyExistsException", err.message);
        }
      }
      applyLifecycle(store, repo.name);
      if (stored.unchanged) {
        throw new AwsError(
          "ImageAlreadyExistsException",
          `Image with digest '${stored.digest}' and tag '${imageTag ?? "null"}' already exists in the repository with name '${repo.name}' in registry with id '${account}'`,
        );
      }
      return {
        image: { registryId: account, repositoryName: repo.name, imageId: { imageDigest: stored.digest, ...(imageTag ? { imageTag } : {}) }, imageManifest: manifest, imageManifestMediaType: stored.mediaType },
      };
    },
  };
}
