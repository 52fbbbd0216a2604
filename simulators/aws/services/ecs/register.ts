import type { JsonInput } from "../../request.js";
import { clientError, invalidParameter, optionalString, optionalStrings } from "./common.js";
import { dependencyProblem } from "./ordering.js";
import type { ContainerDefinition, KeyValuePair, TaskDefinitionBody } from "./types.js";

/** Fargate's task sizes: memory choices (MiB) for each CPU value (units). */
const FARGATE_SIZES: Record<number, (memory: number) => boolean> = {
  256: (m) => m === 512 || m === 1024 || m === 2048,
  512: (m) => m >= 1024 && m <= 4096 && m % 1024 === 0,
  1024: (m) => m >= 2048 && m <= 8192 && m % 1024 === 0,
  2048: (m) => m >= 4096 && m <= 16384 && m % 1024 === 0,
  4096: (m) => m >= 8192 && m <= 30720 && m % 1024 === 0,
  8192: (m) => m >= 16384 && m <= 61440 && m % 4096 === 0,
  16384: (m) => m >= 32768 && m <= 122880 && m % 8192 === 0,
};

/** Task-level cpu or memory as ECS accepts it ("1024", "1 vCPU", "2 GB") in units or MiB. */
function taskUnits(value: string | undefined, kind: "cpu" | "memory"): string | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const scale = !m ? NaN : m[2] === "" ? 1 : kind === "cpu" && /^vcpus?$/i.test(m[2]) ? 1024 : kind === "memory" && /^(gb|gib)$/i.test(m[2]) ? 1024 : kind === "memory" && /^(mb|mib)$/i.test(m[2]) ? 1 : NaN;
  const n = m ? Number(m[1]) * scale : NaN;
  if (!Number.isInteger(n) || n <= 0) throw invalidParameter(`Invalid '${kind}' setting for task.`);
  return String(n);
}

function containerFrom(raw: unknown, networkMode: string): ContainerDefinition {
  const c = { ...(raw as ContainerDefinition) };
  if (typeof c.name !== "string" || c.name === "") throw clientError("Container.name should not be null or empty.");
  if (!/^[a-zA-Z0-9_-]{1,255}$/.test(c.name)) throw clientError("Container.name contains invalid characters.");
  if (typeof c.image !== "string" || c.image === "") throw clientError("Container.image should not be null or empty.");
  const portMappings = (c.portMappings ?? []).map((p) => {
    const hostPort = p.hostPort ?? (networkMode === "awsvpc" || networkMode === "host" ? p.containerPort : undefined);
    if (networkMode === "awsvpc" && hostPort !== p.containerPort) throw clientError("When networkMode=awsvpc, the host ports and container ports in port mappings must match.");
    return { ...p, ...(hostPort !== undefined ? { hostPort } : {}), protocol: p.protocol ?? "tcp" };
  });
  return {
    ...c,
    cpu: c.cpu ?? 0,
    portMappings,
    essential: c.essential ?? true,
    environment: (c.environment ?? []) as KeyValuePair[],
    mountPoints: (c.mountPoints as unknown[]) ?? [],
    volumesFrom: (c.volumesFrom as unknown[]) ?? [],
    systemControls: (c.systemControls as unknown[]) ?? [],
  };
}

/**
 * A RegisterTaskDefinition request checked as ECS checks it, with the
 * defaults ECS fills in; the caller assigns the ARN and revision.
 */
