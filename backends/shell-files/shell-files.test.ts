import { spawn } from "node:child_process";
import { linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSYBOX_IMAGE } from "../../conformance/images/busybox.js";
import { loadBusybox, startTestDaemon, type TestDaemon } from "../../frontend/testing.js";
import type { ContainerFiles, ContainerSpec, FileInfo } from "../backend.js";
import { withShellFiles, type RunScript } from "./shell-files.js";

/** A place ShellFiles works in: how it runs scripts there, where the test's files go, and the truth to compare with. */
interface Place {
  run: RunScript;
  root: string;
  truth<T>(use: (files: Pick<ContainerFiles, "lstat" | "read">) => Promise<T>): Promise<T>;
  /** Makes a file, a directory and a symlink without ShellFiles. */
  seed(root: string): Promise<void>;
}

const counted = (run: RunScript) => {
  const calls = { n: 0 };
  const wrapped: RunScript = (script, input) => {
    calls.n++;
    return run(script, input);
  };
  return { run: wrapped, calls };
};

/** A host shell with stdin left open, as an exec session's never ends. */
function hostRun(shell: string[], env: NodeJS.ProcessEnv): RunScript {
  return (script, input) =>
    new Promise((resolve, reject) => {
      const child = spawn(shell[0], [...shell.slice(1), "-c", script], { env, stdio: ["pipe", "pipe", "pipe"] });
      const out: Buffer[] = [];
      child.stdout.on("data", (c: Buffer) => out.push(c));
      child.stderr.on("data", (c: Buffer) => out.push(c));
      child.on("error", reject);
      child.on("close", (code) => resolve({ stdout: Buffer.concat(out), exitCode: code ?? 255 }));
      if (input) child.stdin.write(input);
    });
}

const hostTruth: Place["truth"] = (use) =>
  use({
    lstat: async (p) => {
      const s = lstatSync(p, { throwIfNoEntry: false });
      if (!s) return undefined;
      const type = s.isDirectory() ? "dir" : s.isSymbolicLink() ? "symlink" : "file";
      return { type, mode: s.mode & 0o7777, uid: s.uid, gid: s.gid, size: s.size, mtime: s.mtimeMs, ...(type === "symlink" ? { link: readlinkSync(p) } : {}) } as FileInfo;
    },
    read: async (p) => readFileSync(p),
  });

const hostSeed = async (root: string) => {
  mkdirSync(join(root, "seed/sub dir"), { recursive: true });
  writeFileSync(join(root, "seed/sub dir/.hidden"), "dot\n");
  writeFileSync(join(root, "seed/plain"), "plain\n");
  symlinkSync("plain", join(root, "seed/link"));
  linkSync(join(root, "seed/plain"), join(root, "seed/hard"));
};

let tmp: string;
let d: TestDaemon;
const places: Record<string, () => Place> = {};

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "shell-files-test-"));
  // busybox's own utilities only, through a PATH of its applets.
  const applets = join(tmp, "busybox-bin");
  mkdirSync(applets);
  for (const name of execFileSync("busybox", ["--list"], { encoding: "utf8" }).split("\n").filter(Boolean)) symlinkSync("/usr/bin/busybox", join(applets, name));
  places.gnu = () => ({ run: hostRun(["/bin/sh"], { PATH: "/usr/bin:/bin" }), root: mkdtempSync(join(tmp, "gnu-")), truth: hostTruth, seed: hostSeed });
  places.busybox = () => ({ run: hostRun([join(applets, "sh")], { PATH: applets }), root: mkdtempSync(join(tmp, "busybox-")), truth: hostTruth, seed: hostSeed });

  d = await startTestDaemon();
  await loadBusybox(d);
  const created = await d.request("POST", "/containers/create", JSON.stringify({ Image: BUSYBOX_IMAGE, Cmd: ["sleep", "1000"] }), { "Content-Type": "application/json" });
  const id = created.json().Id as string;
  expect((await d.request("POST", `/containers/${id}/start`)).status).toBe(204);
  const spec: ContainerSpec = d.engine.containers.backendSpec(d.engine.containers.get(id));
  const backend = d.engine.backend;
  let n = 0;
  places.sandbox = () => ({
    run: async (script, input) => {
      const exec = await backend.startProcess(spec, { argv: ["sh", "-c", script], env: [], cwd: "/", user: "", groups: [], hostname: "", tty: false, stdin: true }, true);
      const out: Buffer[] = [];
      exec.onOutput((_s, data) => out.push(data));
      if (input) exec.writeStdin(input);
      const { exitCode } = await exec.exited;
      return { stdout: Buffer.concat(out), exitCode };
    },
    root: `/tmp/place${++n}`,
    truth: (use) => backend.withFiles(spec, use),
    seed: async (root) => {
      await backend.withFiles(spec, async (f) => {
        for (const p of ["/tmp", root, `${root}/seed`, `${root}/seed/sub dir`]) if (!(await f.lstat(p))) await f.mkdir(p);
        await f.write(`${root}/seed/sub dir/.hidden`, Buffer.from("dot\n"), false);
        await f.write(`${root}/seed/plain`, Buffer.from("plain\n"), false);
        await f.symlink(`${root}/seed/link`, "plain");
        await f.link(`${root}/seed/hard`, `${root}/seed/plain`);
      });
    },
  });
}, 60_000);

