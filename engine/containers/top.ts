import type { Backend, ContainerProcess } from "../../backends/backend.js";
import { ConflictError, NotImplementedError } from "../errors.js";
import type { Container } from "./manager.js";

export interface TopResponse {
  Titles: string[];
  Processes: string[][];
}

const TITLES = ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * `docker top`: the container's processes in the columns of dockerd's
 * default `ps -ef`. The backend measures no per-process CPU, so C and TIME
 * are 0, as ps prints for a process that has not used a clock tick.
 */
export async function top(c: Container, running: boolean, backend: Backend, psArgs: string | undefined, now = new Date()): Promise<TopResponse> {
  if (c.state.Status === "restarting") throw new ConflictError(`Container ${c.id} is restarting, wait until the container is running`);
  if (!running) throw new ConflictError(`container ${c.id} is not running`);
  const b = backend.describe(c.config.Labels ?? {});
  const listed = await backend.listProcesses?.(c.id, psArgs ?? "");
  if (listed) return listed;
  if (!backend.processes) throw new NotImplementedError(`listing a container's processes (top) is not supported by the ${b.name} backend`);
  const args = (psArgs ?? "").trim();
  if (args !== "" && args !== "-ef" && args !== "-e -f" && args !== "-f -e") {
    throw new NotImplementedError(`ps_args "${args}" are not supported by the ${b.name} backend: top lists processes as ps -ef does`);
  }
  return { Titles: TITLES, Processes: backend.processes(c.id).map((p) => psRow(p, now)) };
}

export function psRow(p: ContainerProcess, now: Date): string[] {
  const user = p.user.split(":")[0] || "root";
  return [user, String(p.pid), String(p.ppid), "0", startTime(new Date(p.startedAt), now), p.tty ? "pts/0" : "?", "00:00:00", p.argv.join(" ")];
}

/** ps's STIME: the time today, the month and day this year, else the year (local time, as ps prints it). */
export function startTime(started: Date, now: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  if (started.toDateString() === now.toDateString()) return `${two(started.getHours())}:${two(started.getMinutes())}`;
  if (started.getFullYear() === now.getFullYear()) return `${MONTHS[started.getMonth()]}${two(started.getDate())}`;
  return String(started.getFullYear());
}
