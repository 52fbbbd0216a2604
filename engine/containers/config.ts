import { InvalidParameterError } from "../errors.js";
import type { ContainerDefaults } from "../images/store.js";

/** Config as clients send it to POST /containers/create (unknown fields are kept as given). */
export interface ContainerConfig extends ContainerDefaults {
  Hostname?: string;
  Domainname?: string;
  Image?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  StopTimeout?: number | null;
  ArgsEscaped?: boolean;
  NetworkDisabled?: boolean;
  [field: string]: unknown;
}

export interface HostConfig {
  AutoRemove?: boolean;
  Memory?: number;
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
  Init?: boolean | null;
  GroupAdd?: string[] | null;
  [field: string]: unknown;
}

function envKey(entry: string): string {
  const eq = entry.indexOf("=");
  return eq < 0 ? entry : entry.slice(0, eq);
}

/** Image Env first, then the container's, a later key replacing an earlier one in place. */
export function mergeEnv(image: string[] | null | undefined, own: string[] | null | undefined): string[] {
  const out = new Map<string, string>();
  for (const e of [...(image ?? []), ...(own ?? [])]) out.set(envKey(e), e);
  return [...out.values()];
}

/**
 * Fills a create request from the image the way moby's merge does: the
 * image's Cmd applies only when the request sets neither Cmd nor Entrypoint.
 */
export function withImageDefaults(config: ContainerConfig, image: ContainerDefaults): ContainerConfig {
  const merged: ContainerConfig = { ...config };
  merged.Env = mergeEnv(image.Env, config.Env);
  if (!config.Entrypoint?.length) {
    if (!config.Cmd?.length) merged.Cmd = image.Cmd ?? null;
    if (config.Entrypoint == null) merged.Entrypoint = image.Entrypoint ?? null;
  }
  merged.WorkingDir = config.WorkingDir || image.WorkingDir || "";
  merged.User = config.User || image.User || "";
  merged.Labels = { ...(image.Labels ?? {}), ...(config.Labels ?? {}) };
  const ports = { ...(image.ExposedPorts ?? {}), ...(config.ExposedPorts ?? {}) };
  merged.ExposedPorts = Object.keys(ports).length ? ports : undefined;
  const volumes = { ...(image.Volumes ?? {}), ...(config.Volumes ?? {}) };
  merged.Volumes = Object.keys(volumes).length ? volumes : null;
  merged.StopSignal = config.StopSignal || image.StopSignal || undefined;
  merged.Healthcheck = config.Healthcheck ?? image.Healthcheck;
  merged.OnBuild = config.OnBuild ?? null;
  return merged;
}

/** PID 1's argv: Entrypoint followed by Cmd. */
export function commandLine(config: ContainerConfig): string[] {
  const argv = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  if (argv.length === 0) throw new InvalidParameterError("no command specified");
  return argv;
}

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * The environment PID 1 gets, as Docker builds it: PATH when the image has
 * none, HOSTNAME, and TERM for a TTY, under the container's own Env.
 */
export function processEnv(config: ContainerConfig): string[] {
  const base = [`PATH=${DEFAULT_PATH}`, `HOSTNAME=${config.Hostname ?? ""}`, ...(config.Tty ? ["TERM=xterm"] : [])];
  return mergeEnv(base, config.Env);
}

/** The files Docker places in every container: its hostname, hosts and resolver configuration. */
export function providedFiles(config: ContainerConfig) {
  const host = config.Hostname ?? "";
  const fqdn = config.Domainname ? `${host}.${config.Domainname}` : host;
  return [
    { path: "/etc/hostname", content: `${host}\n` },
    {
      path: "/etc/hosts",
      content: `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n127.0.0.1\t${fqdn === host ? host : `${fqdn} ${host}`}\n`,
    },
    // Containers of a backend without networking resolve nothing.
    { path: "/etc/resolv.conf", content: "" },
    { path: "/etc/mtab", symlink: "/proc/mounts" },
  ];
}
