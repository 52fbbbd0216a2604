import { InvalidParameterError } from "../errors.js";
import type { ContainerDefaults } from "./store.js";

/** The instructions dockerd accepts in commit and import `changes` (validCommitCommands). */
const VALID = new Set(["cmd", "entrypoint", "healthcheck", "env", "expose", "label", "onbuild", "stopsignal", "user", "volume", "workdir"]);

type Config = ContainerDefaults & Record<string, unknown>;

/** The value of $NAME, ${NAME}, ${NAME:-default} or ${NAME:+alternative} at the start of `text`, and how many characters it took. */
function variable(text: string, env: string[], escape: string): { value: string; length: number } | undefined {
  const m = /^\$(?:\{(\w+)(?::([-+])([^}]*))?\}|(\w+))/.exec(text);
  if (!m) return undefined;
  const name = m[1] ?? m[4];
  const value = env.find((e) => e.startsWith(`${name}=`))?.slice(name.length + 1);
  if (m[2] === "-") return { value: value ? value : splitWords(m[3], env, escape).join(" "), length: m[0].length };
  if (m[2] === "+") return { value: value ? splitWords(m[3], env, escape).join(" ") : "", length: m[0].length };
  return { value: value ?? "", length: m[0].length };
}

/**
 * Words of an instruction's arguments with quotes and escapes removed and
 * $VAR / ${VAR} (with the :- and :+ modifiers) taken from `env`, the first
 * entry of a name winning; `escape` is the Dockerfile's escape character.
 */
export function splitWords(text: string, env: string[], escape = "\\"): string[] {
  const out: string[] = [];
  let cur: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (/\s/.test(ch) && cur !== undefined) {
      out.push(cur);
      cur = undefined;
    } else if (/\s/.test(ch)) continue;
    else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new InvalidParameterError("unexpected end of statement while looking for matching single-quote");
      cur = (cur ?? "") + text.slice(i + 1, end);
      i = end;
    } else if (ch === '"') {
      let s = "";
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === escape && i + 1 < text.length) s += text[++i];
        else if (text[i] === "$") {
          const v = variable(text.slice(i), env, escape);
          if (v) {
            s += v.value;
            i += v.length - 1;
          } else s += "$";
        } else s += text[i];
      }
      if (i >= text.length) throw new InvalidParameterError("unexpected end of statement while looking for matching double-quote");
      cur = (cur ?? "") + s;
    } else if (ch === escape && i + 1 < text.length) cur = (cur ?? "") + text[++i];
    else if (ch === "$") {
      const v = variable(text.slice(i), env, escape);
      if (v) {
        cur = (cur ?? "") + v.value;
        i += v.length - 1;
      } else cur = (cur ?? "") + "$";
    } else cur = (cur ?? "") + ch;
  }
  if (cur !== undefined) out.push(cur);
  return out;
}

