import { EMPTY_SOURCE, Pipe, type ByteSink } from "../io.js";
import { parse, type AssignmentNode, type CaseNode, type CommandNode, type FunctionDefNode, type PipelineNode, type ScriptNode, type SimpleCommandNode, type StatementNode, type WordNode } from "./ast.js";
import { BUILTINS, SPECIAL_BUILTINS } from "./builtins/index.js";
import { AbortedSignal, ExitSignal, LoopSignal, ReturnSignal, ShellError, abortStatus } from "./errors.js";
import { Expander } from "./expand.js";
import { matchPattern } from "./pattern.js";
import { shellQuote } from "./quote.js";
import { readerFor } from "./reader.js";
import { redirect, redirectInPlace } from "./redirect.js";
import { Shell, nextPid, type Engine, type IO } from "./state.js";
import { evalConditional } from "./cond.js";
import { reserveMemory } from "../worker/memory-guard.js";

const DECLARATIONS = new Set(["export", "local", "readonly", "declare", "typeset"]);
const ASSIGNMENT_WORD = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;
const NO_ERREXIT = new Set(["If", "For", "CStyleFor", "While", "Until", "Case", "Group", "FunctionDef"]);
const decoder = new TextDecoder();

/** Evaluates the AST, streaming every write to the command's sinks as it happens. */
export class Executor implements Engine {
  async runStatements(sh: Shell, statements: StatementNode[], io: IO): Promise<number> {
    let status = 0;
    for (const st of statements) {
      status = await this.statement(sh, st, io);
      if (sh.pendingTraps.length) await this.signalTraps(sh, io);
    }
    return status;
  }

  /** Runs the actions of trapped signals that arrived; $? is kept across them. */
  private async signalTraps(sh: Shell, io: IO): Promise<void> {
    for (let name = sh.pendingTraps.shift(); name !== undefined; name = sh.pendingTraps.shift()) {
      const action = sh.traps.get(name);
      if (!action) continue;
      const status = sh.lastStatus;
      await this.runText(sh, action, io, "trap");
      sh.lastStatus = status;
    }
  }

  async runText(sh: Shell, text: string, io: IO, where: string, file = false): Promise<number> {
    let script: ScriptNode;
    try {
      script = parse(text);
    } catch (e) {
      await io.stderr.write(`${sh.name}: ${where}: ${syntaxMessage(e)}\n`);
      sh.lastStatus = 2;
      return 2;
    }
    // Lines of eval'd text and traps count from the current line; a sourced file has its own.
    const savedBase = sh.lineBase;
    const savedLine = sh.line;
    sh.lineBase = file ? 0 : Math.max(sh.line - 1, 0);
    try {
      return await this.runStatements(sh, script.statements, io);
    } finally {
      sh.lineBase = savedBase;
      if (file) sh.line = savedLine;
    }
  }

  runArgv(sh: Shell, argv: string[], io: IO, opts?: { skipFunctions?: boolean }): Promise<number> {
    return this.invoke(sh, argv, io, [], opts?.skipFunctions ?? false);
  }

  async capture(sh: Shell, script: ScriptNode, io: IO): Promise<string> {
    const child = sh.fork();
    const parts: Uint8Array[] = [];
    const sink: ByteSink = {
      write: async (d) => {
        parts.push(typeof d === "string" ? new TextEncoder().encode(d) : d.slice());
      },
    };
    const cio: IO = { ...io, stdout: sink, fds: new Map(io.fds) };
    const status = await this.subshell(child, cio, () => this.runStatements(child, script.statements, cio));
    sh.substStatus = status;
    sh.lastStatus = status;
    let size = 0;
    for (const p of parts) size += p.length;
    const all = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return decoder.decode(all);
  }

  hasBuiltin(name: string): boolean {
    return BUILTINS.has(name);
  }

  runSubshell(sh: Shell, script: ScriptNode, io: IO): Promise<number> {
    const child = sh.fork();
    return this.subshell(child, io, () => this.runStatements(child, script.statements, io));
  }

