import { Readable } from "node:stream";
import tar from "tar-stream";
import type { Backend, ContainerSpec } from "../../backends/backend.js";
import { withImageDefaults, type ContainerConfig } from "../containers/config.js";
import type { ContainerManager } from "../containers/manager.js";
import { ConflictError, NotImplementedError } from "../errors.js";
import { applyChanges } from "./changes.js";
import { imagePaths, writeChangesLayer } from "./commit-layer.js";
import { goContainerConfig, goStringify } from "./go-json.js";
import type { ImageStore } from "./store.js";
import { addTag } from "./tag.js";

/** The diff ID of a tar with no entries (two zero blocks): dockerd records such a layer as an empty_layer history entry. */
export const EMPTY_LAYER = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";

export interface CommitOptions {
  /** Familiar NAME:TAG, from repo and tag. */
  ref?: string;
  author: string;
  comment: string;
  changes: string[];
  /** The request body's config, which replaces the container's before `changes` apply. */
  config?: ContainerConfig;
}

/**
 * POST /commit, as dockerd's CreateImageFromContainer: the container's
 * changes over its image become a new layer on top of the image's; the
 * config is the request's (or the container's) with `changes` applied,
 * merged with the container's; history gains the container's command.
 */
export async function commitContainer(deps: { images: ImageStore; containers: ContainerManager; backend: Backend }, name: string, opts: CommitOptions): Promise<string> {
  const { images, containers, backend } = deps;
  const c = containers.get(name);
  if (c.state.Status === "dead") throw new ConflictError(`You cannot commit container ${c.id} which is Dead`);
  if (c.state.Status === "removing") throw new ConflictError(`You cannot commit container ${c.id} which is being removed`);
  const about = backend.describe(c.config.Labels ?? {});
  if (!about.capabilities.archive) throw new NotImplementedError(`committing containers is not supported by the ${about.name} backend: it cannot read their files`);
  // dockerd ignores a pause that fails; the sandbox cannot pause, so files are read as they are.
  const newConfig = withImageDefaults(applyChanges((opts.config ?? c.config) as ContainerConfig & Record<string, never>, opts.changes) as ContainerConfig, c.config);
  const parent = images.get(c.imageId);
  if (!parent) throw new ConflictError(`the image of container ${c.id} (${c.imageId}) is gone`);
  const { diffId, empty } = await captureLayer(images, backend, containers.backendSpec(c), parent.config.rootfs.diff_ids);
  const created = new Date().toISOString();
  const history = {
    created,
    created_by: (c.config.Cmd ?? []).join(" "),
    ...(opts.author ? { author: opts.author } : {}),
    ...(opts.comment ? { comment: opts.comment } : {}),
    ...(empty ? { empty_layer: true } : {}),
  };
  const base = parent.config;
  const raw = goStringify({
    created,
    container: c.id,
    container_config: goContainerConfig(c.config as Record<string, unknown>),
    ...(opts.author ? { author: opts.author } : {}),
    config: goContainerConfig(newConfig as Record<string, unknown>),
    architecture: base.architecture || "amd64",
    ...(base.variant ? { variant: base.variant } : {}),
    os: base.os || "linux",
    rootfs: { type: "layers", diff_ids: empty ? base.rootfs.diff_ids : [...base.rootfs.diff_ids, diffId] },
    history: [...(base.history ?? []), history],
  });
  const img = images.add(Buffer.from(raw), parent.id);
  if (empty) images.layers.settle([EMPTY_LAYER]);
  if (opts.ref) addTag(images, img.id, opts.ref);
  images.events.container(c, "commit", { comment: opts.comment, imageID: img.id, imageRef: opts.ref ?? "" });
  return img.id;
}

/**
 * Stores a container's changes over the layers `lower` as a new layer, as
 * dockerd exports a read-write layer; the files the engine provides in every
 * container are not part of it. An empty layer is stored too (its diff ID is
 * EMPTY_LAYER): the caller settles it once the image it belongs to is kept.
 */
export async function captureLayer(images: ImageStore, backend: Backend, spec: ContainerSpec, lower: string[]): Promise<{ diffId: string; empty: boolean }> {
  const provided = new Set(spec.files.map((f) => f.path));
  const pack = tar.pack();
  const layer = images.layers.add(Readable.from(pack as AsyncIterable<Buffer>));
  try {
    await backend.withFiles(spec, async (files) => {
      const changes = (await files.changes()).filter((ch) => !provided.has(ch.path));
      await writeChangesLayer(files, changes, imagePaths(images.layers, lower), pack);
    });
    pack.finalize();
  } catch (err) {
    pack.destroy(err as Error);
    await layer.catch(() => {});
    throw err;
  }
  const { diffId } = await layer;
  return { diffId, empty: diffId === EMPTY_LAYER };
}
