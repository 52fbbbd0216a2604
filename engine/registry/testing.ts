import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/** A blob or manifest the test registry holds. */
interface Stored {
  bytes: Buffer;
  mediaType?: string;
}

export interface TestRegistryOptions {
  /** Require a bearer token from the registry's own token endpoint, given for these credentials. */
  bearer?: { username: string; password: string };
  /** Require Basic credentials. */
  basic?: { username: string; password: string };
}

/**
 * A small Docker Registry v2 server on 127.0.0.1:0 for tests: manifests by
 * tag and digest, blobs, monolithic uploads, cross-repository mounts, tag
 * lists, and optionally Basic or bearer-token auth. Tests may plant any
 * bytes (a blob that does not match its digest, a manifest naming missing
 * layers) and cut a blob short.
 */
export class TestRegistry {
  readonly blobs = new Map<string, Stored>();
  readonly manifests = new Map<string, Stored>();
  /** Blob digests each repository holds. */
  readonly repoBlobs = new Map<string, Set<string>>();
  /** Blob digests whose body is cut off after half of it, with the connection destroyed. */
  readonly truncate = new Set<string>();
  readonly requests: string[] = [];
  private readonly uploads = new Map<string, Buffer[]>();
  private readonly token = randomBytes(8).toString("hex");
  private server!: http.Server;
  host = "";

  constructor(private readonly options: TestRegistryOptions = {}) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  static digest(bytes: Buffer): string {
    return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  }

  /** Stores a blob in a repository under its digest (or under `digest`, to plant a mismatch). */
  putBlob(repository: string, bytes: Buffer, digest = TestRegistry.digest(bytes)): string {
    this.blobs.set(digest, { bytes });
    this.holding(repository).add(digest);
    return digest;
  }

  putManifest(repository: string, tag: string, body: object, mediaType: string): string {
    const bytes = Buffer.from(JSON.stringify(body));
    const digest = TestRegistry.digest(bytes);
    this.manifests.set(`${repository}@${digest}`, { bytes, mediaType });
    this.manifests.set(`${repository}:${tag}`, { bytes, mediaType });
    return digest;
  }

  private holding(repository: string): Set<string> {
    let set = this.repoBlobs.get(repository);
    if (!set) this.repoBlobs.set(repository, (set = new Set()));
    return set;
  }

  private authorized(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const given = req.headers.authorization ?? "";
    const { bearer, basic } = this.options;
    if (basic) {
      if (given === `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString("base64")}`) return true;
      res.writeHead(401, { "WWW-Authenticate": `Basic realm="test"`, "Content-Type": "application/json" });
      res.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }));
      return false;
    }
    if (bearer) {
      if (given === `Bearer ${this.token}`) return true;
      res.writeHead(401, { "WWW-Authenticate": `Bearer realm="http://${this.host}/token",service="test-registry"`, "Content-Type": "application/json" });
      res.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }));
      return false;
    }
    return true;
  }

  private tokenEndpoint(req: http.IncomingMessage, res: http.ServerResponse): void {
    const { bearer } = this.options;
    const given = req.headers.authorization ?? "";
    if (bearer && given === `Basic ${Buffer.from(`${bearer.username}:${bearer.password}`).toString("base64")}`) {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ token: this.token }));
      return;
    }
    res.writeHead(401, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "incorrect username or password" }] }));
  }

  private error(res: http.ServerResponse, status: number, code: string, message: string): void {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ errors: [{ code, message }] }));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", `http://${this.host}`);
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (url.pathname === "/token") return this.tokenEndpoint(req, res);
    if (!this.authorized(req, res)) return;
    if (url.pathname === "/v2/") {
      res.writeHead(200, { "Content-Type": "application/json" });
      return void res.end("{}");
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs|tags)\/(.*)$/.exec(url.pathname);
    if (!m) return this.error(res, 404, "UNSUPPORTED", "not found");
    const [, repo, kind, rest] = m;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (kind === "tags") {
      const tags = [...this.manifests.keys()].filter((k) => k.startsWith(`${repo}:`)).map((k) => k.slice(repo.length + 1));
      res.writeHead(200, { "Content-Type": "application/json" });
      return void res.end(JSON.stringify({ name: repo, tags }));
    }
    if (kind === "manifests") {
      const key = rest.startsWith("sha256:") ? `${repo}@${rest}` : `${repo}:${rest}`;
      if (req.method === "PUT") {
        const digest = TestRegistry.digest(body);
        const stored = { bytes: body, mediaType: req.headers["content-type"] };
        this.manifests.set(`${repo}@${digest}`, stored);
        this.manifests.set(key, stored);
        res.writeHead(201, { "Docker-Content-Digest": digest, Location: `/v2/${repo}/manifests/${digest}` });
        return void res.end();
      }
      const found = this.manifests.get(key);
      if (!found) return this.error(res, 404, "MANIFEST_UNKNOWN", "manifest unknown");
      res.writeHead(200, { "Content-Type": found.mediaType ?? "application/json", "Docker-Content-Digest": TestRegistry.digest(found.bytes), "Content-Length": found.bytes.length });
      return void res.end(req.method === "HEAD" ? undefined : found.bytes);
    }
    if (rest.startsWith("uploads/")) return this.upload(req, res, url, repo, rest.slice("uploads/".length), body);
    const blob = this.holding(repo).has(rest) ? this.blobs.get(rest) : undefined;
    if (!blob) return this.error(res, 404, "BLOB_UNKNOWN", "blob unknown to registry");
    res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": blob.bytes.length, "Docker-Content-Digest": rest });
    if (req.method === "HEAD") return void res.end();
    if (this.truncate.has(rest)) {
      res.write(blob.bytes.subarray(0, blob.bytes.length >> 1), () => res.destroy());
      return;
    }
    res.end(blob.bytes);
  }

  private upload(req: http.IncomingMessage, res: http.ServerResponse, url: URL, repo: string, id: string, body: Buffer): void {
    if (req.method === "POST") {
      const mount = url.searchParams.get("mount");
      const from = url.searchParams.get("from");
      if (mount && from && this.holding(from).has(mount)) {
        this.holding(repo).add(mount);
        res.writeHead(201, { Location: `/v2/${repo}/blobs/${mount}`, "Docker-Content-Digest": mount });
        return void res.end();
      }
      const uuid = randomBytes(8).toString("hex");
      this.uploads.set(uuid, [body]);
      res.writeHead(202, { Location: `/v2/${repo}/blobs/uploads/${uuid}`, "Docker-Upload-UUID": uuid });
      return void res.end();
    }
    const parts = this.uploads.get(id);
    if (!parts) return this.error(res, 404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry");
    parts.push(body);
    if (req.method === "PATCH") {
      res.writeHead(202, { Location: `/v2/${repo}/blobs/uploads/${id}` });
      return void res.end();
    }
    const bytes = Buffer.concat(parts);
    const digest = url.searchParams.get("digest") ?? "";
    if (TestRegistry.digest(bytes) !== digest) return this.error(res, 400, "DIGEST_INVALID", "provided digest did not match uploaded content");
    this.uploads.delete(id);
    this.putBlob(repo, bytes);
    res.writeHead(201, { Location: `/v2/${repo}/blobs/${digest}`, "Docker-Content-Digest": digest });
    res.end();
  }
}
