import Database from "better-sqlite3";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildBusyboxImage, BUSYBOX_IMAGE } from "../conformance/images/busybox.js";
import { packageRoot } from "../engine/package-info.js";
import { MEDIA } from "../engine/registry/manifest.js";
import { TestRegistry } from "../engine/registry/testing.js";
import { requestOverSocket, type TestResponse } from "../frontend/testing.js";

const main = join(packageRoot, "dist", "cli", "main.js");
const data = mkdtempSync(join(os.tmpdir(), "sockerless-crash-"));
const sock = join(data, "api.sock");
const children: ChildProcess[] = [];
const registry = new TestRegistry();
afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  if (registry.host) await registry.close();
  rmSync(data, { recursive: true, force: true });
});

async function serve(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [main, "serve", "--data", data, "-H", `unix://${sock}`, "--log-level", "silent"], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`daemon exited ${code}`)));
  });
  return child;
}

const api = (method: string, path: string, body?: object | Buffer, type = "application/json"): Promise<TestResponse> =>
  requestOverSocket(sock, method, path, Buffer.isBuffer(body) ? body : body && JSON.stringify(body), { "Content-Type": Buffer.isBuffer(body) ? "application/x-tar" : type });

/** A one-file tar archive. */
function tarOf(name: string, content: string): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write("0000644\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(content.length.toString(8).padStart(11, "0") + "\0", 124);
  header.write("00000000000\0", 136);
  header.write("0", 156);
  header.write("ustar\0" + "00", 257);
  header.write("        ", 148);
  const sum = header.reduce((a, b) => a + b, 0);
  header.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  const body = Buffer.alloc(Math.ceil(content.length / 512) * 512);
  body.write(content);
  return Buffer.concat([header, body, Buffer.alloc(1024)]);
}

/**
 * Plants images of three layers each in the registry, the first shared by
 * all of them, so pulls under way at the kill hold layers of each other's.
 */
function plantImages(count: number): string[] {
  const layer = (kb: number) => {
    const t = tarOf(`l-${randomBytes(8).toString("hex")}`, randomBytes(kb * 512).toString("hex"));
    return { tar: t, digest: TestRegistry.digest(t) };
  };
  const shared = layer(128);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const repo = `crash/pulled-${i}`;
    const layers = [shared, layer(256), layer(512)];
    const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: { Cmd: ["sh"] }, rootfs: { type: "layers", diff_ids: layers.map((l) => l.digest) } }));
    registry.putManifest(
      repo,
      "v1",
      {
        schemaVersion: 2,
        mediaType: MEDIA.dockerManifest,
        config: { mediaType: MEDIA.dockerConfig, size: config.length, digest: registry.putBlob(repo, config) },
        // Uncompressed tar layers: the layer media type says gzip, and the daemon unpacks either, as dockerd does.
        layers: layers.map((l) => ({ mediaType: MEDIA.dockerLayer, size: l.tar.length, digest: registry.putBlob(repo, l.tar) })),
      },
      MEDIA.dockerManifest,
    );
    names.push(`${registry.host}/${repo}`);
  }
  return names;
}

