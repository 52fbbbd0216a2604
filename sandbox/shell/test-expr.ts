import type { FsStat } from "just-bash";
import { parseNumber } from "./arithmetic.js";
import { ShellError } from "./errors.js";
import type { Shell } from "./state.js";

const UNARY = new Set(["-a", "-b", "-c", "-d", "-e", "-f", "-g", "-h", "-k", "-p", "-r", "-s", "-t", "-u", "-w", "-x", "-G", "-L", "-N", "-O", "-S", "-z", "-n", "-o", "-v", "-R"]);
const BINARY = new Set(["=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef"]);

export function isUnaryOp(op: string): boolean {
  return UNARY.has(op);
}

async function stat(sh: Shell, path: string, follow = true): Promise<FsStat | null> {
  if (path === "") return null;
  try {
    return follow ? await sh.fs.stat(sh.resolve(path)) : await sh.fs.lstat(sh.resolve(path));
  } catch {
    return null;
  }
}

/** A unary test: file tests, -z, -n, -v, -o, -t. */
export async function unaryTest(sh: Shell, op: string, arg: string): Promise<boolean> {
  switch (op) {
    case "-z":
      return arg === "";
    case "-n":
      return arg !== "";
    case "-v":
      return sh.getVar(arg) !== undefined || (/^\d+$/.test(arg) && Number(arg) <= sh.positional.length && Number(arg) > 0);
    case "-o":
      return (sh.opts as Record<string, boolean>)[arg] === true;
    case "-t":
      return false;
    case "-h":
    case "-L":
      return (await stat(sh, arg, false))?.isSymbolicLink ?? false;
    case "-c":
      return ["/dev/null", "/dev/zero", "/dev/tty", "/dev/random", "/dev/urandom"].includes(sh.resolve(arg));
    case "-b":
    case "-p":
    case "-S":
      return false;
  }
  const st = await stat(sh, arg);
  if (!st) return false;
  switch (op) {
    case "-e":
    case "-a":
      return true;
    case "-f":
      return st.isFile;
    case "-d":
      return st.isDirectory;
    case "-s":
      return st.size > 0;
    case "-r":
    case "-w":
    case "-O":
    case "-G":
    case "-N":
      return true;
    case "-x":
      return (st.mode & 0o111) !== 0;
    case "-u":
      return (st.mode & 0o4000) !== 0;
    case "-g":
      return (st.mode & 0o2000) !== 0;
    case "-k":
      return (st.mode & 0o1000) !== 0;
    default:
      throw new ShellError(`${op}: unary operator expected`, 2);
  }
}

function integer(s: string): number {
  const n = parseNumber(s);
  if (n === null || !/^\s*[+-]?\d+\s*$/.test(s)) throw new ShellError(`${s}: integer expression expected`, 2);
  return n;
}

/** A binary test other than pattern matching. */
export async function binaryTest(sh: Shell, op: string, a: string, b: string): Promise<boolean> {
  switch (op) {
    case "=":
    case "==":
      return a === b;
    case "!=":
      return a !== b;
    case "<":
      return a < b;
    case ">":
      return a > b;
    case "-eq":
      return integer(a) === integer(b);
    case "-ne":
      return integer(a) !== integer(b);
    case "-lt":
      return integer(a) < integer(b);
    case "-le":
      return integer(a) <= integer(b);
    case "-gt":
      return integer(a) > integer(b);
    case "-ge":
      return integer(a) >= integer(b);
    case "-nt":
    case "-ot": {
      const sa = await stat(sh, a);
      const sb = await stat(sh, b);
      if (op === "-nt") return !!sa && (!sb || sa.mtime > sb.mtime);
      return !!sb && (!sa || sa.mtime < sb.mtime);
    }
    case "-ef": {
      const sa = await stat(sh, a);
      const sb = await stat(sh, b);
      return !!sa && !!sb && sh.resolve(a) === sh.resolve(b);
    }
    default:
      throw new ShellError(`${op}: binary operator expected`, 2);
  }
}

/** The `test` / `[` builtin's expression over already-expanded arguments. */
export async function evalTest(sh: Shell, args: string[]): Promise<boolean> {
  const p = new TestParser(sh, args);
  return p.run();
}

class TestParser {
  private i = 0;
  constructor(
    private readonly sh: Shell,
    private readonly args: string[],
  ) {}

  async run(): Promise<boolean> {
    const r = await this.byCount(this.args.length);
    if (r !== undefined) return r;
    const v = await this.or();
    if (this.i < this.args.length) throw new ShellError(`${this.args[this.i]}: unexpected argument`, 2);
    return v;
  }

  // POSIX fixes the meaning of 0 to 4 arguments.
  private async byCount(n: number, at = 0): Promise<boolean | undefined> {
    const a = this.args.slice(at);
    switch (n) {
      case 0:
        return false;
      case 1:
        return a[0] !== "";
      case 2:
        if (a[0] === "!") return a[1] === "";
        if (UNARY.has(a[0])) return unaryTest(this.sh, a[0], a[1]);
        throw new ShellError(`${a[0]}: unary operator expected`, 2);
      case 3:
        if (BINARY.has(a[1]) || a[1] === "-a" || a[1] === "-o") {
          if (a[1] === "-a") return a[0] !== "" && a[2] !== "";
          if (a[1] === "-o") return a[0] !== "" || a[2] !== "";
          return binaryTest(this.sh, a[1], a[0], a[2]);
        }
        if (a[0] === "!") return !(await this.byCount(2, at + 1));
        if (a[0] === "(" && a[2] === ")") return a[1] !== "";
        return undefined;
      case 4:
        if (a[0] === "!") {
          const r = await this.byCount(3, at + 1);
          return r === undefined ? undefined : !r;
        }
        if (a[0] === "(" && a[3] === ")") return this.byCount(2, at + 1);
        return undefined;
      default:
        return undefined;
    }
  }

  private async or(): Promise<boolean> {
    let v = await this.and();
    while (this.args[this.i] === "-o") {
      this.i++;
      const r = await this.and();
      v = v || r;
    }
    return v;
  }

  private async and(): Promise<boolean> {
    let v = await this.not();
    while (this.args[this.i] === "-a") {
      this.i++;
      const r = await this.not();
      v = v && r;
    }
    return v;
  }

  private async not(): Promise<boolean> {
    if (this.args[this.i] === "!") {
      this.i++;
      return !(await this.not());
    }
    return this.primary();
  }

  private async primary(): Promise<boolean> {
    const a = this.args;
    if (this.i >= a.length) throw new ShellError("argument expected", 2);
    if (a[this.i] === "(") {
      this.i++;
      const v = await this.or();
      if (a[this.i] !== ")") throw new ShellError("`)' expected", 2);
      this.i++;
      return v;
    }
    if (this.i + 2 < a.length + 0 && BINARY.has(a[this.i + 1])) {
      const v = await binaryTest(this.sh, a[this.i + 1], a[this.i], a[this.i + 2]);
      this.i += 3;
      return v;
    }
    if (UNARY.has(a[this.i]) && this.i + 1 < a.length) {
      const v = await unaryTest(this.sh, a[this.i], a[this.i + 1]);
      this.i += 2;
      return v;
    }
    return a[this.i++] !== "";
  }
}
