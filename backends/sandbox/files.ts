import type { ContainerFiles, FileChange, FileInfo } from "../backend.js";
import type { FilesOp, FromWorker } from "../../sandbox/worker/protocol.js";
import type { HostWorker } from "./host.js";

interface Pending {
  cid: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/**
 * File operations sent to the host thread that holds a container's file
 * system, with their answers matched by request number. Leases count the
 * users of a session, so a run is closed only once nobody reads or writes it.
 */
export class FileCalls {
  private next = 0;
  private readonly pending = new Map<number, Pending>();
  private leases = 0;
  private waiters: (() => void)[] = [];

  lease(host: HostWorker, cid: string): { files: ContainerFiles; release: () => void } {
    this.leases++;
    let released = false;
    const call = (op: FilesOp) =>
      new Promise<unknown>((resolve, reject) => {
        if (host.gone) return reject(new Error("the sandbox host thread of the container ended"));
        const req = ++this.next;
        this.pending.set(req, { cid, resolve, reject });
        host.send({ type: "files", cid, req, op });
      });
    const release = () => {
      if (released) return;
      released = true;
      if (--this.leases === 0) for (const w of this.waiters.splice(0)) w();
    };
    return { files: filesOver(call), release };
  }

  /** Resolves when no session is leased. */
  idle(): Promise<void> {
    return this.leases === 0 ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }

  answer(m: Extract<FromWorker, { type: "files-result" }>): void {
    const p = this.pending.get(m.req);
    if (!p) return;
    this.pending.delete(m.req);
    if (m.error) p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
    else p.resolve(m.value);
  }

  /** The session's host is gone: its unanswered calls fail. */
  fail(cid: string, message: string): void {
    for (const [req, p] of this.pending) {
      if (p.cid !== cid) continue;
      this.pending.delete(req);
      p.reject(new Error(message));
    }
  }
}

function filesOver(call: (op: FilesOp) => Promise<unknown>): ContainerFiles {
  return {
    lstat: (path) => call({ op: "lstat", path }) as Promise<FileInfo | undefined>,
    readdir: (path) => call({ op: "readdir", path }) as Promise<string[]>,
    read: async (path) => {
      const u = (await call({ op: "read", path })) as Uint8Array;
      return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
    },
    mkdir: async (path) => void (await call({ op: "mkdir", path })),
    write: async (path, data, append) => void (await call({ op: "write", path, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), append })),
    symlink: async (path, target) => void (await call({ op: "symlink", path, target })),
    link: async (path, target) => void (await call({ op: "link", path, target })),
    setMeta: async (path, meta) => void (await call({ op: "meta", path, ...meta })),
    remove: async (path) => void (await call({ op: "remove", path })),
    changes: () => call({ op: "changes" }) as Promise<FileChange[]>,
  };
}
