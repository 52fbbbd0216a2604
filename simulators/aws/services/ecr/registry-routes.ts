import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import type { Context, Hono } from "hono";
import { BlobFiles, DIGEST, DigestMismatch } from "./blobs.js";
import { ManifestRefused, storeManifest, TAG, type Refusal } from "./images.js";
import { applyLifecycle } from "./lifecycle.js";
import type { EcrStore, Repository } from "./store.js";
import type { RegistryTokens } from "./tokens.js";

export interface RegistryDeps {
  store: EcrStore;
  blobs: BlobFiles;
  tokens: RegistryTokens;
  accountId: string;
  /** The simulator's base URL: the realm of the Basic challenge. */
  endpoint: string;
}

/** ECR answers manifests up to 4 MiB. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

const API_VERSION = { "Docker-Distribution-API-Version": "registry/2.0" };

function error(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ errors: [{ code, message }] }), { status, headers: { "Content-Type": "application/json; charset=utf-8", ...API_VERSION, ...headers } });
}

function empty(status: number, headers: Record<string, string>): Response {
  return new Response(null, { status, headers: { ...API_VERSION, "Content-Length": "0", ...headers } });
}

const REFUSALS: Record<Refusal, [number, string]> = {
  invalid: [400, "MANIFEST_INVALID"],
  blobs: [400, "MANIFEST_BLOB_UNKNOWN"],
  manifests: [400, "MANIFEST_BLOB_UNKNOWN"],
  digest: [400, "DIGEST_INVALID"],
  immutable: [400, "TAG_INVALID"],
};

/**
 * ECR's registry: the Docker Registry HTTP API v2 (OCI distribution) under
 * /v2/, Basic auth with user AWS and a GetAuthorizationToken password,
 * blobs verified against their digests, manifests and tags per repository.
 */
