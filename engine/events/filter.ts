import type { FilterArgs } from "../filter-args.js";
import { familiarName, parseReference } from "../images/reference.js";
import type { EventMessage } from "./log.js";

/** Actions filtered by prefix when given bare, because their actions carry a suffix ("health_status: healthy"). */
const PREFIXED_ACTIONS = new Set(["health_status", "exec_create", "exec_start"]);

/** Filter keys matched against the actor's ID or name by prefix (the swarm ones never name a local actor). */
const NAMED_KEYS = ["daemon", "container", "plugin", "volume", "network", "node", "service", "secret", "config"];

/**
 * Which events a GET /events request wants, as moby's daemon/events.Filter
 * decides. Unknown keys are accepted and ignored, as dockerd does.
 */
export class EventFilter {
  constructor(private readonly args: FilterArgs) {}

  includes(m: EventMessage): boolean {
    const a = this.args;
    if (a.size === 0) return true;
    const eventMatch = a.get("event").some((v) => PREFIXED_ACTIONS.has(v)) ? a.fuzzyMatch("event", m.Action) : a.exactMatch("event", m.Action);
    return (
      eventMatch &&
      a.exactMatch("type", m.Type) &&
      (!a.contains("scope") || a.exactMatch("scope", m.scope)) &&
      NAMED_KEYS.every((t) => a.fuzzyMatch(t, m.Actor.ID) || a.fuzzyMatch(t, m.Actor.Attributes.name ?? "")) &&
      this.matchImage(m) &&
      (!a.contains("label") || a.matchKVList("label", m.Actor.Attributes))
    );
  }

  /** An image event's ID or name, or a container event's image, with or without its tag. */
  private matchImage(m: EventMessage): boolean {
    const name = (m.Type === "image" ? m.Actor.Attributes.name : m.Actor.Attributes.image) ?? "";
    const id = m.Actor.ID;
    return [id, name, stripTag(id), stripTag(name)].some((v) => this.args.exactMatch("image", v));
  }
}

function stripTag(image: string): string {
  try {
    return familiarName(parseReference(image));
  } catch {
    return image;
  }
}
