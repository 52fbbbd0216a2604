import { parse, type ArithExpr, type ArithmeticExpression } from "./ast.js";
import { ShellError } from "./errors.js";
import type { Shell } from "./state.js";

/** Hooks arithmetic needs from word expansion. */
export interface ArithHooks {
  /** Expands `${...}` text met inside an expression. */
  expandText(text: string): Promise<string>;
  /** Runs `$(...)` met inside an expression. */
  commandOutput(command: string): Promise<string>;
}

const exprCache = new Map<string, ArithExpr>();

/** Parses text (a variable's value) as an arithmetic expression. */
function parseExpr(text: string): ArithExpr {
  let e = exprCache.get(text);
  if (!e) {
    let script;
    try {
      script = parse(`((${text}))`);
    } catch {
      throw new ShellError(`${text}: syntax error in expression`, 1);
    }
    const cmd = script.statements[0]?.pipelines[0]?.commands[0];
    if (!cmd || cmd.type !== "ArithmeticCommand") throw new ShellError(`${text}: syntax error in expression`, 1);
    e = cmd.expression.expression;
    if (exprCache.size > 500) exprCache.clear();
    exprCache.set(text, e);
  }
  return e;
}

/** Integer value of a string as bash reads numbers: 10, 0x1f, 017, 2#101. */
export function parseNumber(text: string): number | null {
  const t = text.trim();
  if (t === "") return 0;
  let m = /^([+-]?)(\d+)#([0-9a-zA-Z@_]+)$/.exec(t);
  if (m) {
    const base = Number(m[2]);
    let n = 0;
    for (const c of m[3]) {
      const d = /\d/.test(c) ? Number(c) : /[a-z]/.test(c) ? c.charCodeAt(0) - 87 : /[A-Z]/.test(c) ? (base <= 36 ? c.charCodeAt(0) - 55 : c.charCodeAt(0) - 29) : c === "@" ? 62 : 63;
      if (d >= base) return null;
      n = n * base + d;
    }
    return m[1] === "-" ? -n : n;
  }
  m = /^([+-]?)0[xX]([0-9a-fA-F]+)$/.exec(t);
  if (m) return (m[1] === "-" ? -1 : 1) * parseInt(m[2], 16);
  m = /^([+-]?)0([0-7]+)$/.exec(t);
  if (m) return (m[1] === "-" ? -1 : 1) * parseInt(m[2], 8);
  if (/^[+-]?\d+$/.test(t)) return Number(t);
  return null;
}

function toInt(n: number): number {
  if (Number.isSafeInteger(n)) return n;
  if (!Number.isFinite(n)) return 0;
  return Number(BigInt.asIntN(64, BigInt(Math.trunc(n))));
}

export class Arithmetic {
  private depth = 0;
  constructor(
    private readonly sh: Shell,
    private readonly hooks: ArithHooks,
  ) {}

  async evaluate(node: ArithmeticExpression | ArithExpr): Promise<number> {
    return this.eval(node.type === "ArithmeticExpression" ? node.expression : node);
  }

  async evaluateText(text: string): Promise<number> {
    if (text.trim() === "") return 0;
    return this.eval(parseExpr(text));
  }

  private async valueOf(name: string, index?: ArithExpr): Promise<number> {
    let raw: string | undefined;
    if (index !== undefined) {
      const v = this.sh.getVar(name);
      const i = await this.eval(index);
      raw = v ? (Array.isArray(v.value) ? v.value[i] : i === 0 ? v.value : undefined) : undefined;
    } else raw = this.special(name) ?? this.sh.get(name);
    if (raw === undefined) {
      if (this.sh.opts.nounset) throw new ShellError(`${name}: unbound variable`, 1, true);
      return 0;
    }
    const n = parseNumber(raw);
    if (n !== null) return n;
    // A value that is itself an expression (x=y+1) is evaluated in turn.
    if (++this.depth > 64) throw new ShellError(`${name}: expression recursion level exceeded`, 1);
    try {
      return await this.eval(parseExpr(raw));
    } finally {
      this.depth--;
    }
  }

  private special(name: string): string | undefined {
    if (/^\d+$/.test(name)) return name === "0" ? this.sh.name : this.sh.positional[Number(name) - 1];
    switch (name) {
      case "#":
        return String(this.sh.positional.length);
      case "?":
        return String(this.sh.lastStatus);
      case "$":
        return String(this.sh.pid);
      case "!":
        return String(this.sh.lastBgPid);
      default:
        return undefined;
    }
  }

  private async assign(name: string, value: number, index?: ArithExpr): Promise<number> {
    if (index !== undefined) this.sh.setElement(name, await this.eval(index), String(value));
    else this.sh.set(name, String(value));
    return value;
  }

