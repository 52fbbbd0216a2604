import { Readable } from "node:stream";
import { DockerError, InvalidParameterError, NotFoundError } from "../errors.js";
import { RegistryClient, sha256 } from "../registry/client.js";
import { MEDIA, type Descriptor } from "../registry/manifest.js";
import type { LayerDistribution, LayerSource } from "./distribution.js";
import { runPool } from "./pool.js";
import { byteCounter, shortId, type ProgressSink } from "./progress.js";
import type { RegistryAccess } from "./pull.js";
import { familiarName, parseReference, type Reference } from "./reference.js";
import type { Image, ImageStore } from "./store.js";
import { largeReadStream } from "./open-file.js";

export interface PushContext {
  store: ImageStore;
  distribution: LayerDistribution;
  access: RegistryAccess;
  emit: ProgressSink;
}

/** How many layers upload at once, as dockerd's max-concurrent-uploads default. */
const CONCURRENT_UPLOADS = 5;

const GZIP_TYPES = new Set<string>([MEDIA.dockerLayer, MEDIA.ociLayerGzip]);

/** The local images a push sends: the tag asked for, or every tag of the repository. */
function associations(store: ImageStore, ref: Reference): { tag: string; image: Image }[] {
  const name = familiarName(ref);
  if (ref.tag) {
    try {
      return [{ tag: ref.tag, image: store.resolve(`${name}:${ref.tag}`) }];
    } catch {
      throw new NotFoundError(`An image does not exist locally with the tag: ${name}`);
    }
  }
  const found = store
    .list()
    .flatMap((image) => image.tags.filter((t) => t.slice(0, t.lastIndexOf(":")) === name).map((t) => ({ tag: t.slice(t.lastIndexOf(":") + 1), image })))
    .sort((a, b) => a.tag.localeCompare(b.tag));
  if (found.length === 0) throw new NotFoundError(`An image does not exist locally with the tag: ${name}`);
  return found;
}

/**
 * POST /images/{name}/push: sends each tag's layers (skipping those the
 * repository has, mounting those another repository of the registry has),
 * its config and a schema2 manifest, with dockerd's progress lines, and
 * records the manifest digest as the image's RepoDigest.
 */
export async function pushImage(ctx: PushContext, name: string, tag: string): Promise<void> {
  let ref = parseReference(name);
  if (ref.digest) throw new InvalidParameterError("cannot push a digest reference");
  if (tag !== "") {
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) throw new InvalidParameterError("invalid tag format");
    ref = { ...ref, tag };
  }
  ctx.emit({ status: `The push refers to repository [${ref.domain}/${ref.path}]` });
  const todo = associations(ctx.store, ref);
  const client = new RegistryClient(ref.domain, ctx.access).scope(ref.path, "pull,push");
  await client.ping();
  for (const { tag: t, image } of todo) await pushTag(ctx, client, ref, t, image);
}

async function pushTag(ctx: PushContext, client: RegistryClient, ref: Reference, tag: string, image: Image): Promise<void> {
  const { digest, size } = await sendImage(ctx, client, ref, tag, image);
  const name = familiarName(ref);
  ctx.store.addRepoDigest(image.id, `${name}@${digest}`);
  ctx.store.events.image(`${name}:${tag}`, `${name}:${tag}`, "push", image.config.config?.Labels);
  ctx.emit({ status: `${tag}: digest: ${digest} size: ${size}` });
  ctx.emit({ aux: { Tag: tag, Digest: digest, Size: size } });
}

/** Sends an image's layers, config and schema2 manifest as `ref.path:tag`; answers the manifest's digest and size. */
export async function sendImage(ctx: PushContext, client: RegistryClient, ref: Reference, tag: string, image: Image): Promise<{ digest: string; size: number }> {
  const diffIds = image.config.rootfs.diff_ids;
  const topFirst = [...new Set(diffIds)].reverse();
  for (const d of topFirst) ctx.emit({ status: "Preparing", detail: {}, id: shortId(d) });
  topFirst.slice(CONCURRENT_UPLOADS).forEach((d) => ctx.emit({ status: "Waiting", detail: {}, id: shortId(d) }));
  const pushed = new Map<string, Descriptor>();
  await runPool(topFirst, CONCURRENT_UPLOADS, async (diffId) => {
    pushed.set(diffId, await pushLayer(ctx, client, ref, diffId));
  });

  const config = Buffer.from(image.raw);
  const configDigest = sha256(config);
  if (configDigest !== image.id) throw new DockerError(500, `image ${image.id} has a config whose digest is ${configDigest}`);
  if (!(await client.hasBlob(ref.path, configDigest))) {
    const location = await client.startUpload(ref.path);
    await client.upload(location, configDigest, config.length, () => config);
  }
  const manifest = Buffer.from(
    JSON.stringify(
      {
        schemaVersion: 2,
        mediaType: MEDIA.dockerManifest,
        config: { mediaType: MEDIA.dockerConfig, size: config.length, digest: configDigest },
        layers: diffIds.map((d) => pushed.get(d)!),
      },
      null,
      3,
    ),
  );
  const digest = await client.putManifest(ref.path, tag, manifest, MEDIA.dockerManifest);
  return { digest, size: manifest.length };
}

const descriptor = (digest: string, size: number): Descriptor => ({ mediaType: MEDIA.dockerLayer, size, digest });

/** One layer: already there, mounted from a sibling repository, or uploaded as the gzip this daemon keeps for it. */
async function pushLayer(ctx: PushContext, client: RegistryClient, ref: Reference, diffId: string): Promise<Descriptor> {
  const id = shortId(diffId);
  const known = ctx.distribution.sources(diffId).filter((s) => s.registry === ref.domain && GZIP_TYPES.has(s.mediaType));
  const record = (digest: string, size: number) =>
    ctx.distribution.record(diffId, { digest, size, mediaType: MEDIA.dockerLayer, registry: ref.domain, repository: ref.path } satisfies LayerSource);

  for (const s of known.filter((k) => k.repository === ref.path)) {
    if (await client.hasBlob(ref.path, s.digest)) {
      ctx.emit({ status: "Layer already exists", detail: {}, id });
      return descriptor(s.digest, s.size);
    }
  }
  let location: string | undefined;
  for (const s of known.filter((k) => k.repository !== ref.path)) {
    client.scope(s.repository, "pull");
    const started = await client.startUpload(ref.path, { digest: s.digest, repository: s.repository });
    if (started === "mounted") {
      record(s.digest, s.size);
      ctx.emit({ status: `Mounted from ${s.repository}`, detail: {}, id });
      return descriptor(s.digest, s.size);
    }
    location = started;
    break;
  }

  const blob = await ctx.distribution.gzipped(diffId);
  if (await client.hasBlob(ref.path, blob.digest)) {
    record(blob.digest, blob.size);
    ctx.emit({ status: "Layer already exists", detail: {}, id });
    return descriptor(blob.digest, blob.size);
  }
  location ??= await client.startUpload(ref.path);
  await client.upload(location, blob.digest, blob.size, () =>
    Readable.toWeb(largeReadStream(blob.path).pipe(byteCounter((n) => ctx.emit({ status: "Pushing", detail: { current: n, total: blob.size }, id })))) as ReadableStream<Uint8Array>,
  );
  record(blob.digest, blob.size);
  ctx.emit({ status: "Pushed", detail: {}, id });
  return descriptor(blob.digest, blob.size);
}
