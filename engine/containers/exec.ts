import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Backend, ProcessHandle } from "../../backends/backend.js";
import { ProcessStartError } from "../../backends/backend.js";
import { parseDetachKeys } from "../detach-keys.js";
import { ConflictError, InvalidParameterError, NotFoundError, SystemError } from "../errors.js";
import { checkExecSupported } from "./capabilities.js";
import { mergeEnv, processEnv } from "./config.js";
import type { ContainerManager } from "./manager.js";
import type { EventLog } from "../events/log.js";

export interface ExecConfig {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  DetachKeys?: string;
  Tty?: boolean;
  ConsoleSize?: [number, number] | null;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Privileged?: boolean;
  User?: string;
  WorkingDir?: string;
}

export interface Exec {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  started: boolean;
  exitCode: number | null;
  process?: ProcessHandle;
}

/**
 * Execs live as long as the daemon, as in Docker. Output goes to the
 * client that started the exec ("output:<id>" / "exit:<id>" on the bus),
 * never into the container's logs.
 */
export class ExecManager {
  private readonly execs = new Map<string, Exec>();
  readonly bus = new EventEmitter().setMaxListeners(0);

  constructor(
    private readonly containers: ContainerManager,
    private readonly backend: Backend,
    private readonly events: EventLog,
  ) {}

  create(containerIdOrName: string, config: ExecConfig): Exec {
    const c = this.containers.get(containerIdOrName);
    if (!config.Cmd?.length) throw new InvalidParameterError("No exec command specified");
    try {
      parseDetachKeys(config.DetachKeys);
    } catch {
      throw new SystemError(`Invalid escape keys (${config.DetachKeys}) provided`);
    }
    if (!this.containers.isRunning(c.id)) throw new ConflictError(`container ${c.id} is not running`);
    if (c.state.Paused) throw new ConflictError(`Container ${c.id} is paused, unpause the container before exec`);
    checkExecSupported(this.backend.describe(c.config.Labels ?? {}), { user: config.User ?? "", containerUser: c.config.User ?? "", stdin: Boolean(config.AttachStdin), tty: Boolean(config.Tty) });
    const exec: Exec = { id: randomBytes(32).toString("hex"), containerId: c.id, config, running: false, started: false, exitCode: null };
    this.execs.set(exec.id, exec);
    this.events.container(c, execAction("exec_create", config), { execID: exec.id });
    return exec;
  }

  get(id: string): Exec {
    const exec = this.execs.get(id);
    if (!exec) throw new NotFoundError(`No such exec instance: ${id}`);
    return exec;
  }

  /** Starts the process; resolves once it runs. Output follows on the bus. */
  async start(id: string): Promise<Exec> {
    const exec = this.get(id);
    if (exec.started) throw new ConflictError(`Error: Exec command ${id} has already run`);
    const c = this.containers.get(exec.containerId);
    if (!this.containers.isRunning(c.id)) throw new ConflictError(`container ${c.id} is not running`);
    exec.started = true;
    this.events.container(c, execAction("exec_start", exec.config), { execID: exec.id });
    let process: ProcessHandle;
    try {
      process = await this.backend.startProcess(
        this.containers.backendSpec(c),
        {
          argv: exec.config.Cmd!,
          env: mergeEnv(processEnv(c.config), exec.config.Env),
          cwd: exec.config.WorkingDir || c.config.WorkingDir || "/",
          user: exec.config.User || c.config.User || "",
          groups: c.hostConfig.GroupAdd ?? [],
          hostname: c.config.Hostname ?? "",
          tty: Boolean(exec.config.Tty),
          stdin: Boolean(exec.config.AttachStdin),
        },
        true,
      );
    } catch (err) {
      if (err instanceof ProcessStartError) {
        // dockerd records 126 for every exec that could not start.
        exec.exitCode = 126;
        this.bus.emit(`output:${id}`, { stream: 2, data: Buffer.from(`OCI runtime exec failed: ${err.message}\r\n`) });
        this.bus.emit(`exit:${id}`, 126);
        return exec;
      }
      throw err;
    }
    exec.process = process;
    exec.running = true;
    process.onOutput((stream, data) => this.bus.emit(`output:${id}`, { stream, data }));
    void process.exited.then((e) => {
      exec.running = false;
      exec.exitCode = e.exitCode;
      exec.process = undefined;
      this.events.container(c, "exec_die", { execID: id, exitCode: String(e.exitCode) });
      this.bus.emit(`exit:${id}`, e.exitCode);
    });
    return exec;
  }

  writeStdin(id: string, data: Buffer | null): void {
    this.execs.get(id)?.process?.writeStdin(data);
  }

  inspect(id: string) {
    const e = this.get(id);
    const [entrypoint, ...args] = e.config.Cmd ?? [];
    return {
      CanRemove: false,
      ContainerID: e.containerId,
      DetachKeys: e.config.DetachKeys ?? "",
      ExitCode: e.exitCode,
      ID: e.id,
      OpenStderr: Boolean(e.config.AttachStderr),
      OpenStdin: Boolean(e.config.AttachStdin),
      OpenStdout: Boolean(e.config.AttachStdout),
      ProcessConfig: { arguments: args, entrypoint, privileged: Boolean(e.config.Privileged), tty: Boolean(e.config.Tty), user: e.config.User ?? "" },
      Running: e.running,
      Pid: 0,
    };
  }

  /** IDs of a container's execs, for its inspect. */
  idsFor(containerId: string): string[] {
    return [...this.execs.values()].filter((e) => e.containerId === containerId).map((e) => e.id);
  }
}

/** dockerd names the command in exec_create and exec_start actions: "exec_start: sh -c ls" (a trailing space when there are no arguments). */
function execAction(action: string, config: ExecConfig): string {
  const [entrypoint, ...args] = config.Cmd ?? [];
  return `${action}: ${entrypoint} ${args.join(" ")}`;
}
