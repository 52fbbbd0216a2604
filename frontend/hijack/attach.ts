import { versionAtLeast } from "../../engine/api-version.js";
import type { OutputChunk } from "../../engine/containers/manager.js";
import { DetachWatcher, parseDetachKeys } from "../../engine/detach-keys.js";
import type { HijackRequest } from "./dispatch.js";
import { beginSession } from "./session.js";
import { containerStdin } from "./stdin.js";

const flag = (q: URLSearchParams, k: string) => ["1", "true", "True"].includes(q.get(k) ?? "");

/**
 * POST /containers/{id}/attach: the container's stdio until PID 1 exits. A
 * container that is not running yet is waited for (`docker start -a`).
 */
export function attach(r: HijackRequest): void {
  const containers = r.engine.containers;
  const container = containers.get(r.params[0]);
  const id = container.id;
  const q = r.query;
  const detachKeys = parseDetachKeys(q.get("detachKeys") ?? undefined);
  const session = beginSession({
    socket: r.socket,
    upgrade: r.upgrade,
    tty: Boolean(container.config.Tty),
    multiplexedType: versionAtLeast(r.apiVersion, "1.42"),
    stdout: flag(q, "stdout"),
    stderr: flag(q, "stderr"),
  });
  if (flag(q, "logs")) for (const row of containers.logs.after(id)) session.send(row.stream, row.data);
  r.engine.events.container(container, "attach");
  if (!flag(q, "stream")) return session.end();

  const onOutput = (c: OutputChunk) => session.send(c.stream, c.data);
  containers.bus.on(`output:${id}`, onOutput);
  containers.bus.on(`exit:${id}`, session.end);
  containers.bus.on(`removed:${id}`, session.end);
  session.onCleanup(() => {
    containers.bus.off(`output:${id}`, onOutput);
    containers.bus.off(`exit:${id}`, session.end);
    containers.bus.off(`removed:${id}`, session.end);
  });

  if (flag(q, "stdin") && container.config.OpenStdin) {
    const stdin = containerStdin(containers, id);
    const deliver = stdin.deliver;
    session.onCleanup(stdin.dispose);
    // On a TTY the detach keys end the attach and are never delivered, as in moby.
    const watcher = container.config.Tty ? new DetachWatcher(detachKeys) : undefined;
    const input = (d: Buffer) => {
      if (!watcher) return deliver(d);
      const { data, detach } = watcher.feed(d);
      if (data.length) deliver(data);
      if (detach) {
        r.engine.events.container(container, "detach");
        session.end();
      }
    };
    if (r.head.length) input(r.head);
    r.socket.on("data", input);
    // Closing stdin (a half-close) is EOF for the process when it asked for StdinOnce.
    r.socket.on("end", () => {
      if (container.config.StdinOnce) deliver(null);
    });
  } else {
    r.socket.resume();
  }
}
