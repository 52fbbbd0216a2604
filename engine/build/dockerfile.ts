import { InvalidParameterError } from "../errors.js";

/** One instruction of a Dockerfile, as moby's parser leaves it for the dispatcher. */
export interface Instruction {
  /** Lower-case name: "run", "copy", ... */
  name: string;
  /** The whole instruction as written, continuations joined (what "Step N/M :" shows). */
  original: string;
  /** Leading `--name=value` flags. */
  flags: Map<string, string>;
  /** The arguments after the flags, untouched. */
  args: string;
  /** The line the instruction starts on, 1-based. */
  line: number;
}

export interface Dockerfile {
  /** The escape character of the `# escape=` directive, "\" by default. */
  escape: string;
  instructions: Instruction[];
}

export const INSTRUCTIONS = new Set([
  "add",
  "arg",
  "cmd",
  "copy",
  "entrypoint",
  "env",
  "expose",
  "from",
  "healthcheck",
  "label",
  "maintainer",
  "onbuild",
  "run",
  "shell",
  "stopsignal",
  "user",
  "volume",
  "workdir",
]);

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.*?)\s*$/;

/** Parser directives: only at the very top, before any comment, blank line or instruction. */
function directives(lines: string[]): { escape: string; used: number } {
  let escape = "\\";
  let used = 0;
  const seen = new Set<string>();
  for (const line of lines) {
    const m = DIRECTIVE.exec(line);
    if (!m) break;
    const key = m[1].toLowerCase();
    // The legacy builder knows escape and syntax; syntax names a BuildKit frontend, which it ignores.
    if (key !== "escape" && key !== "syntax") break;
    if (seen.has(key)) throw new InvalidParameterError(`only one ${key} parser directive can be used`);
    seen.add(key);
    if (key === "escape") {
      if (m[2] !== "\\" && m[2] !== "`") throw new InvalidParameterError(`invalid escape token '${m[2]}' does not match ${"`"} or \\`);
      escape = m[2];
    }
    used++;
  }
  return { escape, used };
}

/** Splits leading `--flag=value` words off an instruction's arguments. */
function splitFlags(rest: string): { flags: Map<string, string>; args: string } {
  const flags = new Map<string, string>();
  let args = rest;
  for (;;) {
    const m = /^--([a-zA-Z][\w-]*)(?:=(\S*))?(?:\s+|$)/.exec(args);
    if (!m) break;
    flags.set(m[1], m[2] ?? "");
    args = args.slice(m[0].length);
  }
  return { flags, args };
}

/**
 * Parses a Dockerfile as moby's buildkit/frontend/dockerfile/parser does for
 * the legacy builder: parser directives, comments, blank lines, and lines
 * continued by the escape character (comment lines inside a continuation are
 * dropped). Instruction names are checked; arguments are left to dispatch.
 */
export function parseDockerfile(text: string): Dockerfile {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const { escape, used } = directives(lines);
  const instructions: Instruction[] = [];
  const continued = (l: string) => {
    const t = l.replace(/\s+$/, "");
    return t.endsWith(escape) && !t.endsWith(escape + escape) ? t.slice(0, -1) : undefined;
  };
  for (let i = used; i < lines.length; i++) {
    const first = lines[i].replace(/^\s+/, "");
    if (first === "" || first.startsWith("#")) continue;
    const start = i + 1;
    let text = "";
    let line = first;
    for (;;) {
      const cut = continued(line);
      if (cut === undefined) {
        text += line;
        break;
      }
      text += cut;
      // Blank and comment lines inside a continuation do not end it.
      do i++;
      while (i < lines.length && (lines[i].trim() === "" || lines[i].trim().startsWith("#")));
      if (i >= lines.length) break;
      line = lines[i];
    }
    const original = text.trim();
    const m = /^(\S+)\s*([\s\S]*)$/.exec(original)!;
    const name = m[1].toLowerCase();
    if (!INSTRUCTIONS.has(name)) throw new InvalidParameterError(`dockerfile parse error line ${start}: unknown instruction: ${m[1].toUpperCase()}`);
    const { flags, args } = splitFlags(m[2]);
    instructions.push({ name, original, flags, args: args.trim(), line: start });
  }
  if (instructions.length === 0) throw new InvalidParameterError("failed to parse Dockerfile: file with no instructions");
  return { escape, instructions };
}

/** Parses one ONBUILD trigger ("RUN echo hi") as an instruction of its own. */
export function parseTrigger(trigger: string, escape: string): Instruction {
  const parsed = parseDockerfile(escape === "\\" ? trigger : `# escape=${escape}\n${trigger}`);
  return parsed.instructions[0];
}
