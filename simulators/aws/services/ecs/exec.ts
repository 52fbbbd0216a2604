import { AwsError, requireString } from "../../errors.js";
import type { JsonOperation, SimContext } from "../../service.js";
import { taskIdOf } from "./arns.js";
import { activeCluster } from "./clusters.js";
import { invalidParameter, optionalString } from "./common.js";
import type { TaskRunner } from "./runner.js";
import type { EcsStore } from "./store.js";

/** A command line split into words as a shell would: whitespace separates, quotes and backslashes group. */
export function argvOf(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === "\\" && quote === '"' && i + 1 < command.length && '"\\$`'.includes(command[i + 1])) word += command[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      word ??= "";
    } else if (ch === "\\" && i + 1 < command.length) {
      word = (word ?? "") + command[++i];
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? "") + ch;
  }
  if (quote) throw invalidParameter("The command has an unterminated quote.");
  if (word !== undefined) words.push(word);
  return words;
}

/** ExecuteCommand: an interactive Session Manager session running a command in a task's container. */
export function execOperations(ctx: SimContext, store: EcsStore, runner: TaskRunner): Record<string, JsonOperation> {
  return {
    ExecuteCommand: (input) => {
      const cluster = activeCluster(store, optionalString(input, "cluster"));
      const command = requireString(input, "command");
      const taskRef = requireString(input, "task");
      if (input.interactive !== true) throw invalidParameter("Interactive is the only mode supported currently.");
      const task = store.task(taskIdOf(taskRef));
      if (!task || task.clusterArn !== cluster.clusterArn) throw invalidParameter("The referenced task was not found.");
      const name = optionalString(input, "container") ?? (task.containers.length === 1 ? task.containers[0].name : undefined);
      if (name === undefined) throw invalidParameter("A container name must be specified when the task has more than one container.");
      const container = task.containers.find((c) => c.name === name);
      if (!container) throw invalidParameter(`The container ${name} was not found in the task.`);
      if (!task.enableExecuteCommand)
        throw invalidParameter(
          "The execute command failed because execute command was not enabled when the task was run or the execute command agent isn\u2019t running. Wait and try again or run a new task with execute command enabled and try again.",
        );
      const taskId = taskIdOf(task.taskArn);
      const workload = runner.workload(taskId, name);
      if (task.lastStatus !== "RUNNING" || container.lastStatus !== "RUNNING" || !workload || !container.runtimeId)
        throw new AwsError("TargetNotConnectedException", "The execute command failed due to an internal error. Try again later.");
      const argv = argvOf(command);
      if (argv.length === 0) throw invalidParameter("command must not be empty.");
      const session = ctx.sessions.open({
        target: `ecs:${cluster.clusterName}_${taskId}_${container.runtimeId}`,
        start: (onOutput) => workload.exec(argv, { tty: true, stdin: true }, onOutput),
      });
      return { clusterArn: cluster.clusterArn, containerArn: container.containerArn, containerName: name, interactive: true, session, taskArn: task.taskArn };
    },
  };
}
