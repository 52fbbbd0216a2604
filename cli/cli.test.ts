import Database from "better-sqlite3";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildBusyboxImage, BUSYBOX_IMAGE } from "../conformance/images/busybox.js";
import { packageRoot } from "../engine/package-info.js";
import { requestOverSocket } from "../frontend/testing.js";

const main = join(packageRoot, "dist", "cli", "main.js");
const dirs: string[] = [];
function tempDir() {
  const d = mkdtempSync(join(os.tmpdir(), "sockerless-cli-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Starts `sockerless serve` and resolves with the first line it prints. */
async function serve(data: string, sock: string) {
  const child = spawn(process.execPath, [main, "serve", "--data", data, "-H", `unix://${sock}`, "--log-level", "silent"], { stdio: ["ignore", "pipe", "pipe"] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      if (out.includes("\n")) resolve(out.split("\n")[0]);
    });
    child.once("exit", (code) => reject(new Error(`exited ${code}`)));
  });
  return { child, line };
}

function run(args: string[]) {
  return spawnSync(process.execPath, [main, ...args], { encoding: "utf8", timeout: 15_000 });
}

describe("sockerless command", () => {
  it("prints one line per subcommand in --help and its version", () => {
    const help = run(["--help"]);
    expect(help.status).toBe(0);
    for (const cmd of ["serve", "version", "help"]) expect(help.stdout).toMatch(new RegExp(`^  ${cmd} +\\S`, "m"));
    const v = run(["version"]);
    expect(v.stdout).toMatch(/^sockerless \d+\.\d+\.\d+ \(Docker Engine API 1\.24 to 1\.51/);
  });

  it("refuses an unknown command, an unknown backend and exposed TCP without TLS", () => {
    expect(run(["frobnicate"]).status).toBe(2);
    const data = tempDir();
    const backend = run(["serve", "--data", data, "--backend", "nope", "-H", `unix://${data}/s.sock`]);
    expect(backend.status).toBe(1);
    expect(backend.stderr).toMatch(/unknown backend "nope"; available: sandbox/);
    const exposed = run(["serve", "--data", data, "-H", "tcp://0.0.0.0:23999"]);
    expect(exposed.status).toBe(1);
    expect(exposed.stderr).toMatch(/refusing to listen on tcp:\/\/0\.0\.0\.0:23999 without TLS/);
  });

  it("serves on a unix socket, prints DOCKER_HOST, and shuts down cleanly on SIGTERM", async () => {
    const data = tempDir();
    const sock = join(data, "api.sock");
    const { child, line } = await serve(data, sock);
    expect(line).toBe(`export DOCKER_HOST=unix://${sock}`);
    expect(statSync(sock).mode & 0o777).toBe(0o660);
    expect((await requestOverSocket(sock, "GET", "/_ping")).body).toBe("OK");
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(existsSync(sock)).toBe(false);
    const db = new Database(join(data, "sockerless.db"), { readonly: true });
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    db.close();
    expect(existsSync(join(data, "sockerless.db-wal")) ? statSync(join(data, "sockerless.db-wal")).size : 0).toBe(0);
  });

  it("after being killed, marks running containers exited and brings back those whose restart policy says so", async () => {
    const data = tempDir();
    const sock = join(data, "api.sock");
    const image = join(data, "busybox.tar");
    await buildBusyboxImage(image);
    const first = await serve(data, sock);
    const api = (method: string, path: string, body?: object | Buffer) =>
      requestOverSocket(sock, method, path, Buffer.isBuffer(body) ? body : body && JSON.stringify(body), { "Content-Type": Buffer.isBuffer(body) ? "application/x-tar" : "application/json" });
    await api("POST", "/images/load", readFileSync(image));
    const policies = { plain: "no", always: "always", stopped: "unless-stopped", failing: "on-failure" };
    for (const [name, policy] of Object.entries(policies)) {
      await api("POST", `/containers/create?name=${name}`, { Image: BUSYBOX_IMAGE, Cmd: ["sleep", "infinity"], HostConfig: { RestartPolicy: { Name: policy } } });
      await api("POST", `/containers/${name}/start`);
    }
    await api("POST", "/containers/stopped/kill");
    await api("POST", "/containers/stopped/wait");
    const killed = new Promise((r) => first.child.once("exit", r));
    first.child.kill("SIGKILL");
    await killed;

    const second = await serve(data, sock);
    const state = async (name: string) => (await api("GET", `/containers/${name}/json`)).json().State;
    for (const name of ["always", "failing"]) {
      let s = await state(name);
      while (!s.Running) s = await state(name);
      expect(s.Status).toBe("running");
    }
    expect(await state("plain")).toMatchObject({ Status: "exited", ExitCode: 255 });
    expect(await state("stopped")).toMatchObject({ Status: "exited", ExitCode: 137 });
    const exited = new Promise((r) => second.child.once("exit", r));
    second.child.kill("SIGTERM");
    await exited;
  });
});
