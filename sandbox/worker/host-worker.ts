import { parentPort } from "node:worker_threads";
import { LayerStore } from "../../engine/images/layer.js";
import { ContainerFs } from "../fs/container-fs.js";
import { openMounted, type SandboxFs } from "../fs/sandbox-fs.js";
import { EMPTY_SOURCE, Pipe, toBytes, type ByteSink } from "../io.js";
import { resolveIdentity, type Identity } from "../identity.js";
import { ProgramRunner } from "../run.js";
import { ttyInput } from "../tty.js";
import { filesOp } from "./files.js";
import { signalNumber, type ContainerInit, type FromWorker, type ToWorker } from "./protocol.js";
import { heapBytes, threadCpu } from "./usage.js";
import type { ProcessRow } from "../utilities/processes.js";

/**
 * A host thread: the file systems and processes of the containers placed on
 * it, off the daemon's event loop. Guest work is asynchronous and yields, so
 * containers on one host share it; terminating the thread kills them all.
 */
const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);

interface Proc {
  stdin: Pipe;
  abort: AbortController;
  pid1: boolean;
  init: boolean;
  /** Where a TTY echoes its input; undefined without a TTY. */
  echo?: ByteSink;
  /** Offers a signal to the process's shell, which takes those it traps. */
  take?: (signal: string) => boolean;
  /** What ps and top show of it. */
  row: ProcessRow;
}

interface Hosted {
  fs: SandboxFs;
  /** The container's own files without its mounts, for docker diff. */
  root: ContainerFs;
  allowedUrls: string[];
  procs: Map<number, Proc>;
}

const containers = new Map<string, Hosted>();
const layerStores = new Map<string, LayerStore>();

/**
 * Output the daemon has not taken in yet, per process. A writer waits while
 * more than a window is outstanding, so a process that floods its output
 * (`yes`) goes at the daemon's pace instead of burying its event loop.
 */
const OUTPUT_WINDOW = 16 * 1024;
const outstanding = new Map<string, { bytes: number; waiters: (() => void)[] }>();

function acknowledged(cid: string, pid: number, bytes: number): void {
  const o = outstanding.get(`${cid}/${pid}`);
  if (!o) return;
  o.bytes -= bytes;
  if (o.bytes <= OUTPUT_WINDOW) for (const w of o.waiters.splice(0)) w();
}

/** A TTY's line discipline turns "\n" into "\r\n" on output. */
function sink(cid: string, pid: number, stream: 1 | 2, tty: boolean): ByteSink {
  return {
    write: async (data) => {
      let bytes = toBytes(data);
      if (bytes.length === 0) return;
      if (tty) bytes = Buffer.from(Buffer.from(bytes).toString("latin1").replace(/\r?\n/g, "\r\n"), "latin1");
      post({ type: "output", cid, pid, stream: tty ? 1 : stream, data: bytes });
      const key = `${cid}/${pid}`;
      const o = outstanding.get(key) ?? outstanding.set(key, { bytes: 0, waiters: [] }).get(key)!;
      o.bytes += bytes.length;
      while (o.bytes > OUTPUT_WINDOW && outstanding.get(key) === o) await new Promise<void>((resolve) => o.waiters.push(resolve));
    },
  };
}

async function open(cid: string, init: ContainerInit): Promise<void> {
  let layers = layerStores.get(init.layersDir);
  if (!layers) layerStores.set(init.layersDir, (layers = new LayerStore(init.layersDir)));
  const root = await ContainerFs.open({ layers, diffIds: init.diffIds, upperDir: init.upperDir });
  const fs = await openMounted(root, init.mounts);
  for (const f of init.files) {
    // As runc's mount points, the files come with their directory when the image has none (an image of one file).
    await fs.mkdir(f.path.slice(0, f.path.lastIndexOf("/")) || "/", { recursive: true });
    await fs.rm(f.path, { force: true });
    if ("symlink" in f) await fs.symlink(f.symlink, f.path);
    else await fs.writeFile(f.path, f.content);
  }
  containers.set(cid, { fs, root, allowedUrls: init.allowedUrls, procs: new Map() });
}

