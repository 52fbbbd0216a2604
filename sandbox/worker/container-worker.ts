import { parentPort, workerData } from "node:worker_threads";
import { LayerStore } from "../../engine/images/layer.js";
import { ContainerFs } from "../fs/container-fs.js";
import { EMPTY_SOURCE, Pipe, toBytes, type ByteSink } from "../io.js";
import { ProgramRunner } from "../run.js";
import { signalNumber, type FromWorker, type ToWorker, type WorkerInit } from "./protocol.js";

/**
 * Hosts one container: its file system and every process in it (PID 1 and
 * execs), off the daemon's event loop. Terminating the worker kills them all.
 */
const port = parentPort!;
const init = workerData as WorkerInit;
const post = (m: FromWorker) => port.postMessage(m);

interface Proc {
  stdin: Pipe;
  abort: AbortController;
  pid1: boolean;
  init: boolean;
}
const procs = new Map<number, Proc>();

/** A TTY's line discipline turns "\n" into "\r\n" on output. */
function sink(pid: number, stream: 1 | 2, tty: boolean): ByteSink {
  return {
    write: async (data) => {
      let bytes = toBytes(data);
      if (bytes.length === 0) return;
      if (tty) bytes = Buffer.from(Buffer.from(bytes).toString("latin1").replace(/\r?\n/g, "\r\n"), "latin1");
      post({ type: "output", pid, stream: tty ? 1 : stream, data: bytes });
    },
  };
}

async function main() {
  const fs = await ContainerFs.open({ layers: new LayerStore(init.layersDir), diffIds: init.diffIds, upperDir: init.upperDir });
  const runner = new ProgramRunner(fs);
  for (const f of init.files) {
    await fs.rm(f.path, { force: true });
    if ("symlink" in f) await fs.symlink(f.symlink, f.path);
    else await fs.writeFile(f.path, f.content);
  }

  async function run(m: Extract<ToWorker, { type: "run" }>) {
    const env = Object.fromEntries(m.env.map((e) => [e.slice(0, Math.max(0, e.indexOf("=")) || e.length), e.includes("=") ? e.slice(e.indexOf("=") + 1) : ""]));
    const program = await runner.resolve({ argv: m.argv, env, cwd: m.cwd });
    if (program.kind === "missing" || program.kind === "unrunnable") {
      const message = program.kind === "missing" ? program.reason : `exec ${program.path}: ${program.reason}`;
      return post({ type: "start-failed", pid: m.pid, message, exitCode: program.kind === "missing" ? 127 : 126 });
    }
    const proc: Proc = { stdin: new Pipe(), abort: new AbortController(), pid1: m.pid1, init: m.init };
    procs.set(m.pid, proc);
    post({ type: "started", pid: m.pid });
    let code: number;
    try {
      code = await runner.run(program, {
        argv: m.argv,
        env,
        cwd: m.cwd,
        stdin: m.stdin ? proc.stdin : EMPTY_SOURCE,
        stdout: sink(m.pid, 1, m.tty),
        stderr: sink(m.pid, 2, m.tty),
        signal: proc.abort.signal,
      });
      if (proc.abort.signal.aborted && program.kind !== "shell") code = 128 + signalNumber(String(proc.abort.signal.reason));
    } catch (err) {
      await sink(m.pid, 2, m.tty).write(`${m.argv[0]}: ${(err as Error).message}\n`);
      code = proc.abort.signal.aborted ? 128 + signalNumber(String(proc.abort.signal.reason)) : 1;
    }
    procs.delete(m.pid);
    await fs.flush();
    post({ type: "exit", pid: m.pid, code });
  }

  port.on("message", (m: ToWorker) => {
    switch (m.type) {
      case "run":
        void run(m);
        break;
      case "stdin": {
        const p = procs.get(m.pid);
        if (!p) break;
        if (m.data === null) p.stdin.close();
        else void p.stdin.write(m.data);
        break;
      }
      case "signal": {
        const p = procs.get(m.pid);
        // PID 1 has no default signal actions: without an init to forward to a child, a signal it does not handle is ignored.
        if (!p || (p.pid1 && !p.init) || m.signal === "SIGCHLD" || m.signal === "SIGWINCH" || m.signal === "SIGCONT") break;
        p.abort.abort(m.signal);
        break;
      }
      case "flush":
        void fs.flush().then(() => post({ type: "flushed" }));
        break;
    }
  });
  post({ type: "ready" });
}

main().catch((err: Error) => post({ type: "fatal", message: err.message }));
