import { chainIds } from "./chain.js";
import type { ImageStore } from "./store.js";

/** A layer of a deleted image that went with it: its chain ID and its size (DiffSize). */
export interface DeletedLayer {
  chainId: string;
  size: number;
}

/**
 * Deletes the layers no image needs, counting images kept for their
 * containers. Returns the layers of `deleted`'s stack (top first, as dockerd
 * lists them) that no remaining image shares, for an image removal's
 * `Deleted` entries and a prune's reclaimed space.
 */
export function collectGarbage(store: ImageStore, deleted?: { diffIds: string[] }): DeletedLayer[] {
  const remaining = store.forgetUnused();
  const usedChains = new Set<string>();
  const usedLayers = new Set<string>();
  for (const img of remaining) {
    for (const c of chainIds(img.config.rootfs.diff_ids)) usedChains.add(c);
    for (const d of img.config.rootfs.diff_ids) usedLayers.add(d);
  }
  const gone: DeletedLayer[] = [];
  if (deleted) {
    const chains = chainIds(deleted.diffIds);
    chains.forEach((chainId, i) => {
      if (!usedChains.has(chainId)) gone.unshift({ chainId, size: store.layers.has(deleted.diffIds[i]) ? store.layers.diffSize(deleted.diffIds[i]) : 0 });
    });
  }
  for (const diffId of store.layers.list()) if (!usedLayers.has(diffId)) store.layers.remove(diffId);
  return gone;
}