  /**
   * Runs a shell to its end (a subshell, or the top-level shell): `exit`,
   * errors and aborts end only it; its EXIT trap runs unless it was killed.
   */
  async subshell(child: Shell, io: IO, fn: () => Promise<number>): Promise<number> {
    let status: number;
    try {
      status = await fn();
    } catch (e) {
      status = await this.settle(child, io, e);
    }
    // A killed subshell ends with 128 + the signal, whatever its last command said.
    if (child.signal.aborted) return abortStatus(child.signal.reason);
    return this.exitTrap(child, io, status);
  }

  /** The status a thrown signal or error ends a shell with. */
  async settle(sh: Shell, io: IO, e: unknown): Promise<number> {
    if (e instanceof ExitSignal || e instanceof AbortedSignal) return e.status;
    if (e instanceof ReturnSignal) return e.status;
    if (e instanceof LoopSignal) return 0;
    if (e instanceof ShellError) {
      await io.stderr.write(`${sh.name}: line ${sh.line}: ${e.message}\n`);
      return e.status;
    }
    throw e;
  }

  async exitTrap(sh: Shell, io: IO, status: number): Promise<number> {
    const trap = sh.traps.get("EXIT");
    if (!trap) return status;
    sh.traps.delete("EXIT");
    sh.lastStatus = status;
    try {
      await this.runText(sh, trap, io, "trap");
    } catch (e) {
      if (e instanceof ExitSignal) return e.status;
      if (!(e instanceof ReturnSignal || e instanceof LoopSignal || e instanceof AbortedSignal || e instanceof ShellError)) throw e;
    }
    return status;
  }

  /** Checks for cancellation, and lets the event loop run now and then. */
  async tick(sh: Shell): Promise<void> {
    if (sh.signal.aborted) throw new AbortedSignal(abortStatus(sh.signal.reason));
    if (++sh.ticks % 128 === 0) {
      reserveMemory();
      await new Promise((r) => setImmediate(r));
      if (sh.signal.aborted) throw new AbortedSignal(abortStatus(sh.signal.reason));
    }
  }

  private async statement(sh: Shell, st: StatementNode, io: IO): Promise<number> {
    await this.tick(sh);
    if (st.deferredError) {
      await io.stderr.write(`${sh.name}: line ${sh.line + 1}: ${st.deferredError.message}\n`);
      throw new ExitSignal(2);
    }
    if (sh.opts.verbose && st.sourceText) await io.stderr.write(st.sourceText + "\n");
    if (!st.background) return this.andOr(sh, st, io);
    // Each job can be killed on its own, and dies with the shell.
    const ctl = new AbortController();
    const onAbort = () => ctl.abort(sh.signal.reason);
    sh.signal.addEventListener("abort", onAbort, { once: true });
    const child = sh.fork(ctl.signal);
    const pid = nextPid();
    const bgIO: IO = { ...io, stdin: EMPTY_SOURCE, fds: new Map(io.fds) };
    const done = this.subshell(child, bgIO, () => this.andOr(child, { ...st, background: false }, bgIO)).finally(() => sh.signal.removeEventListener("abort", onAbort));
    sh.jobs.push({ pid, done, kill: (signal) => ctl.abort(signal) });
    sh.lastBgPid = pid;
    sh.lastStatus = 0;
    return 0;
  }

  private async andOr(sh: Shell, st: StatementNode, io: IO): Promise<number> {
    let status = 0;
    const n = st.pipelines.length;
    for (let i = 0; i < n; i++) {
      if (i > 0) {
        const op = st.operators[i - 1];
        if (op === "&&" && status !== 0) continue;
        if (op === "||" && status === 0) continue;
      }
      const last = i === n - 1;
      if (!last) sh.condDepth++;
      try {
        status = await this.pipeline(sh, st.pipelines[i], io);
      } finally {
        if (!last) sh.condDepth--;
      }
    }
    return status;
  }

