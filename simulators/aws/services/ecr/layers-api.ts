import { randomUUID } from "node:crypto";
import { AwsError } from "../../errors.js";
import type { JsonOperation } from "../../service.js";
import { invalid, list, repository, required, type ApiDeps } from "./api-common.js";
import { DIGEST, DigestMismatch } from "./blobs.js";
import type { Repository } from "./store.js";

/** The part size InitiateLayerUpload advises. */
const PART_SIZE = 10 * 1024 * 1024;

/** The path a GetDownloadUrlForLayer URL names; it carries its own credential, as a pre-signed URL does. */
export const LAYER_DOWNLOAD_PATH = "/_ecr/layers";

/**
 * ECR's layer API, the registry's uploads and blob reads as JSON calls:
 * BatchCheckLayerAvailability, InitiateLayerUpload, UploadLayerPart,
 * CompleteLayerUpload and GetDownloadUrlForLayer. Uploads share the
 * registry's files and records, so a layer pushed one way is seen the other.
 */
export function layerOperations(deps: ApiDeps): Record<string, JsonOperation> {
  const { store, blobs } = deps;
  const account = deps.ctx.accountId;

  const upload = (repo: Repository, id: string) => {
    const u = store.upload(id);
    if (!u || u.repository !== repo.name) {
      throw new AwsError("UploadNotFoundException", `The upload with id '${id}' does not exist in the repository with name '${repo.name}' in the registry with id '${account}'`);
    }
    return u;
  };

  return {
    BatchCheckLayerAvailability: (input) => {
      const repo = repository(deps, input);
      const digests = list<string>(input, "layerDigests");
      if (digests === undefined) required(input, "layerDigests");
      if (digests!.length < 1 || digests!.length > 100) throw invalid("layerDigests", "Member must have length less than or equal to 100 and greater than or equal to 1");
      const layers: unknown[] = [];
      const failures: unknown[] = [];
      for (const layerDigest of digests!) {
        if (typeof layerDigest !== "string" || !DIGEST.test(layerDigest)) {
          failures.push({ layerDigest, failureCode: "InvalidLayerDigest", failureReason: "Invalid layer digest" });
          continue;
        }
        const size = store.blobSize(repo.name, layerDigest);
        if (size === undefined) failures.push({ layerDigest, failureCode: "MissingLayerDigest", failureReason: "Could not find layer" });
        else layers.push({ layerDigest, layerAvailability: "AVAILABLE", layerSize: size });
      }
      return { layers, failures };
    },

    InitiateLayerUpload: (input) => {
      const repo = repository(deps, input);
      const uploadId = randomUUID();
      store.createUpload({ id: uploadId, repository: repo.name, size: 0, startedAtMs: Date.now() });
      blobs.begin(uploadId);
      return { uploadId, partSize: PART_SIZE };
    },

    UploadLayerPart: (input) => {
      const repo = repository(deps, input);
      const u = upload(repo, required(input, "uploadId"));
      const first = input.partFirstByte;
      const last = input.partLastByte;
      const part = Buffer.from(required(input, "layerPartBlob"), "base64");
      if (typeof first !== "number" || typeof last !== "number") throw invalid("partFirstByte", "Member must not be null");
      if (first !== u.size || last - first + 1 !== part.length) {
        throw new AwsError(
          "InvalidLayerPartException",
          `The layer part with bytes ${first}-${last} does not follow the ${u.size} bytes uploaded so far, or does not match the ${part.length} bytes sent`,
          400,
          "Sender",
          { registryId: account, repositoryName: repo.name, uploadId: u.id, lastValidByteReceived: u.size - 1 },
        );
      }
      const size = blobs.appendBytes(u.id, part);
      store.setUploadSize(u.id, size);
      return { registryId: account, repositoryName: repo.name, uploadId: u.id, lastByteReceived: size - 1 };
    },

    CompleteLayerUpload: async (input) => {
      const repo = repository(deps, input);
      const u = upload(repo, required(input, "uploadId"));
      const digests = list<string>(input, "layerDigests");
      if (digests === undefined) required(input, "layerDigests");
      const [layerDigest] = digests!;
      if (digests!.length !== 1 || typeof layerDigest !== "string" || !DIGEST.test(layerDigest)) throw new AwsError("InvalidLayerException", "Exactly one valid sha256 layer digest must be given");
      if (u.size === 0) throw new AwsError("EmptyUploadException", `The upload with id '${u.id}' has no layer parts`);
      if (store.blobSize(repo.name, layerDigest) !== undefined) {
        blobs.discard(u.id);
        store.deleteUpload(u.id);
        throw new AwsError("LayerAlreadyExistsException", `The layer with digest '${layerDigest}' already exists in the repository with name '${repo.name}' in the registry with id '${account}'`);
      }
      try {
        store.addBlob(repo.name, layerDigest, await blobs.commit(u.id, layerDigest));
      } catch (err) {
        if (err instanceof DigestMismatch) throw new AwsError("InvalidLayerException", `The calculated digest ${err.actual} of the layer does not match the given ${layerDigest}`);
        throw err;
      } finally {
        blobs.discard(u.id);
        store.deleteUpload(u.id);
      }
      return { registryId: account, repositoryName: repo.name, uploadId: u.id, layerDigest };
    },

    GetDownloadUrlForLayer: (input) => {
      const repo = repository(deps, input);
      const layerDigest = required(input, "layerDigest");
      if (!DIGEST.test(layerDigest)) throw invalid("layerDigest", "Member must be a sha256 digest");
      if (store.blobSize(repo.name, layerDigest) === undefined || !blobs.has(layerDigest)) {
        throw new AwsError("LayersNotFoundException", `The layer with digest '${layerDigest}' does not exist in the repository with name '${repo.name}' in the registry with id '${account}'`);
      }
      const { password } = deps.tokens.issue();
      const url = new URL(`${LAYER_DOWNLOAD_PATH}/${repo.name}/${layerDigest}`, deps.ctx.endpoint);
      url.searchParams.set("token", password);
      return { downloadUrl: url.toString(), layerDigest };
    },
  };
}
