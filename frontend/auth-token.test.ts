import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackend, DEFAULT_BACKEND } from "../backends/registry.js";
import { buildBusyboxImage, BUSYBOX_IMAGE } from "../conformance/images/busybox.js";
import { Engine } from "../engine/engine.js";
import { openState } from "../engine/state/db.js";
import { startApiServer, type ApiServer } from "./server.js";
import { requestOverSocket } from "./testing.js";

const TOKEN = "s3cr3t-token-for-tests";
const MISSING = "authorization required: this daemon needs an Authorization: Bearer <token> header on TCP requests";
const INVALID = "unauthorized: the bearer token is not valid";

let dir: string;
let socket: string;
let port: number;
let tlsPort: number;
let cert: Buffer;
let engine: Engine;
let close: () => Promise<void>;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

beforeAll(async () => {
  dir = mkdtempSync(join(os.tmpdir(), "sockerless-auth-"));
  socket = join(dir, "docker.sock");
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
    .concat(["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")]), { stdio: "ignore" });
  cert = readFileSync(join(dir, "cert.pem"));
  const backend = createBackend(DEFAULT_BACKEND, {}, dir);
  const state = openState(":memory:");
  engine = new Engine(state, backend, { dataDir: dir });
  const log = pino({ level: "silent" });
  port = await freePort();
  tlsPort = await freePort();
  const servers: ApiServer[] = [
    await startApiServer(engine, log, [{ kind: "unix", path: socket }, { kind: "tcp", host: "127.0.0.1", port }], undefined, { authToken: TOKEN }),
    await startApiServer(engine, log, [{ kind: "tcp", host: "127.0.0.1", port: tlsPort }], { verify: false, cert: join(dir, "cert.pem"), key: join(dir, "key.pem") }, { authToken: TOKEN }),
  ];
  close = async () => {
    for (const s of servers) await s.close(1000);
    await backend.close();
    state.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const image = join(dir, "busybox.tar");
  await buildBusyboxImage(image);
  await requestOverSocket(socket, "POST", "/images/load", readFileSync(image), { "Content-Type": "application/x-tar" });
});
afterAll(() => close());

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function overTcp(method: string, path: string, headers: Record<string, string> = {}, body?: string, tls = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const options = { host: "127.0.0.1", port: tls ? tlsPort : port, method, path, headers, ca: cert, agent: false as const };
    const req = (tls ? https : http).request(options, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Sends raw request bytes and resolves with everything the daemon wrote before closing. */
function rawTcp(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1", () => s.write(request));
    let text = "";
    s.setEncoding("utf8");
    s.on("data", (c: string) => (text += c));
    s.on("end", () => (s.end(), resolve(text)));
    s.on("error", reject);
  });
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const containerNames = async () => (await requestOverSocket(socket, "GET", "/containers/json?all=1")).body;

describe("bearer token on TCP listeners", () => {
  it("answers 401 with a Docker-style message to a TCP request without the right token, and runs nothing", async () => {
    const before = Math.floor(Date.now() / 1000);
    const create = JSON.stringify({ Image: BUSYBOX_IMAGE, Cmd: ["true"] });
    const json = { "Content-Type": "application/json" };
    const cases: [Record<string, string>, string][] = [
      [{}, MISSING],
      [bearer("wrong"), INVALID],
      [bearer(`${TOKEN}x`), INVALID],
      [{ Authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString("base64")}` }, "authorization required: the Authorization header is not a Bearer token"],
    ];
    for (const [headers, message] of cases) {
      const res = await overTcp("POST", "/v1.51/containers/create?name=refused", { ...json, ...headers }, create);
      expect(res.status).toBe(401);
      expect(res.headers["content-type"]).toBe("application/json");
      expect(res.headers["www-authenticate"]).toBe('Bearer realm="sockerless"');
      expect(JSON.parse(res.body)).toEqual({ message });
    }
    expect(JSON.parse(await containerNames())).toEqual([]);
    const events = await requestOverSocket(socket, "GET", `/events?since=${before}&until=${Math.floor(Date.now() / 1000) + 1}&filters=${encodeURIComponent('{"type":["container"]}')}`);
    expect(events.body).toBe("");

    // The same request with the token is served, and is seen by the unix socket.
    const ok = await overTcp("POST", "/v1.51/containers/create?name=accepted", { ...json, ...bearer(TOKEN) }, create);
    expect(ok.status).toBe(201);
    expect(await containerNames()).toContain("/accepted");
    const after = await requestOverSocket(socket, "GET", `/events?since=${before}&until=${Math.floor(Date.now() / 1000) + 1}&filters=${encodeURIComponent('{"type":["container"]}')}`);
    expect(after.body).toContain('"Action":"create"');
    expect((await overTcp("GET", "/_ping", { Authorization: `bearer  ${TOKEN} ` })).body).toBe("OK");
  });

  it("leaves the unix socket to its file mode: no token needed there", async () => {
    const res = await requestOverSocket(socket, "GET", "/version");
    expect(res.status).toBe(200);
    expect(res.json().ApiVersion).toBe("1.51");
  });

  it("covers TLS listeners too", async () => {
    const refused = await overTcp("GET", "/version", {}, undefined, true);
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toEqual({ message: MISSING });
    expect((await overTcp("GET", "/version", bearer("nope"), undefined, true)).status).toBe(401);
    const ok = await overTcp("GET", "/version", bearer(TOKEN), undefined, true);
    expect(ok.status).toBe(200);
  });

  it("refuses hijacked attach and exec and websocket upgrades before any route runs", async () => {
    const requests = [
      "POST /v1.51/exec/nope/start HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: 2\r\n",
      "POST /v1.51/containers/accepted/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n",
      "POST /v1.51/containers/accepted/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n",
      "GET /v1.51/containers/accepted/attach/ws?stream=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
    ];
    for (const req of requests) {
      const withBody = req.includes("Content-Length: 2") ? "{}" : "";
      for (const [auth, message] of [["", MISSING], ["Authorization: Bearer wrong\r\n", INVALID]]) {
        const answer = await rawTcp(`${req}${auth}\r\n${withBody}`);
        expect(answer).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
        expect(answer.endsWith(`\r\n\r\n${JSON.stringify({ message })}`)).toBe(true);
      }
    }
    // With the token the same exec start reaches its route.
    const served = await rawTcp(`${requests[0]}Authorization: Bearer ${TOKEN}\r\n\r\n{}`);
    expect(served).toMatch(/^HTTP\/1\.1 404 Not Found\r\n[\s\S]*No such exec instance: nope/);
  });
});

describe("the docker CLI with a bearer token in its config file", () => {
  function dockerConfig(name: string, token?: string): string {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, "config.json"), JSON.stringify(token === undefined ? {} : { HttpHeaders: { Authorization: `Bearer ${token}` } }));
    return d;
  }
  const docker = (config: string, args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env = { PATH: process.env.PATH, HOME: config, DOCKER_CONFIG: config, DOCKER_HOST: `tcp://127.0.0.1:${port}` };
      execFile("docker", args, { env, timeout: 15_000 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
    });

  it("works with the right token: version, run --rm and exec", async () => {
    const config = dockerConfig("good", TOKEN);
    const version = await docker(config, ["version", "--format", "{{.Server.APIVersion}}"]);
    expect(version).toMatchObject({ code: 0, stdout: "1.51\n" });
    const run = await docker(config, ["run", "--rm", BUSYBOX_IMAGE, "echo", "hello through the token"]);
    expect(run).toMatchObject({ code: 0, stdout: "hello through the token\n" });
    expect(await docker(config, ["run", "-d", "--name", "long", BUSYBOX_IMAGE, "sleep", "60"])).toMatchObject({ code: 0 });
    const exec = await docker(config, ["exec", "long", "echo", "exec too"]);
    expect(exec).toMatchObject({ code: 0, stdout: "exec too\n" });
    expect(await docker(config, ["rm", "-f", "long"])).toMatchObject({ code: 0 });
  });

  it("fails with the daemon's message without a token and with a wrong one", async () => {
    for (const [config, message] of [[dockerConfig("none"), MISSING], [dockerConfig("wrong", "not-the-token"), INVALID]]) {
      const version = await docker(config, ["version", "--format", "{{.Server.APIVersion}}"]);
      expect(version.code).not.toBe(0);
      expect(version.stderr).toContain(`Error response from daemon: ${message}`);
      const run = await docker(config, ["run", "--rm", BUSYBOX_IMAGE, "echo", "never"]);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(message);
      expect(run.stdout).toBe("");
    }
  });
});