  private async pipeline(sh: Shell, p: PipelineNode, io: IO): Promise<number> {
    if (p.negated) sh.condDepth++;
    const started = p.timed ? Date.now() : 0;
    let status: number;
    try {
      if (p.commands.length === 1) {
        status = await this.command(sh, p.commands[0], io);
        sh.pipestatus = [status];
      } else {
        status = await this.stages(sh, p, io);
      }
    } finally {
      if (p.negated) sh.condDepth--;
    }
    if (p.negated) status = status === 0 ? 1 : 0;
    if (p.timed) {
      const secs = (Date.now() - started) / 1000;
      const real = p.timePosix ? `real ${secs.toFixed(2)}` : `real\t${Math.floor(secs / 60)}m${(secs % 60).toFixed(3)}s`;
      await io.stderr.write(p.timePosix ? `${real}\nuser 0.00\nsys 0.00\n` : `\n${real}\nuser\t0m0.000s\nsys\t0m0.000s\n`);
    }
    sh.lastStatus = status;
    sh.vars.set("PIPESTATUS", { value: sh.pipestatus.map(String), exported: false, readonly: false });
    if (status !== 0 && !p.negated && sh.condDepth === 0 && !(p.commands.length === 1 && NO_ERREXIT.has(p.commands[0].type))) {
      const errTrap = sh.traps.get("ERR");
      if (errTrap && !sh.inErrTrap) {
        sh.inErrTrap = true;
        try {
          await this.runText(sh, errTrap, io, "trap");
        } finally {
          sh.inErrTrap = false;
          sh.lastStatus = status;
        }
      }
      if (sh.opts.errexit) throw new ExitSignal(status);
    }
    return status;
  }

  // Stages of a pipeline run at once, each in a subshell, joined by pipes.
  private async stages(sh: Shell, p: PipelineNode, io: IO): Promise<number> {
    const n = p.commands.length;
    const pipes = Array.from({ length: n - 1 }, () => new Pipe());
    const readerDone = new Array<boolean>(n).fill(false);
    const runs: Promise<number>[] = [];
    for (let i = 0; i < n; i++) {
      const ctl = new AbortController();
      const onAbort = () => ctl.abort(sh.signal.reason);
      if (sh.signal.aborted) ctl.abort(sh.signal.reason);
      else sh.signal.addEventListener("abort", onAbort, { once: true });
      const child = sh.fork(ctl.signal);
      let stdout: ByteSink = io.stdout;
      if (i < n - 1) {
        const pipe = pipes[i];
        // Writing to a pipe nobody reads any more ends the writer, as SIGPIPE does.
        stdout = {
          write: async (d) => {
            if (readerDone[i + 1]) {
              if (!ctl.signal.aborted) ctl.abort("SIGPIPE");
              return;
            }
            await pipe.write(d);
          },
        };
      }
      const stderr = i < n - 1 && p.pipeStderr?.[i] ? stdout : io.stderr;
      const stageIO: IO = { stdin: i === 0 ? io.stdin : pipes[i - 1], stdout, stderr, fds: new Map(io.fds) };
      const cmd = p.commands[i];
      runs.push(
        this.subshell(child, stageIO, () => this.command(child, cmd, stageIO)).finally(() => {
          sh.signal.removeEventListener("abort", onAbort);
          readerDone[i] = true;
          if (i < n - 1) pipes[i].close();
          if (i > 0) pipes[i - 1].close();
        }),
      );
    }
    const statuses = await Promise.all(runs);
    sh.pipestatus = statuses;
    if (sh.opts.pipefail) {
      for (let i = n - 1; i >= 0; i--) if (statuses[i] !== 0) return statuses[i];
      return 0;
    }
    return statuses[n - 1];
  }

