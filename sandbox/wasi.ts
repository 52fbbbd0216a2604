import { ConsoleStdout, Directory, File, Fd, PreopenDirectory, WASI, type Inode } from "@bjorn3/browser_wasi_shim";
import type { SandboxFs } from "./fs/sandbox-fs.js";
import { readAll } from "./io.js";
import type { ExternalCommand } from "./shell/types.js";

/**
 * WASI preview 1 modules of the image run against the container's file
 * system. Their system calls cannot wait, so the tree is read lazily and
 * synchronously, and what the module changed is written back when it ends.
 */

interface Tracked {
  files: Map<string, { file: File; original: Uint8Array }>;
  dirs: Map<string, { dir: Directory; original: Set<string> }>;
}

function lazyFile(fs: SandboxFs, path: string, t: Tracked): File {
  const file = new File(new Uint8Array(0));
  let data: Uint8Array | undefined;
  Object.defineProperty(file, "data", {
    get: () => {
      if (!data) {
        data = new Uint8Array(fs.readFileSync(path));
        t.files.set(path, { file, original: data });
      }
      return data;
    },
    set: (v: Uint8Array) => {
      if (!data) t.files.set(path, { file, original: new Uint8Array(fs.readFileSync(path)) });
      data = v;
    },
  });
  return file;
}

function lazyDir(dir: Directory, fs: SandboxFs, path: string, t: Tracked): Directory {
  let contents: Map<string, Inode> | undefined;
  Object.defineProperty(dir, "contents", {
    get: () => {
      if (!contents) {
        contents = new Map();
        for (const e of fs.readdirSync(path)) {
          const child = path === "/" ? `/${e.name}` : `${path}/${e.name}`;
          const st = e.type === "symlink" ? fs.statSync(child) : { type: e.type };
          if (!st) continue;
          const inode = st.type === "dir" ? lazyDir(new Directory(new Map()), fs, child, t) : lazyFile(fs, child, t);
          if (inode instanceof Directory) (inode as unknown as { parent: Directory }).parent = dir;
          contents.set(e.name, inode);
        }
        t.dirs.set(path, { dir, original: new Set(contents.keys()) });
      }
      return contents;
    },
    set: (v: Map<string, Inode>) => (contents = v),
  });
  return dir;
}

/** Applies the module's changes: new and changed files and directories, and removals. */
async function writeBack(fs: SandboxFs, t: Tracked): Promise<void> {
  const walk = async (path: string, dir: Directory, original?: Set<string>) => {
    for (const [name, inode] of dir.contents) {
      const child = path === "/" ? `/${name}` : `${path}/${name}`;
      if (original?.has(name)) continue;
      if (inode instanceof Directory) {
        await fs.mkdir(child, { recursive: true });
        await walk(child, inode);
      } else if (inode instanceof File) {
        await fs.writeFile(child, inode.data);
      }
    }
    for (const name of original ?? []) if (!dir.contents.has(name)) await fs.rm(path === "/" ? `/${name}` : `${path}/${name}`, { recursive: true, force: true });
  };
  for (const [path, { dir, original }] of t.dirs) await walk(path, dir, original);
  for (const [path, { file, original }] of t.files) {
    if (Buffer.compare(Buffer.from(file.data), Buffer.from(original)) !== 0) await fs.writeFile(path, file.data);
  }
}

/**
 * Standard input read to its end before the module starts: a module's
 * system calls cannot wait for more, so a module in a container whose stdin
 * stays open starts only when it is closed.
 */
class BufferedStdin extends Fd {
  private at = 0;
  constructor(private readonly data: Uint8Array) {
    super();
  }
  override fd_read(size: number) {
    const chunk = this.data.subarray(this.at, this.at + size);
    this.at += chunk.length;
    return { ret: 0, data: chunk };
  }
}

export async function runWasi(fs: SandboxFs, path: string, cmd: ExternalCommand): Promise<number> {
  const module = await WebAssembly.compile(new Uint8Array(await fs.readFileBuffer(path)));
  const stdin = await readAll(cmd.stdin);
  const tracked: Tracked = { files: new Map(), dirs: new Map() };
  const root = new PreopenDirectory("/", new Map());
  lazyDir(root.dir, fs, "/", tracked);
  const pending: Promise<void>[] = [];
  const out = (sink: ExternalCommand["stdout"]) => new ConsoleStdout((b) => void pending.push(sink.write(new Uint8Array(b))));
  const env = Object.entries(cmd.env).map(([k, v]) => `${k}=${v}`);
  const wasi = new WASI(cmd.argv, env, [new BufferedStdin(stdin), out(cmd.stdout), out(cmd.stderr), root]);
  let code: number;
  try {
    const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });
    code = wasi.start(instance as unknown as Parameters<WASI["start"]>[0]);
  } catch (err) {
    await cmd.stderr.write(`${cmd.argv[0]}: ${(err as Error).message}\n`);
    code = 134;
  }
  await Promise.all(pending);
  await writeBack(fs, tracked);
  return code;
}

