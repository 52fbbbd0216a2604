import type { Readable } from "node:stream";
import type { AuthConfig } from "../engine/registry/auth-config.js";

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
  /** Input reaches PID 1 (OpenStdin, attach with stdin). */
  attach: boolean;
  /** Files copy in and out (docker cp) of running containers. */
  archive: boolean;
  /** ... and of containers that are not running. */
  archiveNotRunning: boolean;
  /** Whether `docker export` can read the whole file system as the container's own; absent means as archive. */
  export?: boolean;
  pause: boolean;
  publishPorts: boolean;
  networking: boolean;
  /** Volumes, binds and tmpfs mounts. */
  mounts: boolean;
  /** Any signal reaches PID 1; without it only a stop (SIGTERM, then SIGKILL). */
  signals: boolean;
  /** Output keeps stderr apart from stdout. */
  stderr: boolean;
  // The ones below are supported where absent.
  /** Output arrives as written; false: as whole lines, so a last line without a newline gains one. */
  rawOutput?: boolean;
  /** A restarted container keeps the files it changed; false: each start begins from the image. */
  filesPersist?: boolean;
  /** Config.Hostname sets the name a container sees. */
  hostname?: boolean;
  /** HostConfig.GroupAdd reaches its processes. */
  groupAdd?: boolean;
  /** An exec runs as another user than the container's. */
  execUser?: boolean;
  /** An exec's input can end (EOF) without a terminal. */
  execInputEnds?: boolean;
  /** The HostConfig resource limits it enforces ("Memory", "CpuShares", ...); engine/ discards the others with a warning. */
  resources: string[];
}

/** A process to run in a container: PID 1 or an exec. */
export interface ProcessSpec {
  argv: string[];
  env: string[];
  cwd: string;
  user: string;
  /** HostConfig.GroupAdd: more supplementary groups, by name or number. */
  groups: string[];
  hostname: string;
  tty: boolean;
  /** Whether the process reads stdin (OpenStdin / AttachStdin on exec). */
  stdin: boolean;
}

/** What a backend needs to prepare a container's file system. */
export interface ContainerSpec {
  id: string;
  /** The image's ID (sha256:...; "" for an empty file system), for backends that hand the image to an engine of their own. */
  image: string;
  /** Where the image can be pulled by digest (its RepoDigests, "HOST/REPO@sha256:..."), for backends whose engine pulls; absent for build steps. */
  repoDigests?: string[];
  /** The container's labels (Config.Labels). */
  labels: Record<string, string>;
  /** The image's layers, lowest first. */
  layers: string[];
  /** HostConfig.Memory in bytes; 0 means no limit. */
  memory: number;
  /** HostConfig.Init: an init process forwards signals to PID 1's program. */
  init: boolean;
  /** Files the engine provides in every container (/etc/hostname, /etc/hosts, ...), written before PID 1 starts. */
  files: ProvidedFile[];
  /** Volumes, binds (already checked against the permitted roots) and tmpfs mounts, in declaration order. */
  mounts: MountSpec[];
  /** PID 1 as it will run; absent for a file system no process runs in (a build step's). */
  main?: ProcessSpec;
  /** Its networks, addressed while it runs, and its ports; absent where it has none (build steps). */
  network?: NetworkSpec;
}

/** A container's place on the networks engine/ manages, for backends with networking. */
export interface NetworkSpec {
  /** HostConfig.NetworkMode: "none", "host", "container:<ID>" or a network; "" and "default" mean the bridge. */
  mode: string;
  /** In connection order; addresses are set while the container runs. */
  endpoints: EndpointSpec[];
  /** HostConfig.PortBindings, PublishAllPorts and the exposed ports ("80/tcp"). */
  portBindings: Record<string, { HostIp?: string; HostPort?: string }[] | null>;
  publishAll: boolean;
  exposedPorts: string[];
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  /** "name:address" entries for /etc/hosts. */
  extraHosts: string[];
}

