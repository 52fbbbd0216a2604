import { NotImplementedError } from "../../engine/errors.js";
import { base, childPath, dir } from "../../engine/containers/archive-path.js";
import type { ContainerFiles, FileChange, FileInfo } from "../backend.js";
import { applyScript, encodeInput, parseStats, queryScript, quote, setMetaStep, statScript, unframe } from "./scripts.js";

/** Runs a POSIX sh script in the container: its stdout (stderr may be mixed in) and exit code. Input never ends with EOF. */
export type RunScript = (script: string, input?: Buffer) => Promise<{ stdout: Buffer; exitCode: number }>;

/** One change to make, as a step of an applyScript; `input` is what it reads from fd 3. */
interface Step {
  script: string;
  input?: Buffer;
  /** How the step reads its input: by lines with sh's read, which takes no more than its line, or all at once with head -c, which may take more. */
  reads?: "lines" | "head";
}

/** Steps run by one exec stay below this, well inside a command line's limits. */
const MAX_SCRIPT = 8000;
/** Content up to this size is sent as lines sh reads one by one, up to LINES_INPUT bytes an exec; larger content gets an exec of its own, read with head -c. */
const LINES_CONTENT = 64 * 1024;
const LINES_INPUT = 1024 * 1024;
/** Files up to this size are read ahead when their directory is listed, up to READ_AHEAD bytes an exec. */
const READ_AHEAD_FILE = 256 * 1024;
const READ_AHEAD = 4 * 1024 * 1024;