afterAll(async () => {
  await d?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const binary = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256));
const text = Buffer.from(Array.from({ length: 5000 }, (_, i) => 32 + ((i * 7919) % 95)));

describe.each(["sandbox", "gnu", "busybox"])("files through a shell (%s)", (name) => {
  let place: Place;
  beforeAll(async () => {
    place = places[name]();
    if (name === "sandbox") await place.run(`mkdir -p ${place.root}`);
  });

  it("writes files, directories and symlinks with their modes and times, one exec per file's content", async () => {
    const { run, calls } = counted(place.run);
    const r = place.root;
    const content = binary;
    await withShellFiles(run, "test", async (files) => {
      expect(await files.lstat(`${r}/out`)).toBeUndefined();
      await files.mkdir(`${r}/out`);
      expect((await files.lstat(`${r}/out`))?.type).toBe("dir");
      expect(await files.lstat(`${r}/out/new`)).toBeUndefined();
      await files.write(`${r}/out/bin`, content.subarray(0, 3000), false);
      await files.write(`${r}/out/bin`, content.subarray(3000), true);
      await files.setMeta(`${r}/out/bin`, { mode: 0o4751, uid: 0, gid: 0, mtime: 1_000_000_000_000 });
      await files.write(`${r}/out/empty file`, Buffer.alloc(0), false);
      await files.setMeta(`${r}/out/empty file`, { mode: 0o600, uid: 0, gid: 0, mtime: 1_100_000_000_000 });
      await files.symlink(`${r}/out/link`, "bin");
      await files.setMeta(`${r}/out`, { mode: 0o750, uid: 0, gid: 0, mtime: 1_200_000_000_000 });
      expect(await files.readdir(`${r}/out`)).toEqual(["bin", "empty file", "link"]);
    });
    // One probe, then every change in one exec.
    expect(calls.n).toBe(2);
    await place.truth(async (files) => {
      expect(await files.read(`${r}/out/bin`)).toEqual(content);
      expect(await files.lstat(`${r}/out/bin`)).toMatchObject({ type: "file", mode: 0o4751, size: content.length, mtime: 1_000_000_000_000 });
      expect(await files.lstat(`${r}/out/empty file`)).toMatchObject({ type: "file", mode: 0o600, size: 0, mtime: 1_100_000_000_000 });
      expect(await files.lstat(`${r}/out/link`)).toMatchObject({ type: "symlink", link: "bin" });
      expect(await files.lstat(`${r}/out`)).toMatchObject({ type: "dir", mode: 0o750, mtime: 1_200_000_000_000 });
    });
  });

  it("reads metadata a directory at a time, and a file in one exec or a directory's small files together", async () => {
    await place.seed(place.root);
    const { run, calls } = counted(place.run);
    const seed = `${place.root}/seed`;
    await withShellFiles(run, "test", async (files) => {
      const truth = await place.truth((t) => t.lstat(`${seed}/plain`));
      const { type, mode, uid, gid, size } = truth!;
      expect(await files.lstat(`${seed}/plain`)).toMatchObject({ type, mode, uid, gid, size });
      expect(await files.lstat(seed)).toMatchObject({ type: "dir" });
      expect(await files.readdir(seed)).toEqual(["hard", "link", "plain", "sub dir"]);
      // The listing, then the small files read ahead.
      expect(calls.n).toBe(3);
      expect((await files.read(`${seed}/plain`)).toString()).toBe("plain\n");
      expect(calls.n).toBe(3);
      expect(await files.lstat(`${seed}/link`)).toMatchObject({ type: "symlink", link: "plain" });
      expect(await files.readdir(`${seed}/sub dir`)).toEqual([".hidden"]);
      expect(await files.lstat(`${seed}/missing`)).toBeUndefined();
      await expect(files.lstat(`${seed}/plain/below`)).rejects.toMatchObject({ code: "ENOTDIR" });
      expect((await files.read(`${seed}/sub dir/.hidden`)).toString()).toBe("dot\n");
      await expect(files.read(`${seed}/missing`)).rejects.toMatchObject({ code: "ENOENT" });
      expect(calls.n).toBe(6);
      // The sandbox's ls has no -i: hard links are not told apart there.
      const identity = (await files.lstat(`${seed}/plain`))?.identity;
      if (name === "sandbox") expect(identity).toBeUndefined();
      else expect(identity).toMatch(/^inode:\d+$/);
      expect((await files.lstat(`${seed}/hard`))?.identity).toBe(identity);
      const mtime = (await files.lstat(`${seed}/plain`))!.mtime;
      expect(Math.abs(mtime - truth!.mtime)).toBeLessThan(1000);
    });
  });

  it("answers ENOTDIR below a file", async () => {
    await withShellFiles(place.run, "test", async (files) => {
      await expect(files.lstat(`${place.root}/seed/plain/below`)).rejects.toMatchObject({ code: "ENOTDIR" });
    });
  });

  it("removes trees and reports the failure of a change", async () => {
    const r = place.root;
    await withShellFiles(place.run, "test", async (files) => {
      await files.remove(`${r}/out`);
      expect(await files.lstat(`${r}/out/bin`)).toBeUndefined();
    });
    await place.truth(async (files) => expect(await files.lstat(`${r}/out`)).toBeUndefined());
    await expect(withShellFiles(place.run, "test", (files) => files.mkdir(`${r}/no/such/parent`))).rejects.toThrow(/no\/such\/parent|No such file/);
  });

  it("writes any byte", async () => {
    await withShellFiles(place.run, "test", (files) => files.write(`${place.root}/bytes`, binary, false));
    await place.truth(async (files) => expect(await files.read(`${place.root}/bytes`)).toEqual(binary));
  });

  it("quotes names for the shell", async () => {
    const dirName = `${place.root}/it's $HOME "dir"`;
    const path = `${dirName}/a \`b\` *`;
    await withShellFiles(place.run, "test", async (files) => {
      await files.mkdir(dirName);
      await files.write(path, Buffer.from("quoted\n"), false);
      await files.setMeta(path, { mode: 0o640, uid: 0, gid: 0, mtime: 1_000_000_000_000 });
    });
    await withShellFiles(place.run, "test", async (files) => {
      expect(await files.readdir(dirName)).toEqual(["a `b` *"]);
      expect(await files.lstat(path)).toMatchObject({ type: "file", mode: 0o640, size: 7, mtime: 1_000_000_000_000 });
      expect((await files.read(path)).toString()).toBe("quoted\n");
    });
  });

  it("sends large content to an exec of its own, read with head -c", async () => {
    const large = Buffer.concat(Array.from({ length: 20 }, () => text));
    const { run, calls } = counted(place.run);
    await withShellFiles(run, "test", async (files) => {
      await files.write(`${place.root}/small1`, text.subarray(0, 10), false);
      await files.write(`${place.root}/large`, large, false);
      await files.write(`${place.root}/small2`, text.subarray(10, 30), false);
    });
    expect(calls.n).toBe(3);
    await place.truth(async (files) => {
      expect(await files.read(`${place.root}/small1`)).toEqual(text.subarray(0, 10));
      expect(await files.read(`${place.root}/large`)).toEqual(large);
      expect(await files.read(`${place.root}/small2`)).toEqual(text.subarray(10, 30));
    });
  });

  it("cannot list a container's changes", async () => {
    await expect(withShellFiles(place.run, "test", (files) => files.changes())).rejects.toThrow(/the test backend cannot list a container's changes/);
  });
});
