import { getHeapStatistics } from "node:v8";
import { isMainThread, workerData } from "node:worker_threads";

/** The exit code of a host thread that ended because its container ran out of memory. */
export const OUT_OF_MEMORY_EXIT = 137;

/** A container's memory limit, on the thread it has to itself; 0 elsewhere. */
const limit: number = !isMainThread && typeof workerData?.memoryBytes === "number" ? workerData.memoryBytes : 0;

/**
 * Enforces the container's memory limit before V8's own heap limit is hit:
 * V8 ends the whole daemon, not just the thread, when one allocation
 * overshoots its limit by much (a string doubled in a loop). The thread's V8
 * limit leaves room above the container's, and this ends the thread (the
 * container is OOM-killed) once the heap, plus `more` bytes about to be
 * taken, passes the container's.
 */
export function reserveMemory(more = 0): void {
  if (limit > 0 && getHeapStatistics().used_heap_size + more > limit) process.exit(OUT_OF_MEMORY_EXIT);
}
