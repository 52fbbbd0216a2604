import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
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
