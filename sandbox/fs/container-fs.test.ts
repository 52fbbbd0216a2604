import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { Bash } from "just-bash";
import tar from "tar-stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LayerStore } from "../../engine/images/layer.js";
import { ContainerFs } from "./container-fs.js";

interface Item {
  name: string;
  data?: string;
  type?: tar.Header["type"];
  linkname?: string;
  mode?: number;
}

let dir: string;
let layers: LayerStore;
let uppers = 0;
beforeEach(() => {
  dir = mkdtempSync(join(os.tmpdir(), "sockerless-cfs-"));
  layers = new LayerStore(join(dir, "layers"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function layer(items: Item[]): Promise<string> {
  const pack = tar.pack();
  for (const i of items) {
    const type = i.type ?? "file";
    const mode = i.mode ?? (type === "directory" ? 0o755 : type === "symlink" ? 0o777 : 0o644);
    pack.entry({ name: i.name, type, linkname: i.linkname, mode, mtime: new Date(1_000_000_000_000) }, Buffer.from(type === "file" ? (i.data ?? "") : ""));
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return (await layers.add(Readable.from([Buffer.concat(chunks)]))).diffId;
}

function upperDir() {
  return join(dir, `upper-${uppers++}`);
}

const open = (diffIds: string[], upper = upperDir(), maxUpperBytes?: number) => ContainerFs.open({ layers, diffIds, upperDir: upper, maxUpperBytes });

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code;
  }
  return undefined;
}

const BASE: Item[] = [
  { name: "etc/", type: "directory" },
  { name: "etc/hosts", data: "127.0.0.1 localhost\n" },
  { name: "etc/gone", data: "old\n" },
  { name: "opt/x/old", data: "o" },
  { name: "usr/lib/deep/file.txt", data: "deep" },
  { name: "bin/tool", data: "#!/bin/sh\n", mode: 0o755 },
];

/** Waits until a condition holds, polling, for at most two seconds. */
async function eventually(check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!(await check()) && Date.now() < deadline) await new Promise((r) => setImmediate(r));
}

describe("ContainerFs lower view", () => {
  it("reads image files and reports their metadata", async () => {
    const fs = await open([await layer(BASE)]);
    expect(await fs.readFile("/etc/hosts")).toBe("127.0.0.1 localhost\n");
    expect(Buffer.from(await fs.readFileBuffer("/etc/hosts")).toString()).toBe("127.0.0.1 localhost\n");
    const st = await fs.stat("/bin/tool");
    expect(st).toMatchObject({ isFile: true, isDirectory: false, isSymbolicLink: false, mode: 0o755, size: 10 });
    expect(st.mtime.getTime()).toBe(1_000_000_000_000);
    expect(await fs.statFull("/etc/hosts")).toMatchObject({ type: "file", mode: 0o644, uid: 0, gid: 0, size: 20 });
    expect(await fs.readdir("/")).toEqual(["bin", "etc", "opt", "usr"]);
    expect(await fs.exists("/etc/nope")).toBe(false);
    expect(await code(fs.readFile("/etc/nope"))).toBe("ENOENT");
    expect(await code(fs.readFile("/etc"))).toBe("EISDIR");
    expect(await code(fs.readdir("/etc/hosts"))).toBe("ENOTDIR");
    await expect(fs.readFile("/nope")).rejects.toThrow("ENOENT: no such file or directory, open '/nope'");
  });

  it("treats missing parents of entries as directories", async () => {
    const fs = await open([await layer(BASE)]);
    for (const d of ["/usr", "/usr/lib", "/usr/lib/deep", "/opt/x"]) {
      expect(await fs.stat(d)).toMatchObject({ isDirectory: true, mode: 0o755 });
    }
    expect(await fs.readdir("/usr/lib")).toEqual(["deep"]);
    expect(await fs.readFile("/usr/lib/deep/file.txt")).toBe("deep");
  });

  it("applies whiteouts and opaque directories of upper layers", async () => {
    const l1 = await layer([...BASE, { name: "opt/x/sub/y", data: "y" }, { name: "var/a", data: "a" }]);
    const l2 = await layer([
      { name: "etc/.wh.gone", data: "" },
      { name: "opt/x/.wh..wh..opq", data: "" },
      { name: "opt/x/new", data: "n" },
      { name: "var/a", data: "replaced" },
      { name: ".wh.usr", data: "" },
    ]);
    const fs = await open([l1, l2]);
    expect(await fs.readdir("/etc")).toEqual(["hosts"]);
    expect(await fs.exists("/etc/gone")).toBe(false);
    expect(await fs.readdir("/opt/x")).toEqual(["new"]);
    expect(await fs.exists("/opt/x/sub/y")).toBe(false);
    expect(await fs.readFile("/var/a")).toBe("replaced");
    expect(await fs.exists("/usr/lib/deep/file.txt")).toBe(false);
    expect(await fs.readdir("/")).toEqual(["bin", "etc", "opt", "var"]);
  });

  it("reads hard links of a layer as regular files", async () => {
    const fs = await open([await layer([{ name: "a", data: "same" }, { name: "b", type: "link", linkname: "a" }])]);
    expect(await fs.readFile("/b")).toBe("same");
    const [a, b] = [await fs.stat("/a"), await fs.stat("/b")];
    expect(b).toMatchObject({ isFile: true, size: 4 });
    expect(a.identity).toBe(b.identity);
  });

  it("builds the lower view once per layer list and shares it", async () => {
    const ids = [await layer(BASE)];
    const a = await open(ids);
    const b = await open([...ids]);
    expect(a.lower).toBe(b.lower);
  });
});

describe("ContainerFs changes", () => {
  it("copies up on write, append, chmod and utimes without touching the layer's data", async () => {
    const id = await layer(BASE);
    const host = (p: string) => layers.dataPath(id, layers.index(id).entries[p]);
    const fs = await open([id]);
    await fs.appendFile("/etc/hosts", "10.0.0.1 db\n");
    expect(await fs.readFile("/etc/hosts")).toBe("127.0.0.1 localhost\n10.0.0.1 db\n");
    expect((await fs.stat("/etc/hosts")).size).toBe(32);
    await fs.writeFile("/etc/gone", "new");
    expect(await fs.readFile("/etc/gone")).toBe("new");
    await fs.chmod("/bin/tool", 0o700);
    expect((await fs.stat("/bin/tool")).mode).toBe(0o700);
    expect(await fs.readFile("/bin/tool")).toBe("#!/bin/sh\n");
    await fs.utimes("/usr/lib/deep/file.txt", new Date(0), new Date(5000));
    expect((await fs.stat("/usr/lib/deep/file.txt")).mtime.getTime()).toBe(5000);
    await fs.chown("/etc/hosts", 1000, 1001);
    expect(await fs.statFull("/etc/hosts")).toMatchObject({ uid: 1000, gid: 1001, mode: 0o644 });
    expect(readFileSync(host("/etc/hosts"), "utf8")).toBe("127.0.0.1 localhost\n");
    expect(readFileSync(host("/etc/gone"), "utf8")).toBe("old\n");
    expect(readFileSync(host("/bin/tool"), "utf8")).toBe("#!/bin/sh\n");
    expect(readFileSync(host("/usr/lib/deep/file.txt"), "utf8")).toBe("deep");
  });

  it("creates files, with encodings, only under existing directories", async () => {
    const fs = await open([await layer(BASE)]);
    await fs.writeFile("/etc/b64", "aGk=", "base64");
    expect(await fs.readFile("/etc/b64")).toBe("hi");
    expect(await fs.readFile("/etc/b64", { encoding: "hex" })).toBe("6869");
    await fs.writeFile("/etc/bin", new Uint8Array([0, 255]));
    expect(Array.from(await fs.readFileBuffer("/etc/bin"))).toEqual([0, 255]);
    await fs.appendFile("/new", "a");
    await fs.appendFile("/new", "b");
    expect(await fs.readFile("/new")).toBe("ab");
    expect(await code(fs.writeFile("/missing/f", "x"))).toBe("ENOENT");
    expect(await code(fs.writeFile("/etc/hosts/f", "x"))).toBe("ENOTDIR");
    expect(await code(fs.writeFile("/etc", "x"))).toBe("EISDIR");
  });

  it("hides deleted image files and lets them be recreated", async () => {
    const fs = await open([await layer(BASE)]);
    await fs.rm("/etc/gone");
    expect(await fs.readdir("/etc")).toEqual(["hosts"]);
    expect(await code(fs.stat("/etc/gone"))).toBe("ENOENT");
    expect(await code(fs.rm("/etc/gone"))).toBe("ENOENT");
    await fs.rm("/etc/gone", { force: true });
    await fs.rm("/nope/deeper", { force: true });
    await fs.writeFile("/etc/gone", "back");
    expect(await fs.readFile("/etc/gone")).toBe("back");
    expect(await fs.readdir("/etc")).toEqual(["gone", "hosts"]);

    expect(await code(fs.rm("/usr"))).toBe("ENOTEMPTY");
    await fs.rm("/usr", { recursive: true });
    expect(await fs.exists("/usr/lib/deep/file.txt")).toBe(false);
    await fs.mkdir("/usr/lib", { recursive: true });
    expect(await fs.readdir("/usr")).toEqual(["lib"]);
    expect(await fs.readdir("/usr/lib")).toEqual([]);
    expect(fs.getAllPaths()).not.toContain("/usr/lib/deep");
  });

  it("supports mkdir, rm -r, cp -r and mv over image and own files", async () => {
    const fs = await open([await layer(BASE)]);
    await fs.mkdir("/work");
    expect(await code(fs.mkdir("/work"))).toBe("EEXIST");
    await fs.mkdir("/work", { recursive: true });
    expect(await code(fs.mkdir("/a/b"))).toBe("ENOENT");
    expect(await code(fs.mkdir("/etc/hosts", { recursive: true }))).toBe("EEXIST");
    expect(await code(fs.mkdir("/etc/hosts/x", { recursive: true }))).toBe("ENOTDIR");
    await fs.mkdir("/a/b/c", { recursive: true });
    await fs.writeFile("/a/b/c/f", "f");

    await fs.cp("/usr", "/work/usr", { recursive: true });
    expect(await fs.readFile("/work/usr/lib/deep/file.txt")).toBe("deep");
    expect(await code(fs.cp("/usr", "/x"))).toBe("EISDIR");
    expect(await code(fs.cp("/usr", "/usr/lib/in", { recursive: true }))).toBe("EINVAL");
    await fs.cp("/etc/hosts", "/work/hosts");
    await fs.writeFile("/work/hosts", "changed");
    expect(await fs.readFile("/etc/hosts")).toBe("127.0.0.1 localhost\n");

    await fs.mv("/opt", "/moved");
    expect(await fs.exists("/opt")).toBe(false);
    expect(await fs.readFile("/moved/x/old")).toBe("o");
    await fs.mv("/a", "/work/a");
    expect(await fs.readFile("/work/a/b/c/f")).toBe("f");
    expect(await fs.exists("/a")).toBe(false);
    await fs.mv("/work/hosts", "/etc/hosts");
    expect(await fs.readFile("/etc/hosts")).toBe("changed");
    expect(await code(fs.mv("/etc", "/etc/sub"))).toBe("EINVAL");
    expect(await code(fs.mv("/work", "/moved"))).toBe("ENOTEMPTY");

    await fs.rm("/work", { recursive: true });
    expect(await fs.readdir("/")).toEqual(["bin", "etc", "moved", "usr"]);
    expect(fs.getAllPaths().sort()).toEqual(["/", "/bin", "/bin/tool", "/etc", "/etc/gone", "/etc/hosts", "/moved", "/moved/x", "/moved/x/old", "/usr", "/usr/lib", "/usr/lib/deep", "/usr/lib/deep/file.txt"]);
  });

  it("keeps hard links made in the container in step", async () => {
    const fs = await open([await layer(BASE)]);
    await fs.link("/etc/hosts", "/etc/hosts2");
    await fs.writeFile("/etc/hosts2", "both");
    expect(await fs.readFile("/etc/hosts")).toBe("both");
    await fs.rm("/etc/hosts");
    expect(await fs.readFile("/etc/hosts2")).toBe("both");
    expect(await code(fs.link("/etc", "/e2"))).toBe("EPERM");
    expect(await code(fs.link("/etc/hosts2", "/etc/gone"))).toBe("EEXIST");
  });

  it("refuses writes beyond maxUpperBytes with ENOSPC", async () => {
    const fs = await open([await layer(BASE)], upperDir(), 64);
    await fs.writeFile("/a", "x".repeat(40));
    expect(await code(fs.writeFile("/b", "x".repeat(40)))).toBe("ENOSPC");
    expect(await code(fs.appendFile("/a", "x".repeat(40)))).toBe("ENOSPC");
    await fs.rm("/a");
    await fs.writeFile("/b", "x".repeat(40));
    // Copy-up of a 20 byte image file fits; 40 more bytes do not.
    expect(await code(fs.appendFile("/etc/hosts", "x".repeat(40)))).toBe("ENOSPC");
    expect(await fs.readFile("/etc/hosts")).toBe("127.0.0.1 localhost\n");
  });
});

describe("ContainerFs symlinks", () => {
  const LINKS: Item[] = [
    ...BASE,
    { name: "lnk", type: "symlink", linkname: "/etc" },
    { name: "rel", type: "symlink", linkname: "etc/hosts" },
    { name: "usr/lib/up", type: "symlink", linkname: "../../../../../../etc/hosts" },
    { name: "hostpw", type: "symlink", linkname: "/etc/passwd" },
    { name: "loop1", type: "symlink", linkname: "/loop2" },
    { name: "loop2", type: "symlink", linkname: "loop1" },
    { name: "dangling", type: "symlink", linkname: "/etc/created" },
  ];

  it("resolves targets inside the container root only", async () => {
    const fs = await open([await layer(LINKS)]);
    expect(await fs.readFile("/lnk/hosts")).toBe("127.0.0.1 localhost\n");
    expect(await fs.readFile("/rel")).toBe("127.0.0.1 localhost\n");
    expect(await fs.readFile("/usr/lib/up")).toBe("127.0.0.1 localhost\n");
    expect(await fs.readFile("/../../../etc/hosts")).toBe("127.0.0.1 localhost\n");
    // /etc/passwd exists on the host but not in this image.
    expect(await code(fs.readFile("/hostpw"))).toBe("ENOENT");
    expect(await fs.exists("/hostpw")).toBe(false);
    expect(await fs.readdir("/lnk")).toEqual(["gone", "hosts"]);
    expect(await fs.readlink("/lnk")).toBe("/etc");
    expect(await code(fs.readlink("/etc"))).toBe("EINVAL");
    expect(await fs.lstat("/lnk")).toMatchObject({ isSymbolicLink: true, isDirectory: false, size: 4 });
    expect(await fs.stat("/lnk")).toMatchObject({ isSymbolicLink: false, isDirectory: true });
    expect(await fs.lstatFull("/rel")).toMatchObject({ type: "symlink", link: "etc/hosts" });
    expect(await fs.statFull("/rel")).toMatchObject({ type: "file", size: 20 });
  });

  it("reports loops as ELOOP", async () => {
    const fs = await open([await layer(LINKS)]);
    expect(await code(fs.readFile("/loop1"))).toBe("ELOOP");
    expect(await code(fs.stat("/loop2/x"))).toBe("ELOOP");
    expect(await code(fs.realpath("/loop1"))).toBe("ELOOP");
    expect((await fs.lstat("/loop1")).isSymbolicLink).toBe(true);
    expect(await fs.exists("/loop1")).toBe(false);
  });

  it("resolves realpath and writes through links", async () => {
    const fs = await open([await layer(LINKS)]);
    expect(await fs.realpath("/lnk/hosts")).toBe("/etc/hosts");
    expect(await fs.realpath("/usr/lib/up")).toBe("/etc/hosts");
    expect(await fs.realpath("/usr/./lib/../lib")).toBe("/usr/lib");
    expect(await code(fs.realpath("/nope"))).toBe("ENOENT");
    await fs.writeFile("/dangling", "made");
    expect(await fs.readFile("/etc/created")).toBe("made");
    expect((await fs.lstat("/dangling")).isSymbolicLink).toBe(true);
    await fs.writeFile("/lnk/new", "n");
    expect(await fs.readdir("/etc")).toEqual(["created", "gone", "hosts", "new"]);
    await fs.symlink("../../..", "/etc/climb");
    expect(await fs.realpath("/etc/climb")).toBe("/");
    expect(await fs.readdir("/etc/climb/etc/climb")).toContain("bin");
    expect(await code(fs.symlink("/x", "/etc/hosts"))).toBe("EEXIST");
    await fs.rm("/lnk");
    expect(await fs.exists("/etc/hosts")).toBe(true);
    expect(await fs.exists("/lnk")).toBe(false);
  });

  it("never names a host path after a container path", async () => {
    const upper = upperDir();
    const fs = await open([await layer(LINKS)], upper);
    await fs.mkdir("/../../evil", { recursive: true });
    await fs.writeFile("/../../evil/..%2f..%2fx", "x");
    await fs.writeFile("/lnk/../../../../tmp-escape", "x");
    await fs.flush();
    expect(readdirSync(upper).sort()).toEqual(["data", "meta.json"]);
    expect(readdirSync(join(upper, "data")).every((n) => /^\d+$/.test(n))).toBe(true);
    expect(await fs.readFile("/tmp-escape")).toBe("x");
  });
});

describe("ContainerFs persistence and isolation", () => {
  it("sees earlier changes after reopening the same upper dir", async () => {
    const ids = [await layer(BASE)];
    const upper = upperDir();
    const fs = await open(ids, upper);
    await fs.writeFile("/etc/hosts", "mine");
    await fs.mkdir("/data");
    await fs.writeFile("/data/f", "f");
    await fs.rm("/etc/gone");
    await fs.rm("/usr", { recursive: true });
    await fs.mkdir("/usr");
    await fs.symlink("/data/f", "/ln");
    await fs.chmod("/bin/tool", 0o711);
    await fs.flush();

    const again = await open(ids, upper);
    expect(await again.readFile("/etc/hosts")).toBe("mine");
    expect(await again.readFile("/ln")).toBe("f");
    expect(await again.readdir("/etc")).toEqual(["hosts"]);
    expect(await again.readdir("/usr")).toEqual([]);
    expect((await again.stat("/bin/tool")).mode).toBe(0o711);
    expect(await again.readdir("/")).toEqual(["bin", "data", "etc", "ln", "opt", "usr"]);
  });

  it("persists on its own shortly after changes and drops replaced data files", async () => {
    const ids = [await layer(BASE)];
    const upper = upperDir();
    const fs = await open(ids, upper);
    await fs.writeFile("/a", "1");
    await fs.writeFile("/a", "2");
    await fs.writeFile("/b", "b");
    await fs.rm("/b");
    await eventually(() => readdirSync(join(upper, "data")).length === 1);
    expect(readdirSync(join(upper, "data"))).toHaveLength(1);
    expect(await (await open(ids, upper)).readFile("/a")).toBe("2");
  });

  it("keeps containers of one image apart", async () => {
    const ids = [await layer(BASE)];
    const a = await open(ids);
    const b = await open(ids);
    await a.writeFile("/etc/hosts", "a");
    await a.rm("/etc/gone");
    await a.writeFile("/only-a", "a");
    expect(await b.readFile("/etc/hosts")).toBe("127.0.0.1 localhost\n");
    expect(await b.readdir("/etc")).toEqual(["gone", "hosts"]);
    expect(await b.exists("/only-a")).toBe(false);
  });
});

describe("ContainerFs under just-bash", () => {
  it("runs cat, ls -la and redirections", async () => {
    const upper = upperDir();
    const ids = [
      await layer([
        ...BASE,
        ...["cat", "ls", "echo", "mkdir", "rm", "test", "chmod", "cp", "mv"].map((n) => ({ name: `bin/${n}`, data: "", mode: 0o755 })),
        { name: "usr/bin/", type: "directory" as const },
      ]),
    ];
    const fs = await open(ids, upper);
    const bash = new Bash({ fs, cwd: "/", env: { PATH: "/usr/bin:/bin" } });
    const run = async (script: string) => {
      const r = await bash.exec(script);
      return { out: r.stdout, err: r.stderr, code: r.exitCode };
    };
    expect(await run("cat /etc/hosts")).toEqual({ out: "127.0.0.1 localhost\n", err: "", code: 0 });
    const ls = await run("ls -la /etc");
    expect(ls.code).toBe(0);
    expect(ls.out).toMatch(/-rw-r--r-- .* hosts\n/);
    expect(ls.out).toMatch(/-rw-r--r-- .* gone\n/);
    expect(await run("echo x > /f; cat /f")).toMatchObject({ out: "x\n", code: 0 });
    expect(await run("echo y >> /etc/hosts; cat /etc/hosts")).toMatchObject({ out: "127.0.0.1 localhost\ny\n", code: 0 });
    expect(await run("test -x /bin/tool && echo exec; test -x /etc/hosts || echo plain")).toMatchObject({ out: "exec\nplain\n" });
    expect(await run("mkdir -p /w/a && cp /etc/hosts /w/a/h && mv /w/a /w/b && cat /w/b/h && rm -r /w && ls /")).toMatchObject({
      out: "127.0.0.1 localhost\ny\nbin\netc\nf\nopt\nusr\n",
      code: 0,
    });
    expect(await run("cat /nope")).toMatchObject({ err: expect.stringContaining("No such file or directory"), code: 1 });
    // Writing out works from outside the script's sandbox (flushing on its own is tested above).
    await fs.flush();
    expect(await (await open(ids, upper)).readFile("/f")).toBe("x\n");
  });
});
