import { randomBytes } from "node:crypto";
import type { Backend, ContainerFiles, ContainerSpec } from "../../backends/backend.js";
import type { HostConfig } from "../containers/config.js";
import type { Container, ContainerManager } from "../containers/manager.js";
import { captureLayer } from "../images/commit.js";
import type { LayerDistribution } from "../images/distribution.js";
import type { ProgressEvent } from "../images/progress.js";
import type { Image, ImageStore } from "../images/store.js";
import type { CacheFromImages } from "./cache-from.js";
import { cachedStepImage, recordStepImage, type RunConfig } from "./image-record.js";

/** What a build needs from the engine. */
export interface BuildDeps {
  images: ImageStore;
  containers: ContainerManager;
  backend: Backend;
  distribution: LayerDistribution;
  /** Where pulls keep downloads in progress. */
  scratchDir: string;
  insecureRegistries: readonly string[];
}

/** One message of the build's JSON stream; `started` (no line) marks the end of the checks that fail with a plain error response. */
export type BuildMessage = { stream: string } | { aux: unknown } | { progress: ProgressEvent } | { started: true };

/** A failed step; `code` is a RUN's exit code, which dockerd reports in errorDetail. */
export class StepFailure extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

/** How intermediate containers are handled and whether the cache is used. */
export interface StepOptions {
  noCache: boolean;
  /** HostConfig.NetworkMode of intermediate containers ("" for the default). */
  networkMode: string;
  /** HostConfig.Memory of intermediate containers in bytes (0: no limit). */
  memory: number;
  /** The images of `cachefrom`, consulted after the local cache. */
  cacheFrom: CacheFromImages;
  remove: boolean;
  forceRemove: boolean;
}

/** The shared machinery of steps: the cache, intermediate containers, and the images steps make. */
export class Steps {
  constructor(
    readonly deps: BuildDeps,
    readonly options: StepOptions,
    readonly say: (text: string) => void,
  ) {}

  /**
   * The cached result of a step, announced as dockerd does; undefined on a
   * miss or with nocache. With cachefrom, a local hit counts only when it
   * leads to one of those images; otherwise their histories are searched.
   */
  cached(parent: Image | undefined, containerConfig: RunConfig): Image | undefined {
    if (this.options.noCache) return undefined;
    const { cacheFrom } = this.options;
    const local = cachedStepImage(this.deps.images, parent, containerConfig);
    const hit = cacheFrom.empty ? local : local && cacheFrom.precedes(local) ? local : cacheFrom.find(parent, containerConfig);
    if (hit) this.say(" ---> Using cache\n");
    return hit;
  }

  private hostConfig(): HostConfig {
    return { ...(this.options.networkMode ? { NetworkMode: this.options.networkMode } : {}), ...(this.options.memory ? { Memory: this.options.memory } : {}) };
  }

  /** Creates the step's intermediate container from `image` ("Running in ..."). */
  async createContainer(image: Image, config: RunConfig): Promise<Container> {
    const { container } = await this.deps.containers.create(undefined, { ...config, Image: image.id }, this.hostConfig());
    this.say(` ---> Running in ${container.id.slice(0, 12)}\n`);
    return container;
  }

  /** Removes an intermediate container when the build asked for it (rm, or forcerm after a failure). */
  async removeContainer(c: Container, failed = false): Promise<void> {
    if (failed ? !this.options.forceRemove : !this.options.remove && !this.options.forceRemove) return;
    await this.deps.containers.remove(c.id, { force: true });
    this.say(`Removing intermediate container ${c.id.slice(0, 12)}\n`);
  }

  /** The layer of a container's changes over `parent`. */
  async layerOf(spec: ContainerSpec, parent: Image | undefined): Promise<string> {
    return (await captureLayer(this.deps.images, this.deps.backend, spec, parent?.config.rootfs.diff_ids ?? [])).diffId;
  }

  record(step: Parameters<typeof recordStepImage>[1]): Image {
    return recordStepImage(this.deps.images, step);
  }

  /**
   * Works on a file system made of `parent`'s layers that belongs to no
   * container (as dockerd's COPY works on a read-write layer of its own),
   * and returns the layer of what `use` changed.
   */
  async onLayer(parent: Image | undefined, use: (files: ContainerFiles) => Promise<void>): Promise<string> {
    const spec: ContainerSpec = { id: `build-${randomBytes(16).toString("hex")}`, image: parent?.id ?? "", labels: {}, layers: parent?.config.rootfs.diff_ids ?? [], memory: 0, init: false, files: [], mounts: [] };
    const { backend } = this.deps;
    await backend.createContainer(spec);
    try {
      await backend.withFiles(spec, use);
      return await this.layerOf(spec, parent);
    } finally {
      await backend.removeContainer(spec.id);
    }
  }

  /** Reads from an image's files without a container. */
  async readImage<T>(image: Image, use: (files: ContainerFiles) => Promise<T>): Promise<T> {
    const spec: ContainerSpec = { id: `build-${randomBytes(16).toString("hex")}`, image: image.id, labels: {}, layers: image.config.rootfs.diff_ids, memory: 0, init: false, files: [], mounts: [] };
    const { backend } = this.deps;
    await backend.createContainer(spec);
    try {
      return await backend.withFiles(spec, use);
    } finally {
      await backend.removeContainer(spec.id);
    }
  }
}
