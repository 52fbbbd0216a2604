import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";
import { InvalidParameterError, NotFoundError } from "../errors.js";
import { addEntry } from "../containers/archive-tar.js";
import { chainIds } from "./chain.js";
import { goStringify, goV1Image } from "./go-json.js";
import { familiarName, familiarTagged, parseReference } from "./reference.js";
import type { Image, ImageStore } from "./store.js";
import { largeReadStream } from "./open-file.js";

interface Selected {
  img: Image;
  /** Familiar NAME:TAG references to record in the archive. */
  tags: string[];
}

const EPOCH = new Date(0);

/** moby's tarexporter.parseNames: a bare name takes every tag of that repository, an ID or digest none. */
function select(store: ImageStore, names: string[]): Selected[] {
  const byId = new Map<string, Selected>();
  const add = (img: Image, tag?: string) => {
    const s = byId.get(img.id) ?? { img, tags: [] };
    byId.set(img.id, s);
    if (tag && !s.tags.includes(tag)) s.tags.push(tag);
  };
  for (const name of names) {
    if (/^sha256:[0-9a-f]{64}$/.test(name)) {
      add(store.resolve(name));
      continue;
    }
    let ref;
    try {
      ref = parseReference(name);
    } catch {
      add(store.resolve(name));
      continue;
    }
    if (ref.digest) {
      add(store.resolve(name));
    } else if (ref.tag === undefined) {
      const repo = familiarName(ref);
      const tagged = store.list().flatMap((img) => img.tags.filter((t) => t.slice(0, t.lastIndexOf(":")) === repo).map((t) => [img, t] as const));
      if (tagged.length === 0) add(byIdPrefix(store, name));
      for (const [img, t] of tagged) add(img, t);
    } else {
      const img = store.resolve(name);
      add(img, img.tags.includes(familiarTagged(ref)) ? familiarTagged(ref) : undefined);
    }
  }
  return [...byId.values()];
}

/** moby's imageStore.Search: a bare name with no tags must be an ID prefix. */
function byIdPrefix(store: ImageStore, name: string): Image {
  try {
    if (/^[0-9a-f]+$/.test(name)) return store.resolve(name);
  } catch {
    // Reported below in Search's words.
  }
  throw new NotFoundError(`No such image: ${name}`);
}

/** moby's v1.CreateID: the digest of the legacy config with the layer's chain ID and parent, keys sorted. */
function v1Id(v1: Record<string, unknown>, chainId: string, parent: string): string {
  const fields: Record<string, unknown> = { ...goV1Image(v1), layer_id: chainId };
  delete fields.id;
  if (parent) fields.parent = parent;
  const sorted = Object.fromEntries(Object.keys(fields).sort().map((k) => [k, fields[k]]));
  return createHash("sha256").update(goStringify(sorted)).digest("hex");
}

interface Member {
  name: string;
  mtime: Date;
  dir?: boolean;
  data?: Buffer;
  file?: string;
  link?: string;
}

/**
 * GET /images/{name}/get and /images/get: a docker-archive in the legacy
 * layout dockerd 20.10 writes — "<config digest>.json", one "<v1 id>/" per
 * layer (VERSION, json, layer.tar), manifest.json and repositories — which
 * `docker load` of any version reads with the same image IDs. Names are
 * resolved before anything is sent, so a missing one is a plain error.
 */
export function saveImages(store: ImageStore, names: string[]): Readable {
  if (names.length === 0) throw new InvalidParameterError("no images specified");
  const selected = select(store, names);
  const members: Member[] = [];
  const manifest: { Config: string; RepoTags: string[] | null; Layers: string[] }[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  const savedLayers = new Map<string, string>();
  for (const { img, tags } of selected) {
    const diffIds = img.config.rootfs.diff_ids;
    if (diffIds.length === 0) throw new InvalidParameterError("empty export - not implemented");
    const created = img.config.created ? new Date(img.config.created) : EPOCH;
    const chains = chainIds(diffIds);
    const layers: string[] = [];
    let parent = "";
    diffIds.forEach((diffId, i) => {
      const top = i === diffIds.length - 1;
      const v1: Record<string, unknown> = top ? { ...(JSON.parse(img.raw) as Record<string, unknown>) } : { created: EPOCH.toISOString().replace(".000", "") };
      const id = v1Id(v1, chains[i], parent);
      const layerJson = goV1Image({ ...v1, id, parent: parent.slice(7), os: img.config.os });
      members.push({ name: `${id}/`, mtime: created, dir: true });
      members.push({ name: `${id}/VERSION`, mtime: created, data: Buffer.from("1.0") });
      members.push({ name: `${id}/json`, mtime: created, data: Buffer.from(goStringify(layerJson)) });
      const earlier = savedLayers.get(diffId);
      if (earlier) members.push({ name: `${id}/layer.tar`, mtime: created, link: `../${earlier}/layer.tar` });
      else {
        members.push({ name: `${id}/layer.tar`, mtime: created, file: store.layers.tarPath(diffId) });
        savedLayers.set(diffId, id);
      }
      layers.push(`${id}/layer.tar`);
      parent = `sha256:${id}`;
    });
    const configName = `${img.id.slice(7)}.json`;
    members.push({ name: configName, mtime: created, data: Buffer.from(img.raw) });
    for (const t of tags) {
      const colon = t.lastIndexOf(":");
      (repositories[t.slice(0, colon)] ??= {})[t.slice(colon + 1)] = layers.at(-1)!.slice(0, -"/layer.tar".length);
    }
    manifest.push({ Config: configName, RepoTags: tags.length ? tags : null, Layers: layers });
    store.events.image(img.id, img.id, "save", img.config.config?.Labels);
  }
  members.push({ name: "manifest.json", mtime: EPOCH, data: Buffer.from(goStringify(manifest) + "\n") });
  if (Object.keys(repositories).length > 0) members.push({ name: "repositories", mtime: EPOCH, data: Buffer.from(goStringify(repositories) + "\n") });
  members.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const pack = tar.pack();
  void write(pack, members);
  return Readable.from(pack as AsyncIterable<Buffer>);
}

async function write(pack: tar.Pack, members: Member[]): Promise<void> {
  try {
    for (const m of members) {
      const base = { name: m.name, mtime: m.mtime, uid: 0, gid: 0, uname: "", gname: "" };
      if (m.dir) await addEntry(pack, { ...base, type: "directory", mode: 0o755 });
      else if (m.link) await addEntry(pack, { ...base, type: "symlink", linkname: m.link, mode: 0o777 });
      else if (m.data) await addEntry(pack, { ...base, type: "file", mode: 0o644, size: m.data.length }, m.data);
      else {
        const size = statSync(m.file!).size;
        const sink = pack.entry({ ...base, type: "file", mode: 0o644, size });
        await pipeline(largeReadStream(m.file!), sink);
      }
    }
    pack.finalize();
  } catch (err) {
    pack.destroy(err as Error);
  }
}