describe("a daemon killed in the middle of work", () => {
  it("comes back consistent: database intact, containers exited or restarted by policy, nothing orphaned after prune", async () => {
    const image = join(data, "busybox.tar");
    await buildBusyboxImage(image);
    const first = await serve();
    await api("POST", "/images/load", readFileSync(image));
    await registry.start();
    const pulls = plantImages(10);

    // Containers to run, exec into and copy into while the daemon dies.
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const policy = i < 3 ? "always" : "no";
      const r = await api("POST", `/containers/create?name=crash-${i}`, { Image: BUSYBOX_IMAGE, Cmd: ["sleep", "infinity"], HostConfig: { RestartPolicy: { Name: policy } } });
      ids.push(r.json().Id);
      await api("POST", `/containers/${ids[i]}/start`);
    }
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 60; i++) {
      const target = ids[i % ids.length];
      const kind = i % 6;
      if (kind === 0) work.push(api("POST", "/containers/create", { Image: BUSYBOX_IMAGE, Cmd: ["sh", "-c", "for i in 1 2 3 4 5 6 7 8 9; do echo $i >> /tmp/log; done"] }).then((r) => api("POST", `/containers/${r.json().Id}/start`)));
      if (kind === 1) work.push(api("POST", `/containers/${target}/exec`, { Cmd: ["sh", "-c", `echo ${i} > /tmp/exec-${i}`] }).then((r) => api("POST", `/exec/${r.json().Id}/start`, { Detach: true })));
      if (kind === 2) work.push(api("PUT", `/containers/${target}/archive?path=/tmp`, tarOf(`copied-${i}`, "x".repeat(1000 * i))));
      if (kind === 3) work.push(api("POST", "/containers/create", { Image: BUSYBOX_IMAGE, Cmd: ["true"] }).then((r) => api("DELETE", `/containers/${r.json().Id}?force=1`)));
      if (kind === 4) work.push(api("POST", `/containers/${target}/restart?t=0`));
      if (kind === 5) work.push(api("POST", `/images/create?fromImage=${pulls[Math.floor(i / 6)]}&tag=v1`));
    }
    // Settled here, so the requests the kill cuts off are expected failures, not unhandled ones.
    const settled = Promise.allSettled(work);
    // The kill comes once a third of the work is done, a few pulls among it, and the rest is in flight.
    let done = 0;
    let pullsDone = 0;
    await new Promise<void>((resolve) => {
      work.forEach((w, i) =>
        void w
          .finally(() => {
            done++;
            if (i % 6 === 5) pullsDone++;
            if (done >= 18 && pullsDone >= 3) resolve();
          })
          .catch(() => {}),
      );
    });
    const killed = new Promise((r) => first.once("exit", r));
    first.kill("SIGKILL");
    await killed;
    await settled;

    const db = new Database(join(data, "sockerless.db"));
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    db.close();

    // What a crash between the sandbox's create and the container's record leaves behind.
    mkdirSync(join(data, "sandbox", "containers", "0".repeat(64), "upper"), { recursive: true });
    const second = await serve();
    const list = (await api("GET", "/containers/json?all=1")).json() as { Id: string; Names: string[]; State: string }[];
    for (const c of list) {
      const s = (await api("GET", `/containers/${c.Id}/json`)).json().State;
      expect(["created", "exited", "running", "restarting"], `${c.Names[0]}: ${s.Status}`).toContain(s.Status);
      expect(s.Running, c.Names[0]).toBe(s.Status === "running" || s.Status === "restarting");
    }
    for (const name of ["crash-0", "crash-1", "crash-2"]) {
      let s = (await api("GET", `/containers/${name}/json`)).json().State;
      while (!s.Running) s = (await api("GET", `/containers/${name}/json`)).json().State;
      expect(s.Status).toBe("running");
    }
    for (const name of ["crash-3", "crash-9"]) expect((await api("GET", `/containers/${name}/json`)).json().State.Status).toBe("exited");

    // Every image listed is whole: its layers are all present, none half-written.
    const layersOf = async () => {
      const owned = new Set<string>();
      for (const img of (await api("GET", "/images/json?all=1")).json() as { Id: string; RepoTags: string[] }[]) {
        const diffIds = (await api("GET", `/images/${img.Id}/json`)).json().RootFS.Layers as string[];
        for (const d of diffIds) {
          expect(existsSync(join(data, "layers", d.slice(7), "index.json")), `${img.RepoTags}: ${d}`).toBe(true);
          owned.add(d.slice(7));
        }
      }
      return [...owned].sort();
    };
    const pulled = (await api("GET", "/images/json")).json().flatMap((i: { RepoTags: string[] }) => i.RepoTags).filter((t: string) => t.includes("/crash/pulled-"));
    expect(pulled.length, "pulls finished before the kill").toBeGreaterThanOrEqual(3);
    await layersOf();
    // A pull made again after the restart (perhaps one the kill cut off) completes.
    const again = await api("POST", `/images/create?fromImage=${pulls[pulls.length - 1]}&tag=v1`);
    expect(again.body).not.toMatch(/"error"/);

    // After a prune only the restarted containers remain, and nothing of the others is left on disk.
    await api("POST", "/containers/prune");
    const remaining = (await api("GET", "/containers/json?all=1")).json().map((c: { Id: string }) => c.Id).sort();
    expect(remaining).toEqual(ids.slice(0, 3).sort());
    const dirs = join(data, "sandbox", "containers");
    expect(existsSync(dirs) ? readdirSync(dirs).sort() : []).toEqual(remaining);
    // And every layer directory belongs to an image; no download or unpacking is left in progress.
    await api("POST", "/images/prune");
    const layerDirs = readdirSync(join(data, "layers")).filter((n) => /^[0-9a-f]{64}$/.test(n)).sort();
    expect(layerDirs).toEqual(await layersOf());
    expect(readdirSync(join(data, "layers", "tmp"))).toEqual([]);
    expect(existsSync(join(data, "tmp")) ? readdirSync(join(data, "tmp")) : []).toEqual([]);
    const exited = new Promise((r) => second.once("exit", r));
    second.kill("SIGTERM");
    await exited;
  });
});
