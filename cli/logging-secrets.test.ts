import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackend, DEFAULT_BACKEND } from "../backends/registry.js";
import { buildBusyboxImage, BUSYBOX_IMAGE } from "../conformance/images/busybox.js";
import { Engine } from "../engine/engine.js";
import { TestRegistry } from "../engine/registry/testing.js";
import { openState } from "../engine/state/db.js";
import { startApiServer, type ApiServer } from "../frontend/server.js";
import { requestOverSocket } from "../frontend/testing.js";

const PASSWORD = "pa55-word-never-logged";
const API_TOKEN = "api-token-never-logged";
const WRONG_TOKEN = "wrong-token-never-logged";

let dir: string;
let socket: string;
let port: number;
let logged = "";
let server: ApiServer;
let close: () => Promise<void>;
let bearerRegistry: TestRegistry;
let basicRegistry: TestRegistry;

beforeAll(async () => {
  dir = mkdtempSync(join(os.tmpdir(), "sockerless-logsecrets-"));
  socket = join(dir, "docker.sock");
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  // The daemon's logger as `serve` builds it, at its most verbose level, into memory.
  const sink = new Writable({ write: (chunk, _enc, done) => ((logged += chunk.toString()), done()) });
  const log = pino({ level: "trace", base: undefined }, sink);
  const backend = createBackend(DEFAULT_BACKEND, {}, dir);
  const state = openState(":memory:");
  const engine = new Engine(state, backend, { dataDir: dir });
  server = await startApiServer(engine, log, [{ kind: "unix", path: socket }, { kind: "tcp", host: "127.0.0.1", port }], undefined, { authToken: API_TOKEN });
  bearerRegistry = await new TestRegistry({ bearer: { username: "u", password: PASSWORD } }).start();
  basicRegistry = await new TestRegistry({ basic: { username: "b", password: PASSWORD } }).start();
  close = async () => {
    await server.close(1000);
    await backend.close();
    state.close();
    await bearerRegistry.close();
    await basicRegistry.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const image = join(dir, "busybox.tar");
  await buildBusyboxImage(image);
  await requestOverSocket(socket, "POST", "/images/load", readFileSync(image), { "Content-Type": "application/x-tar" });
});
afterAll(() => close());

function overTcp(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path, headers, agent: false }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const registryAuth = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
const json = { "Content-Type": "application/json" };

describe("daemon log", () => {
  it("never carries registry credentials, registry tokens or the API bearer token", async () => {
    const secrets: string[] = [PASSWORD, API_TOKEN, WRONG_TOKEN, (bearerRegistry as unknown as { token: string }).token];
    const api = { Authorization: `Bearer ${API_TOKEN}` };
    for (const reg of [bearerRegistry, basicRegistry]) {
      const username = reg === bearerRegistry ? "u" : "b";
      const auth = registryAuth({ username, password: PASSWORD, serveraddress: reg.host });
      secrets.push(auth, Buffer.from(`${username}:${PASSWORD}`).toString("base64"));
      const name = `${reg.host}/private`;
      expect((await overTcp("POST", `/images/${BUSYBOX_IMAGE}/tag?repo=${name}&tag=v1`, api)).status).toBe(201);
      const pushed = await overTcp("POST", `/images/${name}/push?tag=v1`, { ...api, "X-Registry-Auth": auth });
      expect(pushed.body).toMatch(/v1: digest: sha256:/);
      expect((await overTcp("DELETE", `/images/${name}:v1`, api)).status).toBe(200);
      const pulled = await overTcp("POST", `/images/create?fromImage=${name}&tag=v1`, { ...api, "X-Registry-Auth": auth });
      expect(pulled.body).toContain(`Status: Downloaded newer image for ${name}:v1`);
      const wrong = await overTcp("POST", `/images/create?fromImage=${name}&tag=v2`, { ...api, "X-Registry-Auth": registryAuth({ username, password: `${PASSWORD}-not` }) });
      expect(wrong.status).toBeGreaterThanOrEqual(400);
    }
    const login = await overTcp("POST", "/auth", { ...api, ...json }, JSON.stringify({ username: "u", password: PASSWORD, serveraddress: bearerRegistry.host }));
    expect(JSON.parse(login.body)).toEqual({ Status: "Login Succeeded", IdentityToken: "" });
    const badLogin = await overTcp("POST", "/auth", { ...api, ...json }, JSON.stringify({ username: "u", password: `${PASSWORD}-not`, serveraddress: bearerRegistry.host }));
    expect(badLogin.status).toBe(401);
    const viaSocket = await requestOverSocket(socket, "POST", "/auth", JSON.stringify({ username: "u", password: PASSWORD, serveraddress: bearerRegistry.host }), json);
    expect(viaSocket.status).toBe(200);
    expect((await overTcp("GET", "/_ping", { Authorization: `Bearer ${WRONG_TOKEN}` })).status).toBe(401);
    expect((await overTcp("POST", "/exec/x/start", { Authorization: `Bearer ${WRONG_TOKEN}`, Connection: "Upgrade", Upgrade: "tcp" })).status).toBe(401);
    expect((await overTcp("POST", "/exec/x/start", { ...api, ...json }, "{}")).status).toBe(404);

    // The requests were logged, with what they were; the secrets were not.
    const lines = logged.trim().split("\n").map((l) => JSON.parse(l));
    const paths = lines.filter((l) => l.msg === "request").map((l) => `${l.method} ${l.path} ${l.status}`);
    expect(paths).toContain("POST /auth 200");
    expect(paths).toContain("POST /auth 401");
    expect(paths).toContain(`POST /images/create 200`);
    expect(paths).toContain(`POST /images/${bearerRegistry.host}/private/push 200`);
    expect(paths).toContain("POST /exec/x/start 404");
    expect(lines.filter((l) => l.msg === "request refused").map((l) => `${l.method} ${l.path} ${l.status}`)).toEqual(["GET /_ping 401", "POST /exec/x/start 401"]);
    for (const secret of secrets) expect(logged).not.toContain(secret);
    expect(logged).not.toMatch(/authorization|x-registry-auth|password/i);
  });
});
