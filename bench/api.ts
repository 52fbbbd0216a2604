import { Agent, request } from "node:http";

/** The label every benchmark container carries, so a final sweep can remove what a failure left behind. */
export const BENCH_LABEL = "sockerless-bench";

export interface Reply {
  status: number;
  body: string;
  json: boolean;
}

/**
 * A minimal Docker Engine API client over a unix socket, on kept-alive
 * connections: what the benchmarks time is the engine, not connection setup.
 */
export class DockerApi {
  private readonly agent: Agent;

  constructor(readonly socketPath: string, connections = 8) {
    this.agent = new Agent({ keepAlive: true, maxSockets: connections });
  }

  call(method: string, path: string, body?: unknown): Promise<Reply> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          agent: this.agent,
          method,
          path,
          headers: { Host: "docker", ...(payload ? { "Content-Type": "application/json", "Content-Length": payload.length } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString(),
              json: (res.headers["content-type"] ?? "").includes("json"),
            }),);
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** Like call, but throws unless the status is one of `ok`; returns the parsed JSON body (undefined if not JSON). */
  async expect<T = unknown>(method: string, path: string, ok: number[], body?: unknown): Promise<T> {
    const r = await this.call(method, path, body);
    if (!ok.includes(r.status)) throw new Error(`${method} ${path} on ${this.socketPath}: ${r.status} ${r.body.slice(0, 300)}`);
    return (r.json && r.body ? JSON.parse(r.body) : undefined) as T;
  }

  async create(cmd: string[], extra: Record<string, unknown> = {}): Promise<string> {
    const r = await this.expect<{ Id: string }>("POST", "/containers/create", [201], {
      Image: "sockerless-test/busybox",
      Cmd: cmd,
      Labels: { [BENCH_LABEL]: "1" },
      HostConfig: { NetworkMode: "none" },
      ...extra,
    });
    return r.Id;
  }

  start(id: string): Promise<unknown> {
    return this.expect("POST", `/containers/${id}/start`, [204]);
  }

  async wait(id: string): Promise<number> {
    return (await this.expect<{ StatusCode: number }>("POST", `/containers/${id}/wait`, [200])).StatusCode;
  }

  remove(id: string, force = false): Promise<unknown> {
    return this.expect("DELETE", `/containers/${id}${force ? "?force=1" : ""}`, [204, 404]);
  }

  /** Force-removes every container carrying the benchmark label; returns how many there were. */
  async sweep(): Promise<number> {
    const filters = encodeURIComponent(JSON.stringify({ label: [BENCH_LABEL] }));
    const list = await this.expect<{ Id: string }[]>("GET", `/containers/json?all=1&filters=${filters}`, [200]);
    await pool(list, 8, (c) => this.remove(c.Id, true));
    return list.length;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs `fn` over `items` with at most `width` in flight; resolves with the results in order. */
export async function pool<T, R>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  });
  await Promise.all(lanes);
  return out;
}
