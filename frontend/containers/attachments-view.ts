import type { ContainerAttachments } from "../../engine/containers/attachments.js";
import type { Container } from "../../engine/containers/manager.js";
import type { PortMap } from "../../backends/backend.js";

/** Mounts as inspect and the list show them, in dockerd's shape per type. */
export function mountsView(c: Container, attachments: ContainerAttachments) {
  return attachments.mounts.list(c.id).map((m) => {
    if (m.Type === "volume") return { Type: m.Type, Name: m.Name, Source: m.Source, Destination: m.Destination, Driver: "local", Mode: m.Mode, RW: m.RW, Propagation: "" };
    return { Type: m.Type, Source: m.Source, Destination: m.Destination, Mode: m.Mode, RW: m.RW, Propagation: m.Propagation };
  });
}

/**
 * NetworkSettings as inspect shows them: every network by name, and the
 * deprecated top-level address fields from the default bridge's endpoint.
 */
export function networkSettingsView(c: Container, attachments: ContainerAttachments, apiVersion: string, ports: PortMap) {
  const networks = attachments.networks.networksView(c, apiVersion);
  const bridge = networks.bridge;
  return {
    Bridge: "",
    SandboxID: "",
    SandboxKey: "",
    Ports: ports,
    HairpinMode: false,
    LinkLocalIPv6Address: "",
    LinkLocalIPv6PrefixLen: 0,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: bridge?.EndpointID ?? "",
    Gateway: bridge?.Gateway ?? "",
    GlobalIPv6Address: "",
    GlobalIPv6PrefixLen: 0,
    IPAddress: bridge?.IPAddress ?? "",
    IPPrefixLen: bridge?.IPPrefixLen ?? 0,
    IPv6Gateway: "",
    MacAddress: bridge ? attachments.networks.list(c.id).find((e) => e.network.name === "bridge")?.mac ?? "" : "",
    Networks: networks,
  };
}

/** A container's ports as `docker ps` lists them: each binding, and exposed ports with none. */
export function portsSummary(ports: PortMap) {
  return Object.entries(ports).flatMap(([key, bindings]) => {
    const [port, type = "tcp"] = key.split("/");
    const PrivatePort = Number(port);
    if (!bindings) return [{ PrivatePort, Type: type }];
    return bindings.map((b) => ({ IP: b.HostIp, PrivatePort, PublicPort: Number(b.HostPort), Type: type }));
  });
}
