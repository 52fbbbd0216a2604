import { createHash } from "node:crypto";
import { count, eq } from "drizzle-orm";
import type { Db } from "../state/db.js";
import { images, imageTags } from "../state/schema.js";
import { NotFoundError, InvalidParameterError } from "../errors.js";
import type { LayerStore } from "./layer.js";
import type { EventLog } from "../events/log.js";
import { familiarTagged, looksLikeId, parseReference } from "./reference.js";

/** The parts of an image config (OCI / Docker v1 image JSON) engine/ reads. */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  author?: string;
  comment?: string;
  docker_version?: string;
  config?: ContainerDefaults;
  rootfs: { type: string; diff_ids: string[] };
  history?: { created?: string; created_by?: string; comment?: string; empty_layer?: boolean; author?: string }[];
}

/** The defaults an image gives its containers. */
export interface ContainerDefaults {
  Env?: string[] | null;
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  WorkingDir?: string;
  User?: string;
  Labels?: Record<string, string> | null;
  ExposedPorts?: Record<string, object> | null;
  Volumes?: Record<string, object> | null;
  StopSignal?: string;
  Healthcheck?: unknown;
  OnBuild?: string[] | null;
  Shell?: string[] | null;
}

export interface Image {
  id: string;
  raw: string;
  config: ImageConfig;
  size: number;
  loadedAt: number;
  tags: string[];
}

/** Images and their tags; layer bytes live in the LayerStore. */
export class ImageStore {
  constructor(
    private readonly db: Db,
    readonly layers: LayerStore,
    readonly events: EventLog,
  ) {}

  /** Records an image whose layers are all present. The ID is the digest of the config bytes. */
  add(rawConfig: Buffer): Image {
    let config: ImageConfig;
    try {
      config = JSON.parse(rawConfig.toString("utf8")) as ImageConfig;
    } catch {
      throw new InvalidParameterError("image config is not valid JSON");
    }
    if (!config.rootfs || !Array.isArray(config.rootfs.diff_ids)) throw new InvalidParameterError("image config has no rootfs.diff_ids");
    let size = 0;
    for (const diffId of config.rootfs.diff_ids) {
      if (!this.layers.has(diffId)) throw new InvalidParameterError(`image config names layer ${diffId}, which was not supplied`);
      size += this.layers.index(diffId).size;
    }
    const id = `sha256:${createHash("sha256").update(rawConfig).digest("hex")}`;
    this.db
      .insert(images)
      .values({ id, config: rawConfig.toString("utf8"), size, loadedAt: Date.now() })
      .onConflictDoNothing()
      .run();
    return this.get(id)!;
  }

  /** Points NAME:TAG at an image; returns the familiar tag. */
  tag(imageId: string, reference: string): string {
    const ref = parseReference(reference);
    if (ref.digest) throw new InvalidParameterError(`refusing to create a tag with a digest reference`);
    const tag = familiarTagged(ref);
    this.db
      .insert(imageTags)
      .values({ tag, imageId, taggedAt: Date.now() })
      .onConflictDoUpdate({ target: imageTags.tag, set: { imageId, taggedAt: Date.now() } })
      .run();
    return tag;
  }

  get(id: string): Image | undefined {
    const row = this.db.select().from(images).where(eq(images.id, id)).get();
    if (!row) return undefined;
    const tags = this.db.select({ tag: imageTags.tag }).from(imageTags).where(eq(imageTags.imageId, id)).all();
    return { id: row.id, raw: row.config, config: JSON.parse(row.config) as ImageConfig, size: row.size, loadedAt: row.loadedAt, tags: tags.map((t) => t.tag).sort() };
  }

  /** Finds an image by tag, full ID or unique ID prefix, as Docker does; 404 otherwise. */
  resolve(nameOrId: string): Image {
    if (looksLikeId(nameOrId)) {
      const hex = nameOrId.replace(/^sha256:/, "");
      const rows = this.db.select({ id: images.id }).from(images).all().filter((r) => r.id.slice(7).startsWith(hex));
      if (rows.length === 1) return this.get(rows[0].id)!;
    }
    const tag = familiarTagged(parseReference(nameOrId));
    const row = this.db.select().from(imageTags).where(eq(imageTags.tag, tag)).get();
    if (!row) throw new NotFoundError(`No such image: ${tag}`);
    return this.get(row.imageId)!;
  }

  list(): Image[] {
    return this.db
      .select({ id: images.id })
      .from(images)
      .all()
      .map((r) => this.get(r.id)!);
  }

  count(): number {
    return this.db.select({ n: count() }).from(images).get()!.n;
  }
}
