import { SystemError } from "../errors.js";
import type { ImageStore } from "./store.js";

export interface HistoryItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

/**
 * GET /images/{name}/history, as dockerd's ImageHistory: the config's
 * history newest first, each non-empty entry sized by its layer; IDs and
 * tags walk the parent chain from the image itself, "<missing>" beyond it.
 */
export function imageHistory(store: ImageStore, name: string): HistoryItem[] {
  const img = store.resolve(name);
  const diffIds = img.config.rootfs.diff_ids;
  let layer = 0;
  const items: HistoryItem[] = [];
  for (const h of img.config.history ?? []) {
    let size = 0;
    if (!h.empty_layer) {
      if (layer >= diffIds.length) throw new SystemError("too many non-empty layers in History section");
      size = store.layers.diffSize(diffIds[layer++]);
    }
    const ms = h.created ? Date.parse(h.created) : NaN;
    items.unshift({ Id: "<missing>", Created: Number.isNaN(ms) ? 0 : Math.floor(ms / 1000), CreatedBy: h.created_by ?? "", Tags: null, Size: size, Comment: h.comment ?? "" });
  }
  let current: typeof img | undefined = img;
  for (const item of items) {
    item.Id = current.id;
    item.Tags = current.tags.length ? current.tags : null;
    current = current.parent ? store.get(current.parent) : undefined;
    if (!current || current.removed) break;
  }
  return items;
}
