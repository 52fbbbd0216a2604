import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import { join } from "node:path";
import pino from "pino";
import { createBackend, DEFAULT_BACKEND } from "../backends/registry.js";
import { buildBusyboxImage } from "../conformance/images/busybox.js";
import { Engine, type EngineOptions } from "../engine/engine.js";
import { openState } from "../engine/state/db.js";
import { startApiServer, type ApiServer } from "./server.js";

/** An in-process daemon on a unix socket in a temporary directory, for tests. */
export interface TestDaemon {
  socket: string;
  dataDir: string;
  engine: Engine;
  request(method: string, path: string, body?: string | Buffer, headers?: Record<string, string>): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body's bytes, for binary answers (tar streams). */
  raw: Buffer;
  json(): any;
}

export function requestOverSocket(
  socket: string,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: socket, method, path, headers: { Host: "localhost", ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const raw = Buffer.concat(chunks);
        const text = raw.toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, raw, json: () => JSON.parse(text) });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

export function startTestDaemon(backendOptions: Record<string, string> = {}, engineOptions: Omit<EngineOptions, "dataDir"> = {}): Promise<TestDaemon> {
  return startTestDaemonOn(DEFAULT_BACKEND, backendOptions, engineOptions);
}

/** A test daemon on the named backend. */
export async function startTestDaemonOn(backendName: string, backendOptions: Record<string, string> = {}, engineOptions: Omit<EngineOptions, "dataDir"> = {}): Promise<TestDaemon> {
  const dataDir = mkdtempSync(join(os.tmpdir(), "sockerless-test-"));
  const socket = join(dataDir, "docker.sock");
  const backend = createBackend(backendName, backendOptions, dataDir);
  const state = openState(":memory:");
  const engine = new Engine(state, backend, { ...engineOptions, dataDir });
  const server: ApiServer = await startApiServer(engine, pino({ level: "silent" }), [{ kind: "unix", path: socket }]);
  return {
    socket,
    dataDir,
    engine,
    request: (method, path, body, headers) => requestOverSocket(socket, method, path, body, headers),
    async close() {
      await server.close(1000);
      await backend.close();
      state.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Builds the busybox test image and loads it into the daemon, as most tests need. */
export async function loadBusybox(d: TestDaemon): Promise<TestResponse> {
  const file = join(d.dataDir, "busybox.tar");
  await buildBusyboxImage(file);
  return d.request("POST", "/images/load", readFileSync(file), { "Content-Type": "application/x-tar" });
}

/** Demultiplexes stdcopy frames into [stdout, stderr]. */
export function demux(buf: Buffer): [string, string] {
  const out = ["", ""];
  for (let i = 0; i + 8 <= buf.length; ) {
    const size = buf.readUInt32BE(i + 4);
    out[buf[i] - 1] += buf.subarray(i + 8, i + 8 + size).toString();
    i += 8 + size;
  }
  return [out[0], out[1]];
}

/**
 * Attaches to a container's stdout and stderr with Upgrade: tcp, as the
 * docker CLI does before a start; `output` resolves with the frames sent
 * until the daemon closes the stream.
 */
export function attachOutput(socket: string, id: string): { attached: Promise<void>; output: Promise<Buffer> } {
  let ready!: () => void;
  const attached = new Promise<void>((r) => (ready = r));
  const output = new Promise<Buffer>((resolve, reject) => {
    const s = net.connect(socket);
    let raw = Buffer.alloc(0);
    s.on("connect", () => s.write(`POST /v1.51/containers/${id}/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: x\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n\r\n`));
    s.on("data", (c: Buffer) => {
      if (raw.length === 0) ready();
      raw = Buffer.concat([raw, c]);
    });
    s.on("error", reject);
    s.on("end", () => {
      s.end();
      resolve(raw.subarray(raw.indexOf("\r\n\r\n") + 4));
    });
  });
  return { attached, output };
}

/** The container calls backend tests make, failing on an unexpected status; `daemon` is read at each call, so a test file can declare them before its daemon starts. */
export function containerCalls(daemon: () => TestDaemon, image: string) {
  const expectStatus = (r: TestResponse, status: number, what: string) => {
    if (r.status !== status) throw new Error(`${what}: status ${r.status}, expected ${status}: ${r.body}`);
    return r;
  };
  return {
    create: async (body: object): Promise<string> =>
      expectStatus(await daemon().request("POST", "/containers/create", JSON.stringify({ Image: image, ...body }), { "Content-Type": "application/json" }), 201, "create").json().Id as string,
    start: async (id: string): Promise<void> => void expectStatus(await daemon().request("POST", `/containers/${id}/start`), 204, "start"),
    waitFor: async (id: string) => (await daemon().request("POST", `/containers/${id}/wait`)).json().StatusCode as number,
    logs: async (id: string) => demux((await daemon().request("GET", `/containers/${id}/logs?stdout=1&stderr=1`)).raw),
    inspect: async (id: string) => (await daemon().request("GET", `/containers/${id}/json`)).json(),
  };
}