export interface EndpointSpec {
  networkId: string;
  networkName: string;
  /** Predefined networks (bridge) resolve no container names. */
  predefined: boolean;
  internal: boolean;
  subnet: string;
  gateway: string;
  ipv4: string;
  mac: string;
  /** Names the container answers to on this network: its name and aliases, on user networks. */
  aliases: string[];
}

/** Published ports as NetworkSettings.Ports shows them: "80/tcp" → host bindings, null when only exposed. */
export type PortMap = Record<string, { HostIp: string; HostPort: string }[] | null>;

/** One mount of a container: a host directory ("" for tmpfs, which the backend provides for each run) shown at `destination`. */
export interface MountSpec {
  type: "bind" | "volume" | "tmpfs";
  destination: string;
  source: string;
  readOnly: boolean;
  /** Fill an empty volume from the image's content at the destination, as dockerd does on first use. */
  copyImageContent: boolean;
}

export type ProvidedFile = { path: string; content: string } | { path: string; symlink: string };

export interface ProcessExit {
  exitCode: number;
  /** Why the process did not run or ended abnormally (Docker's State.Error). */
  error?: string;
  /** Ended by its memory limit (Docker's State.OOMKilled). */
  oomKilled?: boolean;
}

/** A running process. Output chunks are delivered in order as written. */
export interface ProcessHandle {
  onOutput(listener: (stream: 1 | 2, data: Buffer) => void): void;
  /** Feeds stdin; null ends it (EOF). Ignored when the process has no stdin. */
  writeStdin(data: Buffer | null): void;
  /** A canonical signal name ("SIGTERM"), already checked by engine/. */
  signal(signal: string): void;
  resize(rows: number, columns: number): void;
  readonly exited: Promise<ProcessExit>;
}

/**
 * Thrown by start or exec when the process cannot start: Docker reports the
 * message and exit code 127 (not found), 126 (not executable) or 128 (the
 * process could not be set up, such as a user the image does not have).
 */
export class ProcessStartError extends Error {
  constructor(
    message: string,
    readonly exitCode: 126 | 127 | 128,
  ) {
    super(message);
  }
}

/** One process of a running container, as `docker top` lists it. */
export interface ContainerProcess {
  /** PID inside the container: 1 for the main process. */
  pid: number;
  /** 0 for PID 1 and for execs, whose parent is outside the container. */
  ppid: number;
  argv: string[];
  user: string;
  tty: boolean;
  /** Epoch milliseconds. */
  startedAt: number;
}

/**
 * Resource use a backend measured for one container. A figure it cannot
 * measure is left out, and reported as 0 as dockerd does for unsupported ones.
 */
export interface ContainerUsage {
  /** CPU time in nanoseconds since PID 1 started, split by mode where known. */
  cpu?: { total: number; user: number; kernel: number };
  /** Bytes in use now. */
  memory?: number;
  pids: number;
}

// ---- Container files: docker cp (archive), export and diff ----

/** One object of a container's merged file system. */
export interface FileInfo {
  type: "file" | "dir" | "symlink" | "fifo";
  /** Permission bits with setuid/setgid/sticky (0o7777). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Milliseconds since the epoch. */
  mtime: number;
  /** Symlink target as stored. */
  link?: string;
  /** Shared by the names of one hard-linked file. */
  identity?: string;
}

/** A difference of a container's file system from its image: 0 modified, 1 added, 2 deleted. */
export interface FileChange {
  path: string;
  kind: 0 | 1 | 2;
}

/**
 * A container's merged file system. Paths are absolute inside the container;
 * symlinks in every step but the last resolve inside the container root, so
 * nothing here can reach a host path. Errors carry Node-style codes (ENOENT,
 * ENOTDIR, EEXIST, ENOSPC ...).
 */