  async command(sh: Shell, cmd: CommandNode, io: IO): Promise<number> {
    try {
      if (cmd.type === "SimpleCommand") return await this.simple(sh, cmd, io);
      if (cmd.type === "FunctionDef") {
        sh.functions.set(cmd.name, cmd);
        return 0;
      }
      if (cmd.line) sh.line = sh.lineBase + cmd.line;
      const rio = await redirect(sh, new Expander(sh, io), cmd.redirections, io);
      return await this.compound(sh, cmd, rio);
    } catch (e) {
      if (e instanceof ShellError) {
        await io.stderr.write(`${sh.name}: line ${sh.line}: ${e.message}\n`);
        // bash ends a script with 127 on these (1 in a subshell).
        if (e.fatal) throw new ExitSignal(e.status === 1 && sh.subshell === 0 ? 127 : e.status);
        return e.status;
      }
      throw e;
    }
  }

  private async compound(sh: Shell, cmd: Exclude<CommandNode, SimpleCommandNode | FunctionDefNode>, io: IO): Promise<number> {
    switch (cmd.type) {
      case "If": {
        for (const clause of cmd.clauses) {
          if ((await this.condition(sh, clause.condition, io)) === 0) return this.runStatements(sh, clause.body, io);
        }
        return cmd.elseBody ? this.runStatements(sh, cmd.elseBody, io) : 0;
      }
      case "While":
      case "Until": {
        const want = cmd.type === "While";
        return this.loop(sh, async () => ((await this.condition(sh, cmd.condition, io)) === 0) === want, () => this.runStatements(sh, cmd.body, io));
      }
      case "For": {
        const ex = new Expander(sh, io);
        const items = cmd.words ? await ex.words(cmd.words) : [...sh.positional];
        let i = 0;
        return this.loop(
          sh,
          async () => i < items.length,
          () => {
            sh.set(cmd.variable, items[i++]);
            return this.runStatements(sh, cmd.body, io);
          },
        );
      }
      case "CStyleFor": {
        const ex = new Expander(sh, io);
        if (cmd.init) await ex.arith.evaluate(cmd.init);
        let first = true;
        return this.loop(
          sh,
          async () => {
            if (!first && cmd.update) await ex.arith.evaluate(cmd.update);
            first = false;
            return cmd.condition ? (await ex.arith.evaluate(cmd.condition)) !== 0 : true;
          },
          () => this.runStatements(sh, cmd.body, io),
        );
      }
      case "Case":
        return this.caseCommand(sh, cmd, io);
      case "Subshell": {
        const child = sh.fork();
        return this.subshell(child, io, () => this.runStatements(child, cmd.body, io));
      }
      case "Group":
        return this.runStatements(sh, cmd.body, io);
      case "ArithmeticCommand": {
        const ex = new Expander(sh, io);
        if (sh.opts.xtrace) await this.trace(sh, io, ["((", cmd.expression.originalText ?? "", "))"]);
        return (await ex.arith.evaluate(cmd.expression)) !== 0 ? 0 : 1;
      }
      case "ConditionalCommand": {
        const ex = new Expander(sh, io);
        try {
          return (await evalConditional(sh, ex, cmd.expression)) ? 0 : 1;
        } catch (e) {
          if (e instanceof ShellError && e.status === 2) {
            await io.stderr.write(`${sh.name}: line ${sh.line}: ${e.message}\n`);
            return 2;
          }
          throw e;
        }
      }
    }
  }

  private async condition(sh: Shell, statements: StatementNode[], io: IO): Promise<number> {
    sh.condDepth++;
    try {
      return await this.runStatements(sh, statements, io);
    } finally {
      sh.condDepth--;
    }
  }

  private async loop(sh: Shell, more: () => Promise<boolean>, body: () => Promise<number>): Promise<number> {
    let status = 0;
    sh.loopDepth++;
    try {
      for (;;) {
        await this.tick(sh);
        if (!(await more())) break;
        try {
          status = await body();
        } catch (e) {
          if (!(e instanceof LoopSignal)) throw e;
          if (e.levels > 1) throw new LoopSignal(e.kind, e.levels - 1);
          status = 0;
          if (e.kind === "break") break;
        }
      }
    } finally {
      sh.loopDepth--;
    }
    return status;
  }

