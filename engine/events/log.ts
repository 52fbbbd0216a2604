import { EventEmitter } from "node:events";
import { nowNano } from "../clock.js";
import type { EventFilter } from "./filter.js";

export type EventType = "container" | "image" | "network" | "volume" | "daemon" | "plugin" | "builder";

/** One event as dockerd sends it on GET /events (api/types/events.Message). */
export interface EventMessage {
  /** Deprecated fields dockerd still fills for container and image events up to API 1.51. */
  status?: string;
  id?: string;
  from?: string;
  Type: EventType;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: "local";
  time: number;
  /** Nanoseconds since the epoch; beyond a double's precision, hence bigint. */
  timeNano: bigint;
}

/** What a container event needs to know of its container. */
export interface EventContainer {
  id: string;
  name: string;
  config: { Image?: string; Labels?: Record<string, string> | null };
}

/** dockerd keeps this many recent events in memory (daemon/events eventsLimit) and persists none. */
const KEPT = 256;

/**
 * The daemon's event log: the last 256 events for `since`/`until`
 * queries, and live delivery to subscribers.
 *
 * Emitters call:
 *   events.container(c, "start")                      // c: {id, name, config: {Image, Labels}}
 *   events.container(c, "die", { exitCode: "0", execDuration: "1" })
 *   events.container(c, "kill", { signal: "15" })     // attributes are strings, as in Docker
 *   events.image(imageId, refName, "tag", labels)     // imageId "sha256:…", refName e.g. "busybox:latest"
 *   events.log("network", "create", { ID, Attributes })
 */
export class EventLog {
  private readonly recent: EventMessage[] = [];
  private readonly live = new EventEmitter().setMaxListeners(0);
  private readonly internal = new EventEmitter().setMaxListeners(0);

  /** Labels, `image` and `name` are added to the attributes exactly as moby's LogContainerEventWithAttributes does. */
  container(c: EventContainer, action: string, extra: Record<string, string> = {}): EventMessage {
    const attributes: Record<string, string> = { ...extra, ...(c.config.Labels ?? {}) };
    if (c.config.Image) attributes.image = c.config.Image;
    attributes.name = c.name.replace(/^\//, "");
    return this.log("container", action, { ID: c.id, Attributes: attributes });
  }

  /** The image's labels (absent once it is deleted) and, when known, the name it was referred to by. */
  image(imageId: string, refName: string, action: string, labels?: Record<string, string> | null): EventMessage {
    const attributes: Record<string, string> = { ...(labels ?? {}) };
    if (refName !== "") attributes.name = refName;
    return this.log("image", action, { ID: imageId, Attributes: attributes });
  }

  log(type: EventType, action: string, actor: EventMessage["Actor"]): EventMessage {
    const timeNano = nowNano();
    const message: EventMessage = { Type: type, Action: action, Actor: actor, scope: "local", time: Number(timeNano / 1_000_000_000n), timeNano };
    if (type === "container") Object.assign(message, { status: action, id: actor.ID, from: actor.Attributes.image });
    if (type === "image") Object.assign(message, { status: action, id: actor.ID });
    this.recent.push(message);
    if (this.recent.length > KEPT) this.recent.shift();
    this.live.emit("event", message);
    this.internal.emit("event", message);
    return message;
  }

  /** The daemon's own observers (not API listeners, so not counted in NEventsListener). */
  watch(filter: EventFilter, onEvent: (m: EventMessage) => void): void {
    this.internal.on("event", (m: EventMessage) => {
      if (filter.includes(m)) onEvent(m);
    });
  }

  /**
   * Kept events between since and until (both in nanoseconds; none without
   * either, and an `until` at or before the epoch bounds nothing, as in dockerd), then live ones through onEvent until the returned
   * function is called. Past events are taken and the listener added together,
   * so none is lost or repeated.
   */
  subscribe(since: bigint | undefined, until: bigint | undefined, filter: EventFilter, onEvent: (m: EventMessage) => void): { past: EventMessage[]; unsubscribe: () => void } {
    const past =
      since === undefined && until === undefined
        ? []
        : this.recent.filter((m) => (since === undefined || m.timeNano >= since) && (until === undefined || until <= 0n || m.timeNano <= until) && filter.includes(m));
    const listener = (m: EventMessage) => {
      if (filter.includes(m)) onEvent(m);
    };
    this.live.on("event", listener);
    return { past, unsubscribe: () => this.live.off("event", listener) };
  }

  /** Open subscriptions, for /info's NEventsListener. */
  get listeners(): number {
    return this.live.listenerCount("event");
  }
}

/** The message as one JSON line; timeNano is written as the exact integer. */
export function encodeEvent(m: EventMessage): string {
  const { timeNano, ...rest } = m;
  return `${JSON.stringify(rest).slice(0, -1)},"timeNano":${timeNano}}\n`;
}
