import type { EndpointSpec } from "../backend.js";
import { EngineError, type EngineClient } from "./engine-client.js";

export const NETWORK_LABEL = "com.sockerless.network";

interface EngineNetwork {
  Id: string;
  Name: string;
  Labels: Record<string, string> | null;
}

/**
 * Sockerless's networks mirrored on the engine: a bridge network of the same
 * subnet and gateway for each, so a container gets the address engine/
 * assigned it, and the engine's DNS answers its name and aliases.
 */
export class EngineNetworks {
  private readonly ensuring = new Map<string, Promise<string>>();

  constructor(private readonly client: EngineClient) {}

  /** The engine network that stands for a Sockerless network, created on first use. */
  ensure(e: EndpointSpec): Promise<string> {
    let made = this.ensuring.get(e.networkId);
    if (!made) {
      made = this.findOrCreate(e).finally(() => this.ensuring.delete(e.networkId));
      this.ensuring.set(e.networkId, made);
    }
    return made;
  }

  private async mirrors(): Promise<EngineNetwork[]> {
    const filters = encodeURIComponent(JSON.stringify({ label: [NETWORK_LABEL] }));
    return this.client.call<EngineNetwork[]>("GET", `/networks?filters=${filters}`);
  }

  private async findOrCreate(e: EndpointSpec): Promise<string> {
    const existing = (await this.mirrors()).find((n) => n.Labels?.[NETWORK_LABEL] === e.networkId);
    if (existing) return existing.Name;
    const name = `sockerless-${e.networkId.slice(0, 12)}`;
    const body = {
      Name: name,
      Driver: "bridge",
      CheckDuplicate: true,
      Internal: e.internal,
      IPAM: e.subnet ? { Driver: "default", Config: [{ Subnet: e.subnet, ...(e.gateway ? { Gateway: e.gateway } : {}) }] } : undefined,
      Labels: { [NETWORK_LABEL]: e.networkId, "com.sockerless.network.name": e.networkName },
    };
    try {
      await this.client.call("POST", "/networks/create", body);
    } catch (err) {
      // A removed Sockerless network may still hold its subnet on the engine: drop unused mirrors and try once more.
      if (!(err instanceof EngineError) || !/overlap/i.test(err.message)) throw err;
      await this.releaseUnused((await this.mirrors()).map((n) => n.Name));
      try {
        await this.client.call("POST", "/networks/create", body);
      } catch (again) {
        if (!(again instanceof EngineError) || !/overlap/i.test(again.message)) throw again;
        throw new EngineError(
          409,
          `the engine cannot mirror network ${e.networkName} at ${e.subnet}: ${again.message}. Another network of that engine uses the subnet (a dockerd's default bridge takes 172.17.0.0/16: start it with --bridge=none or another --bip)`,
        );
      }
    }
    return name;
  }

  /** Removes the mirrors among `names` that no engine container, running or not, is on any more. */
  async releaseUnused(names: string[]): Promise<void> {
    for (const name of names.filter((n) => n.startsWith("sockerless-"))) {
      const filters = encodeURIComponent(JSON.stringify({ network: [name] }));
      const users = await this.client.call<unknown[]>("GET", `/containers/json?all=1&filters=${filters}`);
      if (users.length > 0) continue;
      try {
        await this.client.call("DELETE", `/networks/${encodeURIComponent(name)}`);
      } catch (err) {
        // Gone already, or joined by a container meanwhile: either way nothing to do.
        if (!(err instanceof EngineError) || (err.status !== 404 && err.status !== 403)) throw err;
      }
    }
  }

  /**
   * Puts a container on exactly its networks, with engine/'s addresses and
   * names. At start (`renew`) every network is joined afresh, as addresses
   * change between runs; on a running container only the differences are made.
   */
  async sync(engineContainer: string, endpoints: EndpointSpec[], connected: string[], renew: boolean): Promise<void> {
    const wanted = new Map<string, EndpointSpec>();
    for (const e of endpoints) wanted.set(await this.ensure(e), e);
    for (const net of connected) {
      if (renew || !wanted.has(net)) await this.client.call("POST", `/networks/${encodeURIComponent(net)}/disconnect`, { Container: engineContainer, Force: true });
    }
    for (const [net, e] of wanted) {
      if (!renew && connected.includes(net)) continue;
      await this.client.call("POST", `/networks/${encodeURIComponent(net)}/connect`, {
        Container: engineContainer,
        EndpointConfig: {
          IPAMConfig: e.ipv4 ? { IPv4Address: e.ipv4 } : undefined,
          Aliases: e.aliases,
          MacAddress: e.mac || undefined,
        },
      });
    }
  }
}
