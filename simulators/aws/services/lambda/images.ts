import { DockerError } from "../../../../engine/errors.js";
import { familiarName, parseReference } from "../../../../engine/images/reference.js";
import type { SimContext } from "../../service.js";

/** A function image as pulled: what runs, and what GetFunction reports. */
export interface PulledImage {
  imageId: string;
  resolvedImageUri: string;
  codeSha256: string;
}

/** Why a function's image could not be made ready: a StateReasonCode and its reason. */
export class ImageFailure extends Error {
  constructor(
    readonly code: "ImageDeleted" | "ImageAccessDenied" | "InvalidImage",
    message: string,
  ) {
    super(message);
  }
}

/** The repository part of an image URI, without its tag or digest. */
function repositoryOf(uri: string): string {
  const at = uri.indexOf("@");
  if (at >= 0) return uri.slice(0, at);
  const colon = uri.lastIndexOf(":");
  return colon > uri.lastIndexOf("/") ? uri.slice(0, colon) : uri;
}

/** Pulls a function's image from the simulator's ECR onto the workload host, with ECR's pull credentials. */
export async function pullFunctionImage(ctx: SimContext, imageUri: string): Promise<PulledImage> {
  const reference = ctx.registry.localReference(imageUri);
  try {
    await ctx.workloads.pull({ reference, auth: ctx.registry.pullCredentials() });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const status = err instanceof DockerError ? err.status : 500;
    if (status === 404) throw new ImageFailure("ImageDeleted", `Lambda was unable to pull the image ${imageUri}: it does not exist (${message}).`);
    if (status === 401 || status === 403) throw new ImageFailure("ImageAccessDenied", `Lambda does not have permission to access the ECR image ${imageUri} (${message}).`);
    throw new ImageFailure("InvalidImage", `Lambda was unable to pull the image ${imageUri}: ${message}`);
  }
  const image = ctx.workloads.engine.images.resolve(reference);
  const name = familiarName(parseReference(reference));
  const digest = image.digests.find((d) => d.startsWith(`${name}@`))?.slice(name.length + 1) ?? parseReference(reference).digest;
  if (!digest) throw new ImageFailure("InvalidImage", `Lambda was unable to resolve the digest of the image ${imageUri}.`);
  return { imageId: image.id, resolvedImageUri: `${repositoryOf(imageUri)}@${digest}`, codeSha256: digest.replace(/^sha256:/, "") };
}