/** KEY=VALUE pairs, or the legacy "KEY VALUE" form. */
export function keyValues(instruction: string, args: string, env: string[], escape = "\\"): [string, string][] {
  const ws = splitWords(args, env, escape);
  if (ws.length === 0) throw new InvalidParameterError(`${instruction.toUpperCase()} requires at least one argument`);
  if (!ws[0].includes("=")) {
    const value = args.trim().slice(args.trim().search(/\s/) + 1).trim();
    if (ws.length < 2) throw new InvalidParameterError(`${instruction.toUpperCase()} must have two arguments`);
    return [[ws[0], splitWords(value, env, escape).join(" ")]];
  }
  return ws.map((w) => {
    const eq = w.indexOf("=");
    if (eq <= 0) throw new InvalidParameterError(`${instruction.toUpperCase()} names can not be blank`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}

/** The JSON-array form of CMD/ENTRYPOINT/VOLUME/SHELL, or undefined for the shell form. */
export function jsonForm(args: string): string[] | undefined {
  if (!args.trim().startsWith("[")) return undefined;
  try {
    const v = JSON.parse(args) as unknown;
    if (Array.isArray(v) && v.every((s) => typeof s === "string")) return v as string[];
  } catch {
    // Not valid JSON: dockerd takes it as the shell form.
  }
  return undefined;
}

function command(args: string, config: Config): string[] {
  return jsonForm(args) ?? [...(config.Shell?.length ? config.Shell : ["/bin/sh", "-c"]), args.trim()];
}

const GO_DURATION = /^(\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const DURATION_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
function duration(flag: string, value: string): number {
  if (!GO_DURATION.test(value)) throw new InvalidParameterError(`time: invalid duration "${value}"`);
  let ns = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ns += Number(m[1]) * DURATION_NS[m[2]];
  if (ns !== 0 && ns < 1e6) throw new InvalidParameterError(`Interval "${flag}" cannot be less than 1ms`);
  return ns;
}

function healthcheck(args: string): unknown {
  let rest = args.trim();
  if (/^none$/i.test(rest)) return { Test: ["NONE"] };
  const check: Record<string, unknown> = {};
  for (;;) {
    const m = /^--(interval|timeout|start-period|start-interval|retries)=(\S+)\s*/.exec(rest);
    if (!m) break;
    rest = rest.slice(m[0].length);
    if (m[1] === "retries") {
      const n = Number(m[2]);
      if (!Number.isInteger(n) || n < 0) throw new InvalidParameterError(`--retries cannot be negative (${m[2]})`);
      check.Retries = n;
    } else check[{ interval: "Interval", timeout: "Timeout", "start-period": "StartPeriod", "start-interval": "StartInterval" }[m[1]]!] = duration(m[1], m[2]);
  }
  const cmd = /^cmd\s+/i.exec(rest);
  if (!cmd) throw new InvalidParameterError('Unknown type "' + rest.split(/\s/)[0].toUpperCase() + '" in HEALTHCHECK (try CMD)');
  const body = rest.slice(cmd[0].length);
  const json = jsonForm(body);
  return { Test: json ? ["CMD", ...json] : ["CMD-SHELL", body.trim()], ...check };
}

/**
 * Applies Dockerfile instructions to a container config, as dockerd's
 * dockerfile.BuildFromConfig does for `commit --change` and `import --change`.
 */
export function applyChanges(base: Config, changes: string[]): Config {
  const config: Config = structuredClone(base);
  const state = { cmdSet: false };
  const lines = changes.join("\n").split(/\n/).map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  for (const line of lines) {
    const m = /^(\S+)\s*([\s\S]*)$/.exec(line)!;
    const instruction = m[1].toLowerCase();
    if (!VALID.has(instruction)) throw new InvalidParameterError(`${instruction} is not a valid change command`);
    applyInstruction(config, instruction, m[2], { env: config.Env ?? [], state });
  }
  return config;
}

/**
 * Applies one instruction (lower-case name, raw arguments) to `config` in
 * place. Variables expand from `env` (the builder adds its build args); an
 * ENTRYPOINT clears Cmd unless a CMD came earlier in the same `state`.
 */
export function applyInstruction(config: Config, instruction: string, args: string, opts: { env: string[]; state: { cmdSet: boolean }; escape?: string }): void {
  const { env, state, escape = "\\" } = opts;
  const words = (text: string) => splitWords(text, env, escape);
  const pairs = (name: string, text: string) => keyValues(name, text, env, escape);
  switch (instruction) {
      case "env":
        for (const [k, v] of pairs(instruction, args)) {
          // A variable set again keeps its place, as the builder's ENV does.
          const list = [...(config.Env ?? [])];
          const at = list.findIndex((e) => e === k || e.startsWith(`${k}=`));
          if (at < 0) list.push(`${k}=${v}`);
          else list[at] = `${k}=${v}`;
          config.Env = list;
        }
        break;
      case "label":
        config.Labels = { ...(config.Labels ?? {}), ...Object.fromEntries(pairs(instruction, args)) };
        break;
      case "cmd":
        config.Cmd = command(args, config);
        state.cmdSet = true;
        break;
      case "entrypoint":
        config.Entrypoint = args.trim() === "" ? null : command(args, config);
        if (!state.cmdSet) config.Cmd = null;
        break;
      case "expose": {
        const ports = { ...(config.ExposedPorts ?? {}) };
        for (const p of words(args)) {
          if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(p)) throw new InvalidParameterError(`invalid containerPort: ${p.split("/")[0]}`);
          ports[p.includes("/") ? p.toLowerCase() : `${p}/tcp`] = {};
        }
        config.ExposedPorts = ports;
        break;
      }
      case "user":
        config.User = words(args).join(" ");
        break;
      case "workdir": {
        const dir = words(args).join(" ");
        const joined = dir.startsWith("/") ? dir : `${config.WorkingDir || "/"}/${dir}`;
        config.WorkingDir = "/" + joined.split("/").filter((p) => p && p !== ".").reduce<string[]>((acc, p) => (p === ".." ? acc.slice(0, -1) : [...acc, p]), []).join("/");
        break;
      }
      case "volume": {
        const vols = jsonForm(args) ?? words(args);
        if (vols.length === 0) throw new InvalidParameterError("VOLUME specified can not be an empty string");
        config.Volumes = { ...(config.Volumes ?? {}), ...Object.fromEntries(vols.map((v) => [v, {}])) };
        break;
      }
      case "stopsignal":
        config.StopSignal = words(args).join(" ");
        break;
      case "onbuild": {
        const inner = args.trim().split(/\s+/)[0]?.toUpperCase() ?? "";
        if (inner === "ONBUILD") throw new InvalidParameterError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
        if (inner === "FROM" || inner === "MAINTAINER") throw new InvalidParameterError(`${inner} isn't allowed as an ONBUILD trigger`);
        config.OnBuild = [...(config.OnBuild ?? []), `${inner}${args.trim().slice(inner.length)}`];
        break;
      }
      case "healthcheck":
        config.Healthcheck = healthcheck(args);
        break;
    }
}
