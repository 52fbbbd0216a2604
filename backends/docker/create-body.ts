import { createHash } from "node:crypto";
import { NotImplementedError } from "../../engine/errors.js";
import type { ContainerSpec, MountSpec, NetworkSpec } from "../backend.js";

export const CONTAINER_LABEL = "com.sockerless.container";
export const OWNER_LABEL = "com.sockerless.owner";

/** The engine volume that shows a Sockerless volume's directory: a bind through the local driver, so the engine fills it from the image on first use. */
export function volumeName(source: string): string {
  return `sockerless-${createHash("sha256").update(source).digest("hex").slice(0, 32)}`;
}

function engineMount(m: MountSpec) {
  if (m.type === "tmpfs") return { Type: "tmpfs", Target: m.destination, ReadOnly: m.readOnly };
  if (m.type === "bind") return { Type: "bind", Source: m.source, Target: m.destination, ReadOnly: m.readOnly };
  return { Type: "volume", Source: volumeName(m.source), Target: m.destination, ReadOnly: m.readOnly, VolumeOptions: { NoCopy: !m.copyImageContent } };
}

/** HostConfig.NetworkMode on the engine: engine/'s first network stands in until start connects them all. */
export function engineNetworkMode(network: NetworkSpec | undefined, firstNetwork: string | undefined): string {
  const mode = network?.mode ?? "none";
  if (mode === "none" || mode === "host") return mode;
  if (mode.startsWith("container:")) throw new NotImplementedError(`network mode ${mode} is not supported by the docker backend yet`);
  return firstNetwork ?? "none";
}

/**
 * The engine's container for a Sockerless container: PID 1 fully resolved by
 * engine/ (its argv becomes the entrypoint), its mounts, ports and DNS. A file
 * system no process runs in gets an entrypoint that is never started.
 */
export function createBody(spec: ContainerSpec, image: string, owner: string, networkMode: string) {
  const main = spec.main;
  const net = spec.network;
  return {
    Image: image,
    Entrypoint: main?.argv ?? ["/.sockerless-no-process"],
    Cmd: null,
    Env: main?.env ?? [],
    WorkingDir: main?.cwd ?? "",
    User: main?.user ?? "",
    Hostname: main?.hostname || undefined,
    Tty: main?.tty ?? false,
    OpenStdin: main?.stdin ?? false,
    // Half-closing the attached stdin then ends the process's stdin, as engine/ expects.
    StdinOnce: main?.stdin ?? false,
    AttachStdin: main?.stdin ?? false,
    AttachStdout: true,
    AttachStderr: true,
    ExposedPorts: Object.fromEntries((net?.exposedPorts ?? []).map((p) => [p, {}])),
    Labels: { [CONTAINER_LABEL]: spec.id, [OWNER_LABEL]: owner },
    HostConfig: {
      Init: spec.init,
      Memory: spec.memory,
      GroupAdd: main?.groups.length ? main.groups : undefined,
      Mounts: spec.mounts.map(engineMount),
      NetworkMode: networkMode,
      PortBindings: net?.portBindings ?? {},
      PublishAllPorts: net?.publishAll ?? false,
      Dns: net?.dns ?? [],
      DnsSearch: net?.dnsSearch ?? [],
      DnsOptions: net?.dnsOptions ?? [],
      ExtraHosts: net?.extraHosts.length ? net.extraHosts : undefined,
    },
  };
}
