import type { Backend } from "../../backends/backend.js";
import { ProcessStartError } from "../../backends/backend.js";
import type { ContainerConfig } from "./config.js";
import { processEnv } from "./config.js";
import { nowIso as now } from "../clock.js";

/** Docker's State.Health. */
export interface Health {
  Status: "starting" | "healthy" | "unhealthy";
  FailingStreak: number;
  Log: ProbeResult[];
}

export interface ProbeResult {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

export interface Healthcheck {
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

const SECOND_NS = 1_000_000_000;
const DEFAULT_INTERVAL_NS = 30 * SECOND_NS;
const DEFAULT_TIMEOUT_NS = 30 * SECOND_NS;
const DEFAULT_START_INTERVAL_NS = 5 * SECOND_NS;
const DEFAULT_RETRIES = 3;
const MAX_LOG_ENTRIES = 5;
const MAX_OUTPUT = 4096;

/** The probe's argv, or undefined when the container has no (or a disabled) health check, as moby's getProbe. */
export function probeCommand(config: ContainerConfig): string[] | undefined {
  const test = (config.Healthcheck as Healthcheck | undefined)?.Test;
  if (!test?.length) return undefined;
  if (test[0] === "CMD") return test.slice(1);
  if (test[0] === "CMD-SHELL") return [...((config.Shell as string[] | undefined) ?? ["/bin/sh", "-c"]), test.slice(1).join(" ")];
  return undefined;
}

/** The Health a (re)started container begins with: its earlier log is kept, as dockerd keeps it. */
export function startingHealth(config: ContainerConfig, previous: Health | undefined): Health | undefined {
  if (!probeCommand(config)) return undefined;
  return { Status: "starting", FailingStreak: 0, Log: previous?.Log ?? [] };
}

/** A Go time.Duration as Go prints it ("30s", "1.5s", "500ms", "1m0s"), for Docker's timeout message. */
export function goDuration(ns: number): string {
  if (ns === 0) return "0s";
  if (ns < 1000) return `${ns}ns`;
  if (ns < 1_000_000) return `${trim(ns / 1000)}µs`;
  if (ns < SECOND_NS) return `${trim(ns / 1_000_000)}ms`;
  const h = Math.floor(ns / (3600 * SECOND_NS));
  const m = Math.floor((ns % (3600 * SECOND_NS)) / (60 * SECOND_NS));
  const s = trim((ns % (60 * SECOND_NS)) / SECOND_NS);
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

const trim = (n: number) => String(Number(n.toFixed(9)));

export interface HealthHost {
  backend: Backend;
  /** The container's current record, or undefined once it is gone. */
  lookup(id: string): { config: ContainerConfig; hostConfig: { GroupAdd?: string[] | null }; state: { StartedAt: string; Health?: Health }; id: string } | undefined;
  /** Stores a new Health; `changed` when its status differs from before. */
  record(id: string, health: Health, changed: boolean): void;
  spec(id: string): Parameters<Backend["startProcess"]>[0];
}

/**
 * Runs each running container's health check on Docker's schedule: a probe
 * every Interval (StartInterval while starting within StartPeriod), killed
 * after Timeout; Retries failures in a row make it unhealthy, failures during
 * the start period do not count, a success makes it healthy.
 */
export class HealthMonitor {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly host: HealthHost) {}

  watch(id: string): void {
    this.unwatch(id);
    this.schedule(id);
  }

  unwatch(id: string): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
  }

  close(): void {
    for (const id of [...this.timers.keys()]) this.unwatch(id);
  }

  private schedule(id: string): void {
    const c = this.host.lookup(id);
    if (!c || !c.state.Health || !probeCommand(c.config)) return;
    const hc = (c.config.Healthcheck ?? {}) as Healthcheck;
    const inStartPeriod = c.state.Health.Status === "starting" && this.sinceStartNs(c.state.StartedAt) < (hc.StartPeriod ?? 0);
    const intervalNs = inStartPeriod ? hc.StartInterval || DEFAULT_START_INTERVAL_NS : hc.Interval || DEFAULT_INTERVAL_NS;
    this.timers.set(
      id,
      setTimeout(() => {
        void this.probe(id).then(() => {
          if (this.timers.has(id)) this.schedule(id);
        });
      }, intervalNs / 1_000_000),
    );
  }

  private sinceStartNs(startedAt: string): number {
    return (Date.now() - Date.parse(startedAt)) * 1_000_000;
  }

  private async probe(id: string): Promise<void> {
    const c = this.host.lookup(id);
    const argv = c && probeCommand(c.config);
    if (!c || !argv || !c.state.Health) return;
    const hc = (c.config.Healthcheck ?? {}) as Healthcheck;
    const timeoutNs = hc.Timeout || DEFAULT_TIMEOUT_NS;
    const start = now();
    const result = await this.run(id, c.config, c.hostConfig.GroupAdd ?? [], argv, timeoutNs).catch((err: Error) => ({ exitCode: -1, output: err.message }));
    const latest = this.host.lookup(id);
    if (!latest?.state.Health || !this.timers.has(id)) return;
    const health: Health = { ...latest.state.Health, Log: [...latest.state.Health.Log, { Start: start, End: now(), ExitCode: result.exitCode, Output: result.output }].slice(-MAX_LOG_ENTRIES) };
    if (result.exitCode === 0) {
      health.FailingStreak = 0;
      health.Status = "healthy";
    } else if (!(health.Status === "starting" && Date.parse(start) - Date.parse(latest.state.StartedAt) < (hc.StartPeriod ?? 0) / 1_000_000)) {
      health.FailingStreak++;
      if (health.FailingStreak >= (hc.Retries && hc.Retries > 0 ? hc.Retries : DEFAULT_RETRIES)) health.Status = "unhealthy";
    }
    this.host.record(id, health, health.Status !== latest.state.Health.Status);
  }

  private async run(id: string, config: ContainerConfig, groups: string[], argv: string[], timeoutNs: number): Promise<{ exitCode: number; output: string }> {
    let handle;
    try {
      handle = await this.host.backend.startProcess(
        this.host.spec(id),
        { argv, env: processEnv(config), cwd: config.WorkingDir || "/", user: config.User ?? "", groups, hostname: config.Hostname ?? "", tty: false, stdin: false },
        true,
      );
    } catch (err) {
      if (err instanceof ProcessStartError) return { exitCode: -1, output: err.message };
      throw err;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    handle.onOutput((_stream, data) => {
      if (size < MAX_OUTPUT) chunks.push(data.subarray(0, MAX_OUTPUT - size));
      size += data.length;
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutNs / 1_000_000)));
    const outcome = await Promise.race([handle.exited, timedOut]);
    clearTimeout(timer);
    if (outcome === "timeout") {
      handle.signal("SIGKILL");
      return { exitCode: -1, output: `Health check exceeded timeout (${goDuration(timeoutNs)})` };
    }
    return { exitCode: outcome.exitCode, output: Buffer.concat(chunks).toString("utf8") };
  }
}
