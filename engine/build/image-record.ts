import { hostFacts } from "../host.js";
import { EMPTY_LAYER } from "../images/commit.js";
import { goContainerConfig, goStringify } from "../images/go-json.js";
import type { ContainerDefaults, Image, ImageStore } from "../images/store.js";

export type RunConfig = ContainerDefaults & Record<string, unknown>;

export interface StepImage {
  /** The image the step started from; undefined in a stage FROM scratch before its first step. */
  parent: Image | undefined;
  /** The stage's config after the step: the new image's Config. */
  config: RunConfig;
  /** The config the step's container had (Cmd says what the step did): the new image's ContainerConfig, and the cache key. */
  containerConfig: RunConfig;
  /** The intermediate container, when the step had one. */
  containerId?: string;
  /** The new layer's diff ID; undefined or EMPTY_LAYER for a metadata-only step. */
  diffId?: string;
  author?: string;
}

/**
 * Records the image a build step made, as dockerd's builder commits it: the
 * parent's layers and history plus this step (an empty_layer history entry
 * when it changed no files), created_by being the container's command, and
 * the parent recorded so the cache can find it.
 */
export function recordStepImage(images: ImageStore, step: StepImage): Image {
  const base = step.parent?.config;
  const created = new Date().toISOString();
  const empty = step.diffId === undefined || step.diffId === EMPTY_LAYER;
  const parentId = step.parent?.id ?? "";
  const history = {
    created,
    ...(step.author ? { author: step.author } : {}),
    created_by: (step.containerConfig.Cmd ?? []).join(" "),
    ...(empty ? { empty_layer: true } : {}),
  };
  const raw = goStringify({
    created,
    ...(step.containerId ? { container: step.containerId } : {}),
    container_config: goContainerConfig({ ...step.containerConfig, Hostname: step.containerId?.slice(0, 12) ?? "", Image: parentId }),
    ...(step.author ? { author: step.author } : {}),
    config: goContainerConfig({ ...step.config, Image: parentId }),
    architecture: base?.architecture || hostFacts().arch,
    ...(base?.variant ? { variant: base.variant } : {}),
    os: base?.os || "linux",
    rootfs: { type: "layers", diff_ids: [...(base?.rootfs.diff_ids ?? []), ...(empty ? [] : [step.diffId!])] },
    history: [...(base?.history ?? []), history],
  });
  const img = images.add(Buffer.from(raw), parentId);
  if (step.diffId === EMPTY_LAYER) images.layers.settle([EMPTY_LAYER]);
  return img;
}

/** A config with what does not identify a step taken out, and Go's empty values made alike. */
function cacheKey(config: Record<string, unknown> | undefined): string {
  const c = goContainerConfig({ ...(config ?? {}), Hostname: "", Image: "" });
  const plain = Object.fromEntries(
    Object.entries(c)
      .filter(([, v]) => !(v === null || v === "" || v === false || (Array.isArray(v) && v.length === 0) || (typeof v === "object" && v !== null && Object.keys(v).length === 0)))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  return JSON.stringify(plain);
}

/**
 * The legacy builder's local cache: an image made from `parent` whose
 * ContainerConfig equals the step's (its command, environment, labels and
 * the rest) is the step's result. The newest such image wins.
 */
export function cachedStepImage(images: ImageStore, parent: Image | undefined, containerConfig: RunConfig): Image | undefined {
  const want = cacheKey(containerConfig);
  const wantLayers = parent?.config.rootfs.diff_ids.length ?? 0;
  const found = images
    .children(parent?.id ?? "")
    .map((id) => images.get(id)!)
    .filter((img) => img.config.container_config && cacheKey(img.config.container_config) === want)
    // A scratch stage has no parent; only images built from nothing can stand for its steps.
    .filter((img) => parent !== undefined || img.config.rootfs.diff_ids.length <= wantLayers + 1)
    .sort((a, b) => b.loadedAt - a.loadedAt);
  return found[0];
}
