import type { SandboxFs } from "./fs/sandbox-fs.js";
import { resolveProgram, SHELL_APPLETS, type Program } from "./programs.js";
import { runShellCommand } from "./shell/invoke.js";
import type { ExternalCommand } from "./shell/types.js";
import type { UtilityCall } from "./utilities/context.js";
import { ROOT, type Identity } from "./identity.js";
import { identityUtilities } from "./utilities/identity.js";
import { processUtilities, type ProcessRow } from "./utilities/processes.js";
import { runJustBashUtility } from "./utilities/just-bash.js";
import { streamingUtilities } from "./utilities/streaming.js";
import { runWasi } from "./wasi.js";

/** Runs a program of the container, as the shell's external commands and as PID 1 or exec. */
export class ProgramRunner {
  constructor(
    private readonly fs: SandboxFs,
    /** Loopback HTTP URL prefixes granted to this container's curl. */
    private readonly allowedUrls: string[] = [],
    /** Who the process runs as; the sandbox reports it (id, whoami) but does not enforce file permissions. */
    private readonly identity: Identity = ROOT,
    /** The container's processes, for ps and top. */
    private readonly processes: () => ProcessRow[] = () => [],
  ) {}

  /** The shell's view: a missing or unrunnable program is reported on stderr with 127 or 126. */
  readonly external = async (cmd: ExternalCommand): Promise<number> => {
    const program = await resolveProgram(this.fs, cmd.argv[0], cmd.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", cmd.cwd);
    if (program.kind === "missing") {
      await cmd.stderr.write(`sh: ${cmd.argv[0]}: not found\n`);
      return 127;
    }
    if (program.kind === "unrunnable") {
      await cmd.stderr.write(`sh: ${cmd.argv[0]}: ${program.reason === "exec format error" ? "cannot execute binary file: Exec format error" : program.reason === "is a directory" ? "Is a directory" : "Permission denied"}\n`);
      return 126;
    }
    return this.run(program, cmd);
  };

  resolve(cmd: Pick<ExternalCommand, "argv" | "env" | "cwd">): Promise<Program> {
    return resolveProgram(this.fs, cmd.argv[0], cmd.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", cmd.cwd);
  }

  /** Runs a program that resolved to something runnable. */
  async run(program: Program, cmd: ExternalCommand): Promise<number> {
    switch (program.kind) {
      case "shell":
        return runShellCommand(cmd.argv, { ...cmd, fs: this.fs, external: this.external });
      case "script":
        return this.external({ ...cmd, argv: [...program.interpreter, program.path, ...cmd.argv.slice(1)] });
      case "utility":
        return this.utility(program.name, { ...cmd, fs: this.fs });
      case "wasi":
        return runWasi(this.fs, program.path, cmd);
      default:
        throw new Error(`cannot run ${program.kind}`);
    }
  }

  private async utility(name: string, call: UtilityCall): Promise<number> {
    if (name === "busybox") {
      if (call.argv.length < 2) {
        await call.stderr.write("busybox: applets run as their own names here, e.g. busybox ls\n");
        return 1;
      }
      return this.external({ ...call, argv: call.argv.slice(1) });
    }
    if (name === "env") return this.env(call);
    if (SHELL_APPLETS.has(name)) return runShellCommand(["sh", "-c", '"$0" "$@"', name, ...call.argv.slice(1)], { ...call, external: this.external });
    const byIdentity = identityUtilities[name];
    if (byIdentity) return byIdentity(call, this.identity);
    const byProcesses = processUtilities[name];
    if (byProcesses) return byProcesses(call, this.processes);
    const native = streamingUtilities[name];
    if (native) {
      const status = await native(call);
      if (status >= 0) return status;
    }
    return runJustBashUtility({ ...call, argv: [name, ...call.argv.slice(1)] }, this.allowedUrls);
  }

  /** env [-i] [-u NAME] [NAME=VALUE]... [COMMAND [ARG]...] */
  private async env(call: UtilityCall): Promise<number> {
    const args = call.argv.slice(1);
    let env = { ...call.env };
    while (args.length) {
      const a = args[0];
      if (a === "-i" || a === "-") env = {};
      else if (a === "-u" && args.length > 1) delete env[args.splice(0, 1) && args[0]];
      else if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(a)) env[a.slice(0, a.indexOf("="))] = a.slice(a.indexOf("=") + 1);
      else break;
      args.shift();
    }
    if (args.length === 0) {
      await call.stdout.write(Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join(""));
      return 0;
    }
    return this.external({ ...call, argv: args, env });
  }
}
