import { EMPTY_SOURCE, NULL_SINK, sourceOf, toBytes, type ByteSink, type ByteSource } from "../io.js";
import type { HereDocNode, RedirectionNode } from "./ast.js";
import { ShellError } from "./errors.js";
import type { Expander } from "./expand.js";
import type { IO, Shell } from "./state.js";

/** Appends every write to a file, in order. */
class FileSink implements ByteSink {
  private chain: Promise<void> = Promise.resolve();
  constructor(
    private readonly sh: Shell,
    private readonly path: string,
  ) {}
  write(data: Uint8Array | string): Promise<void> {
    const bytes = toBytes(data);
    if (bytes.length === 0) return this.chain;
    this.chain = this.chain.then(() => this.sh.fs.appendFile(this.path, bytes));
    return this.chain;
  }
}

export function getFd(io: IO, fd: number): ByteSource | ByteSink | undefined {
  if (fd === 0) return io.stdin;
  if (fd === 1) return io.stdout;
  if (fd === 2) return io.stderr;
  return io.fds.get(fd);
}

export function setFd(io: IO, fd: number, s: ByteSource | ByteSink): void {
  if (fd === 0) io.stdin = "read" in s ? s : EMPTY_SOURCE;
  else if (fd === 1) io.stdout = "write" in s ? s : NULL_SINK;
  else if (fd === 2) io.stderr = "write" in s ? s : NULL_SINK;
  else io.fds.set(fd, s);
}

export function copyIO(io: IO): IO {
  return { stdin: io.stdin, stdout: io.stdout, stderr: io.stderr, fds: new Map(io.fds) };
}

/** Applies redirections left to right on a copy of `io`. */
export async function redirect(sh: Shell, ex: Expander, redirections: RedirectionNode[], io: IO): Promise<IO> {
  if (redirections.length === 0) return io;
  const out = copyIO(io);
  for (const r of redirections) await apply(sh, ex, r, out);
  return out;
}

/** Applies redirections to `io` itself (exec without a command). */
export async function redirectInPlace(sh: Shell, ex: Expander, redirections: RedirectionNode[], io: IO): Promise<void> {
  for (const r of redirections) await apply(sh, ex, r, io);
}

async function apply(sh: Shell, ex: Expander, r: RedirectionNode, io: IO): Promise<void> {
  const op = r.operator;
  let fd = r.fd ?? (op.startsWith("<") ? 0 : 1);
  if (r.fdVariable) {
    fd = 10;
    while (io.fds.has(fd)) fd++;
    sh.set(r.fdVariable, String(fd));
  }
  if (r.target.type === "HereDoc") {
    setFd(io, fd, sourceOf(await hereDoc(ex, r.target)));
    return;
  }
  const target = await ex.string(r.target);
  switch (op) {
    case "<<<":
      setFd(io, fd, sourceOf(target + "\n"));
      return;
    case "<":
    case "<>":
      setFd(io, fd, await openRead(sh, io, target));
      return;
    case ">":
    case ">|":
    case ">>":
      setFd(io, fd, await openWrite(sh, io, target, op === ">>", op === ">"));
      return;
    case "&>":
    case "&>>": {
      const sink = await openWrite(sh, io, target, op === "&>>", true);
      io.stdout = sink;
      io.stderr = sink;
      return;
    }
    case ">&":
    case "<&": {
      if (target === "-") {
        setFd(io, fd, op === "<&" ? EMPTY_SOURCE : NULL_SINK);
        return;
      }
      const m = /^(\d+)(-?)$/.exec(target);
      if (m) {
        const src = getFd(io, Number(m[1]));
        if (!src) throw new ShellError(`${m[1]}: Bad file descriptor`, 1);
        setFd(io, fd, src);
        if (m[2]) setFd(io, Number(m[1]), op === "<&" ? EMPTY_SOURCE : NULL_SINK);
        return;
      }
      if (op === ">&" && r.fd === null) {
        const sink = await openWrite(sh, io, target, false, true);
        io.stdout = sink;
        io.stderr = sink;
        return;
      }
      throw new ShellError(`${target}: ambiguous redirect`, 1);
    }
    default:
      throw new ShellError(`${op}: unsupported redirection`, 1);
  }
}

async function hereDoc(ex: Expander, doc: HereDocNode): Promise<string> {
  let text = doc.quoted ? doc.content.parts.map((p) => ("value" in p ? p.value : "")).join("") : await ex.string(doc.content);
  if (doc.stripTabs) text = text.replace(/^\t+/gm, "");
  return text;
}

function special(sh: Shell, io: IO, target: string): ByteSource | ByteSink | null | undefined {
  const path = sh.resolve(target);
  const sub = sh.procSubst.get(path);
  if (sub) {
    sh.procSubst.delete(path);
    return sub;
  }
  if (path === "/dev/null") return null;
  if (path === "/dev/stdout") return io.stdout;
  if (path === "/dev/stderr" || path === "/dev/tty") return io.stderr;
  if (path === "/dev/stdin") return io.stdin;
  const m = /^\/dev\/fd\/(\d+)$/.exec(path);
  if (m) return getFd(io, Number(m[1])) ?? null;
  return undefined;
}

async function openRead(sh: Shell, io: IO, target: string): Promise<ByteSource> {
  const dev = special(sh, io, target);
  if (dev === null) return EMPTY_SOURCE;
  if (dev !== undefined) return "read" in dev ? dev : EMPTY_SOURCE;
  const path = sh.resolve(target);
  let isDir = false;
  try {
    isDir = (await sh.fs.stat(path)).isDirectory;
  } catch {
    throw new ShellError(`${target}: No such file or directory`, 1);
  }
  if (isDir) throw new ShellError(`${target}: Is a directory`, 1);
  return sourceOf(await sh.fs.readFileBuffer(path));
}

async function openWrite(sh: Shell, io: IO, target: string, append: boolean, truncate: boolean): Promise<ByteSink> {
  if (target === "") throw new ShellError(`: No such file or directory`, 1);
  const dev = special(sh, io, target);
  if (dev === null) return NULL_SINK;
  if (dev !== undefined) return "write" in dev ? dev : NULL_SINK;
  const path = sh.resolve(target);
  let exists = false;
  try {
    const st = await sh.fs.stat(path);
    if (st.isDirectory) throw new ShellError(`${target}: Is a directory`, 1);
    exists = true;
  } catch (e) {
    if (e instanceof ShellError) throw e;
    const parent = path.slice(0, path.lastIndexOf("/")) || "/";
    let parentOk = false;
    try {
      parentOk = (await sh.fs.stat(parent)).isDirectory;
    } catch {
      parentOk = false;
    }
    if (!parentOk) throw new ShellError(`${target}: No such file or directory`, 1);
  }
  if (exists && !append && truncate && sh.opts.noclobber) throw new ShellError(`${target}: cannot overwrite existing file`, 1);
  if (!append || !exists) await sh.fs.writeFile(path, new Uint8Array(0));
  return new FileSink(sh, path);
}