  private async caseCommand(sh: Shell, cmd: CaseNode, io: IO): Promise<number> {
    const ex = new Expander(sh, io);
    const word = await ex.string(cmd.word);
    let status = 0;
    let fall = false;
    for (const item of cmd.items) {
      let hit = fall;
      if (!hit) {
        for (const p of item.patterns) {
          if (matchPattern(await ex.pattern(p), word)) {
            hit = true;
            break;
          }
        }
      }
      if (!hit) continue;
      status = await this.runStatements(sh, item.body, io);
      if (item.terminator === ";;") return status;
      fall = item.terminator === ";&";
    }
    return status;
  }

  // Simple commands.

  private async simple(sh: Shell, cmd: SimpleCommandNode, io: IO): Promise<number> {
    if (cmd.line) sh.line = sh.lineBase + cmd.line;
    const ex = new Expander(sh, io);
    sh.substStatus = null;
    const argv = cmd.name ? await this.argv(ex, cmd.name, cmd.args) : [];
    if (argv.length === 0) {
      const traced: string[] = [];
      for (const a of cmd.assignments) {
        try {
          traced.push(await this.assign(sh, ex, a, false));
        } catch (e) {
          // A failed assignment (readonly) ends a non-interactive shell.
          if (!(e instanceof ShellError)) throw e;
          await io.stderr.write(`${sh.name}: line ${sh.line}: ${e.message}\n`);
          throw new ExitSignal(1);
        }
      }
      if (sh.opts.xtrace && traced.length) await this.trace(sh, io, traced);
      await redirect(sh, ex, cmd.redirections, io);
      return sh.substStatus ?? 0;
    }
    const assigns: [string, string][] = [];
    for (const a of cmd.assignments) assigns.push([a.name, await ex.string(a.value ?? { type: "Word", parts: [] })]);
    if (argv[0] === "exec" && argv.length === 1) {
      // exec with only redirections changes the shell's own descriptors.
      if (sh.opts.xtrace) await this.trace(sh, io, argv);
      await redirectInPlace(sh, ex, cmd.redirections, io);
      return 0;
    }
    const rio = await redirect(sh, ex, cmd.redirections, io);
    if (sh.opts.xtrace) await this.trace(sh, io, [...assigns.map(([k, v]) => `${k}=${shellQuote(v)}`), ...argv.map(shellQuote)]);
    return this.invoke(sh, argv, rio, assigns, false);
  }

  private async argv(ex: Expander, name: WordNode, args: WordNode[]): Promise<string[]> {
    const first = await ex.word(name);
    if (first.length === 0) return ex.words(args);
    if (!DECLARATIONS.has(first[0])) return [...first, ...(await ex.words(args))];
    // Declaration builtins take NAME=value arguments unsplit, as assignments.
    const out = [...first];
    for (const a of args) {
      const p = a.parts[0];
      if (p && p.type === "Literal" && ASSIGNMENT_WORD.test(p.value)) out.push(await ex.string(a));
      else out.push(...(await ex.word(a)));
    }
    return out;
  }

  private async trace(sh: Shell, io: IO, words: string[]): Promise<void> {
    const ps4 = sh.get("PS4") ?? "+ ";
    await io.stderr.write(ps4 + words.join(" ") + "\n");
  }