function errno(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * A container's files through a shell in it, for a backend that can run
 * processes in a container but not reach its file system. Each exec is
 * costly (a session on a cloud backend), so metadata is fetched a directory
 * at a time and kept for the session; a file is read in one exec, the small
 * files of a directory being walked many in one; changes are mirrored here
 * and queued, then applied together (small files' contents many in one exec,
 * a large one's in its own) before the next read of the container, once a
 * large content is queued, and at the end.
 */
export class ShellFiles implements ContainerFiles {
  /** Metadata by path; null where nothing is. */
  private readonly infos = new Map<string, FileInfo | null>();
  /** Complete listings of directories. */
  private readonly listings = new Map<string, Set<string>>();
  /** Paths this session made: nothing to read ahead there. */
  private readonly made = new Set<string>();
  /** Contents read ahead, until read. */
  private readonly contents = new Map<string, Buffer>();
  private pending: Step[] = [];

  constructor(
    private readonly run: RunScript,
    private readonly backend: string,
  ) {}

  async lstat(path: string): Promise<FileInfo | undefined> {
    const known = this.known(path);
    if (known !== undefined) return known ?? undefined;
    await this.probe(path);
    return this.known(path) ?? undefined;
  }

  async readdir(path: string): Promise<string[]> {
    const info = await this.lstat(path);
    if (!info) throw errno("ENOENT", `readdir ${path}: no such file or directory`);
    if (info.type !== "dir") throw errno("ENOTDIR", `readdir ${path}: not a directory`);
    if (!this.listings.has(path)) await this.probe(path);
    const names = [...(this.listings.get(path) ?? [])].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    // A directory is listed to be walked: its small files are read ahead, many in one exec.
    await this.readAhead(names.map((n) => childPath(path, n)));
    return names;
  }

  async read(path: string): Promise<Buffer> {
    const ahead = this.contents.get(path);
    if (ahead) {
      this.contents.delete(path);
      return ahead;
    }
    const { output, status } = await this.query(`if [ -f ${quote(path)} ]; then cat ${quote(path)}; else (exit 2); fi`);
    if (status === 2) throw errno("ENOENT", `open ${path}: no such file or directory`);
    if (status !== 0) throw errno("EIO", `read ${path}: the container's cat failed`);
    return output;
  }

  async mkdir(path: string): Promise<void> {
    await this.queue({ script: `mkdir ${quote(path)}` });
    this.created(path, { type: "dir", mode: 0o755, uid: 0, gid: 0, size: 0, mtime: Date.now() });
    this.listings.set(path, new Set());
  }

  async write(path: string, data: Buffer, append: boolean): Promise<void> {
    const p = quote(path);
    const before = append ? this.infos.get(path) : undefined;
    const size = (before?.size ?? 0) + data.length;
    const input = encodeInput(data);
    // A base64 that mangles bytes (one writing them as text) is caught by the size, not left to corrupt the file.
    const check = `{ n=$(wc -c <${p}); [ $n -eq ${size} ] 2>/dev/null || { printf '%s: wrote ${size} bytes, the file has %s: base64 -d in the container does not write bytes intact\\n' ${p} $n; false; }; }`;
    const reads = data.length <= LINES_CONTENT ? "lines" : "head";
    const lines = input.filter((b) => b === 10).length;
    const source = reads === "lines" ? `i=0; while [ $i -lt ${lines} ]; do IFS= read -r l <&3; printf '%s\\n' "$l"; i=$((i+1)); done` : `head -c ${input.length} <&3`;
    // A file whose content did not arrive whole is removed, as a failed extraction leaves none behind.
    const fill = `{ ${source} | base64 -d ${append ? ">>" : ">"} ${p} && ${check}; } || { rm -f ${p}; false; }`;
    this.created(path, before ? { ...before, size } : { type: "file", mode: 0o644, uid: 0, gid: 0, size, mtime: Date.now() });
    await this.queue(data.length ? { script: fill, input, reads } : { script: `: ${append ? ">>" : ">"} ${p}` });
  }

  async symlink(path: string, target: string): Promise<void> {
    await this.queue({ script: `ln -s ${quote(target)} ${quote(path)}` });
    this.created(path, { type: "symlink", mode: 0o777, uid: 0, gid: 0, size: Buffer.byteLength(target), mtime: Date.now(), link: target });
  }

  async link(path: string, target: string): Promise<void> {
    const info = await this.lstat(target);
    if (!info) throw errno("ENOENT", `link ${target} ${path}: no such file or directory`);
    await this.queue({ script: `ln ${quote(target)} ${quote(path)}` });
    this.created(path, { ...info });
  }

  async setMeta(path: string, meta: { mode: number; uid: number; gid: number; mtime: number }): Promise<void> {
    await this.queue({ script: setMetaStep(path, meta) });
    const info = this.infos.get(path);
    if (info) this.infos.set(path, { ...info, mode: meta.mode & 0o7777, uid: meta.uid, gid: meta.gid, mtime: Math.floor(meta.mtime / 1000) * 1000 });
  }

  async remove(path: string): Promise<void> {
    await this.queue({ script: `rm -rf ${quote(path)}` });
    for (const known of [...this.infos.keys(), ...this.listings.keys(), ...this.contents.keys()]) {
      if (known.startsWith(path === "/" ? "/" : `${path}/`)) {
        this.infos.delete(known);
        this.listings.delete(known);
        this.contents.delete(known);
      }
    }
    this.infos.set(path, null);
    this.listings.delete(path);
    this.contents.delete(path);
    this.listings.get(dir(path))?.delete(base(path));
  }

  async changes(): Promise<FileChange[]> {
    throw new NotImplementedError(`the ${this.backend} backend cannot list a container's changes (docker diff, commit): it reaches the container's files only through a shell in it`);
  }

  /** Applies the queued changes in as few execs as their input allows. */
  async flush(): Promise<void> {
    const steps = this.pending;
    this.pending = [];
    let batch: Step[] = [];
    const apply = async () => {
      if (batch.length === 0) return;
      const inputs = batch.flatMap((s) => (s.input ? [s.input] : []));
      const ran = await this.run(applyScript(batch.map((s) => s.script)), inputs.length ? Buffer.concat(inputs) : undefined);
      batch = [];
      input = 0;
      const { output, status } = unframe(ran.stdout, ran.exitCode);
      if (status !== 0) throw new Error(output.toString("utf8").trim() || `a change to the container's files failed (status ${status})`);
    };
    let size = 0;
    let input = 0;
    for (const step of steps) {
      // head -c may take input meant for the steps after it (the sandbox's drops the rest of what it read): it reads last, alone.
      const shared = step.reads && batch.some((s) => s.reads === "head" || (step.reads === "head" && s.reads));
      if (shared || input + (step.input?.length ?? 0) > LINES_INPUT || size + step.script.length > MAX_SCRIPT) {
        await apply();
        size = 0;
      }
      batch.push(step);
      size += step.script.length + 4;
      input += step.input?.length ?? 0;
    }
    await apply();
  }

  /** Queues a change; content waiting to be sent stays below LINES_INPUT, so a large file never sits in memory whole. */
  private async queue(step: Step): Promise<void> {
    this.pending.push(step);
    if (step.reads === "head" || this.pending.reduce((n, s) => n + (s.input?.length ?? 0), 0) >= LINES_INPUT) await this.flush();
  }

  /** Reads the small regular files among `paths`, up to READ_AHEAD bytes an exec; a file whose size changed meanwhile is left to read(). */
  private async readAhead(paths: string[]): Promise<void> {
    let batch: [string, number][] = [];
    let total = 0;
    const fetch = async () => {
      if (batch.length === 0) return;
      const { output } = await this.query(batch.map(([p]) => `base64 <${quote(p)}; echo .`).join("; "));
      const encoded: string[] = [];
      let current = "";
      for (const line of output.toString("latin1").split("\n")) {
        if (line !== ".") current += line;
        else {
          encoded.push(current);
          current = "";
        }
      }
      batch.forEach(([p, size], i) => {
        const data = Buffer.from(encoded[i] ?? "", "base64");
        if (data.length === size) this.contents.set(p, data);
      });
      batch = [];
      total = 0;
    };
    for (const p of paths) {
      const info = this.infos.get(p);
      if (info?.type !== "file" || info.size === 0 || info.size > READ_AHEAD_FILE || this.contents.has(p) || this.made.has(p)) continue;
      if (total + info.size > READ_AHEAD) await fetch();
      batch.push([p, info.size]);
      total += info.size;
    }
    await fetch();
  }

  /** Records a new object at `path` in the mirror, and in its directory's listing. */
  private created(path: string, info: FileInfo): void {
    this.infos.set(path, info);
    this.contents.delete(path);
    this.made.add(path);
    this.listings.get(dir(path))?.add(base(path));
  }

  /** What the mirror knows of `path`: its metadata, null when it does not exist, undefined when unknown. */
  private known(path: string): FileInfo | null | undefined {
    if (this.infos.has(path)) return this.infos.get(path);
    if (path === "/") return undefined;
    const parent = dir(path);
    const above = this.known(parent);
    if (above === null) return null;
    if (above && above.type !== "dir" && above.type !== "symlink") throw errno("ENOTDIR", `lstat ${path}: not a directory`);
    const listing = this.listings.get(parent);
    if (listing && !listing.has(base(path))) return null;
    return undefined;
  }

  /** Fetches `path` and its ancestors, and a directory's entries, in one exec; what the mirror already knows stays. */
  private async probe(path: string): Promise<void> {
    const paths: string[] = [];
    for (let p = path; ; p = dir(p)) {
      paths.unshift(p);
      if (p === "/") break;
    }
    const { output } = await this.query(statScript(paths, path));
    const stats = parseStats(output);
    for (const p of paths) {
      if (this.infos.has(p)) continue;
      const found = stats.get(p);
      const parent = p === "/" ? undefined : this.infos.get(dir(p));
      // Below a file, a path is not missing but impossible: known() answers ENOTDIR.
      if (found || !parent || parent.type === "dir" || parent.type === "symlink") this.infos.set(p, found ?? null);
    }
    if (this.infos.get(path)?.type !== "dir" || this.listings.has(path)) return;
    const names = new Set<string>();
    for (const [p, info] of stats) {
      if (p !== path && dir(p) === path) {
        names.add(base(p));
        if (!this.infos.has(p)) this.infos.set(p, info);
      }
    }
    this.listings.set(path, names);
  }

  /** Runs a read of the container once the queued changes are in place. */
  private async query(body: string): Promise<{ output: Buffer; status: number }> {
    await this.flush();
    const ran = await this.run(queryScript(body));
    return unframe(ran.stdout, ran.exitCode);
  }
}

/** Runs `use` over a ShellFiles and applies its changes, also those made before `use` failed. */
export async function withShellFiles<T>(run: RunScript, backend: string, use: (files: ContainerFiles) => Promise<T>): Promise<T> {
  const files = new ShellFiles(run, backend);
  let result: T;
  try {
    result = await use(files);
  } catch (err) {
    await files.flush().catch(() => {});
    throw err;
  }
  await files.flush();
  return result;
}
