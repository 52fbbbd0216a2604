import type { PortMapping, RegisterTaskDefinitionCommandInput, Tag } from "@aws-sdk/client-ecs";
import type { ContainerSpec, ProcessSpec } from "../backend.js";
import { fargateSize } from "./fargate-size.js";
import type { EcsOptions } from "./options.js";

/** The name of the one container of every task. */
export const CONTAINER_NAME = "main";

/** One family per Sockerless container; each start registers a revision. */
export const familyOf = (containerId: string) => `sockerless-${containerId}`;

/** The tag that ties a task to its Sockerless container. */
export const CONTAINER_TAG = "sockerless-container";

/**
 * PID 1 as a Fargate task definition. engine/ has already resolved
 * ENTRYPOINT and CMD into argv, so the image's own are replaced by it.
 * Output goes to awslogs with the container ID as stream prefix.
 */
export function taskDefinition(spec: ContainerSpec, process: ProcessSpec, image: string, options: EcsOptions): RegisterTaskDefinitionCommandInput {
  const size = fargateSize(spec.memory);
  return {
    family: familyOf(spec.id),
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    cpu: String(size.cpu),
    memory: String(size.memory),
    executionRoleArn: options.executionRoleArn,
    ...(options.taskRoleArn ? { taskRoleArn: options.taskRoleArn } : {}),
    containerDefinitions: [
      {
        name: CONTAINER_NAME,
        image,
        essential: true,
        entryPoint: [],
        command: process.argv,
        environment: process.env.map((e) => {
          const eq = e.indexOf("=");
          return eq < 0 ? { name: e, value: "" } : { name: e.slice(0, eq), value: e.slice(eq + 1) };
        }),
        portMappings: portMappings(spec),
        ...(process.cwd ? { workingDirectory: process.cwd } : {}),
        ...(process.user ? { user: process.user } : {}),
        ...(process.tty ? { pseudoTerminal: true } : {}),
        // Docker's default time between SIGTERM and SIGKILL on stop.
        stopTimeout: 10,
        logConfiguration: {
          logDriver: "awslogs",
          options: { "awslogs-group": options.logGroup, "awslogs-region": options.region, "awslogs-stream-prefix": spec.id },
        },
      },
    ],
  };
}

/** The container's exposed ports ("80/tcp"), open on the task's own address; ECS has no protocol but TCP and UDP. */
function portMappings(spec: ContainerSpec): PortMapping[] {
  return (spec.network?.exposedPorts ?? []).flatMap((port) => {
    const [number, protocol = "tcp"] = port.split("/");
    return protocol === "tcp" || protocol === "udp" ? [{ containerPort: Number(number), protocol }] : [];
  });
}

/** The awslogs stream of a task's container, as ECS names it. */
export const logStreamOf = (containerId: string, taskArn: string) => `${containerId}/${CONTAINER_NAME}/${taskArn.slice(taskArn.lastIndexOf("/") + 1)}`;

const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const MAX_TAGS = 50;

/**
 * The container's labels as task tags, where ECS's tag rules allow: a label
 * whose key or value ECS refuses, and those beyond its 50 tags, are not tagged.
 */
export function taskTags(spec: ContainerSpec): Tag[] {
  const tags: Tag[] = [{ key: CONTAINER_TAG, value: spec.id }];
  for (const [key, value] of Object.entries(spec.labels)) {
    if (tags.length >= MAX_TAGS) break;
    if (TAG_KEY.test(key) && TAG_VALUE.test(value) && !key.toLowerCase().startsWith("aws:")) tags.push({ key, value });
  }
  return tags;
}
