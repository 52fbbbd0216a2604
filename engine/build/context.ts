import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { decompressed } from "../containers/archive-extract.js";
import { InvalidParameterError, NotImplementedError, SystemError } from "../errors.js";
import { nameTooLong, tarExtract } from "../images/tar-path.js";
import { cleanRelative, IgnoreRules } from "./dockerignore.js";

/** One object of the build context. */
export interface ContextEntry {
  type: "file" | "dir" | "symlink" | "link";
  mode: number;
  uid: number;
  gid: number;
  /** Milliseconds since the epoch. */
  mtime: number;
  data?: Buffer;
  linkname?: string;
  /** Downloaded by ADD: copied as it is, never unpacked. */
  remote?: boolean;
}

const TYPES: Record<string, ContextEntry["type"] | undefined> = { file: "file", "contiguous-file": "file", directory: "dir", symlink: "symlink", link: "link" };

/**
 * The build context a client sent: a tar (plain or gzip) held in memory by
 * cleaned relative path, with the directories it implies. Paths the
 * .dockerignore leaves out are gone once `applyIgnore` has run.
 */
export class BuildContext {
  readonly entries = new Map<string, ContextEntry>();

  static async read(body: Readable): Promise<BuildContext> {
    const ctx = new BuildContext();
    ctx.entries.set("", { type: "dir", mode: 0o755, uid: 0, gid: 0, mtime: 0 });
    const extract = tarExtract();
    extract.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c) => chunks.push(c as Buffer));
      stream.on("end", () => {
        const path = cleanRelative(header.name);
        const type = TYPES[header.type ?? "file"];
        const refused = ctx.refusal(header, path, type);
        if (refused) return next(refused);
        if (type && path !== "") {
          ctx.addParents(path);
          ctx.entries.set(path, {
            type,
            mode: (header.mode ?? 0o644) & 0o7777,
            uid: header.uid ?? 0,
            gid: header.gid ?? 0,
            mtime: header.mtime?.getTime() ?? 0,
            ...(type === "file" ? { data: Buffer.concat(chunks) } : {}),
            ...(type === "symlink" || type === "link" ? { linkname: header.linkname ?? "" } : {}),
          });
        }
        next();
      });
      stream.on("error", next);
    });
    try {
      // Go's tar reader accepts an archive that ends without the padding of its last file and
      // without its two zero blocks; the CLI's context with an added Dockerfile (-f outside the
      // context) ends so. The missing zeros are supplied; extra ones after a proper end are ignored.
      const input = await decompressed(body);
      await pipeline(
        async function* () {
          let size = 0;
          for await (const chunk of input) {
            size += (chunk as Buffer).length;
            yield chunk as Buffer;
          }
          yield Buffer.alloc((512 - (size % 512)) % 512 + 1024);
        },
        extract as unknown as Writable,
      );
    } catch (err) {
      if (err instanceof Error && "status" in err) throw err;
      throw new InvalidParameterError(`failed to read the build context: ${(err as Error).message}`);
    }
    return ctx;
  }

  /**
   * Why an entry cannot be part of the context: a name too long for a file
   * system, an entry under one of the context's symlinks (the copy would
   * write through it), a hard link to no file before it, a device node.
   */
  private refusal(header: { name: string; type?: string | null; linkname?: string | null }, path: string, type: ContextEntry["type"] | undefined): Error | undefined {
    const tooLong = nameTooLong(path);
    if (tooLong) return new InvalidParameterError(`refusing build context entry "${path.slice(0, 64)}…": ${tooLong}`);
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const above = parts.slice(0, i).join("/");
      if (this.entries.get(above)?.type === "symlink") {
        return new InvalidParameterError(`refusing build context entry "${header.name}": it would be written through the symlink "${above}"`);
      }
    }
    if (type === "link" && this.entries.get(cleanRelative(header.linkname ?? ""))?.type !== "file") {
      return new InvalidParameterError(`refusing hard link "${header.name}" to "${header.linkname ?? ""}": not a file earlier in the build context`);
    }
    if (header.type === "character-device" || header.type === "block-device") {
      return new NotImplementedError(`build context entry "${header.name}" is a ${header.type.replace("-", " ")}, which the builder cannot copy`);
    }
    return undefined;
  }

  private addParents(path: string): void {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (!this.entries.has(dir)) this.entries.set(dir, { type: "dir", mode: 0o755, uid: 0, gid: 0, mtime: 0 });
    }
  }

  /** A copy of the tree with one more entry (and the directories above it). */
  withEntry(path: string, entry: ContextEntry): BuildContext {
    const copy = new BuildContext();
    for (const [p, e] of this.entries) copy.entries.set(p, e);
    copy.addParents(path);
    copy.entries.set(path, entry);
    return copy;
  }

  /** A regular file's bytes, following symlinks inside the context; undefined when there is none. */
  file(path: string): Buffer | undefined {
    const e = this.resolve(cleanRelative(path));
    return e?.entry.type === "file" ? e.entry.data : undefined;
  }

  /** The entry at `path` with symlinks in every step followed inside the context. */
  resolve(path: string, followLast = true): { path: string; entry: ContextEntry } | undefined {
    let parts = path.split("/").filter(Boolean);
    let done: string[] = [];
    for (let hops = 0; parts.length > 0; ) {
      const name = parts.shift()!;
      if (name === "..") {
        done.pop();
        continue;
      }
      if (name === ".") continue;
      const cur = [...done, name].join("/");
      const e = this.entries.get(cur);
      if (e?.type === "symlink" && (parts.length > 0 || followLast)) {
        if (++hops > 255) throw new SystemError(`too many links in ${path}`);
        const target = e.linkname ?? "";
        if (target.startsWith("/")) done = [];
        parts = [...target.split("/"), ...parts];
        continue;
      }
      if (!e) return undefined;
      done.push(name);
    }
    const p = done.join("/");
    const entry = this.entries.get(p);
    return entry ? { path: p, entry } : undefined;
  }

  /** Paths below `dir` (relative to the context root), sorted. */
  below(dir: string): string[] {
    const prefix = dir === "" ? "" : `${dir}/`;
    return [...this.entries.keys()].filter((p) => p !== dir && p.startsWith(prefix)).sort();
  }

  /**
   * What dockerd's legacy builder does with a .dockerignore (clients apply
   * the rest when they pack the context): the Dockerfile and the
   * .dockerignore itself are dropped once read when its rules exclude them.
   */
  applyIgnore(dockerfile: string): void {
    const text = this.file(".dockerignore");
    if (text === undefined) return;
    const rules = new IgnoreRules(text.toString("utf8"));
    for (const path of [cleanRelative(dockerfile), ".dockerignore"]) if (rules.ignores(path)) this.entries.delete(path);
  }
}
