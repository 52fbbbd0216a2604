import { readFileSync } from "node:fs";
import { getHeapStatistics } from "node:v8";
import type { ThreadCpu } from "./protocol.js";

/** Linux reports per-thread times in USER_HZ ticks, which is 100 per second on every architecture Node runs on. */
const NS_PER_TICK = 1e9 / 100;

/** CPU time the calling thread has used, from the kernel's own accounting. */
export function threadCpu(): ThreadCpu {
  const stat = readFileSync("/proc/thread-self/stat", "utf8");
  // Fields after the command name, which may itself hold spaces and parentheses; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { user: Number(fields[11]) * NS_PER_TICK, kernel: Number(fields[12]) * NS_PER_TICK };
}

/** Bytes this thread's JavaScript heap holds, plus the buffers outside it that its objects own. */
export function heapBytes(): number {
  const h = getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}
