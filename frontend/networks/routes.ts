import { Hono } from "hono";
import { NotFoundError } from "../../engine/errors.js";
import { FilterArgs } from "../../engine/filter-args.js";
import type { EndpointConfig } from "../../engine/networks/container-networks.js";
import { listNetworks, pruneNetworks } from "../../engine/networks/filter.js";
import type { Network, NetworkCreate } from "../../engine/networks/store.js";
import type { Engine } from "../../engine/engine.js";
import { versionAtLeast } from "../../engine/api-version.js";
import type { AppEnv } from "../env.js";
import { readJsonObject } from "../json.js";

/** A network as GET /networks/{id} shows it; `Containers` holds the running members with their addresses. */
function renderNetwork(engine: Engine, n: Network, apiVersion: string, withMembers: boolean) {
  const members = withMembers ? engine.attachments.networks.members(n.id) : [];
  const subnet = n.ipam.Config.find((c) => c.Subnet && !c.Subnet.includes(":"))?.Subnet ?? "";
  const bits = subnet.split("/")[1] ?? "";
  const containers = Object.fromEntries(
    members.map((m) => {
      const c = engine.containers.get(m.containerId);
      return [m.containerId, { Name: c.name.replace(/^\//, ""), EndpointID: m.endpointId, MacAddress: m.mac, IPv4Address: m.ipv4 ? `${m.ipv4}/${bits}` : "", IPv6Address: "" }];
    }),
  );
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Scope: "local",
    Driver: n.driver,
    ...(versionAtLeast(apiVersion, "1.48") ? { EnableIPv4: true } : {}),
    EnableIPv6: n.enableIPv6,
    IPAM: n.ipam,
    Internal: n.internal,
    Attachable: n.attachable,
    Ingress: false,
    ConfigFrom: { Network: "" },
    ConfigOnly: false,
    Containers: containers,
    Options: n.options,
    Labels: n.labels,
  };
}

const containerName = (engine: Engine) => (id: string) => engine.containers.get(id).name.replace(/^\//, "");

export function networkRoutes() {
  const r = new Hono<AppEnv>();

  r.get("/networks", (c) => {
    const { engine, apiVersion } = c.var;
    const list = listNetworks(engine.networks, engine.attachments.networks, FilterArgs.fromJson(c.req.query("filters")));
    return c.json(list.map((n) => renderNetwork(engine, n, apiVersion, false)));
  });

  r.post("/networks/create", async (c) => {
    const body = await readJsonObject<NetworkCreate>(c);
    const n = c.var.engine.networks.create(body);
    return c.json({ Id: n.id, Warning: "" }, 201);
  });

  r.post("/networks/prune", (c) => {
    const { engine } = c.var;
    return c.json(pruneNetworks(engine.networks, engine.attachments.networks, engine.events, FilterArgs.fromJson(c.req.query("filters")), containerName(engine)));
  });

  r.get("/networks/:id", (c) => {
    const { engine, apiVersion } = c.var;
    const n = engine.networks.get(c.req.param("id"));
    // Only local networks exist: asking for another scope finds nothing, as dockerd answers.
    const scope = c.req.query("scope");
    if (scope && scope !== "local") throw new NotFoundError(`network ${c.req.param("id")} not found`);
    return c.json(renderNetwork(engine, n, apiVersion, true));
  });

  r.delete("/networks/:id", (c) => {
    const { engine } = c.var;
    engine.networks.remove(c.req.param("id"), containerName(engine));
    return c.body(null, 204);
  });

  r.post("/networks/:id/connect", async (c) => {
    const { engine } = c.var;
    const body = await readJsonObject<{ Container?: string; EndpointConfig?: EndpointConfig | null }>(c);
    const network = engine.networks.get(c.req.param("id"));
    const container = engine.containers.get(body.Container ?? "");
    engine.attachments.networks.connect(network.id, container, body.EndpointConfig ?? {}, engine.containers.isRunning(container.id));
    await engine.containers.networksChanged(container.id);
    return c.body(null, 200);
  });

  r.post("/networks/:id/disconnect", async (c) => {
    const { engine } = c.var;
    const body = await readJsonObject<{ Container?: string; Force?: boolean }>(c);
    const network = engine.networks.get(c.req.param("id"));
    const container = engine.containers.get(body.Container ?? "");
    engine.attachments.networks.disconnect(network.id, container);
    await engine.containers.networksChanged(container.id);
    return c.body(null, 200);
  });

  return r;
}
