import { createHash } from "node:crypto";
import { appendFileSync, createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/** The digests blobs are stored under: sha256 only, as ECR. */
export const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Thrown when the bytes of an upload do not hash to the digest the client named. */
export class DigestMismatch extends Error {
  constructor(readonly expected: string, readonly actual: string) {
    super(`provided digest ${expected} did not match uploaded content (${actual})`);
  }
}

/**
 * The registry's bytes on disk: blobs content-addressed under blobs/sha256/,
 * uploads in progress under uploads/<id>. A blob appears only after its bytes
 * were hashed and matched, by renaming its finished upload into place.
 */
export class BlobFiles {
  private readonly blobs: string;
  private readonly uploads: string;

  constructor(root: string) {
    this.blobs = join(root, "blobs", "sha256");
    this.uploads = join(root, "uploads");
    mkdirSync(this.blobs, { recursive: true });
    mkdirSync(this.uploads, { recursive: true });
  }

  path(digest: string): string {
    if (!DIGEST.test(digest)) throw new Error(`not a sha256 digest: ${digest}`);
    return join(this.blobs, digest.slice("sha256:".length));
  }

  has(digest: string): boolean {
    return DIGEST.test(digest) && existsSync(this.path(digest));
  }

  size(digest: string): number {
    return statSync(this.path(digest)).size;
  }

  read(digest: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.path(digest), range);
  }

  private uploadPath(id: string): string {
    if (!/^[a-f0-9-]{36}$/.test(id)) throw new Error(`not an upload id: ${id}`);
    return join(this.uploads, id);
  }

  /** Starts an empty upload file. */
  begin(id: string): void {
    writeFileSync(this.uploadPath(id), "");
  }

  uploadSize(id: string): number {
    return statSync(this.uploadPath(id)).size;
  }

  /** Appends a request body to an upload. */
  async append(id: string, body: ReadableStream<Uint8Array> | null): Promise<void> {
    if (body) await pipeline(Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>), createWriteStream(this.uploadPath(id), { flags: "a" }));
  }

  /** Appends bytes sent in an API call (UploadLayerPart); returns the upload's size after them. */
  appendBytes(id: string, bytes: Buffer): number {
    const path = this.uploadPath(id);
    appendFileSync(path, bytes);
    return statSync(path).size;
  }

  /** Verifies a finished upload against its digest and moves it into place; returns its size. */
  async commit(id: string, digest: string): Promise<number> {
    const path = this.uploadPath(id);
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    const actual = `sha256:${hash.digest("hex")}`;
    if (actual !== digest) throw new DigestMismatch(digest, actual);
    const size = statSync(path).size;
    renameSync(path, this.path(digest));
    return size;
  }

  /** Removes a blob's bytes (when no repository holds it any more). */
  remove(digest: string): void {
    rmSync(this.path(digest), { force: true });
  }

  discard(id: string): void {
    rmSync(this.uploadPath(id), { force: true });
  }
}
