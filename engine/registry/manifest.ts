import { InvalidParameterError, NotFoundError, NotImplementedError } from "../errors.js";

export const MEDIA = {
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  dockerForeignLayer: "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayer: "application/vnd.oci.image.layer.v1.tar",
  ociLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  ociLayerZstd: "application/vnd.oci.image.layer.v1.tar+zstd",
} as const;

/** What a manifest GET accepts, in dockerd's order. */
export const MANIFEST_ACCEPT = [MEDIA.dockerManifest, MEDIA.dockerList, MEDIA.ociManifest, MEDIA.ociIndex].join(", ");

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  urls?: string[];
}

export interface ImageManifest {
  kind: "image";
  config: Descriptor;
  layers: Descriptor[];
}

export interface ManifestIndex {
  kind: "index";
  manifests: Descriptor[];
}

/** Parses a manifest by its media type (the Content-Type, or the body's own mediaType). */
export function parseManifest(bytes: Buffer, contentType: string | null): ImageManifest | ManifestIndex {
  let body: { schemaVersion?: number; mediaType?: string; config?: Descriptor; layers?: Descriptor[]; manifests?: Descriptor[] };
  try {
    body = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new InvalidParameterError("the registry answered a manifest that is not valid JSON");
  }
  const type = (contentType ?? "").split(";")[0].trim();
  const mediaType = body.mediaType ?? (type && type !== "application/json" ? type : body.manifests ? MEDIA.ociIndex : MEDIA.ociManifest);
  switch (mediaType) {
    case MEDIA.dockerList:
    case MEDIA.ociIndex:
      if (!Array.isArray(body.manifests)) throw new InvalidParameterError(`manifest list has no manifests`);
      return { kind: "index", manifests: body.manifests };
    case MEDIA.dockerManifest:
    case MEDIA.ociManifest:
      if (!body.config || !Array.isArray(body.layers)) throw new InvalidParameterError(`image manifest has no config or layers`);
      return { kind: "image", config: body.config, layers: body.layers };
    default:
      if (body.schemaVersion === 1) throw new NotImplementedError(`schema 1 manifests are not supported: push the image again with a current client`);
      throw new InvalidParameterError(`unsupported manifest media type ${mediaType}`);
  }
}

export function platformString(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join("/");
}

/** Whether `have` satisfies `want`: same os and architecture; a variant matters only when asked for. */
export function platformMatches(want: Platform, have: Platform | undefined): boolean {
  if (!have || have.os !== want.os || have.architecture !== want.architecture) return false;
  return !want.variant || !have.variant || want.variant === have.variant;
}

/** The index entry for the platform, as containerd's platform matcher picks: the first match. */
export function selectManifest(index: ManifestIndex, want: Platform): Descriptor {
  const found = index.manifests.find((d) => (d.mediaType === MEDIA.dockerManifest || d.mediaType === MEDIA.ociManifest) && platformMatches(want, d.platform));
  if (!found) throw new NotFoundError(`no matching manifest for ${platformString(want)} in the manifest list entries`);
  return found;
}

/** Layer media types this daemon can unpack; zstd and others are refused with 501. */
export function checkLayerType(d: Descriptor): void {
  switch (d.mediaType) {
    case MEDIA.dockerLayer:
    case MEDIA.ociLayerGzip:
    case MEDIA.ociLayer:
      return;
    case MEDIA.ociLayerZstd:
      throw new NotImplementedError(`layer ${d.digest} is zstd-compressed (${d.mediaType}); zstd layers are not supported yet`);
    case MEDIA.dockerForeignLayer:
      throw new NotImplementedError(`layer ${d.digest} is a foreign layer (${d.mediaType}); foreign layers are not supported`);
    default:
      throw new NotImplementedError(`layer ${d.digest} has media type ${d.mediaType}, which is not supported`);
  }
}

/** The platform a pull asks for: the `platform` parameter (os[/arch[/variant]]), or linux on the daemon's architecture. */
export function requestedPlatform(text: string | undefined, hostArch: string): Platform {
  if (!text) return { os: "linux", architecture: hostArch };
  const [os, architecture, variant] = text.toLowerCase().split("/");
  if (!/^[a-z0-9_-]+$/.test(os) || (architecture !== undefined && !/^[a-z0-9_-]+$/.test(architecture)) || (variant !== undefined && !/^[a-z0-9_-]+$/.test(variant))) {
    throw new InvalidParameterError(`"${text}": unknown operating system or architecture: invalid argument`);
  }
  return { os, architecture: architecture ?? hostArch, ...(variant ? { variant } : {}) };
}
