import { createHash } from "node:crypto";
import { DockerError, InvalidParameterError } from "../errors.js";
import type { AuthConfig } from "./auth-config.js";
import { parseChallenges, type Challenge } from "./challenge.js";
import { registryEndpoint, type RegistryEndpoint } from "./endpoint.js";
import { connectionError, responseError } from "./errors.js";
import { MANIFEST_ACCEPT } from "./manifest.js";

export interface ClientOptions {
  auth: AuthConfig;
  /** Registries (HOST[:PORT]) spoken to over plain HTTP besides loopback ones. */
  insecure: readonly string[];
  /** Cancels requests under way (the client went away). */
  signal?: AbortSignal;
}

export interface FetchedManifest {
  bytes: Buffer;
  digest: string;
  contentType: string | null;
}

type Body = Buffer | ReadableStream<Uint8Array> | string;

const USER_AGENT = "sockerless (distribution client)";

export function sha256(bytes: Buffer | string): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/**
 * A Docker Registry HTTP API v2 (OCI distribution) client for one registry:
 * pings /v2/ to learn how it authenticates, then sends every request with
 * Basic credentials or a bearer token for the repository scopes asked for.
 */
export class RegistryClient {
  readonly endpoint: RegistryEndpoint;
  private challenge?: Challenge;
  private readonly scopes = new Set<string>();
  private readonly tokens = new Map<string, string>();

  constructor(
    domain: string,
    private readonly options: ClientOptions,
  ) {
    this.endpoint = registryEndpoint(domain, options.insecure);
  }

  /** Asks for access to a repository; `actions` is "pull" or "pull,push". */
  scope(repository: string, actions: string): this {
    this.scopes.add(`repository:${repository}:${actions}`);
    return this;
  }

  private url(path: string): string {
    return new URL(path, this.endpoint.base).toString();
  }

  /** GET /v2/: reachability, and the registry's authentication challenge if it wants one. */
  async ping(): Promise<void> {
    const url = this.url("/v2/");
    let res: Response;
    try {
      res = await fetch(url, { headers: { "User-Agent": USER_AGENT }, signal: this.options.signal });
    } catch (err) {
      throw connectionError("GET", url, err);
    }
    await res.body?.cancel();
    if (res.status === 401) {
      const challenges = parseChallenges(res.headers.get("www-authenticate"));
      this.challenge = challenges.find((c) => c.scheme === "bearer") ?? challenges.find((c) => c.scheme === "basic");
      return;
    }
    if (!res.ok && res.status !== 404) throw new DockerError(500, `Get "${url}": received unexpected HTTP status: ${res.status} ${res.statusText}`);
  }

  /** The Authorization header for the current scopes, fetching a token when the registry uses bearer auth. */
  private async authorization(method: string, url: string): Promise<string | undefined> {
    const c = this.challenge;
    if (!c) return undefined;
    const { username, password, identitytoken, registrytoken } = this.options.auth;
    if (c.scheme === "basic") {
      if (!username && !password) throw new DockerError(401, `${method[0]}${method.slice(1).toLowerCase()} "${url}": no basic auth credentials`);
      return `Basic ${Buffer.from(`${username ?? ""}:${password ?? ""}`).toString("base64")}`;
    }
    if (registrytoken) return `Bearer ${registrytoken}`;
    const scopes = [...this.scopes].sort();
    const key = scopes.join(" ");
    let token = this.tokens.get(key);
    if (!token) {
      token = await this.fetchToken(c, scopes, username, password, identitytoken);
      this.tokens.set(key, token);
    }
    return `Bearer ${token}`;
  }

