import { Hono } from "hono";
import { stream } from "hono/streaming";
import { versionAtLeast } from "../../engine/api-version.js";
import { inWindow, type LogEntry, type LogQuery } from "../../engine/containers/logs.js";
import { logPolicy, type LogConfig } from "../../engine/containers/log-config.js";
import { InvalidParameterError, NotImplementedError } from "../../engine/errors.js";
import { parseUnixTimestamp } from "../../engine/timestamps.js";
import type { AppEnv } from "../env.js";
import { frame } from "../stdcopy.js";

const truthy = (v: string | undefined) => v === "1" || v === "true" || v === "True";

/** `tail` as dockerd reads it: "all", a negative number or anything unparsable means every line. */
function parseTail(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/** GET /containers/{id}/logs: stored lines, then (with `follow`) new ones until the container stops. */
export function logRoutes() {
  const r = new Hono<AppEnv>();

  r.get("/containers/:id/logs", (c) => {
    const { containers } = c.var.engine;
    const container = containers.get(c.req.param("id"));
    const q = (k: string) => c.req.query(k);
    const query: LogQuery = {
      stdout: truthy(q("stdout")),
      stderr: truthy(q("stderr")),
      since: parseUnixTimestamp(q("since")),
      until: parseUnixTimestamp(q("until")),
      tail: parseTail(q("tail")),
    };
    if (!query.stdout && !query.stderr) throw new InvalidParameterError("Bad parameters: you must choose at least one stream");
    if (!logPolicy(container.hostConfig.LogConfig as LogConfig | undefined).keep) throw new NotImplementedError("configured logging driver does not support reading");
    const tty = Boolean(container.config.Tty);
    const timestamps = truthy(q("timestamps"));
    const details = truthy(q("details"));
    const encode = (e: LogEntry) => {
      // Details are the log driver's attributes; none are configured, so only their separator remains, as in dockerd.
      const prefix = (timestamps ? `${e.time} ` : "") + (details ? " " : "");
      const payload = prefix ? Buffer.concat([Buffer.from(prefix), e.data]) : e.data;
      return tty ? payload : frame(e.stream, payload);
    };
    const multiplexed = !tty && versionAtLeast(c.var.apiVersion, "1.42");
    c.header("Content-Type", multiplexed ? "application/vnd.docker.multiplexed-stream" : "application/vnd.docker.raw-stream");

    const id = container.id;
    const wanted = (e: LogEntry) => (e.stream === 1 ? query.stdout : query.stderr) && inWindow(e, query);
    const follow = truthy(q("follow")) && containers.isRunning(id) && !(query.until !== undefined && query.until <= BigInt(Date.now()) * 1_000_000n);
    // Pending lines are stored first; every later entry arrives live, so none is lost or repeated.
    containers.logs.flush();
    const live: LogEntry[] = [];
    let wake: (() => void) | undefined;
    let ended = !follow;
    const onEntry = (e: LogEntry) => {
      live.push(e);
      wake?.();
    };
    const onEnd = () => {
      ended = true;
      wake?.();
    };
    let untilTimer: NodeJS.Timeout | undefined;
    if (follow) {
      containers.logs.bus.on(`entry:${id}`, onEntry);
      containers.bus.on(`exit:${id}`, onEnd);
      containers.bus.on(`removed:${id}`, onEnd);
      if (query.until !== undefined) untilTimer = setTimeout(onEnd, Number(query.until / 1_000_000n) - Date.now());
    }
    const stored = containers.logs.read(id, query);
    const unsubscribe = () => {
      clearTimeout(untilTimer);
      containers.logs.bus.off(`entry:${id}`, onEntry);
      containers.bus.off(`exit:${id}`, onEnd);
      containers.bus.off(`removed:${id}`, onEnd);
    };

    return stream(c, async (s) => {
      s.onAbort(onEnd);
      try {
        for (const e of stored) await s.write(encode(e));
        for (;;) {
          for (const e of live.splice(0)) if (wanted(e)) await s.write(encode(e));
          if (ended || s.aborted) break;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      } finally {
        unsubscribe();
      }
    });
  });

  return r;
}
