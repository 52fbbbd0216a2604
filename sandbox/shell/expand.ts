import { Arithmetic } from "./arithmetic.js";
import { Pipe } from "../io.js";
import { parse, type BraceItem, type ScriptNode, type ParameterExpansionPart, type ParameterOperation, type WordNode, type WordPart } from "./ast.js";
import { ShellError } from "./errors.js";
import { globPaths } from "./glob.js";
import { hasGlob, quotePattern, removeMatch, replaceMatch } from "./pattern.js";
import { interpretEscapes, shellQuote } from "./quote.js";
import type { IO, Shell } from "./state.js";

/** A run of characters of a field: quoted ones are neither split nor globbed. */
interface Piece {
  text: string;
  quoted: boolean;
  /** Result of an unquoted expansion, subject to field splitting. */
  split: boolean;
}

interface Field {
  pieces: Piece[];
  /** Quoted text (even empty) makes a field survive. */
  keep: boolean;
}

class Builder {
  fields: Field[] = [{ pieces: [], keep: false }];
  get cur(): Field {
    return this.fields[this.fields.length - 1];
  }
  add(text: string, quoted: boolean, split: boolean): void {
    if (quoted) this.cur.keep = true;
    if (text !== "") this.cur.pieces.push({ text, quoted, split });
  }
  breakField(): void {
    this.fields.push({ pieces: [], keep: false });
  }
}

/** A parameter's value: unset, a string, or a list ($@, ${a[@]}). */
type Value = { kind: "unset" } | { kind: "scalar"; value: string } | { kind: "list"; values: string[]; star: boolean };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Word expansion in one shell, with command substitutions reading `io`. */
export class Expander {
  readonly arith: Arithmetic;

  constructor(
    private readonly sh: Shell,
    private readonly io: IO,
  ) {
    this.arith = new Arithmetic(sh, {
      expandText: (text) => this.expandText(text),
      commandOutput: async (command) => this.captureText(command),
    });
  }

  /** Full expansion of command words into fields. */
  async words(words: WordNode[]): Promise<string[]> {
    const out: string[] = [];
    for (const w of words) for (const f of await this.word(w)) out.push(f);
    return out;
  }

  async word(word: WordNode): Promise<string[]> {
    const out: string[] = [];
    for (const w of braceExpand(word)) {
      const b = new Builder();
      await this.parts(w.parts, false, b);
      for (const field of this.split(b.fields)) {
        for (const s of await this.glob(field)) out.push(s);
      }
    }
    return out;
  }

  /** Expansion to a single string: no splitting, no globbing (assignments, here-documents, case words). */
  async string(word: WordNode): Promise<string> {
    const b = new Builder();
    await this.parts(word.parts, false, b);
    return b.fields.map((f) => f.pieces.map((p) => p.text).join("")).join(" ");
  }

  /** Expansion to a pattern: quoted characters are escaped so they match literally. */
  async pattern(word: WordNode): Promise<string> {
    const b = new Builder();
    await this.parts(word.parts, false, b);
    return b.fields.map((f) => f.pieces.map((p) => (p.quoted ? quotePattern(p.text) : p.text)).join("")).join(" ");
  }

