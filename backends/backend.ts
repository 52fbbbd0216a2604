/**
 * Where a container's processes run. engine/ owns every Docker semantic and
 * reaches a backend only through this interface; describe() lets engine/
 * answer honestly (HTTP 501 naming the backend) for what a backend lacks.
 */
export interface BackendDescription {
  /** Backend name as given to `--backend`. */
  name: string;
  /** One line a person reads in `docker info` and `docker version`. */
  summary: string;
  version: string;
  /** Capabilities engine/ checks before calling the backend. */
  capabilities: BackendCapabilities;
}

export interface BackendCapabilities {
  run: boolean;
  exec: boolean;
  attach: boolean;
  archive: boolean;
  pause: boolean;
  publishPorts: boolean;
  networking: boolean;
}

/** A process to run in a container: PID 1 or an exec. */
export interface ProcessSpec {
  argv: string[];
  env: string[];
  cwd: string;
  user: string;
  hostname: string;
  tty: boolean;
  /** Whether the process reads stdin (OpenStdin / AttachStdin on exec). */
  stdin: boolean;
}

/** What a backend needs to prepare a container's file system. */
export interface ContainerSpec {
  id: string;
  /** The image's layers, lowest first. */
  layers: string[];
  /** HostConfig.Memory in bytes; 0 means no limit. */
  memory: number;
  /** HostConfig.Init: an init process forwards signals to PID 1's program. */
  init: boolean;
  /** Files the engine provides in every container (/etc/hostname, /etc/hosts, ...), written before PID 1 starts. */
  files: ProvidedFile[];
}

export type ProvidedFile = { path: string; content: string } | { path: string; symlink: string };

export interface ProcessExit {
  exitCode: number;
  /** Set when the process could not run at all (Docker's State.Error). */
  error?: string;
}

/** A running process. Output chunks are delivered in order as written. */
export interface ProcessHandle {
  onOutput(listener: (stream: 1 | 2, data: Buffer) => void): void;
  /** Feeds stdin; null ends it (EOF). Ignored when the process has no stdin. */
  writeStdin(data: Buffer | null): void;
  signal(signal: string): void;
  resize(rows: number, columns: number): void;
  readonly exited: Promise<ProcessExit>;
}

/**
 * Thrown by start or exec when the process cannot start: Docker reports the
 * message and exit code 127 (not found) or 126 (not executable).
 */
export class ProcessStartError extends Error {
  constructor(
    message: string,
    readonly exitCode: 126 | 127,
  ) {
    super(message);
  }
}

export interface Backend {
  describe(): BackendDescription;
  /** Prepares the container's file system; nothing runs yet. */
  createContainer(spec: ContainerSpec): Promise<void>;
  /** Starts PID 1, or an exec when `exec` is true, in a created container. */
  startProcess(container: ContainerSpec, process: ProcessSpec, exec: boolean): Promise<ProcessHandle>;
  /** Deletes what createContainer made. */
  removeContainer(containerId: string): Promise<void>;
  close(): Promise<void>;
}

export type BackendFactory = (options: Record<string, string>, dataDir: string) => Backend;