export interface ContainerFiles {
  /** The object at `path` without following a final symlink; undefined when it does not exist. */
  lstat(path: string): Promise<FileInfo | undefined>;
  /** Names in a directory, sorted. */
  readdir(path: string): Promise<string[]>;
  /** A regular file's bytes. */
  read(path: string): Promise<Buffer>;
  mkdir(path: string): Promise<void>;
  /** Creates or truncates the file with `data`, or appends `data` to it. */
  write(path: string, data: Buffer, append: boolean): Promise<void>;
  symlink(path: string, target: string): Promise<void>;
  /** Makes `path` another name of the existing file `target`. */
  link(path: string, target: string): Promise<void>;
  /** Sets mode, owner and mtime of a non-symlink. */
  setMeta(path: string, meta: { mode: number; uid: number; gid: number; mtime: number }): Promise<void>;
  /** Removes `path` and everything below it; nothing when it does not exist. */
  remove(path: string): Promise<void>;
  /** Objects that differ from the image; a deleted directory is reported alone, and directories whose own metadata is unchanged are left out. */
  changes(): Promise<FileChange[]>;
}

export interface FilesBackend {
  /**
   * Runs `use` against the container's file system, whether it runs or not,
   * without starting it; a start waits until `use` has finished.
   */
  withFiles<T>(container: ContainerSpec, use: (files: ContainerFiles) => Promise<T>): Promise<T>;
}

export interface Backend extends FilesBackend {
  /** What the backend offers; a backend that routes containers by label (pools) answers for the one `labels` selects. */
  describe(labels?: Record<string, string>): BackendDescription;
  /** Prepares the container's file system; nothing runs yet. */
  createContainer(spec: ContainerSpec): Promise<void>;
  /** Starts PID 1, or an exec when `exec` is true, in a created container. */
  startProcess(container: ContainerSpec, process: ProcessSpec, exec: boolean): Promise<ProcessHandle>;
  /** Deletes what createContainer made. */
  removeContainer(containerId: string): Promise<void>;
  /** At startup: deletes what it holds for containers engine/ has no record of (a crash between createContainer and the record). */
  forgetUnknown?(knownIds: Set<string>): void;

  // Observation (top, stats, size): optional; engine/ answers 501 where a backend lacks one.
  /** The container's live processes; empty when it is not running. */
  processes?(containerId: string): ContainerProcess[];
  /** `docker top` answered by an engine that lists processes itself (its own ps, with ps_args); undefined leaves it to processes(). */
  listProcesses?(containerId: string, psArgs: string): Promise<{ Titles: string[]; Processes: string[][] } | undefined>;
  /** Resource use measured now; undefined when the container is not running. */
  usage?(containerId: string): Promise<ContainerUsage | undefined>;
  /** Bytes of the container's own changes over its image (Docker's SizeRw). */
  writableLayerSize?(containerId: string): Promise<number>;
  /** A running container joined or left networks: its spec's endpoints are what it is on now. */
  updateNetworks?(container: ContainerSpec): Promise<void>;
  /** Freezes and thaws a running container's processes (capabilities.pause). */
  pause?(containerId: string): Promise<void>;
  unpause?(containerId: string): Promise<void>;
  /** Where a running container's ports are published; undefined when it is not running or publishes none. */
  publishedPorts?(containerId: string): PortMap | undefined;
  /**
   * At startup, for a container engine/ recorded as running: the process if
   * it still runs (a backend whose containers outlive the daemon), else undefined.
   */
  adopt?(container: ContainerSpec): Promise<ProcessHandle | undefined>;
  /**
   * Lets a created container's processes reach these loopback HTTP URLs from
   * its next start, on a backend that grants no network otherwise (the
   * sandbox). In-process callers only: a simulator serving a container an API
   * of its own (Lambda's Runtime API); no Docker request reaches it.
   */
  grantUrls?(containerId: string, urls: string[]): void;
  /** Engine/ hands over its image store, for backends that copy images to an engine of their own. */
  useImages?(images: ImageSource): void;
  close(): Promise<void>;
}

export interface ImageSource {
  /** The image as `docker save` writes it. */
  save(imageId: string): Readable;
  /** Pushes the image to REPOSITORY:TAG with these credentials, without tagging it in the store; answers the manifest digest. */
  push(imageId: string, reference: string, auth: AuthConfig): Promise<string>;
}

export type BackendFactory = (options: Record<string, string>, dataDir: string) => Backend;
