import type { ProvidedFile } from "../../backends/backend.js";

export { signalNumber } from "../../engine/signals.js";

/** Messages between the daemon and a host worker thread, which runs the processes of several containers. */

export interface ContainerInit {
  layersDir: string;
  diffIds: string[];
  upperDir: string;
  /** Files written into the container before anything runs. */
  files: ProvidedFile[];
  /** Loopback HTTP URL prefixes the container's curl may reach; nothing else is reachable. */
  allowedUrls: string[];
  /** Host directories shown at mount points (volumes, permitted binds, this run's tmpfs). */
  mounts: InitMount[];
}

export interface InitMount {
  destination: string;
  /** The host directory; the sandbox never reaches outside it. */
  source: string;
  readOnly: boolean;
  /** Fill it from the image's content at `destination` when it is empty (a volume's first use). */
  copyImageContent: boolean;
}

export type ToWorker =
  | { type: "open"; cid: string; init: ContainerInit }
  | { type: "run"; cid: string; pid: number; argv: string[]; env: string[]; cwd: string; user: string; groups: string[]; tty: boolean; stdin: boolean; pid1: boolean; init: boolean }
  | { type: "stdin"; cid: string; pid: number; data: Uint8Array | null }
  | { type: "signal"; cid: string; pid: number; signal: string }
  | { type: "close"; cid: string }
  // The daemon has taken in this many bytes of a process's output.
  | { type: "ack"; cid: string; pid: number; bytes: number }
  // Observation: the host thread's own CPU time and heap, for a container that has the thread to itself.
  | { type: "usage"; cid: string }
  // File system operations of docker cp, export and diff, answered by "files-result" with the same `req`.
  | { type: "files"; cid: string; req: number; op: FilesOp };

export type FromWorker =
  | { type: "opened"; cid: string }
  | { type: "open-failed"; cid: string; message: string }
  | { type: "started"; cid: string; pid: number }
  | { type: "start-failed"; cid: string; pid: number; message: string; exitCode: 126 | 127 | 128 }
  | { type: "output"; cid: string; pid: number; stream: 1 | 2; data: Uint8Array }
  | { type: "exit"; cid: string; pid: number; code: number }
  | { type: "closed"; cid: string }
  | { type: "usage"; cid: string; cpu: ThreadCpu; heapBytes: number }
  | { type: "files-result"; cid: string; req: number; value?: unknown; error?: { code?: string; message: string } };

/** One operation on a container's file system (see ContainerFiles in backends/backend.ts). */
export type FilesOp =
  | { op: "lstat"; path: string }
  | { op: "readdir"; path: string }
  | { op: "read"; path: string }
  | { op: "mkdir"; path: string }
  | { op: "write"; path: string; data: Uint8Array; append: boolean }
  | { op: "symlink"; path: string; target: string }
  | { op: "link"; path: string; target: string }
  | { op: "meta"; path: string; mode: number; uid: number; gid: number; mtime: number }
  | { op: "remove"; path: string }
  | { op: "changes" };

/** CPU time of one thread, in nanoseconds, from /proc/thread-self/stat. */
export interface ThreadCpu {
  user: number;
  kernel: number;
}
