import type { Hono } from "hono";
import { Readable } from "node:stream";
import { DIGEST, type BlobFiles } from "./blobs.js";
import { LAYER_DOWNLOAD_PATH } from "./layers-api.js";
import type { EcrStore } from "./store.js";
import type { RegistryTokens } from "./tokens.js";

/** An S3-style refusal, as a pre-signed URL that no longer holds gets. */
function denied(message: string): Response {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>${message}</Message></Error>`;
  return new Response(body, { status: 403, headers: { "Content-Type": "application/xml" } });
}

/** Serves the URLs GetDownloadUrlForLayer gives: a layer's bytes for whoever holds the URL, while its credential lasts. */
export function layerDownloadRoute(app: Hono, deps: { store: EcrStore; blobs: BlobFiles; tokens: RegistryTokens }): void {
  app.get(`${LAYER_DOWNLOAD_PATH}/*`, (c) => {
    const url = new URL(c.req.url);
    const m = new RegExp(`^${LAYER_DOWNLOAD_PATH}/(.+)/(sha256:[a-f0-9]{64})$`).exec(decodeURIComponent(url.pathname));
    const state = deps.tokens.checkPassword(url.searchParams.get("token") ?? "");
    if (state === "expired") return denied("Request has expired");
    if (state !== "valid" || !m) return denied("Access Denied");
    const [, repository, digest] = m;
    const size = deps.store.blobSize(repository, digest);
    if (size === undefined || !DIGEST.test(digest) || !deps.blobs.has(digest)) return denied("Access Denied");
    const body = c.req.method === "HEAD" ? null : (Readable.toWeb(deps.blobs.read(digest)) as ReadableStream<Uint8Array>);
    return new Response(body, { status: 200, headers: { "Content-Type": "application/octet-stream", "Content-Length": String(size) } });
  });
}
