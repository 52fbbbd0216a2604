import { readFileSync, readdirSync } from "node:fs";

/** Resident set size of a process in bytes (VmRSS), 0 if it is gone. */
export function rss(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

interface Proc {
  pid: number;
  ppid: number;
  args: string;
}

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // The command name in parentheses may hold spaces; the PPID is the second field after it.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const args = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").join(" ").trim();
      out.push({ pid: Number(name), ppid, args });
    } catch {
      // exited while we looked
    }
  }
  return out;
}

function descendants(all: Proc[], roots: number[]): number[] {
  const seen = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) if (!seen.has(p.pid) && seen.has(p.ppid)) (seen.add(p.pid), (grew = true));
  }
  return [...seen];
}

export interface EngineRss {
  /** The engine's own processes: for the reference dockerd + containerd + every shim; for sockerless its one process. */
  engine: number;
  /** The containers' own processes (reference only: what runs under the shims). */
  containers: number;
  processes: number;
}

/**
 * The reference engine's memory: dockerd, its containerd (a child), and the
 * containerd-shim-runc-v2 processes of this containerd (reparented to init,
 * found by the containerd address on their command line, under EXEC_ROOT).
 */
export function referenceRss(dockerdPid: number, execRoot: string): EngineRss {
  const all = processes();
  const daemons = descendants(all, [dockerdPid]);
  const address = `${execRoot}/containerd/containerd.sock`;
  const shims = all.filter((p) => p.args.includes("containerd-shim") && p.args.includes(address)).map((p) => p.pid);
  const underShims = descendants(all, shims).filter((pid) => !shims.includes(pid));
  const engine = new Set([...daemons, ...shims]);
  let bytes = 0;
  for (const pid of engine) bytes += rss(pid);
  let containers = 0;
  for (const pid of underShims) if (!engine.has(pid)) containers += rss(pid);
  return { engine: bytes, containers, processes: engine.size };
}

/** Sockerless runs containers inside its one process (worker threads included). */
export function sockerlessRss(pid: number): EngineRss {
  return { engine: rss(pid), containers: 0, processes: 1 };
}