async function run(m: Extract<ToWorker, { type: "run" }>): Promise<void> {
  const c = containers.get(m.cid);
  if (!c) return post({ type: "start-failed", cid: m.cid, pid: m.pid, message: "the container is not open on this host", exitCode: 126 });
  const env = Object.fromEntries(
    m.env.map((e) => {
      const eq = e.indexOf("=");
      return eq < 0 ? [e, ""] : [e.slice(0, eq), e.slice(eq + 1)];
    }),
  );
  let identity: Identity;
  try {
    identity = await resolveIdentity(c.fs, m.user, m.groups);
  } catch (err) {
    return post({ type: "start-failed", cid: m.cid, pid: m.pid, message: (err as Error).message, exitCode: 128 });
  }
  // As Docker: HOME comes from the user's passwd entry unless the environment sets it.
  env.HOME ??= identity.home;
  const runner = new ProgramRunner(c.fs, c.allowedUrls, identity, () => [...c.procs.values()].map((p) => p.row).sort((a, b) => a.pid - b.pid));
  const program = await runner.resolve({ argv: m.argv, env, cwd: m.cwd });
  if (program.kind === "missing" || program.kind === "unrunnable") {
    const message = program.kind === "missing" ? program.reason : `exec ${program.path}: ${program.reason}`;
    return post({ type: "start-failed", cid: m.cid, pid: m.pid, message, exitCode: program.kind === "missing" ? 127 : 126 });
  }
  const row = { pid: m.pid, ppid: 0, user: identity.name || String(identity.uid), argv: m.argv };
  const proc: Proc = { stdin: new Pipe(), abort: new AbortController(), pid1: m.pid1, init: m.init, echo: m.tty ? sink(m.cid, m.pid, 1, true) : undefined, row };
  c.procs.set(m.pid, proc);
  post({ type: "started", cid: m.cid, pid: m.pid });
  const killed = () => 128 + signalNumber(String(proc.abort.signal.reason));
  let code: number;
  try {
    code = await runner.run(program, {
      argv: m.argv,
      env,
      cwd: m.cwd,
      stdin: m.stdin ? proc.stdin : EMPTY_SOURCE,
      stdout: sink(m.cid, m.pid, 1, m.tty),
      stderr: sink(m.cid, m.pid, 2, m.tty),
      signal: proc.abort.signal,
      signals: (take) => (proc.take = take),
    });
    if (proc.abort.signal.aborted && program.kind !== "shell") code = killed();
  } catch (err) {
    await sink(m.cid, m.pid, 2, m.tty).write(`${m.argv[0]}: ${(err as Error).message}\n`);
    code = proc.abort.signal.aborted ? killed() : 1;
  }
  c.procs.delete(m.pid);
  forgetOutput(m.cid, m.pid);
  await c.fs.flush();
  post({ type: "exit", cid: m.cid, pid: m.pid, code });
}

/** PID 1 has no default signal actions: without an init to forward to a child, a signal it does not handle is ignored. */
function signal(p: Proc, name: string): void {
  if (p.take?.(name)) return;
  if ((p.pid1 && !p.init) || name === "SIGCHLD" || name === "SIGWINCH" || name === "SIGCONT") return;
  p.abort.abort(name);
}

/** Stdin from the client; on a TTY through its line discipline. */
function input(p: Proc, data: Uint8Array | null): void {
  if (data === null) return p.stdin.close();
  if (!p.echo) return void p.stdin.write(data);
  const t = ttyInput(data);
  if (t.echo.length) void p.echo.write(t.echo);
  if (t.deliver.length) void p.stdin.write(t.deliver);
  if (t.signal) signal(p, t.signal);
  if (t.eof) p.stdin.close();
}

/** A process that ended (or whose container closed) no longer waits for acknowledgements. */
function forgetOutput(cid: string, pid: number): void {
  const o = outstanding.get(`${cid}/${pid}`);
  outstanding.delete(`${cid}/${pid}`);
  for (const w of o?.waiters.splice(0) ?? []) w();
}

/** Ends every process of a container and writes its changes out. */
async function close(cid: string): Promise<void> {
  const c = containers.get(cid);
  containers.delete(cid);
  if (c) {
    for (const [pid, p] of c.procs) {
      forgetOutput(cid, pid);
      p.abort.abort("SIGKILL");
    }
    await c.fs.flush();
  }
  post({ type: "closed", cid });
}

port.on("message", (m: ToWorker) => {
  switch (m.type) {
    case "open":
      open(m.cid, m.init).then(
        () => post({ type: "opened", cid: m.cid }),
        (err: Error) => post({ type: "open-failed", cid: m.cid, message: err.message }),
      );
      break;
    case "run":
      void run(m);
      break;
    case "stdin": {
      const p = containers.get(m.cid)?.procs.get(m.pid);
      if (p) input(p, m.data);
      break;
    }
    case "signal": {
      const p = containers.get(m.cid)?.procs.get(m.pid);
      if (p) signal(p, m.signal);
      break;
    }
    case "ack":
      acknowledged(m.cid, m.pid, m.bytes);
      break;
    case "close":
      void close(m.cid);
      break;
    case "files": {
      const c = containers.get(m.cid);
      const done = (value?: unknown, err?: NodeJS.ErrnoException) =>
        post({ type: "files-result", cid: m.cid, req: m.req, ...(err ? { error: { code: err.code, message: err.message } } : { value }) });
      if (!c) done(undefined, Object.assign(new Error("the container's file system is not open on this host"), { code: "ECLOSED" }));
      else filesOp(c.fs, c.root, m.op).then((v) => done(v), (err: NodeJS.ErrnoException) => done(undefined, err));
      break;
    }
    case "usage":
      post({ type: "usage", cid: m.cid, cpu: threadCpu(), heapBytes: heapBytes() });
      break;
  }
});
