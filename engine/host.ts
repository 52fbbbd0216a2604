import { readFileSync, readdirSync } from "node:fs";
import os from "node:os";

/** Real facts about the machine the daemon runs on, for /info and /version. */
export interface HostFacts {
  hostname: string;
  kernelVersion: string;
  operatingSystem: string;
  osVersion: string;
  /** uname -m spelling, as /info reports it. */
  architecture: string;
  /** GOARCH spelling, as /version reports it. */
  arch: string;
  ncpu: number;
  memTotal: number;
}

function osRelease(): Record<string, string> {
  try {
    const out: Record<string, string> = {};
    for (const line of readFileSync("/etc/os-release", "utf8").split("\n")) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line);
      if (m) out[m[1]] = m[2].replace(/^"(.*)"$/, "$1");
    }
    return out;
  } catch {
    return {};
  }
}

const goArch: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", s390x: "s390x", ppc64: "ppc64le", riscv64: "riscv64" };

export function hostFacts(): HostFacts {
  const rel = osRelease();
  return {
    hostname: os.hostname(),
    kernelVersion: os.release(),
    operatingSystem: rel.PRETTY_NAME ?? os.type(),
    osVersion: rel.VERSION_ID ?? "",
    architecture: os.machine(),
    arch: goArch[process.arch] ?? process.arch,
    ncpu: os.availableParallelism(),
    memTotal: os.totalmem(),
  };
}

/** Open file descriptors of this process. */
export function openFileCount(): number {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return 0;
  }
}
