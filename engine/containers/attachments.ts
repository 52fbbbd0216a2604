import type { MountSpec, NetworkSpec } from "../../backends/backend.js";
import { parsePrefix4 } from "../networks/ipam.js";
import type { ParsedMount } from "../volumes/mount-parse.js";
import type { ContainerMounts } from "../volumes/container-mounts.js";
import type { ContainerNetworks, EndpointConfig } from "../networks/container-networks.js";
import type { Network } from "../networks/store.js";
import type { ContainerConfig, HostConfig } from "./config.js";

/** What a container attaches to, checked before anything is made. */
export interface AttachmentPlan {
  mounts: ParsedMount[];
  networks: { network: Network; config: EndpointConfig }[];
}

interface Attached {
  id: string;
  name: string;
  config: ContainerConfig;
  hostConfig: HostConfig;
}

/**
 * A container's mounts and network memberships through its life: planned
 * (validated) at create, recorded once the container exists, brought up at
 * start, released at exit and dropped at removal.
 */
export class ContainerAttachments {
  constructor(
    readonly mounts: ContainerMounts,
    readonly networks: ContainerNetworks,
  ) {}

  plan(config: ContainerConfig, hostConfig: HostConfig, networking: { EndpointsConfig?: Record<string, EndpointConfig | null> } | undefined, apiVersion: string): AttachmentPlan {
    const mounts = this.mounts.plan(hostConfig as never, config.Volumes as Record<string, unknown> | null);
    const networks = this.networks.plan(hostConfig, networking?.EndpointsConfig, apiVersion);
    return { mounts, networks };
  }

  attach(c: Attached, plan: AttachmentPlan): void {
    this.mounts.attach(c.id, plan.mounts);
    this.networks.attach(c.id, plan.networks);
  }

  /** Runs `fn` (synchronous) with every container's mounts and endpoints read at once: `docker ps` over many containers. */
  preloaded<T>(fn: () => T): T {
    return this.mounts.preloaded(() => this.networks.preloaded(fn));
  }

  backendMounts(id: string): MountSpec[] {
    return this.mounts.backendMounts(id);
  }

  /** The container's networks and ports as a backend with networking sets them up. */
  backendNetwork(c: Attached): NetworkSpec {
    const h = c.hostConfig;
    const strings = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
    return {
      mode: typeof h.NetworkMode === "string" ? h.NetworkMode : "",
      endpoints: this.networks.list(c.id).map((e) => {
        const ipam = e.network.ipam.Config.find((cfg) => parsePrefix4(cfg.Subnet ?? ""));
        const predefined = this.networks.store.isPredefined(e.network);
        return {
          networkId: e.network.id,
          networkName: e.network.name,
          predefined,
          internal: e.network.internal,
          subnet: ipam?.Subnet ?? "",
          gateway: ipam?.Gateway ?? "",
          ipv4: e.ipv4,
          mac: e.mac,
          aliases: predefined ? [] : [c.name.replace(/^\//, ""), ...(e.config.Aliases ?? []), c.id.slice(0, 12)],
        };
      }),
      portBindings: (h.PortBindings as NetworkSpec["portBindings"] | undefined) ?? {},
      publishAll: h.PublishAllPorts === true,
      exposedPorts: Object.keys(c.config.ExposedPorts ?? {}),
      dns: strings(h.Dns),
      dnsSearch: strings(h.DnsSearch),
      dnsOptions: strings(h.DnsOptions),
      extraHosts: strings(h.ExtraHosts),
    };
  }

  started(c: Attached): void {
    this.mounts.started(c.id);
    this.networks.started(c);
  }

  stopped(c: Attached): void {
    this.networks.stopped(c);
    this.mounts.stopped(c.id);
  }

  /** After a daemon restart nothing runs: the addresses a container held are free again (nothing is announced, as nothing ran). */
  recovered(c: Attached): void {
    this.networks.release(c.id);
  }

  /** Before the container's record goes: with `removeVolumes`, its anonymous volumes go too. */
  removing(c: Attached, removeVolumes: boolean): void {
    this.networks.stopped(c);
    this.mounts.detach(c.id, removeVolumes);
  }
}
