import { CloudWatchLogsClient, DeleteLogStreamCommand, DescribeLogStreamsCommand, ResourceNotFoundException } from "@aws-sdk/client-cloudwatch-logs";
import { DeleteTaskDefinitionsCommand, DeregisterTaskDefinitionCommand, ListTaskDefinitionsCommand, type ECSClient } from "@aws-sdk/client-ecs";
import { familyOf } from "./task-definition.js";

async function taskDefinitions(ecs: ECSClient, family: string, status: "ACTIVE" | "INACTIVE"): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status, ...(nextToken ? { nextToken } : {}) }));
    arns.push(...(page.taskDefinitionArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

/** Deregisters and deletes every revision of the container's task definition family. */
export async function deleteTaskDefinitions(ecs: ECSClient, containerId: string): Promise<void> {
  const family = familyOf(containerId);
  for (const arn of await taskDefinitions(ecs, family, "ACTIVE")) await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
  const inactive = await taskDefinitions(ecs, family, "INACTIVE");
  // DeleteTaskDefinitions takes at most 10 at a time.
  for (let i = 0; i < inactive.length; i += 10) await ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: inactive.slice(i, i + 10) }));
}

/** Deletes the log streams of the container's tasks: their names begin with its ID (awslogs' stream prefix). */
export async function deleteLogStreams(logs: CloudWatchLogsClient, logGroup: string, containerId: string): Promise<void> {
  let nextToken: string | undefined;
  const names: string[] = [];
  try {
    do {
      const page = await logs.send(new DescribeLogStreamsCommand({ logGroupName: logGroup, logStreamNamePrefix: `${containerId}/`, ...(nextToken ? { nextToken } : {}) }));
      names.push(...(page.logStreams ?? []).map((s) => s.logStreamName!));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (err) {
    // No group: nothing was ever written.
    if (err instanceof ResourceNotFoundException) return;
    throw err;
  }
  for (const name of names) await logs.send(new DeleteLogStreamCommand({ logGroupName: logGroup, logStreamName: name }));
}
