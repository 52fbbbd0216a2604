import type { FileInfo } from "../backend.js";

/**
 * The sh scripts ShellFiles runs and the parsing of what they print. They use
 * only forms that work alike in GNU coreutils, busybox and the sandbox's
 * utilities: `ls -lnd` for type, mode, owner, size and link target, `find
 * -printf` (GNU, sandbox) or else `stat -c` (busybox) for times. What comes
 * back is framed base64 with the body's status last, so a terminal's CR LF
 * and echoed input cannot change it. Each script is one line: ECS Exec
 * passes it as a command line.
 */

/** Quotes a word for sh. */
export const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

const FRAME = "sockerless-files";

/** Runs `body` with no input and frames its stdout; its stderr is dropped. */
export function queryScript(body: string): string {
  return ["exec </dev/null 2>/dev/null", "export LC_ALL=C", "unset TIME_STYLE", `echo ${FRAME}`, `{ ${body}; printf '\\n%d' $?; } | base64`, `echo ${FRAME}`].join("; ");
}

/**
 * Runs `steps` in order, stopping at the first that fails, with the input on
 * fd 3. Their output (error messages) is framed only once they end: by then
 * every input line a terminal echoes has been echoed, ahead of the frame.
 */
export function applyScript(steps: string[]): string {
  return ["exec 3<&0 </dev/null", "export LC_ALL=C", `out=$( { ${steps.join(" && ")}; } 2>&1 )`, "s=$?", `echo ${FRAME}`, `{ printf '%s' "$out"; printf '\\n%d' $s; } | base64`, `echo ${FRAME}`].join("; ");
}

/** Where the line holding only FRAME (CR LF or LF ended) starts at or after `from`, and where the next line starts. */
function frameLine(out: Buffer, from: number): { start: number; next: number } | undefined {
  for (let at = out.indexOf(FRAME, from); at >= 0; at = out.indexOf(FRAME, at + 1)) {
    if (at > 0 && out[at - 1] !== 10) continue;
    let end = at + FRAME.length;
    if (out[end] === 13) end++;
    if (out[end] === 10) return { start: at, next: end + 1 };
  }
  return undefined;
}

/** Decodes base64 lines without making one string of them all: a file read out may be larger than a string can be. */
function decodeLines(text: Buffer): Buffer {
  const compact = Buffer.alloc(text.length);
  let size = 0;
  for (let at = 0; at < text.length; ) {
    let end = text.indexOf(10, at);
    if (end < 0) end = text.length;
    size += text.copy(compact, size, at, text[end - 1] === 13 ? end - 1 : end);
    at = end + 1;
  }
  const SLICE = 4 * 1024 * 1024;
  const parts: Buffer[] = [];
  for (let at = 0; at < size; at += SLICE) parts.push(Buffer.from(compact.subarray(at, Math.min(at + SLICE, size)).toString("latin1"), "base64"));
  return Buffer.concat(parts);
}

/** What a framed script printed, and its body's status. */
export function unframe(stdout: Buffer, exitCode: number): { output: Buffer; status: number } {
  const first = frameLine(stdout, 0);
  const second = first && frameLine(stdout, first.next);
  if (!first || !second) throw new Error(`the container's shell did not run the script (exit code ${exitCode}): ${stdout.subarray(0, 500).toString("utf8").trim()}`);
  const payload = decodeLines(stdout.subarray(first.next, second.start));
  const cut = payload.lastIndexOf(10);
  return { output: payload.subarray(0, cut), status: Number(payload.subarray(cut + 1).toString()) };
}

/** Input for `head -c N | base64 -d`: short lines, as a terminal's canonical input takes at most 4096 bytes a line. */
export function encodeInput(data: Buffer): Buffer {
  return Buffer.from((data.toString("base64").match(/.{1,76}/g) ?? []).map((l) => l + "\n").join(""));
}

