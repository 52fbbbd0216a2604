import { toBytes } from "../io.js";
import { complain, pathArg, type Utility, type UtilityCall } from "./context.js";
import { head, yes } from "./head-yes.js";
import { lsLong } from "./ls-long.js";

/**
 * Utilities whose output must flow while they run (interactive stdin,
 * long-lived idling), so they cannot be run to completion first.
 */

/** Resolves when the command is aborted (stop or kill). */
function aborted(call: UtilityCall): Promise<void> {
  return new Promise((resolve) => {
    if (call.signal.aborted) return resolve();
    call.signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

async function pumpStdin(call: UtilityCall, onChunk: (c: Uint8Array) => Promise<void>): Promise<void> {
  const stop = aborted(call).then(() => null);
  for (;;) {
    const chunk = await Promise.race([call.stdin.read(), stop]);
    if (chunk === null) return;
    await onChunk(chunk);
  }
}

const cat: Utility = async (call) => {
  const files = call.argv.slice(1).filter((a) => a !== "-u");
  if (files.some((f) => f.startsWith("-") && f !== "-")) return -1;
  let status = 0;
  for (const f of files.length ? files : ["-"]) {
    if (f === "-") {
      await pumpStdin(call, (c) => call.stdout.write(c));
      continue;
    }
    try {
      await call.stdout.write(await call.fs.readFileBuffer(pathArg(call, f)));
    } catch (e) {
      await complain(call, `${f}: ${(e as NodeJS.ErrnoException).code === "EISDIR" ? "Is a directory" : "No such file or directory"}`);
      status = 1;
    }
  }
  return status;
};

const units: Record<string, number> = { "": 1, s: 1, m: 60, h: 3600, d: 86400 };

const sleep: Utility = async (call) => {
  const args = call.argv.slice(1);
  if (args.length === 0) {
    await complain(call, "missing operand");
    return 1;
  }
  let seconds = 0;
  for (const a of args) {
    if (a === "infinity" || a === "inf") seconds = Infinity;
    const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(a);
    if (a !== "infinity" && a !== "inf") {
      if (!m) {
        await complain(call, `invalid time interval '${a}'`);
        return 1;
      }
      seconds += Number(m[1]) * units[m[2]];
    }
  }
  // A timer keeps an idle container at no CPU; infinity waits only for a signal.
  let timer: NodeJS.Timeout | undefined;
  const done = Number.isFinite(seconds) ? new Promise<void>((r) => (timer = setTimeout(r, seconds * 1000))) : new Promise<void>(() => {});
  await Promise.race([done, aborted(call)]);
  clearTimeout(timer);
  return 0;
};

const tee: Utility = async (call) => {
  const append = call.argv.includes("-a");
  const files = call.argv.slice(1).filter((a) => !a.startsWith("-"));
  for (const f of files) if (!append) await call.fs.writeFile(pathArg(call, f), "");
  await pumpStdin(call, async (c) => {
    await call.stdout.write(c);
    for (const f of files) await call.fs.appendFile(pathArg(call, f), c);
  });
  return 0;
};

/** `tail -f`: prints the end of a file, then what is appended, until stopped. */
const tailFollow: Utility = async (call) => {
  const args = call.argv.slice(1);
  const follow = args.some((a) => a === "-f" || a === "-F" || a === "--follow");
  if (!follow) return -1;
  const files = args.filter((a) => !a.startsWith("-") && !/^\d+$/.test(a));
  if (files.length !== 1) return -1;
  const path = pathArg(call, files[0]);
  if (path === "/dev/null") {
    await aborted(call);
    return 0;
  }
  let size = 0;
  try {
    const data = await call.fs.readFileBuffer(path);
    const lines = Buffer.from(data).toString("latin1").split("\n");
    await call.stdout.write(toBytes(lines.slice(-11).join("\n")));
    size = data.length;
  } catch {
    await complain(call, `cannot open '${files[0]}' for reading: No such file or directory`);
  }
  const stop = aborted(call);
  let running = true;
  void stop.then(() => (running = false));
  while (running) {
    await Promise.race([new Promise((r) => setTimeout(r, 250)), stop]);
    const data = await call.fs.readFileBuffer(path).catch(() => new Uint8Array());
    if (data.length > size) await call.stdout.write(data.subarray(size));
    size = data.length;
  }
  return 0;
};

/** Native utilities by name. A utility returning -1 declines (an option it does not handle) and the general one runs. */
export const streamingUtilities: Record<string, Utility> = { cat, sleep, tee, tail: tailFollow, head, yes, ls: lsLong };
