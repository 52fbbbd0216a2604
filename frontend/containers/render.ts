import { versionAtLeast } from "../../engine/api-version.js";
import type { Container } from "../../engine/containers/manager.js";
import type { ContainerAttachments } from "../../engine/containers/attachments.js";
import { mountsView, networkSettingsView, portsSummary } from "./attachments-view.js";
import type { PortMap } from "../../backends/backend.js";

/** The proc and sys paths dockerd masks or makes read-only by default; the sandbox has none of them, so they hold trivially. */
const MASKED_PATHS = ["/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"];
const READONLY_PATHS = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

/** HostConfig as inspect reports it: what the client sent over Docker's defaults. */
function hostConfigView(c: Container, apiVersion: string) {
  return {
    Binds: null,
    ContainerIDFile: "",
    LogConfig: { Type: "json-file", Config: {} },
    NetworkMode: "bridge",
    PortBindings: {},
    RestartPolicy: { Name: "no", MaximumRetryCount: 0 },
    AutoRemove: false,
    VolumeDriver: "",
    VolumesFrom: null,
    ConsoleSize: [0, 0],
    CapAdd: null,
    CapDrop: null,
    CgroupnsMode: "private",
    Dns: [],
    DnsOptions: [],
    DnsSearch: [],
    ExtraHosts: null,
    GroupAdd: null,
    IpcMode: "private",
    Cgroup: "",
    Links: null,
    OomScoreAdj: 0,
    PidMode: "",
    Privileged: false,
    PublishAllPorts: false,
    ReadonlyRootfs: false,
    SecurityOpt: null,
    UTSMode: "",
    UsernsMode: "",
    ShmSize: 67108864,
    Runtime: "",
    Isolation: "",
    CpuShares: 0,
    Memory: 0,
    NanoCpus: 0,
    CgroupParent: "",
    BlkioWeight: 0,
    BlkioWeightDevice: [],
    BlkioDeviceReadBps: [],
    BlkioDeviceWriteBps: [],
    BlkioDeviceReadIOps: [],
    BlkioDeviceWriteIOps: [],
    CpuPeriod: 0,
    CpuQuota: 0,
    CpuRealtimePeriod: 0,
    CpuRealtimeRuntime: 0,
    CpusetCpus: "",
    CpusetMems: "",
    Devices: [],
    DeviceCgroupRules: null,
    DeviceRequests: null,
    // API 1.42 stopped reporting the kernel memory limits.
    ...(versionAtLeast(apiVersion, "1.42") ? {} : { KernelMemory: 0, KernelMemoryTCP: 0 }),
    MemoryReservation: 0,
    MemorySwap: 0,
    MemorySwappiness: null,
    OomKillDisable: false,
    PidsLimit: null,
    Ulimits: [],
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    MaskedPaths: MASKED_PATHS,
    ReadonlyPaths: READONLY_PATHS,
    Init: null,
    ...c.hostConfig,
  };
}

export function inspectContainer(c: Container, execIds: string[], apiVersion: string, attachments: ContainerAttachments, ports: PortMap) {
  return {
    Id: c.id,
    Created: c.created,
    Path: c.path,
    Args: c.args,
    State: c.state,
    Image: c.imageId,
    ResolvConfPath: "",
    HostnamePath: "",
    HostsPath: "",
    LogPath: "",
    Name: c.name,
    RestartCount: c.restartCount,
    Driver: "sockerless",
    Platform: "linux",
    MountLabel: "",
    ProcessLabel: "",
    AppArmorProfile: "",
    ExecIDs: execIds.length ? execIds : null,
    HostConfig: hostConfigView(c, apiVersion),
    GraphDriver: { Name: "sockerless", Data: null },
    Mounts: mountsView(c, attachments),
    Config: {
      Hostname: c.config.Hostname ?? "",
      Domainname: c.config.Domainname ?? "",
      User: c.config.User ?? "",
      AttachStdin: Boolean(c.config.AttachStdin),
      AttachStdout: Boolean(c.config.AttachStdout),
      AttachStderr: Boolean(c.config.AttachStderr),
      Tty: Boolean(c.config.Tty),
      OpenStdin: Boolean(c.config.OpenStdin),
      StdinOnce: Boolean(c.config.StdinOnce),
      Env: c.config.Env ?? [],
      Cmd: c.config.Cmd ?? null,
      Image: c.image,
      Volumes: c.config.Volumes ?? null,
      WorkingDir: c.config.WorkingDir ?? "",
      Entrypoint: c.config.Entrypoint ?? null,
      OnBuild: c.config.OnBuild ?? null,
      Labels: c.config.Labels ?? {},
      ...(c.config.ExposedPorts ? { ExposedPorts: c.config.ExposedPorts } : {}),
      ...(c.config.StopSignal ? { StopSignal: c.config.StopSignal } : {}),
      ...(c.config.StopTimeout != null ? { StopTimeout: c.config.StopTimeout } : {}),
      ...(c.config.Healthcheck ? { Healthcheck: c.config.Healthcheck } : {}),
    },
    NetworkSettings: networkSettingsView(c, attachments, apiVersion, ports),
  };
}

/** As `docker ps` shows a health check's state after the uptime. */
function healthSuffix(status: string | undefined): string {
  if (!status) return "";
  return status === "starting" ? " (health: starting)" : ` (${status})`;
}

function statusText(c: Container): string {
  const s = c.state;
  if (s.Status === "running") return `Up ${since(s.StartedAt)}${healthSuffix(s.Health?.Status)}`;
  if (s.Status === "exited") return `Exited (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
  if (s.Status === "created") return "Created";
  if (s.Status === "restarting") return `Restarting (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
  return s.Status.charAt(0).toUpperCase() + s.Status.slice(1);
}

function since(time: string): string {
  const seconds = Math.max(0, (Date.now() - Date.parse(time)) / 1000);
  if (seconds < 1) return "Less than a second";
  if (seconds < 60) return `${Math.floor(seconds)} second${seconds >= 2 ? "s" : ""}`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} minute${seconds >= 120 ? "s" : ""}`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} hour${seconds >= 7200 ? "s" : ""}`;
  return `${Math.floor(seconds / 86400)} days`;
}

export function summarizeContainer(c: Container, attachments: ContainerAttachments, apiVersion: string, ports: PortMap) {
  return {
    Id: c.id,
    Names: [c.name],
    Image: c.image,
    ImageID: c.imageId,
    // As dockerd: arguments holding a space are wrapped in single quotes.
    Command: [c.path, ...c.args.map((a) => (a.includes(" ") ? `'${a}'` : a))].join(" "),
    Created: Math.floor(Date.parse(c.created) / 1000),
    Ports: portsSummary(ports),
    Labels: c.config.Labels ?? {},
    State: c.state.Status,
    Status: statusText(c),
    HostConfig: { NetworkMode: (c.hostConfig.NetworkMode as string | undefined) || "bridge" },
    NetworkSettings: { Networks: attachments.networks.networksView(c, apiVersion) },
    Mounts: mountsView(c, attachments),
  };
}