/** Each path's metadata; for a directory `listed`, also each of its entries'. */
export function statScript(paths: string[], listed?: string): string {
  const lines = [`set -- ${paths.map(quote).join(" ")}`];
  if (listed !== undefined) {
    const prefix = listed === "/" ? "" : quote(listed);
    lines.push(`if [ -d ${quote(listed)} ] && [ ! -L ${quote(listed)} ]; then set -- "$@" ${prefix}/* ${prefix}/.[!.]* ${prefix}/..?*; fi`);
  }
  // -i (inode numbers, which tell hard links apart) is GNU's and busybox's, not the sandbox's.
  lines.push(`if ls -lnid / >/dev/null 2>&1; then ls -lnid "$@"; else ls -lnd "$@"; fi`, "echo", `find "$@" -maxdepth 0 -printf '%T@ %p\\n' || stat -c '%Y %n' "$@"`);
  return lines.join("; ");
}

const TYPES: Record<string, FileInfo["type"]> = { "-": "file", d: "dir", l: "symlink", p: "fifo" };
const LS_LINE = /^(?:\s*(\d+)\s+)?([-dlpcbs])([-r][-w][-xsS][-r][-w][-xsS][-r][-w][-xtT])\S*\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+\S+\s+\S+\s+\S+ (\/.*)$/;

function modeOf(bits: string): number {
  let mode = 0;
  for (let i = 0; i < 9; i++) if (!"-ST".includes(bits[i])) mode |= 1 << (8 - i);
  if ("sS".includes(bits[2])) mode |= 0o4000;
  if ("sS".includes(bits[5])) mode |= 0o2000;
  if ("tT".includes(bits[8])) mode |= 0o1000;
  return mode;
}

/** Parses statScript's output: path → metadata. Devices and sockets, which FileInfo cannot describe, are left out. */
export function parseStats(output: Buffer): Map<string, FileInfo> {
  const [listing, times = ""] = output.toString("utf8").split("\n\n");
  const mtimes = new Map<string, number>();
  for (const line of times.split("\n")) {
    const space = line.indexOf(" ");
    const seconds = Number(line.slice(0, space));
    if (space > 0 && Number.isFinite(seconds)) mtimes.set(line.slice(space + 1), Math.round(seconds * 1000));
  }
  const stats = new Map<string, FileInfo>();
  for (const line of listing.split("\n")) {
    const m = LS_LINE.exec(line);
    const type = m && TYPES[m[2]];
    if (!m || !type) continue;
    const [, inode, , bits, links, uid, gid, size] = m;
    let path = m[8];
    let link: string | undefined;
    if (type === "symlink") {
      const arrow = path.indexOf(" -> ");
      link = path.slice(arrow + 4);
      path = path.slice(0, arrow);
    }
    // A file with several names shares its inode among them.
    const identity = type === "file" && inode && Number(links) > 1 ? `inode:${inode}` : undefined;
    stats.set(path, { type, mode: modeOf(bits), uid: Number(uid), gid: Number(gid), size: Number(size), mtime: mtimes.get(path) ?? 0, ...(link !== undefined ? { link } : {}), ...(identity ? { identity } : {}) });
  }
  return stats;
}

/** Sets owner (where the container's user may), mode and time; `touch -d @S` is GNU's (and newer busybox's), the ISO form the sandbox's, `-t` POSIX's. */
export function setMetaStep(path: string, meta: { mode: number; uid: number; gid: number; mtime: number }): string {
  const p = quote(path);
  const seconds = Math.floor(meta.mtime / 1000);
  const iso = new Date(seconds * 1000).toISOString();
  const stamp = iso.replace(/[-:T]/g, "").replace(/(\d\d)\.\d+Z$/, ".$1");
  return `{ chown ${meta.uid}:${meta.gid} ${p} 2>/dev/null || :; } && chmod ${(meta.mode & 0o7777).toString(8)} ${p} && { touch -d @${seconds} ${p} 2>/dev/null || touch -d ${iso} ${p} 2>/dev/null || TZ=UTC0 touch -t ${stamp} ${p}; }`;
}
