import { EMPTY_SOURCE } from "../io.js";
import { parse, type ScriptNode } from "./ast.js";
import { AbortedSignal, abortStatus } from "./errors.js";
import { Executor, syntaxMessage } from "./exec.js";
import { readerFor } from "./reader.js";
import { Shell, nextPid, type IO } from "./state.js";
import { setOption } from "./builtins/vars.js";
import type { ShellOptions } from "./types.js";

const decoder = new TextDecoder();

function createShell(options: ShellOptions): { sh: Shell; io: IO; engine: Executor } {
  const engine = new Executor();
  const sh = new Shell(options.fs, options.external, options.signal, engine, options.name, options.cwd, nextPid());
  for (const [k, v] of Object.entries(options.env)) sh.vars.set(k, { value: v, exported: true, readonly: false });
  sh.positional = [...options.args];
  sh.set("PWD", options.cwd, { exported: true });
  if (!sh.getVar("OPTIND")) sh.set("OPTIND", "1");
  if (!sh.getVar("PS4")) sh.set("PS4", "+ ");
  for (const [k, v] of Object.entries(options.options ?? {})) if (v !== undefined) setOption(sh, k, v);
  const io: IO = { stdin: options.stdin, stdout: options.stdout, stderr: options.stderr, fds: new Map() };
  options.signals?.((signal) => sh.takeSignal(signal));
  return { sh, io, engine };
}

/** Runs a whole script, streaming its output; resolves with its exit status. */
export async function runScript(source: string, options: ShellOptions): Promise<number> {
  const { sh, io, engine } = createShell(options);
  let script: ScriptNode;
  try {
    script = parse(source);
  } catch (e) {
    await io.stderr.write(`${options.name}: ${errorLine(e)}${syntaxMessage(e)}\n`);
    return 2;
  }
  if (sh.opts.noexec) return 0;
  return engine.subshell(sh, io, () => engine.runStatements(sh, script.statements, io));
}

/**
 * Reads the script from stdin and runs each complete command as soon as its
 * lines have arrived, as `sh` does with piped or interactive input.
 */
export async function runInteractive(options: ShellOptions): Promise<number> {
  const { sh, io, engine } = createShell(options);
  const input = readerFor(options.stdin);
  // The script is the input; commands of it get no stdin of their own.
  const cmdIO: IO = { ...io, stdin: EMPTY_SOURCE };
  const aborted = new Promise<never>((_, reject) => {
    const fire = () => reject(new AbortedSignal(abortStatus(sh.signal.reason)));
    if (sh.signal.aborted) fire();
    else sh.signal.addEventListener("abort", fire, { once: true });
  });
  aborted.catch(() => undefined);
  return engine.subshell(sh, cmdIO, async () => {
    let pending = "";
    let line = 0;
    let pendingStart = 0;
    for (;;) {
      await engine.tick(sh);
      const { data, found } = await Promise.race([input.readUntil(0x0a), aborted]);
      const text = decoder.decode(data) + (found ? "\n" : "");
      if (pending === "") pendingStart = line;
      line++;
      pending += text;
      if (!found && pending.trim() === "") return sh.lastStatus;
      const parsed = tryParse(pending);
      if (parsed === "incomplete") {
        if (found) continue;
        await io.stderr.write(`${options.name}: line ${line}: syntax error: unexpected end of file\n`);
        return 2;
      }
      if (parsed instanceof Error) {
        await io.stderr.write(`${options.name}: line ${pendingStart + lineOf(parsed)}: ${syntaxMessage(parsed)}\n`);
        return 2;
      }
      pending = "";
      sh.lineBase = pendingStart;
      if (!sh.opts.noexec) await engine.runStatements(sh, parsed.statements, cmdIO);
      if (!found) return sh.lastStatus;
    }
  });
}

function lineOf(e: unknown): number {
  const line = (e as { line?: unknown }).line;
  return typeof line === "number" && line > 0 ? line : 1;
}

function errorLine(e: unknown): string {
  return `line ${lineOf(e)}: `;
}

/** A script, "incomplete" when more lines could finish it, or the syntax error. */
export function tryParse(text: string): ScriptNode | "incomplete" | Error {
  if (/(^|[^\\])(\\\\)*\\\n$/.test(text)) return "incomplete";
  const lastLine = text.trimEnd().split("\n").pop() ?? "";
  if (!lastLine.trimStart().startsWith("#") && /(&&|\|\||\|)\s*$/.test(lastLine)) return "incomplete";
  let script: ScriptNode;
  try {
    script = parse(text);
  } catch (e) {
    const token = (e as { token?: { type?: string } }).token;
    const msg = e instanceof Error ? e.message : String(e);
    if (token?.type === "EOF" || /unexpected EOF|end of file/i.test(msg)) return "incomplete";
    return e instanceof Error ? e : new Error(msg);
  }
  return openHereDoc(script) ? "incomplete" : script;
}

function openHereDoc(node: unknown): boolean {
  if (!node || typeof node !== "object") return false;
  if (Array.isArray(node)) return node.some(openHereDoc);
  const o = node as Record<string, unknown>;
  if (o.type === "HereDoc" && o.terminated === false) return true;
  for (const k in o) if (typeof o[k] === "object" && openHereDoc(o[k])) return true;
  return false;
}
