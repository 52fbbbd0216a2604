import { createHash } from "node:crypto";

/**
 * The chain IDs of an image's layers, lowest first, as moby's layer.CreateChainID:
 * the first is its diff ID, each next one the digest of "<parent chain ID> <diff ID>".
 * dockerd names stacked layers by them (its `Deleted` entries, `docker save`'s layer IDs).
 */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) {
    const parent = out.at(-1);
    out.push(parent === undefined ? diffId : `sha256:${createHash("sha256").update(`${parent} ${diffId}`).digest("hex")}`);
  }
  return out;
}
