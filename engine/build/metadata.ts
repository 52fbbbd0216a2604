import { InvalidParameterError } from "../errors.js";
import { applyInstruction, jsonForm, keyValues, splitWords } from "../images/changes.js";
import type { RunConfig } from "./image-record.js";

/** What a config-only step did: the stage's new config and the comment its history records. */
export interface MetadataChange {
  config: RunConfig;
  /** The step's description, as dockerd's builder commits it. */
  comment: string;
  /** WORKDIR records its comment as one word ("#(nop) WORKDIR /x"), the others as "#(nop) " then the comment. */
  oneWord?: boolean;
  author?: string;
}

/** Go's %q of a []string: each element quoted, space-separated, in brackets. */
export function goQuotedList(list: string[] | null | undefined): string {
  return `[${(list ?? []).map((s) => JSON.stringify(s)).join(" ")}]`;
}

/** Go's time.Duration String() of nanoseconds. */
function goDuration(ns: number): string {
  if (ns === 0) return "0s";
  if (ns < 1e3) return `${ns}ns`;
  if (ns < 1e6) return `${ns / 1e3}µs`;
  if (ns < 1e9) return `${ns / 1e6}ms`;
  let rest = ns / 1e9;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  rest -= m * 60;
  const s = `${Number(rest.toFixed(9))}s`;
  return h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
}

/** The HEALTHCHECK comment: Go's %q of the *HealthConfig. */
function healthComment(h: Record<string, unknown>): string {
  const d = (k: string) => JSON.stringify(goDuration(Number(h[k] ?? 0)));
  const retries = Number(h.Retries ?? 0);
  const rune = retries < 0x80 ? `'\\x${retries.toString(16).padStart(2, "0")}'` : `'${String.fromCodePoint(retries)}'`;
  return `HEALTHCHECK &{${goQuotedList(h.Test as string[])} ${d("Interval")} ${d("Timeout")} ${d("StartPeriod")} ${d("StartInterval")} ${rune}}`;
}

/**
 * A config-only instruction applied to the stage's config, through the same
 * code as commit and import `changes`; `env` is the stage's Env followed by
 * its build args, for variable expansion.
 */
export function applyMetadata(name: string, args: string, config: RunConfig, opts: { env: string[]; escape: string; state: { cmdSet: boolean } }): MetadataChange {
  const next: RunConfig = structuredClone(config);
  const { env, escape } = opts;
  const upper = name.toUpperCase();
  switch (name) {
    case "maintainer":
      return { config: next, comment: `MAINTAINER ${args}`, author: args };
    case "shell": {
      const shell = jsonForm(args);
      if (!shell) throw new InvalidParameterError("SHELL requires the arguments to be in JSON form");
      next.Shell = shell;
      return { config: next, comment: `SHELL [${shell.join(" ")}]` };
    }
    case "env":
    case "label": {
      const pairs = keyValues(name, args, env, escape);
      applyInstruction(next, name, args, { env, escape, state: opts.state });
      return { config: next, comment: `${upper} ${pairs.map(([k, v]) => `${k}=${v}`).join(" ")}` };
    }
    case "expose":
    case "user":
    case "stopsignal": {
      applyInstruction(next, name, args, { env, escape, state: opts.state });
      return { config: next, comment: `${upper} ${splitWords(args, env, escape).join(" ")}` };
    }
    case "volume": {
      applyInstruction(next, name, args, { env, escape, state: opts.state });
      return { config: next, comment: `VOLUME [${(jsonForm(args) ?? splitWords(args, env, escape)).join(" ")}]` };
    }
    case "workdir":
      applyInstruction(next, name, args, { env, escape, state: opts.state });
      return { config: next, comment: `WORKDIR ${next.WorkingDir}`, oneWord: true };
    case "cmd":
      applyInstruction(next, name, args, { env, escape, state: opts.state });
      return { config: next, comment: `CMD ${goQuotedList(next.Cmd)}` };
    case "entrypoint":
      applyInstruction(next, name, args, { env, escape, state: opts.state });
      return { config: next, comment: `ENTRYPOINT ${goQuotedList(next.Entrypoint)}` };
    case "healthcheck":
      applyInstruction(next, name, args, { env, escape, state: opts.state });
      return { config: next, comment: healthComment(next.Healthcheck as Record<string, unknown>) };
    case "onbuild":
      applyInstruction(next, name, args, { env, escape, state: opts.state });
      return { config: next, comment: `ONBUILD ${(next.OnBuild ?? []).at(-1)}` };
    default:
      throw new InvalidParameterError(`${upper} is not a metadata instruction`);
  }
}
