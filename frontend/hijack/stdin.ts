import type { ContainerManager } from "../../engine/containers/manager.js";

/**
 * An attached client's stdin for a container's PID 1. What arrives before
 * the process runs (attach before start) is held until it starts.
 */
export function containerStdin(containers: ContainerManager, id: string) {
  const pending: (Buffer | null)[] = [];
  const onStarted = () => {
    for (const d of pending.splice(0)) containers.bus.emit(`stdin:${id}`, d);
  };
  containers.bus.on(`started:${id}`, onStarted);
  return {
    deliver(data: Buffer | null) {
      if (containers.isRunning(id)) containers.bus.emit(`stdin:${id}`, data);
      else pending.push(data);
    },
    dispose() {
      containers.bus.off(`started:${id}`, onStarted);
    },
  };
}
