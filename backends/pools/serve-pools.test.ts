import { execFile, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildBusyboxImage, BUSYBOX_IMAGE } from "../../conformance/images/busybox.js";
import { packageRoot } from "../../engine/package-info.js";
import { requestOverSocket } from "../../frontend/testing.js";

const main = join(packageRoot, "dist", "cli", "main.js");
const dir = mkdtempSync(join(os.tmpdir(), "sockerless-serve-pools-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const POOLS = `default: one
pools:
  - name: one
    backend: sandbox
    maxRunning: 1
  - name: two
    backend: sandbox
`;

function docker(sock: string, args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const env = { PATH: process.env.PATH, HOME: dir, DOCKER_CONFIG: dir, DOCKER_HOST: `unix://${sock}` };
    execFile("docker", args, { env, timeout: 15_000 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

describe("sockerless serve --pools, driven by the docker CLI", () => {
  it("refuses a bad pools file and --pools with --backend", () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "default: one\npools:\n  - name: one\n    backend: sandbox\n    maxRuning: 1\n");
    const refused = spawnSync(process.execPath, [main, "serve", "--data", join(dir, "bad"), "--pools", bad, "-H", `unix://${dir}/bad.sock`], { encoding: "utf8", timeout: 15_000 });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`${bad}: pools[0] (pool "one"): unknown key "maxRuning"`);
    const both = spawnSync(process.execPath, [main, "serve", "--data", join(dir, "bad"), "--pools", bad, "--backend", "sandbox"], { encoding: "utf8", timeout: 15_000 });
    expect(both.status).toBe(1);
    expect(both.stderr).toMatch(/cannot be combined with --backend/);
  });

  it("runs containers in the pool their label names and prints the pool's 429", async () => {
    const poolsFile = join(dir, "pools.yaml");
    writeFileSync(poolsFile, POOLS);
    const sock = join(dir, "api.sock");
    const child = spawn(process.execPath, [main, "serve", "--data", join(dir, "data"), "--pools", poolsFile, "-H", `unix://${sock}`, "--log-level", "silent"], { stdio: ["ignore", "pipe", "inherit"] });
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.once("data", () => resolve());
        child.once("exit", (code) => reject(new Error(`serve exited ${code}`)));
      });
      const image = join(dir, "busybox.tar");
      await buildBusyboxImage(image);
      expect((await requestOverSocket(sock, "POST", "/images/load", readFileSync(image), { "Content-Type": "application/x-tar" })).status).toBe(200);

      expect(await docker(sock, ["info", "--format", "{{.Driver}}"])).toMatchObject({ code: 0, stdout: "sockerless-pools\n" });
      expect(await docker(sock, ["run", "-d", "--name", "holder", BUSYBOX_IMAGE, "sleep", "1000"])).toMatchObject({ code: 0 });
      const refused = await docker(sock, ["run", "--rm", BUSYBOX_IMAGE, "echo", "never"]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('Error response from daemon: pool "one" is full: 1 containers running (maxRunning 1) and 0 starts waiting (queueSize 0)');
      expect((await docker(sock, ["ps", "-a", "--format", "{{.Names}}"])).stdout).toBe("holder\n");
      const elsewhere = await docker(sock, ["run", "--rm", "--label", "com.sockerless.pool=two", BUSYBOX_IMAGE, "echo", "ran in two"]);
      expect(elsewhere).toMatchObject({ code: 0, stdout: "ran in two\n" });
      const unknown = await docker(sock, ["create", "--label", "com.sockerless.pool=three", BUSYBOX_IMAGE]);
      expect(unknown.stderr).toMatch(/no pool named "three"/);

      const metrics = (await requestOverSocket(sock, "GET", "/metrics")).body;
      expect(metrics).toContain('sockerless_pool_rejections_total{pool="one",reason="queue_full"} 1\n');
      expect(metrics).toContain('sockerless_pool_running{pool="one"} 1\n');
      expect(await docker(sock, ["rm", "-f", "holder"])).toMatchObject({ code: 0 });
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });
});
