import type { Readable } from "node:stream";
import { InvalidParameterError } from "../errors.js";
import { hostFacts } from "../host.js";
import { applyChanges } from "./changes.js";
import { goContainerConfig, goStringify } from "./go-json.js";
import { addTag } from "./tag.js";
import type { ImageStore } from "./store.js";

export interface ImportOptions {
  /** Familiar NAME:TAG to tag the image with, from repo and tag. */
  ref?: string;
  message: string;
  changes: string[];
  platform: string;
}

/** The daemon's own platform in OCI terms (Go's GOARCH names). */
function hostPlatform(): { os: string; architecture: string; variant?: string } {
  return { os: "linux", architecture: hostFacts().arch };
}

/** An `os[/arch[/variant]]` platform; only linux images can be made here. */
export function parsePlatform(text: string): { os: string; architecture: string; variant?: string } {
  if (text === "") return hostPlatform();
  const [os, architecture, variant] = text.toLowerCase().split("/");
  if (!/^[a-z0-9_-]+$/.test(os) || (architecture !== undefined && !/^[a-z0-9_-]+$/.test(architecture))) {
    throw new InvalidParameterError(`"${text}": unknown operating system or architecture: invalid argument`);
  }
  if (os !== "linux") throw new InvalidParameterError(`operating system is not supported`);
  return { os, architecture: architecture ?? hostPlatform().architecture, ...(variant ? { variant } : {}) };
}

/**
 * POST /images/create?fromSrc: a (possibly gzipped) tarball becomes a
 * one-layer image, as dockerd's ImportImage: the config is `changes` applied
 * to an empty one, the message is the comment and the only history entry.
 */
export async function importImage(store: ImageStore, input: Readable, opts: ImportOptions): Promise<string> {
  const platform = parsePlatform(opts.platform);
  const config = applyChanges({}, opts.changes);
  const layer = await store.layers.add(input);
  const created = new Date().toISOString();
  const raw = goStringify({
    comment: opts.message,
    created,
    container_config: goContainerConfig(),
    config: goContainerConfig(config),
    architecture: platform.architecture,
    ...(platform.variant ? { variant: platform.variant } : {}),
    os: platform.os,
    rootfs: { type: "layers", diff_ids: [layer.diffId] },
    history: [{ created, ...(opts.message ? { comment: opts.message } : {}) }],
  });
  const img = store.add(Buffer.from(raw));
  if (opts.ref) addTag(store, img.id, opts.ref);
  store.events.image(img.id, img.id, "import", img.config.config?.Labels);
  return img.id;
}