export function registryRoutes(app: Hono, deps: RegistryDeps): void {
  const { store, blobs, tokens, accountId } = deps;
  const realm = `Basic realm="${deps.endpoint}/",service="ecr.amazonaws.com"`;

  const handle = async (c: Context): Promise<Response> => {
    switch (tokens.check(c.req.header("authorization"))) {
      case "expired":
        return error(403, "DENIED", "Your authorization token has expired. Reauthenticate and try again.");
      case "missing":
      case "invalid":
        return new Response("Not Authorized\n", { status: 401, headers: { "Content-Type": "text/plain; charset=utf-8", "WWW-Authenticate": realm, ...API_VERSION } });
    }
    const url = new URL(c.req.url);
    const path = url.pathname;
    if (path === "/v2/" || path === "/v2") return new Response("{}", { status: 200, headers: { "Content-Type": "application/json; charset=utf-8", ...API_VERSION } });
    const m = /^\/v2\/(.+?)\/(manifests\/[^/]+|blobs\/uploads\/[^/]*|blobs\/[^/]+|tags\/list)$/.exec(path);
    if (!m) return error(404, "UNSUPPORTED", `The operation is unsupported: ${c.req.method} ${path}`);
    const name = decodeURIComponent(m[1]);
    const repo = store.repository(name);
    if (!repo) return error(404, "NAME_UNKNOWN", `The repository with name '${name}' does not exist in the registry with id '${accountId}'`);
    const [kind, ...rest] = m[2].split("/");
    const method = c.req.method;
    if (kind === "tags") return method === "GET" ? tagList(repo, url) : unsupported(c);
    if (kind === "manifests") return manifest(c, repo, decodeURIComponent(rest[0]));
    if (rest[0] === "uploads") return upload(c, repo, url, rest[1] ?? "");
    return blob(c, repo, decodeURIComponent(rest[0]));
  };
  app.all("/v2", handle);
  app.all("/v2/*", handle);

  const unsupported = (c: Context) => error(405, "UNSUPPORTED", `The operation is unsupported: ${c.req.method} ${new URL(c.req.url).pathname}`);

  function tagList(repo: Repository, url: URL): Response {
    let tags = store.tags(repo.name);
    const last = url.searchParams.get("last");
    if (last) tags = tags.filter((t) => t > last);
    const n = Number(url.searchParams.get("n") ?? "");
    const headers: Record<string, string> = { "Content-Type": "application/json; charset=utf-8", ...API_VERSION };
    if (Number.isInteger(n) && n > 0 && tags.length > n) {
      tags = tags.slice(0, n);
      headers.Link = `</v2/${repo.name}/tags/list?last=${encodeURIComponent(tags[tags.length - 1])}&n=${n}>; rel="next"`;
    }
    return new Response(JSON.stringify({ name: repo.name, tags }), { status: 200, headers });
  }

  function resolve(repo: Repository, reference: string): string | undefined {
    return DIGEST.test(reference) ? reference : store.tagged(repo.name, reference);
  }

  async function manifest(c: Context, repo: Repository, reference: string): Promise<Response> {
    const method = c.req.method;
    if (method === "PUT") {
      const byDigest = DIGEST.test(reference);
      if (!byDigest && !TAG.test(reference)) return error(400, "TAG_INVALID", `The image tag '${reference}' is not valid`);
      const bytes = Buffer.from(await c.req.arrayBuffer());
      if (bytes.length > MAX_MANIFEST_BYTES) return error(400, "SIZE_INVALID", `The manifest is larger than ${MAX_MANIFEST_BYTES} bytes`);
      try {
        const stored = storeManifest(store, repo, bytes, c.req.header("content-type"), byDigest ? { digest: reference } : { tag: reference });
        applyLifecycle(store, repo.name);
        return empty(201, { Location: `/v2/${repo.name}/manifests/${stored.digest}`, "Docker-Content-Digest": stored.digest });
      } catch (err) {
        if (!(err instanceof ManifestRefused)) throw err;
        const [status, code] = REFUSALS[err.reason];
        return error(status, code, err.message);
      }
    }
    const digest = resolve(repo, reference);
    const image = digest === undefined ? undefined : store.image(repo.name, digest);
    if (method === "GET" || method === "HEAD") {
      if (!image) return error(404, "MANIFEST_UNKNOWN", "Requested image not found");
      const bytes = Buffer.from(image.manifest, "utf8");
      const headers = { "Content-Type": image.mediaType, "Content-Length": String(bytes.length), "Docker-Content-Digest": image.digest, ...API_VERSION };
      if (method === "GET") store.recordPull(repo.name, image.digest);
      return new Response(method === "HEAD" ? null : new Uint8Array(bytes), { status: 200, headers });
    }
    if (method === "DELETE") {
      if (!image) return error(404, "MANIFEST_UNKNOWN", "Requested image not found");
      store.transaction(() => {
        if (DIGEST.test(reference)) return store.deleteImage(repo.name, image.digest);
        // Untagging as ECR does: an image left without tags goes with its last one.
        store.deleteTag(repo.name, reference);
        if (store.tagsOf(repo.name, image.digest).length === 0) store.deleteImage(repo.name, image.digest);
      });
      return empty(202, {});
    }
    return unsupported(c);
  }

  function blob(c: Context, repo: Repository, digest: string): Response {
    const method = c.req.method;
    if (method !== "GET" && method !== "HEAD") return unsupported(c);
    const size = DIGEST.test(digest) ? store.blobSize(repo.name, digest) : undefined;
    if (size === undefined || !blobs.has(digest)) return error(404, "BLOB_UNKNOWN", `The blob ${digest} does not exist in the repository '${repo.name}'`);
    const headers: Record<string, string> = { "Content-Type": "application/octet-stream", "Docker-Content-Digest": digest, "Accept-Ranges": "bytes", ...API_VERSION };
    const range = /^bytes=(\d+)-(\d*)$/.exec(c.req.header("range") ?? "");
    if (range && method === "GET") {
      const start = Number(range[1]);
      const end = range[2] === "" ? size - 1 : Math.min(Number(range[2]), size - 1);
      if (start > end) return new Response(null, { status: 416, headers: { ...headers, "Content-Range": `bytes */${size}` } });
      const body = Readable.toWeb(blobs.read(digest, { start, end })) as ReadableStream<Uint8Array>;
      return new Response(body, { status: 206, headers: { ...headers, "Content-Length": String(end - start + 1), "Content-Range": `bytes ${start}-${end}/${size}` } });
    }
    headers["Content-Length"] = String(size);
    if (method === "HEAD") return new Response(null, { status: 200, headers });
    return new Response(Readable.toWeb(blobs.read(digest)) as ReadableStream<Uint8Array>, { status: 200, headers });
  }

  const uploadHeaders = (repo: Repository, id: string, size: number) => ({
    Location: `/v2/${repo.name}/blobs/uploads/${id}`,
    "Docker-Upload-UUID": id,
    Range: `0-${Math.max(0, size - 1)}`,
  });

  /** Ends an upload with the digest the client named: verified, moved into place, recorded for the repository. */
  async function finish(repo: Repository, id: string, digest: string | null): Promise<Response> {
    try {
      if (!digest || !DIGEST.test(digest)) return error(400, "DIGEST_INVALID", `The digest '${digest ?? ""}' is not a valid sha256 digest`);
      let size: number;
      try {
        size = await blobs.commit(id, digest);
      } catch (err) {
        if (err instanceof DigestMismatch) return error(400, "DIGEST_INVALID", err.message);
        throw err;
      }
      store.addBlob(repo.name, digest, size);
      return empty(201, { Location: `/v2/${repo.name}/blobs/${digest}`, "Docker-Content-Digest": digest });
    } finally {
      blobs.discard(id);
      store.deleteUpload(id);
    }
  }

  async function upload(c: Context, repo: Repository, url: URL, id: string): Promise<Response> {
    const method = c.req.method;
    if (method === "POST" && id === "") {
      const mount = url.searchParams.get("mount");
      const from = url.searchParams.get("from");
      if (mount && from && DIGEST.test(mount) && blobs.has(mount)) {
        const size = store.blobSize(from, mount);
        if (size !== undefined) {
          store.addBlob(repo.name, mount, size);
          return empty(201, { Location: `/v2/${repo.name}/blobs/${mount}`, "Docker-Content-Digest": mount });
        }
      }
      const fresh = randomUUID();
      store.createUpload({ id: fresh, repository: repo.name, size: 0, startedAtMs: Date.now() });
      blobs.begin(fresh);
      const digest = url.searchParams.get("digest");
      if (digest !== null) {
        await blobs.append(fresh, c.req.raw.body);
        return finish(repo, fresh, digest);
      }
      return empty(202, uploadHeaders(repo, fresh, 0));
    }
    const current = store.upload(id);
    if (!current || current.repository !== repo.name) return error(404, "BLOB_UPLOAD_UNKNOWN", `The upload ${id} does not exist in the repository '${repo.name}'`);
    switch (method) {
      case "GET":
        return empty(204, uploadHeaders(repo, id, current.size));
      case "DELETE":
        blobs.discard(id);
        store.deleteUpload(id);
        return empty(204, {});
      case "PATCH": {
        const range = /^(\d+)-(\d+)$/.exec(c.req.header("content-range") ?? "");
        if (range && Number(range[1]) !== current.size) {
          return error(416, "BLOB_UPLOAD_INVALID", `The chunk starts at ${range[1]}, but the upload has ${current.size} bytes`, uploadHeaders(repo, id, current.size));
        }
        try {
          await blobs.append(id, c.req.raw.body);
        } finally {
          // What arrived counts even when the client went away mid-chunk: the next chunk starts after it.
          store.setUploadSize(id, blobs.uploadSize(id));
        }
        return empty(202, uploadHeaders(repo, id, blobs.uploadSize(id)));
      }
      case "PUT":
        await blobs.append(id, c.req.raw.body);
        return finish(repo, id, url.searchParams.get("digest"));
    }
    return unsupported(c);
  }
}
