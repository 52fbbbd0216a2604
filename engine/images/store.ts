import { createHash } from "node:crypto";
import { and, count, eq, like, sql } from "drizzle-orm";
import type { Db } from "../state/db.js";
import { containers, images, imageTags } from "../state/schema.js";
import { NotFoundError, InvalidParameterError } from "../errors.js";
import type { LayerStore } from "./layer.js";
import type { EventLog } from "../events/log.js";
import { familiarName, familiarTagged, parseReference } from "./reference.js";

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
  history?: HistoryEntry[];
  /** Set by commit: the container the image was made from, and its Config. */
  container?: string;
  container_config?: Record<string, unknown>;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
  author?: string;
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
  /** Familiar NAME:TAG references, sorted. */
  tags: string[];
  /** Familiar NAME@DIGEST references (from a pull or push), sorted. */
  digests: string[];
  /** The image it was committed from, "" when none. */
  parent: string;
  /** Deleted by a client but kept for the containers made from it; invisible to lookups. */
  removed: boolean;
}

/** Images and their tags; layer bytes live in the LayerStore. */
export class ImageStore {
  // Prepared once: `docker images` and every create look images up, and building the SQL again each time dominates them.
  private readonly queries;

  constructor(
    private readonly db: Db,
    readonly layers: LayerStore,
    readonly events: EventLog,
  ) {
    this.queries = {
      byId: db.select().from(images).where(eq(images.id, sql.placeholder("id"))).prepare(),
      references: db.select({ tag: imageTags.tag }).from(imageTags).where(eq(imageTags.imageId, sql.placeholder("id"))).prepare(),
      byReference: db.select({ imageId: imageTags.imageId }).from(imageTags).where(eq(imageTags.tag, sql.placeholder("tag"))).prepare(),
      visibleIds: db.select({ id: images.id }).from(images).where(eq(images.removed, false)).prepare(),
      children: db
        .select({ id: images.id })
        .from(images)
        .where(and(eq(images.parent, sql.placeholder("id")), eq(images.removed, false)))
        .prepare(),
      containersUsing: db.select({ id: containers.id }).from(containers).where(eq(containers.imageId, sql.placeholder("id"))).prepare(),
    };
  }

  /**
   * Records an image whose layers are all present. The ID is the digest of
   * the config bytes. `parent` is the image a commit started from.
   */
  add(rawConfig: Buffer, parent = ""): Image {
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
      size += this.layers.diffSize(diffId);
    }
    const id = `sha256:${createHash("sha256").update(rawConfig).digest("hex")}`;
    this.db
      .insert(images)
      .values({ id, config: rawConfig.toString("utf8"), size, loadedAt: Date.now(), parent })
      .onConflictDoUpdate({ target: images.id, set: { removed: false } })
      .run();
    this.layers.settle(config.rootfs.diff_ids);
    return this.get(id)!;
  }

  /** Makes `parent` the image's parent, as dockerd's SetParent (the builder links a cachefrom image to the chain its cache restored). */
  setParent(imageId: string, parent: string): void {
    this.db.update(images).set({ parent }).where(eq(images.id, imageId)).run();
  }

  /** Records NAME@DIGEST (the manifest digest a registry knows the image by) as a reference of the image. */
  addRepoDigest(imageId: string, reference: string): string {
    const ref = parseReference(reference);
    if (!ref.digest) throw new InvalidParameterError(`${reference} is not a digest reference`);
    const canonical = `${familiarName(ref)}@${ref.digest}`;
    this.db
      .insert(imageTags)
      .values({ tag: canonical, imageId, taggedAt: Date.now() })
      .onConflictDoUpdate({ target: imageTags.tag, set: { imageId, taggedAt: Date.now() } })
      .run();
    return canonical;
  }

  /** Removes one familiar reference (NAME:TAG or NAME@DIGEST); false when it did not exist. */
  untag(reference: string): boolean {
    return this.db.delete(imageTags).where(eq(imageTags.tag, reference)).run().changes > 0;
  }

  /** The image's tags and digests, in familiar form. */
  references(imageId: string): string[] {
    return this.queries.references
      .all({ id: imageId })
      .map((r) => r.tag)
      .sort();
  }

  /** Images committed from this one that have not been removed. */
  children(imageId: string): string[] {
    return this.queries.children.all({ id: imageId }).map((r) => r.id);
  }

  /** IDs of containers made from the image. */
  containersUsing(imageId: string): string[] {
    return this.queries.containersUsing.all({ id: imageId }).map((r) => r.id);
  }

  /**
   * Deletes the image and its references. While containers made from it
   * exist, its record stays (invisible to lookups) so their layers do too;
   * the layers themselves go with garbage collection.
   */
  delete(imageId: string): void {
    this.db.delete(imageTags).where(eq(imageTags.imageId, imageId)).run();
    if (this.containersUsing(imageId).length > 0) this.db.update(images).set({ removed: true }).where(eq(images.id, imageId)).run();
    else this.db.delete(images).where(eq(images.id, imageId)).run();
  }

  /** Drops removed images no container uses any more; returns every image record left, retained ones included. */
  forgetUnused(): Image[] {
    for (const row of this.db.select({ id: images.id }).from(images).where(eq(images.removed, true)).all()) {
      if (this.containersUsing(row.id).length === 0) this.db.delete(images).where(eq(images.id, row.id)).run();
    }
    return this.db
      .select({ id: images.id })
      .from(images)
      .all()
      .map((r) => this.get(r.id)!);
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
    const row = this.queries.byId.get({ id });
    if (!row) return undefined;
    const refs = this.references(id);
    return {
      id: row.id,
      raw: row.config,
      config: JSON.parse(row.config) as ImageConfig,
      size: row.size,
      loadedAt: row.loadedAt,
      tags: refs.filter((r) => !r.includes("@")),
      digests: refs.filter((r) => r.includes("@")),
      parent: row.parent,
      removed: row.removed,
    };
  }

  /**
   * Finds an image as dockerd's GetImage does: a full "sha256:…" ID, then a
   * tag or digest reference, then a unique ID prefix; 404 otherwise.
   */
  resolve(nameOrId: string): Image {
    const visible = (id: string | undefined) => {
      const img = id ? this.get(id) : undefined;
      return img && !img.removed ? img : undefined;
    };
    const full = /^sha256:([0-9a-f]{64})$/.exec(nameOrId);
    if (full) {
      const img = visible(nameOrId);
      if (!img) throw new NotFoundError(`No such image: ${nameOrId}`);
      return img;
    }
    const ref = parseReference(nameOrId);
    const name = ref.digest ? `${familiarName(ref)}@${ref.digest}` : familiarTagged(ref);
    const byRef = visible(this.queries.byReference.get({ tag: name })?.imageId);
    if (byRef) return byRef;
    if (/^[0-9a-f]+$/.test(nameOrId.replace(/^sha256:/, ""))) {
      const hex = nameOrId.replace(/^sha256:/, "");
      const rows = this.db.select({ id: images.id }).from(images).where(and(like(images.id, `sha256:${hex}%`), eq(images.removed, false))).all();
      if (rows.length === 1) return this.get(rows[0].id)!;
    }
    throw new NotFoundError(`No such image: ${name}`);
  }

  /** Every image a client can see. */
  list(): Image[] {
    return this.queries.visibleIds.all().map((r) => this.get(r.id)!);
  }

  count(): number {
    return this.db.select({ n: count() }).from(images).where(eq(images.removed, false)).get()!.n;
  }
}