  /** Performs an assignment word; returns it as xtrace shows it. */
  private async assign(sh: Shell, ex: Expander, a: AssignmentNode, exported: boolean): Promise<string> {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\[(.*)\]$/s.exec(a.name);
    if (a.array) {
      const values = await ex.words(a.array);
      const old = sh.getVar(a.name);
      const arr = a.append && old ? (Array.isArray(old.value) ? old.value.slice() : [old.value]) : [];
      for (const v of values) {
        const km = /^\[([^\]]*)\]=(.*)$/s.exec(v);
        if (km) arr[await ex.arith.evaluateText(km[1])] = km[2];
        else arr.push(v);
      }
      sh.set(a.name, arr, { exported });
      return `${a.name}=(${values.map(shellQuote).join(" ")})`;
    }
    const value = a.value ? await ex.string(a.value) : "";
    if (m) {
      const index = await ex.arith.evaluateText(m[2]);
      const old = sh.getVar(m[1]);
      const cur = old ? (Array.isArray(old.value) ? old.value[index] : index === 0 ? old.value : undefined) : undefined;
      sh.setElement(m[1], index, a.append ? (cur ?? "") + value : value);
    } else {
      sh.set(a.name, a.append ? (sh.get(a.name) ?? "") + value : value, { exported });
    }
    return `${a.name}${a.append ? "+" : ""}=${shellQuote(value)}`;
  }

  /** Runs a command by name: special builtin, function, builtin or external program. */
  private async invoke(sh: Shell, argv: string[], io: IO, assigns: [string, string][], skipFunctions: boolean): Promise<number> {
    const name = argv[0];
    const builtin = BUILTINS.get(name);
    // Special builtins come before functions; like bash, prefix assignments stay temporary for them too.
    const fn = skipFunctions || (builtin && SPECIAL_BUILTINS.has(name)) ? undefined : sh.functions.get(name);
    if (fn || builtin) {
      const restore = this.tempAssign(sh, assigns);
      try {
        return fn ? await this.callFunction(sh, fn, argv, io) : await builtin!({ sh, io, argv, exec: this });
      } finally {
        restore();
      }
    }
    const env = sh.environment();
    for (const [k, v] of assigns) env[k] = v;
    return sh.external({ argv, env, cwd: sh.cwd, stdin: readerFor(io.stdin), stdout: io.stdout, stderr: io.stderr, signal: sh.signal });
  }

  private tempAssign(sh: Shell, assigns: [string, string][]): () => void {
    if (assigns.length === 0) return () => {};
    const saved = assigns.map(([k]) => {
      const old = sh.getVar(k);
      return [k, old && { ...old }] as const;
    });
    for (const [k, v] of assigns) {
      if (sh.getVar(k)?.readonly) throw new ShellError(`${k}: readonly variable`, 1);
      sh.vars.set(k, { value: v, exported: true, readonly: false });
    }
    return () => {
      for (const [k, old] of saved.reverse()) {
        if (old) sh.vars.set(k, old);
        else sh.vars.delete(k);
      }
    };
  }

  async callFunction(sh: Shell, fn: FunctionDefNode, argv: string[], io: IO): Promise<number> {
    const saved = sh.positional;
    const savedLoop = sh.loopDepth;
    sh.positional = argv.slice(1);
    sh.localFrames.push(new Map());
    const savedNames = sh.getVar("FUNCNAME");
    const names = savedNames && Array.isArray(savedNames.value) ? savedNames.value : [];
    sh.vars.set("FUNCNAME", { value: [fn.name, ...names], exported: false, readonly: false });
    sh.funcDepth++;
    sh.loopDepth = 0;
    try {
      const rio = await redirect(sh, new Expander(sh, io), fn.redirections, io);
      return await this.command(sh, fn.body, rio);
    } catch (e) {
      if (e instanceof ReturnSignal) return e.status;
      if (e instanceof LoopSignal) return 0;
      throw e;
    } finally {
      sh.positional = saved;
      sh.loopDepth = savedLoop;
      if (savedNames) sh.vars.set("FUNCNAME", savedNames);
      else sh.vars.delete("FUNCNAME");
      sh.funcDepth--;
      sh.popLocals();
    }
  }
}

/** A parse error as bash words it. */
export function syntaxMessage(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const text = msg.replace(/^Parse error at \d+:\d+: /, "").replace(/^line \d+: /, "");
  return /syntax error|unexpected EOF/.test(text) ? text : `syntax error: ${text}`;
}
