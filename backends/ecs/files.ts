import type { ECSClient } from "@aws-sdk/client-ecs";
import { NotImplementedError } from "../../engine/errors.js";
import { ProcessStartError, type ContainerFiles, type ProcessSpec } from "../backend.js";
import { withShellFiles, type RunScript } from "../shell-files/shell-files.js";
import { startExec } from "./exec.js";
import { untilExecReady, type TaskRef } from "./task-process.js";

const NOT_RUNNING = "the ecs backend copies files only while the container's task runs";

/** Runs a sh script through ECS Exec: its output (stdout and stderr, as the session carries them) and exit code. */
export function execScript(ecs: ECSClient, cluster: string, taskArn: string): RunScript {
  return async (script, input) => {
    const process: ProcessSpec = { argv: ["sh", "-c", script], env: [], cwd: "", user: "", groups: [], hostname: "", tty: false, stdin: true };
    const exec = await startExec(ecs, cluster, taskArn, process);
    const output: Buffer[] = [];
    exec.onOutput((_stream, data) => output.push(data));
    if (input) exec.writeStdin(input);
    const { exitCode } = await exec.exited;
    return { stdout: Buffer.concat(output), exitCode };
  };
}

/** A running task's files, through sh scripts run by ECS Exec. */
export async function withTaskFiles<T>(ref: TaskRef | undefined, use: (files: ContainerFiles) => Promise<T>): Promise<T> {
  if (!ref) throw new NotImplementedError(NOT_RUNNING);
  try {
    await untilExecReady(ref);
  } catch (err) {
    throw err instanceof ProcessStartError ? new NotImplementedError(NOT_RUNNING) : err;
  }
  return withShellFiles(execScript(ref.ecs, ref.cluster, ref.taskArn), "ecs", use);
}