  /** The token endpoint named by the challenge: GET with Basic credentials, or POST an OAuth refresh token (an identity token). */
  private async fetchToken(c: Challenge, scopes: string[], username?: string, password?: string, identitytoken?: string): Promise<string> {
    const realm = c.params.realm;
    if (!realm) throw new DockerError(500, "the registry's bearer challenge names no realm");
    const url = new URL(realm);
    let res: Response;
    try {
      if (identitytoken) {
        const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: identitytoken, client_id: "docker" });
        if (c.params.service) form.set("service", c.params.service);
        if (scopes.length) form.set("scope", scopes.join(" "));
        res = await fetch(url, { method: "POST", body: form, headers: { "User-Agent": USER_AGENT }, signal: this.options.signal });
      } else {
        if (c.params.service) url.searchParams.set("service", c.params.service);
        for (const s of scopes) url.searchParams.append("scope", s);
        if (username) url.searchParams.set("account", username);
        const headers: Record<string, string> = { "User-Agent": USER_AGENT };
        if (username || password) headers.Authorization = `Basic ${Buffer.from(`${username ?? ""}:${password ?? ""}`).toString("base64")}`;
        res = await fetch(url, { headers, signal: this.options.signal });
      }
    } catch (err) {
      throw connectionError(identitytoken ? "POST" : "GET", url.toString(), err);
    }
    if (!res.ok) throw await responseError(res);
    const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new DockerError(500, "the registry's token endpoint answered no token");
    return token;
  }

  /** Sends a request with credentials; on a 401 that brings a new challenge, authenticates once more and retries (bodies given as functions are re-made). */
  async request(method: string, path: string, init: { headers?: Record<string, string>; body?: () => Body; redirect?: RequestRedirect } = {}): Promise<Response> {
    const url = this.url(path);
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { "User-Agent": USER_AGENT, ...init.headers };
      const authorization = await this.authorization(method, url);
      if (authorization) headers.Authorization = authorization;
      const body = init.body?.();
      let res: Response;
      try {
        res = await fetch(url, { method, headers, body, redirect: init.redirect, signal: this.options.signal, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) } as RequestInit);
      } catch (err) {
        throw connectionError(method, url, err);
      }
      if (res.status !== 401 || attempt > 0) return res;
      const next = parseChallenges(res.headers.get("www-authenticate")).find((c) => c.scheme === "bearer" || c.scheme === "basic");
      if (!next) return res;
      // A new challenge (first contact, or an insufficient scope): start over with it.
      await res.body?.cancel();
      if (next.params.scope) for (const s of next.params.scope.split(" ")) this.scopes.add(s);
      this.challenge = next;
      this.tokens.clear();
    }
  }

  /** GET a manifest by tag or digest; its digest is computed from the bytes and checked against a digest reference. */
  async manifest(repository: string, reference: string): Promise<FetchedManifest> {
    const res = await this.request("GET", `/v2/${repository}/manifests/${reference}`, { headers: { Accept: MANIFEST_ACCEPT } });
    if (!res.ok) throw await responseError(res);
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest = sha256(bytes);
    if (reference.includes(":") && reference !== digest) throw new InvalidParameterError(`manifest verification failed for digest ${reference}`);
    return { bytes, digest, contentType: res.headers.get("content-type") };
  }

  /** GET a blob; the caller reads (and verifies) the body. */
  async blob(repository: string, digest: string): Promise<Response> {
    const res = await this.request("GET", `/v2/${repository}/blobs/${digest}`);
    if (!res.ok) throw await responseError(res);
    return res;
  }

  /** HEAD a blob: whether the repository has it. */
  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const res = await this.request("HEAD", `/v2/${repository}/blobs/${digest}`);
    if (res.status === 404) return false;
    if (!res.ok) throw await responseError(res);
    return true;
  }

  /**
   * Starts an upload; with `mountFrom`, asks the registry to link the blob
   * from another repository instead. Returns "mounted", or the upload URL.
   */
  async startUpload(repository: string, mountFrom?: { digest: string; repository: string }): Promise<"mounted" | string> {
    const query = mountFrom ? `?mount=${encodeURIComponent(mountFrom.digest)}&from=${encodeURIComponent(mountFrom.repository)}` : "";
    const res = await this.request("POST", `/v2/${repository}/blobs/uploads/${query}`, { headers: { "Content-Length": "0" } });
    await res.body?.cancel();
    if (res.status === 201 && mountFrom) return "mounted";
    if (res.status !== 202) throw await responseError(res);
    const location = res.headers.get("location");
    if (!location) throw new DockerError(500, "the registry started an upload without a Location");
    return this.url(location);
  }

  /** Finishes an upload with the whole blob in one PUT. */
  async upload(location: string, digest: string, size: number, body: () => Body): Promise<void> {
    const url = new URL(location);
    url.searchParams.set("digest", digest);
    const res = await this.request("PUT", url.toString(), {
      headers: { "Content-Type": "application/octet-stream", "Content-Length": String(size) },
      body,
    });
    if (res.status !== 201) throw await responseError(res);
    await res.body?.cancel();
  }

  /** PUT a manifest under a tag (or digest); returns its digest. */
  async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const res = await this.request("PUT", `/v2/${repository}/manifests/${reference}`, { headers: { "Content-Type": mediaType }, body: () => bytes });
    if (res.status !== 201) throw await responseError(res);
    await res.body?.cancel();
    return sha256(bytes);
  }

  /** The repository's tags. */
  async tags(repository: string): Promise<string[]> {
    const res = await this.request("GET", `/v2/${repository}/tags/list`);
    if (!res.ok) throw await responseError(res);
    const body = (await res.json()) as { tags?: string[] | null };
    return body.tags ?? [];
  }
}
