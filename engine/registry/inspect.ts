import { NotFoundError, UnauthorizedError } from "../errors.js";
import { familiarName, type Reference } from "../images/reference.js";
import { RegistryClient, sha256, type ClientOptions } from "./client.js";
import { RegistryError } from "./errors.js";
import { parseManifest, type Platform } from "./manifest.js";

export interface DistributionInspect {
  Descriptor: { mediaType: string; digest: string; size: number };
  Platforms: Platform[];
}

/** dockerd's convertDistributionErr: a registry's "unauthorized" is 401, its "unknown" 404. */
function translate(err: unknown): unknown {
  if (!(err instanceof RegistryError)) return err;
  if (err.code === "UNAUTHORIZED" || err.code === "DENIED") return new UnauthorizedError(err.message);
  if (err.code === "MANIFEST_UNKNOWN" || err.code === "NAME_UNKNOWN" || err.code === "BLOB_UNKNOWN") return new NotFoundError(err.message);
  return err;
}

/** GET /distribution/{name}/json: the manifest's descriptor and the platforms it serves (from the config of a single-platform image). */
export async function inspectDistribution(ref: Reference, options: ClientOptions): Promise<DistributionInspect> {
  const client = new RegistryClient(ref.domain, options).scope(ref.path, "pull");
  try {
    await client.ping();
    const fetched = await client.manifest(ref.path, ref.digest ?? ref.tag ?? "latest");
    const manifest = parseManifest(fetched.bytes, fetched.contentType);
    const mediaType = (JSON.parse(fetched.bytes.toString("utf8")) as { mediaType?: string }).mediaType ?? (fetched.contentType ?? "").split(";")[0];
    let platforms: Platform[];
    if (manifest.kind === "index") {
      platforms = manifest.manifests.flatMap((d) => (d.platform ? [d.platform] : []));
    } else {
      const res = await client.blob(ref.path, manifest.config.digest);
      const bytes = Buffer.from(await res.arrayBuffer());
      if (sha256(bytes) !== manifest.config.digest) throw new NotFoundError(`image config of ${familiarName(ref)} does not match its digest ${manifest.config.digest}`);
      const config = JSON.parse(bytes.toString("utf8")) as { os?: string; architecture?: string; variant?: string };
      platforms = [{ architecture: config.architecture ?? "", os: config.os ?? "", ...(config.variant ? { variant: config.variant } : {}) }];
    }
    return { Descriptor: { mediaType, digest: fetched.digest, size: fetched.bytes.length }, Platforms: platforms };
  } catch (err) {
    throw translate(err);
  }
}