  private async eval(e: ArithExpr): Promise<number> {
    switch (e.type) {
      case "ArithNumber":
        return e.value;
      case "ArithSingleQuote":
        return e.value;
      case "ArithVariable":
        return this.valueOf(e.name);
      case "ArithSpecialVar":
        return parseNumber(this.special(e.name) ?? "0") ?? 0;
      case "ArithArrayElement":
        return this.valueOf(e.array, e.index ?? { type: "ArithNumber", value: 0 });
      case "ArithGroup":
      case "ArithNested":
        return this.eval(e.expression);
      case "ArithBracedExpansion": {
        const text = await this.hooks.expandText("${" + e.content + "}");
        return this.evaluateText(text);
      }
      case "ArithCommandSubst":
        return this.evaluateText(await this.hooks.commandOutput(e.command));
      case "ArithDynamicNumber":
      case "ArithDynamicBase":
      case "ArithConcat": {
        const text = await this.hooks.expandText(this.textOf(e));
        return this.evaluateText(text);
      }
      case "ArithTernary":
        return (await this.eval(e.condition)) !== 0 ? this.eval(e.consequent) : this.eval(e.alternate);
      case "ArithUnary":
        return this.unary(e.operator, e.operand, e.prefix);
      case "ArithBinary":
        return this.binary(e.operator, e.left, e.right);
      case "ArithAssignment": {
        const rhs = await this.eval(e.value);
        if (e.operator === "=") return this.assign(e.variable, rhs, e.subscript);
        const cur = await this.valueOf(e.variable, e.subscript);
        return this.assign(e.variable, this.apply(e.operator.slice(0, -1), cur, rhs), e.subscript);
      }
      case "ArithSyntaxError":
        throw new ShellError(`${e.errorToken}: ${e.message}`, 1);
      default:
        throw new ShellError(`arithmetic: unsupported expression (${e.type})`, 1);
    }
  }

  private textOf(e: ArithExpr): string {
    switch (e.type) {
      case "ArithConcat":
        return e.parts.map((p) => this.textOf(p)).join("");
      case "ArithDynamicNumber":
        return e.prefix + e.suffix;
      case "ArithDynamicBase":
        return `${e.baseExpr}#${e.value}`;
      case "ArithBracedExpansion":
        return "${" + e.content + "}";
      case "ArithVariable":
        return e.hasDollarPrefix ? "$" + e.name : e.name;
      case "ArithNumber":
        return String(e.value);
      default:
        return "";
    }
  }

  private async unary(op: string, operand: ArithExpr, prefix: boolean): Promise<number> {
    if (op === "++" || op === "--") {
      const target = operand.type === "ArithArrayElement" ? { name: operand.array, index: operand.index } : operand.type === "ArithVariable" ? { name: operand.name, index: undefined } : null;
      if (!target) throw new ShellError(`${op}: assignment to non-variable`, 1);
      const cur = await this.valueOf(target.name, target.index);
      const next = op === "++" ? cur + 1 : cur - 1;
      await this.assign(target.name, next, target.index);
      return prefix ? next : cur;
    }
    const v = await this.eval(operand);
    switch (op) {
      case "-":
        return -v;
      case "+":
        return v;
      case "!":
        return v === 0 ? 1 : 0;
      case "~":
        return Number(~BigInt(v));
      default:
        throw new ShellError(`${op}: unknown operator`, 1);
    }
  }

  private async binary(op: string, l: ArithExpr, r: ArithExpr): Promise<number> {
    if (op === "&&") return (await this.eval(l)) !== 0 && (await this.eval(r)) !== 0 ? 1 : 0;
    if (op === "||") return (await this.eval(l)) !== 0 || (await this.eval(r)) !== 0 ? 1 : 0;
    if (op === ",") {
      await this.eval(l);
      return this.eval(r);
    }
    const a = await this.eval(l);
    const b = await this.eval(r);
    return this.apply(op, a, b);
  }

  private apply(op: string, a: number, b: number): number {
    switch (op) {
      case "+":
        return toInt(a + b);
      case "-":
        return toInt(a - b);
      case "*":
        return toInt(a * b);
      case "/":
        if (b === 0) throw new ShellError("division by 0 (error token is \"0\")", 1);
        return Math.trunc(a / b);
      case "%":
        if (b === 0) throw new ShellError("division by 0 (error token is \"0\")", 1);
        return a % b;
      case "**":
        if (b < 0) throw new ShellError("exponent less than 0", 1);
        return toInt(a ** b);
      case "<<":
        return Number(BigInt.asIntN(64, BigInt(a) << BigInt(b)));
      case ">>":
        return Number(BigInt(a) >> BigInt(b));
      case "&":
        return Number(BigInt(a) & BigInt(b));
      case "|":
        return Number(BigInt(a) | BigInt(b));
      case "^":
        return Number(BigInt(a) ^ BigInt(b));
      case "<":
        return a < b ? 1 : 0;
      case "<=":
        return a <= b ? 1 : 0;
      case ">":
        return a > b ? 1 : 0;
      case ">=":
        return a >= b ? 1 : 0;
      case "==":
        return a === b ? 1 : 0;
      case "!=":
        return a !== b ? 1 : 0;
      default:
        throw new ShellError(`${op}: unknown operator`, 1);
    }
  }
}
