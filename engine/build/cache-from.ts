import { isDeepStrictEqual } from "node:util";
import { goContainerConfig, goStringify } from "../images/go-json.js";
import type { Image, ImageStore } from "../images/store.js";
import type { RunConfig } from "./image-record.js";

/** Whether `img` extends `parent`: the parent's history and layers are the start of its own. */
function extendsParent(img: Image, parent: Image | undefined): boolean {
  const history = img.config.history ?? [];
  if (history.length === 0) return false;
  const parentHistory = parent?.config.history ?? [];
  const parentLayers = parent?.config.rootfs.diff_ids ?? [];
  if (parent === undefined || (parentHistory.length === 0 && parentLayers.length === 0)) return true;
  if (parentHistory.length >= history.length || parentLayers.length > img.config.rootfs.diff_ids.length) return false;
  return parentHistory.every((h, i) => isDeepStrictEqual(h, history[i])) && parentLayers.every((d, i) => d === img.config.rootfs.diff_ids[i]);
}

/** The layer the history entry at `index` added; undefined for an empty_layer entry. */
function layerOfHistory(img: Image, index: number): string | undefined {
  const history = img.config.history ?? [];
  if (history[index]?.empty_layer) return undefined;
  const below = history.slice(0, index).filter((h) => !h.empty_layer).length;
  return img.config.rootfs.diff_ids[below];
}

/**
 * The cache of `cachefrom` images, as dockerd's legacy builder uses them: a
 * step hits when a source image extends the step's parent and its next
 * history entry was made by the step's command. The step's image is then the
 * source itself (its last entry) or an image restored from the parent plus
 * that entry and its layer. After one hit, only that source is followed.
 */
export class CacheFromImages {
  constructor(
    private readonly images: ImageStore,
    private sources: Image[],
  ) {}

  get empty(): boolean {
    return this.sources.length === 0;
  }

  /** Whether `image` is an ancestor of a source by parent links: only such a local cache hit is taken while cachefrom is in use. */
  precedes(image: Image): boolean {
    return this.sources.some((source) => {
      const seen = new Set<string>();
      for (let id = source.parent; id !== "" && !seen.has(id); id = this.images.get(id)?.parent ?? "") {
        if (id === image.id) return true;
        seen.add(id);
      }
      return false;
    });
  }

  find(parent: Image | undefined, containerConfig: RunConfig): Image | undefined {
    const at = parent?.config.history?.length ?? 0;
    const createdBy = (containerConfig.Cmd ?? []).join(" ");
    for (const source of this.sources) {
      const entry = source.config.history?.[at];
      if (!extendsParent(source, parent) || entry?.created_by !== createdBy) continue;
      this.sources = [source];
      if ((source.config.history ?? []).length - 1 === at) {
        if (parent) this.images.setParent(source.id, parent.id);
        return source;
      }
      return this.restore(parent, source, at, containerConfig);
    }
    return undefined;
  }

  private restore(parent: Image | undefined, source: Image, at: number, containerConfig: RunConfig): Image {
    const entry = source.config.history![at];
    const layer = layerOfHistory(source, at);
    const raw = goStringify({
      created: entry.created,
      container_config: goContainerConfig(),
      ...(source.config.author ? { author: source.config.author } : {}),
      config: goContainerConfig(containerConfig),
      architecture: source.config.architecture,
      ...(source.config.variant ? { variant: source.config.variant } : {}),
      os: source.config.os,
      rootfs: { type: "layers", diff_ids: [...(parent?.config.rootfs.diff_ids ?? []), ...(layer ? [layer] : [])] },
      history: [...(parent?.config.history ?? []), entry],
    });
    return this.images.add(Buffer.from(raw), parent?.id ?? "");
  }
}
