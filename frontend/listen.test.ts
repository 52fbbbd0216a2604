import { execFile, execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createBackend, DEFAULT_BACKEND } from "../backends/registry.js";
import { Engine } from "../engine/engine.js";
import { openState } from "../engine/state/db.js";
import { bearerRefusal, checkExposure, formatAddress, parseHost, readAuthToken } from "./listen.js";
import { startApiServer } from "./server.js";
import { requestOverSocket } from "./testing.js";

const dirs: string[] = [];
function tempDir() {
  const d = mkdtempSync(join(os.tmpdir(), "sockerless-listen-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("listen addresses", () => {
  it("parses unix and tcp addresses with Docker's default ports", () => {
    expect(parseHost("unix:///run/x.sock", false)).toEqual({ kind: "unix", path: "/run/x.sock" });
    expect(parseHost("tcp://127.0.0.1:2999", false)).toEqual({ kind: "tcp", host: "127.0.0.1", port: 2999 });
    expect(parseHost("tcp://localhost", false)).toEqual({ kind: "tcp", host: "localhost", port: 2375 });
    expect(parseHost("tcp://[::1]", true)).toEqual({ kind: "tcp", host: "::1", port: 2376 });
    expect(formatAddress(parseHost("tcp://[::1]:5", false))).toBe("tcp://[::1]:5");
  });

  it("rejects what it cannot serve", () => {
    expect(() => parseHost("unix://relative.sock", false)).toThrow(/absolute/);
    expect(() => parseHost("fd://", false)).toThrow(/unsupported listen address/);
    expect(() => parseHost("tcp://1.2.3.4:99999", false)).toThrow(/invalid port/);
  });

  it("allows loopback TCP without TLS and requires mutual TLS elsewhere", () => {
    expect(() => checkExposure(parseHost("tcp://127.0.0.1:1", false), undefined)).not.toThrow();
    expect(() => checkExposure(parseHost("tcp://[::1]:1", false), undefined)).not.toThrow();
    expect(() => checkExposure(parseHost("tcp://0.0.0.0:1", false), undefined)).toThrow(/refusing to listen/);
    expect(() => checkExposure(parseHost("tcp://0.0.0.0:1", true), { verify: false, cert: "c", key: "k" })).toThrow(/client verification/);
    expect(() => checkExposure(parseHost("tcp://0.0.0.0:1", true), { verify: true, ca: "a", cert: "c", key: "k" })).not.toThrow();
  });
});

describe("auth token file", () => {
  function tokenFile(content: string, mode: number) {
    const f = join(tempDir(), "token");
    writeFileSync(f, content);
    chmodSync(f, mode);
    return f;
  }

  it("reads the token trimmed from a file only its owner can read", () => {
    expect(readAuthToken(tokenFile("  abc.DEF-123\n", 0o600))).toBe("abc.DEF-123");
    expect(readAuthToken(tokenFile("t0k3n\n", 0o400))).toBe("t0k3n");
  });

  it("refuses an empty file, a file group or others may read or change, a missing file and a token that is not one word", () => {
    expect(() => readAuthToken(tokenFile(" \n\t", 0o600))).toThrow(/refusing --auth-token-file .*: it is empty; put the token in it/);
    expect(() => readAuthToken(tokenFile("tok", 0o640))).toThrow(/refusing --auth-token-file .*: its mode 0640 lets group or others read or change the token; run chmod 600 /);
    expect(() => readAuthToken(tokenFile("tok", 0o604))).toThrow(/its mode 0604 lets group or others/);
    expect(() => readAuthToken(tokenFile("tok", 0o620))).toThrow(/its mode 0620 lets group or others/);
    expect(() => readAuthToken(join(tempDir(), "absent"))).toThrow(/cannot read --auth-token-file .*absent: ENOENT/);
    expect(() => readAuthToken(tokenFile("two\nlines", 0o600))).toThrow(/the token must be one word of printable ASCII characters/);
  });

  it("accepts exactly Bearer <token> and names what is wrong otherwise", () => {
    expect(bearerRefusal("Bearer tok", "tok")).toBeUndefined();
    expect(bearerRefusal("bearer  tok ", "tok")).toBeUndefined();
    expect(bearerRefusal(undefined, "tok")).toMatch(/^authorization required: this daemon needs an Authorization: Bearer <token> header/);
    expect(bearerRefusal("Basic dTpw", "tok")).toBe("authorization required: the Authorization header is not a Bearer token");
    expect(bearerRefusal("Bearer", "tok")).toBe("authorization required: the Authorization header is not a Bearer token");
    for (const wrong of ["to", "tokk", "TOK", "tok tok"]) expect(bearerRefusal(`Bearer ${wrong}`, "tok")).toMatch(/^(unauthorized: the bearer token is not valid|authorization required: .*not a Bearer token)$/);
  });
});

describe("unix socket", () => {
  it("is created 0660 and owned by the daemon's user, as dockerd's, and refuses to replace a file that is not a socket", async () => {
    const dir = tempDir();
    const backend = createBackend(DEFAULT_BACKEND, {}, dir);
    const state = openState(":memory:");
    const engine = new Engine(state, backend, { dataDir: dir });
    const path = join(dir, "run", "docker.sock");
    const server = await startApiServer(engine, pino({ level: "silent" }), [{ kind: "unix", path }]);
    try {
      const st = statSync(path);
      expect(st.isSocket()).toBe(true);
      expect(st.mode & 0o777).toBe(0o660);
      expect(st.uid).toBe(process.getuid!());
      expect((await requestOverSocket(path, "GET", "/_ping")).body).toBe("OK");
      const plain = join(dir, "file");
      writeFileSync(plain, "x");
      await expect(startApiServer(engine, pino({ level: "silent" }), [{ kind: "unix", path: plain }])).rejects.toThrow(`${plain} exists and is not a socket; refusing to replace it`);
      await expect(startApiServer(engine, pino({ level: "silent" }), [{ kind: "unix", path }])).rejects.toThrow(`${path} is in use by another daemon`);
    } finally {
      await server.close(1000);
      await backend.close();
      state.close();
    }
  });
});

describe("TLS listeners", () => {
  /** A CA, a server certificate for 127.0.0.1 and two client certificates: one the CA signed, one it did not. */
  function pki(dir: string) {
    const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
    const key = (name: string) => ssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}.key`);
    key("ca");
    ssl("req", "-x509", "-new", "-key", "ca.key", "-days", "1", "-subj", "/CN=test CA", "-out", "ca.pem");
    for (const [name, subject, ext] of [["server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1"], ["client", "/CN=client", "extendedKeyUsage=clientAuth"]]) {
      key(name);
      ssl("req", "-new", "-key", `${name}.key`, "-subj", subject, "-out", `${name}.csr`);
      writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
      ssl("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1", "-extfile", `${name}.ext`, "-out", `${name}.pem`);
    }
    key("stranger");
    ssl("req", "-x509", "-new", "-key", "stranger.key", "-days", "1", "-subj", "/CN=stranger", "-out", "stranger.pem");
    const read = (f: string) => readFileSync(join(dir, f));
    return { ca: read("ca.pem"), client: { cert: read("client.pem"), key: read("client.key") }, stranger: { cert: read("stranger.pem"), key: read("stranger.key") } };
  }

  it("with --tlsverify serves only clients whose certificate the CA signed", async () => {
    const dir = tempDir();
    const certs = pki(dir);
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const backend = createBackend(DEFAULT_BACKEND, {}, dir);
    const state = openState(":memory:");
    const engine = new Engine(state, backend, { dataDir: dir });
    const tls = { verify: true, ca: join(dir, "ca.pem"), cert: join(dir, "server.pem"), key: join(dir, "server.key") };
    const server = await startApiServer(engine, pino({ level: "silent" }), [{ kind: "tcp", host: "127.0.0.1", port }], tls);
    const ping = (client?: { cert: Buffer; key: Buffer }) =>
      new Promise<string>((resolve, reject) => {
        const req = https.request({ host: "127.0.0.1", port, path: "/_ping", ca: certs.ca, agent: false, ...client }, (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString()));
          res.on("end", () => resolve(body));
        });
        req.on("error", reject);
        req.end();
      });
    try {
      expect(await ping(certs.client)).toBe("OK");
      await expect(ping()).rejects.toThrow(/certificate required|socket hang up|ECONNRESET/);
      await expect(ping(certs.stranger)).rejects.toThrow(/unknown ca|socket hang up|ECONNRESET/);
      // The docker CLI, as users run it: --tlsverify with the CA and a client certificate.
      const docker = (name: string) =>
        new Promise<{ failed: boolean; stdout: string; stderr: string }>((resolve) =>
          execFile(
            "docker",
            ["--tlsverify", "--tlscacert", join(dir, "ca.pem"), "--tlscert", join(dir, `${name}.pem`), "--tlskey", join(dir, `${name}.key`), "-H", `tcp://127.0.0.1:${port}`, "version", "--format", "{{.Server.APIVersion}}"],
            { timeout: 15_000, env: { ...process.env, DOCKER_CONFIG: dir, DOCKER_HOST: "" } },
            (err, stdout, stderr) => resolve({ failed: err !== null, stdout, stderr }),
          ),
        );
      expect(await docker("client")).toMatchObject({ failed: false, stdout: "1.51\n" });
      const stranger = await docker("stranger");
      expect(stranger.failed).toBe(true);
      expect(stranger.stderr).toMatch(/certificate|tls/i);
    } finally {
      await server.close(1000);
      await backend.close();
      state.close();
    }
  });
});
