import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { DockerError, InvalidParameterError, NotFoundError, UnauthorizedError } from "../errors.js";
import type { AuthConfig } from "../registry/auth-config.js";
import { RegistryClient, sha256 } from "../registry/client.js";
import { RegistryError } from "../registry/errors.js";
import { checkLayerType, parseManifest, platformMatches, platformString, requestedPlatform, selectManifest, type Descriptor, type Platform } from "../registry/manifest.js";
import type { LayerDistribution } from "./distribution.js";
import { collectGarbage } from "./gc.js";
import { runPool } from "./pool.js";
import { byteCounter, shortId, type ProgressSink } from "./progress.js";
import { familiarName, parseReference, type Reference } from "./reference.js";
import type { ImageConfig, ImageStore } from "./store.js";

export interface PullRequest {
  fromImage: string;
  /** A tag or a digest; empty pulls every tag of the repository. */
  tag: string;
  /** os[/arch[/variant]]; empty for the daemon's own. */
  platform: string;
}

export interface RegistryAccess {
  auth: AuthConfig;
  insecure: readonly string[];
  signal?: AbortSignal;
}

export interface PullContext {
  store: ImageStore;
  distribution: LayerDistribution;
  access: RegistryAccess;
  hostArch: string;
  emit: ProgressSink;
}

/** How many layers download at once, as dockerd's max-concurrent-downloads default. */
const CONCURRENT_DOWNLOADS = 3;

/** The reference a pull request names, as dockerd's postImagesCreate builds it: `tag` may be a digest. */
export function pullReference(fromImage: string, tag: string): Reference {
  const ref = parseReference(fromImage);
  if (tag === "") return ref;
  if (/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/.test(tag)) return { domain: ref.domain, path: ref.path, digest: tag };
  if (!/^[\w][\w.-]{0,127}$/.test(tag)) throw new InvalidParameterError("invalid tag format");
  return { ...ref, tag };
}

/** moby's TranslatePullError: a registry's "not found" and "denied" become dockerd's pull errors. */
function translate(err: unknown, ref: Reference, shown: string): unknown {
  if (!(err instanceof RegistryError)) return err;
  switch (err.code) {
    case "MANIFEST_UNKNOWN":
      return new NotFoundError(`manifest for ${shown} not found: ${err.message}`);
    case "NAME_UNKNOWN":
      return new NotFoundError(`repository ${familiarName(ref)} not found: ${err.message}`);
    case "DENIED":
      return new NotFoundError(`pull access denied for ${familiarName(ref)}, repository does not exist or may require 'docker login': ${err.message}`);
    case "UNAUTHORIZED":
      return new UnauthorizedError(`pull access denied for ${familiarName(ref)}, repository does not exist or may require 'docker login': ${err.message}`);
    default:
      return err;
  }
}

/**
 * POST /images/create?fromImage: pulls one tag or digest (or every tag) from
 * a registry with dockerd's progress lines. Blobs are verified against their
 * digests as they stream, layers against the config's diff IDs; the image is
 * recorded only once all of it is present, and a failed pull takes away the
 * layers it brought.
 */
export async function pullImage(ctx: PullContext, req: PullRequest): Promise<void> {
  const ref = pullReference(req.fromImage, req.tag);
  const platform = requestedPlatform(req.platform, ctx.hostArch);
  const client = new RegistryClient(ref.domain, ctx.access).scope(ref.path, "pull");
  await client.ping();
  if (ref.tag || ref.digest) return pullOne(ctx, client, ref, platform, req.platform !== "");
  let tags: string[];
  try {
    tags = await client.tags(ref.path);
  } catch (err) {
    throw translate(err, ref, familiarName(ref));
  }
  for (const tag of tags) await pullOne(ctx, client, { ...ref, tag }, platform, req.platform !== "");
}