export function taskDefinitionFrom(input: JsonInput): TaskDefinitionBody {
  const family = optionalString(input, "family");
  if (!family) throw clientError("Family must not be empty.");
  if (!/^[a-zA-Z0-9_-]{1,255}$/.test(family)) throw clientError("Family contains invalid characters.");
  const networkMode = optionalString(input, "networkMode");
  if (networkMode !== undefined && !["bridge", "host", "awsvpc", "none"].includes(networkMode)) throw clientError(`Invalid network mode: ${networkMode}`);
  const requires = optionalStrings(input, "requiresCompatibilities");
  for (const r of requires ?? []) if (!["EC2", "FARGATE", "EXTERNAL"].includes(r)) throw clientError(`Invalid compatibility: ${r}`);
  const fargate = requires?.includes("FARGATE") ?? false;
  const cpu = taskUnits(optionalString(input, "cpu"), "cpu");
  const memory = taskUnits(optionalString(input, "memory"), "memory");
  const executionRoleArn = optionalString(input, "executionRoleArn");

  const raw = input.containerDefinitions;
  if (!Array.isArray(raw) || raw.length === 0) throw clientError("Container list cannot be empty.");
  if (raw.length > 10) throw clientError("Too many containers in a task definition. Limit is 10.");
  const containers = raw.map((c) => containerFrom(c, networkMode ?? "bridge"));
  const names = new Set<string>();
  for (const c of containers) {
    if (names.has(c.name)) throw clientError(`Duplicate container name: ${c.name}`);
    names.add(c.name);
    if (!fargate && memory === undefined && c.memory === undefined && c.memoryReservation === undefined)
      throw clientError(`Invalid setting for container '${c.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`);
    if (c.memory !== undefined && c.memoryReservation !== undefined && c.memory < c.memoryReservation)
      throw clientError(`Invalid setting for container '${c.name}'. 'memory' must be greater than or equal to 'memoryReservation'.`);
    const log = c.logConfiguration;
    if (log?.logDriver === "awslogs" && !log.options?.["awslogs-group"]) throw clientError("Log driver awslogs requires options: awslogs-group");
    if (fargate && log && !["awslogs", "splunk", "awsfirelens"].includes(log.logDriver))
      throw clientError(`${log.logDriver} is not a valid log driver. Must be one of [awslogs,splunk,awsfirelens]`);
    if (fargate && c.stopTimeout !== undefined && c.stopTimeout > 120) throw clientError("Tasks using the Fargate launch type must have a container stop timeout of less than 120 seconds.");
  }
  if (!containers.some((c) => c.essential)) throw clientError("Task definition must have at least one essential container.");
  const ordering = dependencyProblem(containers);
  if (ordering) throw clientError(ordering);

  if (fargate) {
    if (networkMode !== "awsvpc") throw clientError("Fargate only supports network mode \u2018awsvpc\u2019.");
    if (cpu === undefined) throw clientError("Fargate requires that 'cpu' be defined at the task level.");
    if (memory === undefined) throw clientError("Fargate requires that 'memory' be defined at the task level.");
    if (!FARGATE_SIZES[Number(cpu)]?.(Number(memory)))
      throw clientError(`No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory. See the Amazon ECS documentation for the valid values.`);
    if (!executionRoleArn && containers.some((c) => c.logConfiguration?.logDriver === "awslogs"))
      throw clientError("Fargate requires task definition to have execution role ARN to support log driver awslogs.");
  }
  const fargateFits = networkMode === "awsvpc" && cpu !== undefined && memory !== undefined && Boolean(FARGATE_SIZES[Number(cpu)]?.(Number(memory)));

  const attributes = new Set<string>();
  for (const c of containers) {
    if (c.logConfiguration) attributes.add(`com.amazonaws.ecs.capability.logging-driver.${c.logConfiguration.logDriver}`).add("com.amazonaws.ecs.capability.docker-remote-api.1.19");
    if (c.logConfiguration?.logDriver === "awslogs" && executionRoleArn) attributes.add("ecs.capability.execution-role-awslogs");
  }
  if (networkMode === "awsvpc") attributes.add("com.amazonaws.ecs.capability.docker-remote-api.1.18").add("ecs.capability.task-eni");
  if (input.taskRoleArn) attributes.add("com.amazonaws.ecs.capability.task-iam-role");

  const { tags: _tags, ...rest } = input;
  return {
    ...(rest as Partial<TaskDefinitionBody>),
    family,
    containerDefinitions: containers,
    ...(networkMode ? { networkMode } : {}),
    ...(cpu ? { cpu } : {}),
    ...(memory ? { memory } : {}),
    ...(executionRoleArn ? { executionRoleArn } : {}),
    volumes: (input.volumes as unknown[]) ?? [],
    placementConstraints: (input.placementConstraints as unknown[]) ?? [],
    compatibilities: fargateFits ? ["EC2", "FARGATE"] : ["EXTERNAL", "EC2"],
    requiresAttributes: [...attributes].map((name) => ({ name })),
  };
}
