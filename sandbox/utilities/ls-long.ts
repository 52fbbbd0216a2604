import type { FullStat } from "../fs/container-fs.js";
import { complain, pathArg, type Utility, type UtilityCall } from "./context.js";

/**
 * `ls` in long format (-l, -n), as busybox prints it, from the container's
 * real modes, owners, sizes and times, and the short format with type
 * indicators (-p, -F), one name per line as busybox writes to a pipe. Other
 * listings are the general ls's.
 */

interface Lister {
  lstatFull(path: string): Promise<FullStat>;
  statFull(path: string): Promise<FullStat>;
  readdir(path: string): Promise<string[]>;
}

const FLAGS = new Set("lnaAdhrtSF1p".split(""));
const TYPE_CHAR: Record<FullStat["type"], string> = { file: "-", dir: "d", symlink: "l", fifo: "p" };
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const SIX_MONTHS_MS = 182 * 24 * 3600 * 1000;

function modeString(s: FullStat): string {
  const m = s.mode;
  const rwx = (shift: number, special: number, on: string, off: string) =>
    `${m & (4 << shift) ? "r" : "-"}${m & (2 << shift) ? "w" : "-"}${m & special ? (m & (1 << shift) ? on : off) : m & (1 << shift) ? "x" : "-"}`;
  return TYPE_CHAR[s.type] + rwx(6, 0o4000, "s", "S") + rwx(3, 0o2000, "s", "S") + rwx(0, 0o1000, "t", "T");
}

/** busybox: "Nov 27 01:39" within six months, else "Jan  1  2026". */
function dateString(mtime: Date, now: number): string {
  const d = mtime;
  const day = String(d.getUTCDate()).padStart(2, " ");
  const recent = Math.abs(now - d.getTime()) < SIX_MONTHS_MS;
  const tail = recent ? `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}` : ` ${d.getUTCFullYear()}`;
  return `${MONTHS[d.getUTCMonth()]} ${day} ${tail}`;
}

/** busybox's -h: one decimal below 10 of a unit, K, M, G. */
function human(size: number): string {
  const units = ["", "K", "M", "G", "T"];
  let n = size;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  if (u === 0) return String(size);
  return `${n < 10 ? n.toFixed(1) : Math.round(n)}${units[u]}`;
}

async function names(call: UtilityCall, file: string): Promise<Map<number, string>> {
  const text = await call.fs.readFile(file).catch(() => "");
  return new Map(text.split("\n").map((l) => l.split(":")).filter((f) => f.length > 2 && /^\d+$/.test(f[2])).map((f) => [Number(f[2]), f[0]] as [number, string]));
}

export const lsLong: Utility = async (call) => {
  const args = call.argv.slice(1);
  const flags = new Set(args.filter((a) => a.startsWith("-") && a !== "-").flatMap((a) => a.slice(1).split("")));
  const long = flags.has("l") || flags.has("n");
  const indicators = flags.has("p") || flags.has("F");
  // The general ls lists plain names.
  if (!(long || indicators) || [...flags].some((f) => !FLAGS.has(f)) || !("lstatFull" in call.fs)) return -1;
  const fs = call.fs as unknown as Lister;
  const paths = args.filter((a) => !a.startsWith("-") || a === "-");
  const users = flags.has("n") ? new Map<number, string>() : await names(call, "/etc/passwd");
  const groups = flags.has("n") ? new Map<number, string>() : await names(call, "/etc/group");
  const now = Date.now();
  const indicator = (s: FullStat) => (!indicators ? "" : s.type === "dir" ? "/" : !flags.has("F") ? "" : s.type === "symlink" ? "@" : s.type === "fifo" ? "|" : s.mode & 0o111 ? "*" : "");
  const line = async (name: string, s: FullStat, abs: string) => {
    if (!long) return `${name}${indicator(s)}\n`;
    // -p and -F mark what a link points to after its target.
    const target = s.type === "symlink" && indicators ? await fs.statFull(abs).then(indicator, () => "") : "";
    const size = flags.has("h") ? human(s.size) : String(s.size);
    const suffix = s.type === "symlink" ? ` -> ${s.link ?? ""}${target}` : indicator(s);
    const owner = (users.get(s.uid) ?? String(s.uid)).padEnd(8);
    const group = (groups.get(s.gid) ?? String(s.gid)).padEnd(8);
    return `${modeString(s)} ${String(s.type === "dir" ? 2 : 1).padStart(4)} ${owner} ${group} ${size.padStart(9)} ${dateString(s.mtime, now)} ${name}${suffix}\n`;
  };
  const order = (entries: [string, FullStat][]) => {
    if (flags.has("t")) entries.sort((a, b) => b[1].mtime.getTime() - a[1].mtime.getTime() || a[0].localeCompare(b[0]));
    else if (flags.has("S")) entries.sort((a, b) => b[1].size - a[1].size || a[0].localeCompare(b[0]));
    else entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return flags.has("r") ? entries.reverse() : entries;
  };

  let status = 0;
  const files: [string, FullStat][] = [];
  const dirs: [string, string][] = [];
  for (const p of paths.length ? paths : ["."]) {
    const abs = pathArg(call, p);
    try {
      const s = await fs.lstatFull(abs);
      const followed = s.type === "symlink" && !flags.has("d") && p.endsWith("/") ? await fs.statFull(abs) : s;
      if (followed.type === "dir" && !flags.has("d")) dirs.push([p, abs]);
      else files.push([p, s]);
    } catch {
      await complain(call, `${p}: No such file or directory`);
      status = 1;
    }
  }
  const lines = async (entries: [string, FullStat][], path: (name: string) => string) => (await Promise.all(order(entries).map(([n, s]) => line(n, s, path(n))))).join("");
  let out = await lines(files, (n) => pathArg(call, n));
  for (const [label, abs] of dirs) {
    const entries: [string, FullStat][] = [];
    const list = await fs.readdir(abs);
    const shown = flags.has("a") ? [".", "..", ...list] : list.filter((n) => flags.has("A") || !n.startsWith("."));
    for (const n of shown) entries.push([n, await fs.lstatFull(n === "." ? abs : n === ".." ? `${abs}/..` : `${abs.replace(/\/$/, "")}/${n}`)]);
    // Blocks of 1 KiB, each file taking whole 4 KiB blocks, as a typical file system allocates them.
    const total = entries.reduce((t, [, s]) => t + (s.type === "symlink" ? 0 : Math.ceil(s.size / 4096) * 4), 0);
    if (paths.length > 1 || files.length > 0) out += `${out ? "\n" : ""}${label}:\n`;
    out += (long ? `total ${total}\n` : "") + (await lines(entries, (n) => `${abs.replace(/\/$/, "")}/${n}`));
  }
  await call.stdout.write(out);
  return status;
};