async function pullOne(ctx: PullContext, client: RegistryClient, ref: Reference, platform: Platform, platformAsked: boolean): Promise<void> {
  const name = familiarName(ref);
  const shown = ref.digest ? `${name}@${ref.digest}` : `${name}:${ref.tag}`;
  const wanted = ref.digest ?? ref.tag!;
  let manifestDigest: string;
  let manifest;
  try {
    const top = await client.manifest(ref.path, wanted);
    manifestDigest = top.digest;
    manifest = parseManifest(top.bytes, top.contentType);
    if (manifest.kind === "index") {
      const chosen = await client.manifest(ref.path, selectManifest(manifest, platform).digest);
      manifest = parseManifest(chosen.bytes, chosen.contentType);
      if (manifest.kind !== "image") throw new InvalidParameterError("a manifest list entry is itself a manifest list");
    }
  } catch (err) {
    throw translate(err, ref, shown);
  }
  ctx.emit({ status: `Pulling from ${ref.path}`, id: wanted });
  for (const layer of manifest.layers) checkLayerType(layer);

  // As dockerd: an image whose config is here already needs nothing fetched.
  const present = ctx.store.get(manifest.config.digest);
  const rawConfig = present && !present.removed ? Buffer.from(present.raw) : await fetchVerified(client, ref.path, manifest.config);
  const config = JSON.parse(rawConfig.toString("utf8")) as ImageConfig;
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length) {
    throw new InvalidParameterError(`the manifest lists ${manifest.layers.length} layers but the image config names ${diffIds.length}`);
  }
  const actual = { os: config.os ?? "", architecture: config.architecture ?? "", variant: config.variant };
  if (platformAsked && !platformMatches(platform, actual)) {
    throw new NotFoundError(`image with reference ${shown} was found but does not match the specified platform: wanted ${platformString(platform)}, actual: ${platformString(actual)}`);
  }

  const touched: string[] = [];
  try {
    if (!present || present.removed) await fetchLayers(ctx, client, ref, manifest.layers, diffIds, touched);
    const existingRef = ref.digest ? `${name}@${ref.digest}` : `${name}:${ref.tag}`;
    const before = (() => {
      try {
        return ctx.store.resolve(existingRef).id;
      } catch {
        return undefined;
      }
    })();
    const image = ctx.store.add(rawConfig);
    ctx.store.addRepoDigest(image.id, `${name}@${manifestDigest}`);
    if (ref.tag) ctx.store.tag(image.id, `${name}:${ref.tag}`);
    ctx.store.events.image(shown, shown, "pull", image.config.config?.Labels);
    ctx.emit({ status: `Digest: ${manifestDigest}` });
    ctx.emit({ status: before === image.id ? `Status: Image is up to date for ${shown}` : `Status: Downloaded newer image for ${shown}` });
  } catch (err) {
    ctx.store.layers.settle(touched);
    collectGarbage(ctx.store);
    throw err;
  }
}

/** A small blob (the config), read whole and checked against its digest. */
async function fetchVerified(client: RegistryClient, repository: string, d: Descriptor): Promise<Buffer> {
  const res = await client.blob(repository, d.digest);
  const bytes = Buffer.from(await res.arrayBuffer());
  if (sha256(bytes) !== d.digest) throw new InvalidParameterError(`image config verification failed for digest ${d.digest}`);
  return bytes;
}

/** Downloads and unpacks the layers not present, a few at a time; `touched` collects every layer the pull holds. */
async function fetchLayers(ctx: PullContext, client: RegistryClient, ref: Reference, layers: Descriptor[], diffIds: string[], touched: string[]): Promise<void> {
  const todo: { d: Descriptor; diffId: string }[] = [];
  const seen = new Set<string>();
  layers.forEach((d, i) => {
    const diffId = diffIds[i];
    if (seen.has(diffId)) return;
    seen.add(diffId);
    if (ctx.store.layers.keep(diffId)) {
      touched.push(diffId);
      ctx.emit({ status: "Already exists", detail: {}, id: shortId(d.digest) });
      return;
    }
    ctx.emit({ status: "Pulling fs layer", detail: {}, id: shortId(d.digest) });
    todo.push({ d, diffId });
  });
  todo.slice(CONCURRENT_DOWNLOADS).forEach(({ d }) => ctx.emit({ status: "Waiting", detail: {}, id: shortId(d.digest) }));
  await runPool(todo, CONCURRENT_DOWNLOADS, (job) => fetchLayer(ctx, client, ref, job.d, job.diffId, touched));
}

/**
 * Downloads a layer and unpacks it as it arrives. The blob's digest and size
 * are checked when the download ends: a blob that is not the one asked for is
 * refused as such, and the layer it made is taken away with the pull's others.
 */
async function fetchLayer(ctx: PullContext, client: RegistryClient, ref: Reference, d: Descriptor, diffId: string, touched: string[]): Promise<void> {
  const id = shortId(d.digest);
  const res = await client.blob(ref.path, d.digest);
  if (!res.body) throw new DockerError(500, `the registry sent no body for blob ${d.digest}`);
  const hash = createHash("sha256");
  let received = 0;
  let downloaded = false;
  const download = Readable.fromWeb(res.body as never);
  download.once("end", () => (downloaded = true));
  const counted = download.pipe(
    byteCounter((n) => {
      received = n;
      ctx.emit({ status: "Downloading", detail: { current: n, total: d.size }, id });
    }, hash),
  );
  download.once("error", (err) => counted.destroy(err));
  touched.push(diffId);
  let unpackError: unknown;
  try {
    await ctx.store.layers.add(counted, diffId);
  } catch (err) {
    unpackError = err;
    download.destroy();
  }
  // An unpacking that stopped early leaves the digest unknown; its own error is the answer then.
  if (unpackError !== undefined && !downloaded) throw unpackError;
  ctx.emit({ status: "Verifying Checksum", detail: {}, id });
  if (`sha256:${hash.digest("hex")}` !== d.digest || (d.size > 0 && received !== d.size)) {
    throw new InvalidParameterError(`filesystem layer verification failed for digest ${d.digest}`);
  }
  if (unpackError !== undefined) throw unpackError;
  ctx.emit({ status: "Download complete", detail: {}, id });
  ctx.emit({ status: "Extracting", detail: { current: received, total: d.size }, id });
  ctx.distribution.record(diffId, { digest: d.digest, size: d.size, mediaType: d.mediaType, registry: ref.domain, repository: ref.path });
  ctx.emit({ status: "Pull complete", detail: {}, id });
}
