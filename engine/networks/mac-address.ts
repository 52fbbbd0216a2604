import { versionLessThan } from "../api-version.js";
import { InvalidParameterError } from "../errors.js";
import type { EndpointConfig } from "./container-networks.js";

const WARNING = "The container-wide MacAddress field is now deprecated. It should be specified in EndpointsConfig instead.";

/**
 * Config.MacAddress, the container-wide address API 1.44 replaced with
 * EndpointsConfig's, moves to the main network's endpoint as dockerd moves
 * it; the deprecation warning is returned for newer clients.
 */
export function migrateContainerMac(
  config: { MacAddress?: string },
  hostConfig: Record<string, unknown>,
  networking: { EndpointsConfig?: Record<string, EndpointConfig | null> },
  apiVersion: string,
): string | undefined {
  const mac = config.MacAddress ?? "";
  const mode = typeof hostConfig.NetworkMode === "string" && hostConfig.NetworkMode !== "" && hostConfig.NetworkMode !== "default" ? hostConfig.NetworkMode : "bridge";
  const bridged = mode !== "host" && mode !== "none" && !mode.startsWith("container:");
  const endpoints = (networking.EndpointsConfig ??= {});
  if (versionLessThan(apiVersion, "1.44")) {
    // The old API ignored endpoint addresses; only the container-wide one counts.
    if (mac === "") {
      for (const ep of Object.values(endpoints)) if (ep) delete ep.MacAddress;
      return undefined;
    }
    if (!bridged) throw new InvalidParameterError("conflicting options: mac-address and the network mode");
    if (Object.keys(endpoints).length === 0) endpoints[mode] = {};
    for (const [name, ep] of Object.entries(endpoints)) endpoints[name] = { ...(ep ?? {}), MacAddress: mac };
    return undefined;
  }
  if (mac === "") return undefined;
  if (bridged) {
    if (Object.keys(endpoints).length === 0) endpoints[mode] = { MacAddress: mac };
    else {
      const ep = endpoints[mode];
      if (ep === undefined) throw new InvalidParameterError("if a container-wide MAC address is supplied, HostConfig.NetworkMode must match the identity of a network in NetworkSettings.Networks");
      if (!ep?.MacAddress) endpoints[mode] = { ...(ep ?? {}), MacAddress: mac };
      else if (ep.MacAddress !== mac) throw new InvalidParameterError("the container-wide MAC address must match the endpoint-specific MAC address for the main network, or be left empty");
    }
  }
  delete config.MacAddress;
  return WARNING;
}
