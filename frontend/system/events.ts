import { Hono } from "hono";
import { stream } from "hono/streaming";
import { InvalidParameterError } from "../../engine/errors.js";
import { EventFilter } from "../../engine/events/filter.js";
import { nowNano } from "../../engine/clock.js";
import { encodeEvent, type EventMessage } from "../../engine/events/log.js";
import { FilterArgs } from "../../engine/filter-args.js";
import { parseUnixTimestamp } from "../../engine/timestamps.js";
import type { AppEnv } from "../env.js";

/**
 * GET /events: kept events between `since` and `until`, then live ones until
 * `until` passes or the client goes away. Checks run in dockerd's order, so
 * the same bad request gets the same error.
 */
export function eventRoutes() {
  const r = new Hono<AppEnv>();

  r.get("/events", (c) => {
    const rawSince = c.req.query("since") ?? "";
    const rawUntil = c.req.query("until") ?? "";
    const since = parseUnixTimestamp(rawSince);
    const until = parseUnixTimestamp(rawUntil);
    if (until !== undefined && since !== undefined && until < since) {
      throw new InvalidParameterError(`\`since\` time (${rawSince}) cannot be after \`until\` time (${rawUntil})`);
    }
    const onlyPast = until !== undefined && until < nowNano();
    const filter = new EventFilter(FilterArgs.fromJson(c.req.query("filters")));
    const { events } = c.var.engine;

    const live: EventMessage[] = [];
    let wake: (() => void) | undefined;
    let ended = onlyPast;
    const end = () => {
      ended = true;
      wake?.();
    };
    const { past, unsubscribe } = events.subscribe(since, until, filter, (m) => {
      if (until !== undefined && m.timeNano > until) return end();
      live.push(m);
      wake?.();
    });
    const timer = until !== undefined && !onlyPast ? setTimeout(end, Number((until - nowNano()) / 1_000_000n) + 1) : undefined;
    c.header("Content-Type", "application/json");

    return stream(c, async (s) => {
      s.onAbort(end);
      try {
        for (const m of past) await s.write(encodeEvent(m));
        while (!ended && !s.aborted) {
          for (const m of live.splice(0)) await s.write(encodeEvent(m));
          if (ended || s.aborted) break;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      } finally {
        clearTimeout(timer);
        unsubscribe();
      }
    });
  });

  return r;
}
