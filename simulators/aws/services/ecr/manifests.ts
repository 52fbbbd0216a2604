import { MEDIA } from "../../../../engine/registry/manifest.js";
import { DIGEST } from "./blobs.js";

/** The manifest types ECR stores: Docker v2 schema 2 and OCI images, and their lists. */
export const IMAGE_TYPES = new Set<string>([MEDIA.dockerManifest, MEDIA.ociManifest]);
export const INDEX_TYPES = new Set<string>([MEDIA.dockerList, MEDIA.ociIndex]);

export interface ParsedManifest {
  mediaType: string;
  /** The config's media type: what ECR reports as artifactMediaType. */
  artifactMediaType?: string;
  /** Blobs the repository must hold (config and layers). */
  blobs: { digest: string; size: number }[];
  /** Manifests the repository must hold (an index's entries). */
  manifests: string[];
  /** The layers' compressed size. */
  layerBytes: number;
}

/** Why a manifest cannot be stored. */
export class InvalidManifest extends Error {}

interface Descriptor {
  mediaType?: unknown;
  digest?: unknown;
  size?: unknown;
}

function descriptor(d: Descriptor, where: string): { digest: string; size: number } {
  if (typeof d !== "object" || d === null || typeof d.digest !== "string" || !DIGEST.test(d.digest)) throw new InvalidManifest(`${where} has no valid sha256 digest`);
  if (typeof d.size !== "number" || !Number.isInteger(d.size) || d.size < 0) throw new InvalidManifest(`${where} has no valid size`);
  return { digest: d.digest, size: d.size };
}

/**
 * Reads a manifest as pushed: its type is the one the client declared (the
 * Content-Type, or PutImage's imageManifestMediaType) or else its own
 * mediaType member; both, when given, must agree.
 */
export function parseManifest(bytes: Buffer, declared: string | undefined): ParsedManifest {
  let body: { schemaVersion?: unknown; mediaType?: unknown; config?: Descriptor; layers?: Descriptor[]; manifests?: Descriptor[] };
  const text = bytes.toString("utf8");
  if (!Buffer.from(text, "utf8").equals(bytes)) throw new InvalidManifest("the manifest is not UTF-8 text");
  try {
    body = JSON.parse(text);
  } catch {
    throw new InvalidManifest("the manifest is not valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new InvalidManifest("the manifest is not a JSON object");
  const own = typeof body.mediaType === "string" ? body.mediaType : undefined;
  const given = declared?.split(";")[0].trim();
  const contentType = given && given !== "application/json" ? given : undefined;
  if (own && contentType && own !== contentType) throw new InvalidManifest(`the manifest's mediaType ${own} does not match the declared ${contentType}`);
  const mediaType = contentType ?? own ?? (Array.isArray(body.manifests) ? MEDIA.ociIndex : MEDIA.ociManifest);
  if (body.schemaVersion !== 2) throw new InvalidManifest(`schemaVersion ${String(body.schemaVersion)} is not supported`);
  if (IMAGE_TYPES.has(mediaType)) {
    if (!body.config || !Array.isArray(body.layers)) throw new InvalidManifest("an image manifest needs a config and layers");
    const config = descriptor(body.config, "the config");
    const layers = body.layers.map((l, i) => descriptor(l, `layer ${i}`));
    const configType = typeof body.config.mediaType === "string" ? body.config.mediaType : undefined;
    return { mediaType, artifactMediaType: configType, blobs: [config, ...layers], manifests: [], layerBytes: layers.reduce((n, l) => n + l.size, 0) };
  }
  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(body.manifests)) throw new InvalidManifest("a manifest list needs manifests");
    return { mediaType, blobs: [], manifests: body.manifests.map((m, i) => descriptor(m, `manifest ${i}`).digest), layerBytes: 0 };
  }
  throw new InvalidManifest(`the manifest media type ${mediaType} is not supported`);
}
