import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

/** Runs a command to completion; resolves with its wall time in seconds and exit code. */
export function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ seconds: number; code: number; stdout: string }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ seconds: Number(process.hrtime.bigint() - started) / 1e9, code: code ?? -1, stdout }));
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Resident set size of a process in bytes, from /proc. */
export function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}

export interface Row {
  figure: string;
  sockerless: number;
  reference: number | null;
  unit: string;
  /** sockerless / reference; lower is better for times and sizes. */
  ratio: number | null;
  note?: string;
}

export function printTable(rows: Row[]): void {
  const fmt = (v: number | null, unit: string) => (v === null ? "-" : unit === "MB" ? (v / 1e6).toFixed(1) + " MB" : unit === "s" ? v.toFixed(3) + " s" : `${v.toFixed(2)} ${unit}`);
  const lines = [["figure", "sockerless", "reference", "ratio"], ...rows.map((r) => [r.figure, fmt(r.sockerless, r.unit), fmt(r.reference, r.unit), r.ratio === null ? "-" : r.ratio.toFixed(2)])];
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  for (const l of lines) process.stdout.write(l.map((c, i) => c.padEnd(widths[i])).join("  ") + "\n");
}
