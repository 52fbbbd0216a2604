import { machine, release, version } from "node:os";
import type { Identity } from "../identity.js";
import { complain, type UtilityCall } from "./context.js";

/** Utilities that answer from the process's identity and the container's hostname, not the host's. */

const named = (id: number, name: string) => (name ? `${id}(${name})` : String(id));

/** id [-u|-g|-G] [-n]: busybox's output for the process's user. */
async function id(call: UtilityCall, who: Identity): Promise<number> {
  const flags = call.argv.slice(1).join("").replace(/-/g, "");
  if (/[^ugGn]/.test(flags)) {
    await complain(call, `invalid option -- '${flags.replace(/[ugGn]/g, "")[0]}'`);
    return 1;
  }
  const pick = (n: number, name: string) => (flags.includes("n") ? name || String(n) : String(n));
  const all = [{ gid: who.gid, name: who.group }, ...who.groups];
  let line: string;
  if (flags.includes("u")) line = pick(who.uid, who.name);
  else if (flags.includes("G")) line = all.map((g) => pick(g.gid, g.name)).join(" ");
  else if (flags.includes("g")) line = pick(who.gid, who.group);
  else line = `uid=${named(who.uid, who.name)} gid=${named(who.gid, who.group)} groups=${all.map((g) => named(g.gid, g.name)).join(",")}`;
  await call.stdout.write(`${line}\n`);
  return 0;
}

async function whoami(call: UtilityCall, who: Identity): Promise<number> {
  if (!who.name) {
    await complain(call, `unknown uid ${who.uid}`);
    return 1;
  }
  await call.stdout.write(`${who.name}\n`);
  return 0;
}

/** hostname: the container's, as /etc/hostname holds it. */
async function hostname(call: UtilityCall): Promise<number> {
  const text = await call.fs.readFile("/etc/hostname").catch(() => "");
  await call.stdout.write(`${text.split("\n")[0]}\n`);
  return 0;
}

/**
 * uname [-asnrvmpio]: the kernel is the host's, as in any container; the node
 * name is the container's hostname. Fields print in busybox's order.
 */
async function uname(call: UtilityCall): Promise<number> {
  const flags = call.argv.slice(1).join("").replace(/-/g, "");
  if (/[^asnrvmpio]/.test(flags)) {
    await complain(call, `invalid option -- '${flags.replace(/[asnrvmpio]/g, "")[0]}'`);
    return 1;
  }
  const node = (await call.fs.readFile("/etc/hostname").catch(() => "")).split("\n")[0];
  const fields: [string, string][] = [
    ["s", "Linux"],
    ["n", node],
    ["r", release()],
    ["v", version()],
    ["m", machine()],
    ["p", "unknown"],
    ["i", "unknown"],
    ["o", "GNU/Linux"],
  ];
  const all = flags.includes("a");
  const wanted = flags === "" ? "s" : flags;
  // -a leaves out what busybox does not know (processor, platform).
  const line = fields.filter(([f]) => (all ? f !== "p" && f !== "i" : wanted.includes(f))).map(([, v]) => v);
  await call.stdout.write(`${line.join(" ")}\n`);
  return 0;
}

export const identityUtilities: Record<string, (call: UtilityCall, who: Identity) => Promise<number>> = { id, whoami, hostname, uname };
