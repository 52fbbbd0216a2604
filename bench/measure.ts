import { spawn } from "node:child_process";
import { openSync, closeSync } from "node:fs";

/**
 * Runs a command to completion; resolves with its wall time in seconds, exit code,
 * stdout and its size (`countOnly`: only the size; `devNull`: stdout goes to /dev/null).
 */
export function timed(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  opts: { devNull?: boolean; countOnly?: boolean } = {},
): Promise<{ seconds: number; code: number; stdout: string; bytes: number }> {
  const devNull = opts.devNull ? openSync("/dev/null", "w") : undefined;
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", devNull ?? "pipe", "inherit"] });
    let stdout = "";
    let bytes = 0;
    child.stdout?.on("data", (d: Buffer) => {
      bytes += d.length;
      if (!opts.countOnly) stdout += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (devNull !== undefined) closeSync(devNull);
      resolve({ seconds, code: code ?? -1, stdout, bytes });
    });
  });
}

/** Wall time of an async function, in seconds. */
export async function clock<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const started = process.hrtime.bigint();
  const value = await fn();
  return [Number(process.hrtime.bigint() - started) / 1e9, value];
}

export function median(xs: number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile (p in 0..100) of a non-empty sample. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (p === 50) {
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  }
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How a figure is shown; `higher` marks figures where more is better (throughputs). */
export type Unit = "s" | "ms" | "MB" | "MB/s" | "containers/s" | "req/s";
const HIGHER: Unit[] = ["MB/s", "containers/s", "req/s"];

export interface Row {
  /** Which benchmark (1..8) the figure belongs to. */
  bench: number;
  figure: string;
  sockerless: number | null;
  reference: number | null;
  unit: Unit;
  /** sockerless / reference. */
  ratio: number | null;
  /** true when more is better for this unit. */
  higherIsBetter: boolean;
  /** The target, as text (e.g. ">= 5x reference"), and whether this run met it. */
  target?: string;
  met?: boolean;
  note?: string;
}

export function row(bench: number, figure: string, unit: Unit, sockerless: number | null, reference: number | null, extra: Partial<Row> = {}): Row {
  const ratio = sockerless !== null && reference !== null && reference !== 0 ? sockerless / reference : null;
  return { bench, figure, unit, sockerless, reference, ratio, higherIsBetter: HIGHER.includes(unit), ...extra };
}

/** A target as a ratio bound: "higher" ratios must be >= bound, others <= bound. */
export function withTarget(r: Row, bound: number, text: string): Row {
  const met = r.ratio === null ? undefined : r.higherIsBetter ? r.ratio >= bound : r.ratio <= bound;
  return { ...r, target: text, met };
}

export function format(v: number | null, unit: Unit): string {
  if (v === null || Number.isNaN(v)) return "-";
  switch (unit) {
    case "MB":
      return (v / 1e6).toFixed(1) + " MB";
    case "s":
      return v.toFixed(3) + " s";
    case "ms":
      return (v < 10 ? v.toFixed(2) : v.toFixed(1)) + " ms";
    default:
      return (v < 100 ? v.toFixed(1) : v.toFixed(0)) + " " + unit;
  }
}

export function table(rows: Row[]): string {
  const head = ["#", "figure", "sockerless", "reference", "ratio", "target"];
  const lines = [
    head,
    ...rows.map((r) => [
      String(r.bench),
      r.figure,
      format(r.sockerless, r.unit),
      format(r.reference, r.unit),
      r.ratio === null ? "-" : r.ratio.toFixed(2) + (r.higherIsBetter ? " ↑" : " ↓"),
      r.target ? `${r.target} ${r.met === undefined ? "?" : r.met ? "met" : "MISSED"}` : "",
    ]),
  ];
  const widths = head.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  const out = lines.map((l) => l.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd());
  out.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  return out.join("\n") + "\n";
}
