import { createHash } from "node:crypto";
import { INDEX_TYPES, InvalidManifest, parseManifest } from "./manifests.js";
import type { EcrStore, Repository } from "./store.js";

/** Why a manifest was refused; the registry and the API each name these their own way. */
export type Refusal = "invalid" | "blobs" | "manifests" | "digest" | "immutable";

export class ManifestRefused extends Error {
  constructor(
    readonly reason: Refusal,
    message: string,
    /** The digests missing, for "blobs" and "manifests". */
    readonly missing: string[] = [],
  ) {
    super(message);
  }
}

export const TAG = /^[\w][\w.-]{0,127}$/;

export const digestOf = (bytes: Buffer | string) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

export const immutableMessage = (repository: string, tag: string) =>
  `The image tag '${tag}' already exists in the '${repository}' repository and cannot be overwritten because the repository is immutable.`;

export interface Stored {
  digest: string;
  mediaType: string;
  /** Nothing changed: the image existed and already had the tag asked for. */
  unchanged: boolean;
}

/**
 * Stores a manifest in a repository, as a registry PUT and PutImage both do:
 * everything it references must already be in the repository, a digest
 * given must be the manifest's own, and an immutable repository keeps its
 * tags where they point.
 */
export function storeManifest(store: EcrStore, repo: Repository, bytes: Buffer, declaredType: string | undefined, ref: { tag?: string; digest?: string }): Stored {
  let parsed;
  try {
    parsed = parseManifest(bytes, declaredType);
  } catch (err) {
    if (err instanceof InvalidManifest) throw new ManifestRefused("invalid", err.message);
    throw err;
  }
  const digest = digestOf(bytes);
  if (ref.digest !== undefined && ref.digest !== digest) throw new ManifestRefused("digest", `the manifest's digest is ${digest}, not ${ref.digest}`);
  const missingBlobs = parsed.blobs.filter((b) => store.blobSize(repo.name, b.digest) === undefined).map((b) => b.digest);
  if (missingBlobs.length > 0) throw new ManifestRefused("blobs", `blobs unknown to the repository: ${missingBlobs.join(", ")}`, missingBlobs);
  const children = parsed.manifests.map((d) => ({ d, image: store.image(repo.name, d) }));
  const missingManifests = children.filter((c) => !c.image).map((c) => c.d);
  if (missingManifests.length > 0) throw new ManifestRefused("manifests", `manifests unknown to the repository: ${missingManifests.join(", ")}`, missingManifests);

  return store.transaction(() => {
    const existing = store.image(repo.name, digest);
    const tagged = ref.tag === undefined ? undefined : store.tagged(repo.name, ref.tag);
    if (ref.tag !== undefined && tagged !== undefined && tagged !== digest && repo.imageTagMutability === "IMMUTABLE") {
      throw new ManifestRefused("immutable", immutableMessage(repo.name, ref.tag));
    }
    const unchanged = existing !== undefined && (ref.tag === undefined || tagged === digest);
    if (!existing) {
      const size = parsed.manifests.length > 0 ? Math.max(0, ...children.map((c) => c.image!.sizeBytes)) : parsed.layerBytes;
      store.insertImage({
        repository: repo.name,
        digest,
        manifest: bytes.toString("utf8"),
        mediaType: parsed.mediaType,
        artifactMediaType: parsed.artifactMediaType ?? null,
        sizeBytes: size,
        pushedAtMs: Date.now(),
        lastPulledAtMs: null,
      });
    }
    if (ref.tag !== undefined) store.setTag(repo.name, ref.tag, digest);
    return { digest, mediaType: parsed.mediaType, unchanged };
  });
}

/** The manifest lists of a repository that name an image. */
export function indexesReferencing(store: EcrStore, repository: string, digest: string): string[] {
  return store
    .images(repository)
    .filter((i) => INDEX_TYPES.has(i.mediaType) && (JSON.parse(i.manifest) as { manifests: { digest: string }[] }).manifests.some((m) => m.digest === digest))
    .map((i) => i.digest);
}
