import { jsonForm } from "../images/changes.js";
import type { OutputChunk } from "../containers/manager.js";
import type { Image } from "../images/store.js";
import type { RunConfig } from "./image-record.js";
import { StepFailure, type Steps } from "./step.js";

/** dockerd's default shell for shell-form instructions on Linux. */
export const DEFAULT_SHELL = ["/bin/sh", "-c"];

/** Output of a RUN as stream text: stderr in red, as dockerd's builder colours it. */
function shown(chunk: OutputChunk): string {
  const text = chunk.data.toString("utf8");
  return chunk.stream === 2 ? `\u001b[91m${text}\u001b[0m` : text;
}

/**
 * RUN: a container from the current image runs the command (its Entrypoint
 * cleared, the stage's build args in its environment) and its changes become
 * the step's layer. The history and cache key carry the build args in front
 * of the command ("|1 V=2 /bin/sh -c ..."), as dockerd records them.
 */
export async function runStep(
  steps: Steps,
  parent: Image,
  config: RunConfig,
  args: string,
  buildArgs: string[],
  output: (text: string) => void,
  signal?: AbortSignal,
): Promise<Image> {
  const cmd = jsonForm(args) ?? [...(config.Shell?.length ? config.Shell : DEFAULT_SHELL), args];
  const saveCmd = buildArgs.length ? [`|${buildArgs.length}`, ...buildArgs, ...cmd] : cmd;
  const probe: RunConfig = { ...config, Cmd: saveCmd };
  const hit = steps.cached(parent, probe);
  if (hit) return hit;
  const { containers } = steps.deps;
  const c = await steps.createContainer(parent, { ...config, Cmd: cmd, Entrypoint: [], Env: [...(config.Env ?? []), ...buildArgs] });
  const onOutput = (chunk: OutputChunk) => output(shown(chunk));
  containers.bus.on(`output:${c.id}`, onOutput);
  // The builder reads the container's output as an attached client does, and dockerd reports it so.
  steps.deps.images.events.container(c, "attach");
  // A cancelled build kills the step's process, as dockerd's cancelled context does.
  const cancel = () => {
    if (containers.isRunning(c.id)) containers.kill(c.id);
  };
  let exit: { StatusCode: number; Error: { Message: string } | null };
  try {
    const waited = containers.wait(c.id, "next-exit");
    await containers.start(c.id);
    signal?.addEventListener("abort", cancel);
    if (signal?.aborted) cancel();
    exit = await waited;
  } catch (err) {
    await steps.removeContainer(c, true);
    throw err;
  } finally {
    signal?.removeEventListener("abort", cancel);
    containers.bus.off(`output:${c.id}`, onOutput);
  }
  if (signal?.aborted) {
    await steps.removeContainer(c, true);
    throw new StepFailure("context canceled");
  }
  if (exit.StatusCode !== 0) {
    await steps.removeContainer(c, true);
    throw new StepFailure(`The command '${cmd.join(" ")}' returned a non-zero code: ${exit.StatusCode}`, exit.StatusCode);
  }
  const diffId = await steps.layerOf(containers.backendSpec(containers.get(c.id)), parent);
  const image = steps.record({ parent, config, containerConfig: probe, containerId: c.id, diffId });
  await steps.removeContainer(c);
  return image;
}