  /** Expansion of the right side of =~: quoted characters match literally. */
  async regex(word: WordNode): Promise<string> {
    const b = new Builder();
    await this.parts(word.parts, false, b);
    return b.fields.map((f) => f.pieces.map((p) => (p.quoted ? p.text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&") : p.text)).join("")).join(" ");
  }

  /** Expands source text such as "${x}" (used by arithmetic). */
  async expandText(text: string): Promise<string> {
    const script = parse(`: ${text}`);
    const cmd = script.statements[0]?.pipelines[0]?.commands[0];
    if (!cmd || cmd.type !== "SimpleCommand") return "";
    return (await Promise.all(cmd.args.map((a) => this.string(a)))).join(" ");
  }

  private async captureText(command: string): Promise<string> {
    return (await this.sh.engine.capture(this.sh, parse(command), this.io)).replace(/\n+$/, "");
  }

  // $(<file) reads the file without running anything.
  private async readFile(word: WordNode): Promise<string> {
    const name = await this.string(word);
    try {
      return await this.sh.fs.readFile(this.sh.resolve(name));
    } catch {
      await this.io.stderr.write(`${this.sh.name}: ${name}: No such file or directory\n`);
      this.sh.substStatus = 1;
      return "";
    }
  }

  private async parts(parts: WordPart[], quoted: boolean, b: Builder): Promise<void> {
    for (const p of parts) await this.part(p, quoted, b);
  }

  private async part(p: WordPart, quoted: boolean, b: Builder): Promise<void> {
    switch (p.type) {
      case "Literal":
        b.add(p.value, quoted, false);
        return;
      case "SingleQuoted":
      case "Escaped":
        b.add(p.value, true, false);
        return;
      case "DoubleQuoted": {
        const onlyAt = p.parts.length === 1 && p.parts[0].type === "ParameterExpansion" && isListParam(p.parts[0]);
        const before = b.fields.length;
        await this.parts(p.parts, true, b);
        if (!onlyAt || b.fields.length > before || b.cur.pieces.length) b.cur.keep = true;
        return;
      }
      case "Glob":
        b.add(p.pattern, quoted, false);
        return;
      case "TildeExpansion": {
        if (quoted) {
          b.add("~" + (p.user ?? ""), true, false);
          return;
        }
        let home: string;
        if (p.user === null) home = this.sh.get("HOME") ?? "/root";
        else if (p.user === "+") home = this.sh.cwd;
        else if (p.user === "-") home = this.sh.get("OLDPWD") ?? "~-";
        else if (p.user === "root") home = "/root";
        else home = "~" + p.user;
        b.add(home, true, false);
        return;
      }
      case "CommandSubstitution": {
        const file = fileOnly(p.body);
        const out = (file ? await this.readFile(file) : await this.sh.engine.capture(this.sh, p.body, this.io)).replace(/\n+$/, "");
        b.add(out, quoted, !quoted);
        return;
      }
      case "ArithmeticExpansion": {
        const n = await this.arith.evaluate(p.expression);
        b.add(String(n), quoted, !quoted);
        return;
      }
      case "ParameterExpansion":
        await this.parameter(p, quoted, b);
        return;
      case "BraceExpansion":
        b.add(braceText(p.items), quoted, false);
        return;
      case "ProcessSubstitution": {
        if (p.direction === "output") throw new ShellError(">(command) is not supported", 1);
        // <(cmd): the command streams into a pipe the redirection code knows by its /dev/fd path.
        const pipe = new Pipe();
        const path = `/dev/fd/${63 + this.sh.procSubst.size}`;
        this.sh.procSubst.set(path, pipe);
        const run = this.sh.engine.runSubshell(this.sh, p.body, { ...this.io, stdout: pipe, fds: new Map(this.io.fds) });
        void run.finally(() => pipe.close());
        b.add(path, true, false);
        return;
      }
    }
  }

  // Field splitting of unquoted expansion results on IFS.
  private split(fields: Field[]): Field[] {
    const ifs = this.sh.get("IFS") ?? " \t\n";
    const out: Field[] = [];
    for (const field of fields) {
      if (!field.pieces.some((p) => p.split) || ifs === "") {
        if (field.keep || field.pieces.length) out.push(field);
        continue;
      }
      let cur: Field = { pieces: [], keep: false };
      let afterWhitespace = false;
      const finish = (force: boolean) => {
        if (force || cur.keep || cur.pieces.length) out.push(cur);
        cur = { pieces: [], keep: false };
      };
      for (const piece of field.pieces) {
        if (!piece.split) {
          cur.pieces.push(piece);
          if (piece.quoted) cur.keep = true;
          afterWhitespace = false;
          continue;
        }
        let text = "";
        for (const ch of piece.text) {
          if (!ifs.includes(ch)) {
            text += ch;
            afterWhitespace = false;
            continue;
          }
          if (text) cur.pieces.push({ ...piece, text });
          text = "";
          const empty = !cur.keep && cur.pieces.length === 0;
          if (" \t\n".includes(ch)) {
            if (!empty) {
              finish(false);
              afterWhitespace = true;
            }
          } else if (empty && afterWhitespace) {
            afterWhitespace = false;
          } else {
            finish(true);
            afterWhitespace = false;
          }
        }
        if (text) cur.pieces.push({ ...piece, text });
      }
      finish(false);
    }
    return out;
  }

  private async glob(field: Field): Promise<string[]> {
    const plain = field.pieces.map((p) => p.text).join("");
    if (this.sh.opts.noglob || field.pieces.every((p) => p.quoted)) return [plain];
    const pattern = field.pieces.map((p) => (p.quoted ? quotePattern(p.text) : p.text)).join("");
    if (!hasGlob(pattern)) return [plain];
    const matches = await globPaths(this.sh.fs, this.sh.cwd, pattern, this.sh.shopts.has("dotglob"));
    if (matches.length) return matches;
    if (this.sh.shopts.has("failglob")) throw new ShellError(`no match: ${plain}`, 1);
    return this.sh.shopts.has("nullglob") ? [] : [plain];
  }

  // Parameters.

  private async parameter(p: ParameterExpansionPart, quoted: boolean, b: Builder): Promise<void> {
    const op = p.operation;
    if (op?.type === "Indirection") {
      const target = this.lookup(p.parameter);
      const name = target.kind === "scalar" ? target.value : "";
      const inner = { ...p, parameter: name, operation: op.innerOp ?? null } as ParameterExpansionPart;
      if (!name) throw new ShellError(`${p.parameter}: invalid indirect expansion`, 1);
      return this.parameter(inner, quoted, b);
    }
    if (op?.type === "ArrayKeys") {
      const v = this.sh.getVar(op.array);
      const keys = v ? (Array.isArray(v.value) ? Object.keys(v.value) : ["0"]) : [];
      return this.emit({ kind: "list", values: keys, star: op.star }, quoted, b);
    }
    if (op?.type === "VarNamePrefix") {
      const names = [...this.sh.vars.keys()].filter((n) => n.startsWith(op.prefix)).sort();
      return this.emit({ kind: "list", values: names, star: op.star }, quoted, b);
    }
    const value = await this.value(p.parameter);
    if (!op) {
      this.checkSet(p.parameter, value);
      return this.emit(value, quoted, b);
    }
    switch (op.type) {
      case "DefaultValue":
        if (isUnset(value, op.checkEmpty)) return this.parts(op.word.parts, quoted, b);
        return this.emit(value, quoted, b);
      case "AssignDefault":
        if (isUnset(value, op.checkEmpty)) {
          const text = await this.string(op.word);
          this.assign(p.parameter, text);
          return this.emit({ kind: "scalar", value: text }, quoted, b);
        }
        return this.emit(value, quoted, b);
      case "ErrorIfUnset":
        if (isUnset(value, op.checkEmpty)) {
          const msg = op.word ? await this.string(op.word) : "parameter null or not set";
          throw new ShellError(`${p.parameter}: ${msg}`, 1, true);
        }
        return this.emit(value, quoted, b);
      case "UseAlternative":
        if (!isUnset(value, op.checkEmpty)) return this.parts(op.word.parts, quoted, b);
        return;
      case "Length":
        this.checkSet(p.parameter, value);
        if (value.kind === "list") return this.emit({ kind: "scalar", value: String(value.values.length) }, quoted, b);
        return this.emit({ kind: "scalar", value: String(value.kind === "scalar" ? [...value.value].length : 0) }, quoted, b);
      default:
        this.checkSet(p.parameter, value);
        return this.emit(await this.transform(p.parameter, value, op), quoted, b);
    }
  }

  private async transform(param: string, value: Value, op: ParameterOperation): Promise<Value> {
    if (op.type === "Substring") {
      const offset = await this.arith.evaluate(op.offset);
      const length = op.length ? await this.arith.evaluate(op.length) : null;
      if (value.kind === "list") {
        // Offsets into $@ count $0 as 0, so ${@:1} is all arguments.
        const items = param === "@" || param === "*" ? [this.sh.name, ...value.values] : value.values;
        const start = Math.min(offset < 0 ? Math.max(items.length + offset, 0) : offset, items.length);
        const end = length === null ? items.length : length < 0 ? items.length + length : start + length;
        return { kind: "list", values: items.slice(start, end), star: value.star };
      }
      const s = value.kind === "scalar" ? value.value : "";
      let start = offset < 0 ? Math.max(s.length + offset, 0) : Math.min(offset, s.length);
      const end = length === null ? s.length : length < 0 ? s.length + length : start + length;
      if (end < start) throw new ShellError(`${param}: substring expression < 0`, 1);
      start = Math.max(start, 0);
      return { kind: "scalar", value: s.slice(start, end) };
    }
    const each = async (fn: (s: string) => string | Promise<string>): Promise<Value> => {
      if (value.kind === "list") return { ...value, values: await Promise.all(value.values.map(fn)) };
      if (value.kind === "scalar") return { kind: "scalar", value: await fn(value.value) };
      return { kind: "scalar", value: await fn("") };
    };
    switch (op.type) {
      case "PatternRemoval": {
        const pat = await this.pattern(op.pattern);
        return each((s) => removeMatch(s, pat, op.side, op.greedy));
      }
      case "PatternReplacement": {
        const pat = await this.pattern(op.pattern);
        const rep = op.replacement ? await this.string(op.replacement) : "";
        return each((s) => replaceMatch(s, pat, rep, op.all, op.anchor));
      }
      case "CaseModification": {
        const up = op.direction === "upper";
        return each((s) => {
          const conv = (t: string) => (up ? t.toUpperCase() : t.toLowerCase());
          return op.all ? conv(s) : conv(s.slice(0, 1)) + s.slice(1);
        });
      }
      case "Transform":
        return each((s) => {
          switch (op.operator) {
            case "Q":
              return shellQuote(s);
            case "U":
              return s.toUpperCase();
            case "L":
              return s.toLowerCase();
            case "u":
              return s.slice(0, 1).toUpperCase() + s.slice(1);
            case "E":
              return interpretEscapes(s, "ansi").text;
            case "A":
              return `${param}=${shellQuote(s)}`;
            default:
              return s;
          }
        });
      default:
        throw new ShellError(`\${${param}}: bad substitution`, 1);
    }
  }

  private emit(value: Value, quoted: boolean, b: Builder): void {
    if (value.kind === "unset") return;
    if (value.kind === "scalar") {
      b.add(value.value, quoted, !quoted);
      return;
    }
    if (value.star && quoted) {
      const ifs = this.sh.get("IFS");
      b.add(value.values.join(ifs === undefined ? " " : ifs.slice(0, 1)), true, false);
      return;
    }
    value.values.forEach((v, i) => {
      if (i > 0) b.breakField();
      b.add(v, quoted, !quoted);
    });
  }

  private checkSet(name: string, value: Value): void {
    if (value.kind === "unset" && this.sh.opts.nounset) throw new ShellError(`${name}: unbound variable`, 1, true);
  }

  private assign(param: string, text: string): void {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\[(.*)\]$/.exec(param);
    if (m) this.sh.setElement(m[1], Number(m[2]) || 0, text);
    else if (NAME.test(param)) this.sh.set(param, text);
    else throw new ShellError(`$${param}: cannot assign in this way`, 1, true);
  }

  private lookup(name: string): Value {
    const s = this.special(name);
    if (s !== undefined) return s;
    const v = this.sh.getVar(name);
    if (!v) return { kind: "unset" };
    const first = Array.isArray(v.value) ? v.value[0] : v.value;
    return first === undefined ? { kind: "unset" } : { kind: "scalar", value: first };
  }

  private async value(name: string): Promise<Value> {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\[(.*)\]$/s.exec(name);
    if (!m) return this.lookup(name);
    const v = this.sh.getVar(m[1]);
    const sub = m[2];
    if (sub === "@" || sub === "*") {
      const values = v ? (Array.isArray(v.value) ? v.value.filter((x) => x !== undefined) : [v.value]) : [];
      return v ? { kind: "list", values, star: sub === "*" } : { kind: "unset" };
    }
    if (!v) return { kind: "unset" };
    let i = await this.arith.evaluateText(sub);
    const arr = Array.isArray(v.value) ? v.value : [v.value];
    if (i < 0) i += arr.length;
    const el = arr[i];
    return el === undefined ? { kind: "unset" } : { kind: "scalar", value: el };
  }

  private special(name: string): Value | undefined {
    const sh = this.sh;
    if (/^\d+$/.test(name)) {
      if (name === "0") return { kind: "scalar", value: sh.name };
      const v = sh.positional[Number(name) - 1];
      return v === undefined ? { kind: "unset" } : { kind: "scalar", value: v };
    }
    switch (name) {
      case "@":
      case "*":
        return { kind: "list", values: sh.positional, star: name === "*" };
      case "#":
        return { kind: "scalar", value: String(sh.positional.length) };
      case "?":
        return { kind: "scalar", value: String(sh.lastStatus) };
      case "$":
        return { kind: "scalar", value: String(sh.pid) };
      case "!":
        return sh.lastBgPid ? { kind: "scalar", value: String(sh.lastBgPid) } : { kind: "unset" };
      case "-":
        return { kind: "scalar", value: sh.flags() };
      case "RANDOM":
        return { kind: "scalar", value: String(Math.floor(Math.random() * 32768)) };
      case "LINENO":
        return { kind: "scalar", value: String(sh.line) };
      case "SECONDS":
        return { kind: "scalar", value: String(Math.floor((Date.now() - sh.startTime) / 1000)) };
      default:
        return undefined;
    }
  }
}

function fileOnly(script: ScriptNode): WordNode | null {
  if (script.statements.length !== 1) return null;
  const st = script.statements[0];
  if (st.pipelines.length !== 1 || st.background || st.pipelines[0].commands.length !== 1) return null;
  const cmd = st.pipelines[0].commands[0];
  if (cmd.type !== "SimpleCommand" || cmd.name || cmd.assignments.length || cmd.redirections.length !== 1) return null;
  const r = cmd.redirections[0];
  return r.operator === "<" && r.target.type === "Word" ? r.target : null;
}

function isListParam(p: ParameterExpansionPart): boolean {
  return (p.parameter === "@" || /\[@\]$/.test(p.parameter)) && (p.operation === null || p.operation.type === "Substring" || p.operation.type === "PatternReplacement" || p.operation.type === "PatternRemoval");
}

function isUnset(v: Value, checkEmpty: boolean): boolean {
  if (v.kind === "unset") return true;
  if (!checkEmpty) return false;
  if (v.kind === "scalar") return v.value === "";
  return v.values.length === 0 || (v.values.length === 1 && v.values[0] === "");
}

/** Brace expansion: one word into several, before any other expansion. */
export function braceExpand(word: WordNode): WordNode[] {
  const i = word.parts.findIndex((p) => p.type === "BraceExpansion");
  if (i < 0) return [word];
  const brace = word.parts[i];
  if (brace.type !== "BraceExpansion") return [word];
  const prefix = word.parts.slice(0, i);
  const suffix = word.parts.slice(i + 1);
  const out: WordNode[] = [];
  for (const item of brace.items) {
    const middles: WordPart[][] = item.type === "Word" ? [item.word.parts] : rangeItems(item).map((v) => [{ type: "Literal", value: v }]);
    for (const mid of middles) out.push(...braceExpand({ ...word, parts: [...prefix, ...mid, ...suffix] }));
  }
  return out;
}

function rangeItems(item: Extract<BraceItem, { type: "Range" }>): string[] {
  const out: string[] = [];
  const step = Math.abs(item.step || 1);
  if (typeof item.start === "number" && typeof item.end === "number") {
    const a = item.start;
    const z = item.end;
    const startStr = item.startStr ?? String(a);
    const endStr = item.endStr ?? String(z);
    const pad = /^-?0\d/.test(startStr) || /^-?0\d/.test(endStr) ? Math.max(startStr.length, endStr.length) : 0;
    const fmt = (n: number) => (pad ? (n < 0 ? "-" + String(-n).padStart(pad - 1, "0") : String(n).padStart(pad, "0")) : String(n));
    if (a <= z) for (let n = a; n <= z; n += step) out.push(fmt(n));
    else for (let n = a; n >= z; n -= step) out.push(fmt(n));
    return out;
  }
  const a = String(item.start).charCodeAt(0);
  const z = String(item.end).charCodeAt(0);
  if (a <= z) for (let n = a; n <= z; n += step) out.push(String.fromCharCode(n));
  else for (let n = a; n >= z; n -= step) out.push(String.fromCharCode(n));
  return out;
}

function braceText(items: BraceItem[]): string {
  const inner = items.map((it) => (it.type === "Word" ? it.word.parts.map((p) => ("value" in p ? p.value : "")).join("") : `${it.start}..${it.end}`));
  return `{${inner.join(",")}}`;
}
