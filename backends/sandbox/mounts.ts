import { mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import type { InitMount } from "../../sandbox/worker/protocol.js";
import type { MountSpec } from "../backend.js";

/** The tmpfs directories of one run, beside the container's changes; gone when the run ends, as a tmpfs is. */
export interface RunTmpfs {
  dir(index: number): string;
  remove(): void;
}

export function runTmpfs(upperDir: string, cid: string): RunTmpfs {
  const base = join(dirname(upperDir), "tmpfs", cid.replace(/[^0-9a-z]/gi, "_"));
  return {
    dir(index) {
      const d = join(base, String(index));
      mkdirSync(d, { recursive: true, mode: 0o1777 });
      return d;
    },
    remove: () => rmSync(base, { recursive: true, force: true }),
  };
}

/** The mounts a host thread shows: tmpfs mounts get this run's directories; without a run they are left out. */
export function initMounts(mounts: MountSpec[], tmpfs: RunTmpfs | undefined): InitMount[] {
  return mounts.flatMap((m, i) => {
    if (m.type !== "tmpfs") return [{ destination: m.destination, source: m.source, readOnly: m.readOnly, copyImageContent: m.copyImageContent }];
    return tmpfs ? [{ destination: m.destination, source: tmpfs.dir(i), readOnly: m.readOnly, copyImageContent: false }] : [];
  });
}
