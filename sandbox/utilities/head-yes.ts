import { toBytes } from "../io.js";
import { complain, pathArg, type Utility } from "./context.js";

/**
 * `head` and `yes` stream: head stops reading once it has its lines, and yes
 * writes until its reader is gone, so `yes | head -n 3` ends as it does on
 * Linux (the general utilities read their input to its end first).
 */

/** head [-n N | -c N | -N] [FILE]...; other forms are the general head's. */
export const head: Utility = async (call) => {
  const args = call.argv.slice(1);
  let lines = 10;
  let bytes: number | undefined;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);
    if (/^-\d+$/.test(a)) lines = Number(a.slice(1));
    else if (a === "-n" || a === "-c" || /^-[nc]\d+$/.test(a)) {
      const n = value(a.length > 2 ? a.slice(2) : args[++i]);
      if (n === undefined) return -1;
      if (a.startsWith("-n")) lines = n;
      else bytes = n;
    } else if (a.startsWith("-") && a !== "-") return -1;
    else files.push(a);
  }
  if (files.length > 1) return -1;
  const take = (data: Uint8Array, state: { lines: number; bytes?: number }): { out: Uint8Array; done: boolean } => {
    if (state.bytes !== undefined) {
      const out = data.subarray(0, state.bytes);
      state.bytes -= out.length;
      return { out, done: state.bytes === 0 };
    }
    let end = 0;
    while (state.lines > 0 && end < data.length) {
      const nl = data.indexOf(10, end);
      if (nl < 0) return { out: data, done: false };
      end = nl + 1;
      state.lines--;
    }
    return { out: data.subarray(0, end), done: state.lines === 0 };
  };
  const state = { lines, bytes };
  if (files.length === 1 && files[0] !== "-") {
    try {
      const { out } = take(await call.fs.readFileBuffer(pathArg(call, files[0])), state);
      await call.stdout.write(out);
      return 0;
    } catch {
      await complain(call, `${files[0]}: No such file or directory`);
      return 1;
    }
  }
  if (state.lines === 0 || state.bytes === 0) return 0;
  for (;;) {
    const chunk = await call.stdin.read();
    if (chunk === null) return 0;
    const { out, done } = take(chunk, state);
    if (out.length) await call.stdout.write(out);
    if (done) return 0;
  }
};

/** yes [STRING...]: the line, again and again, until the reader goes away. */
export const yes: Utility = async (call) => {
  const line = `${call.argv.length > 1 ? call.argv.slice(1).join(" ") : "y"}\n`;
  const chunk = toBytes(line.repeat(Math.max(1, Math.floor(4096 / line.length))));
  while (!call.signal.aborted) {
    await call.stdout.write(chunk);
    // Output that is not a pipe never pushes back; let the host thread hear a stop between chunks.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return 0;
};
