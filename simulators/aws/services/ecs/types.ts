/** ECS shapes as they travel on the wire (JSON 1.1: timestamps in epoch seconds). */

export interface Tag {
  key: string;
  value: string;
}

export interface KeyValuePair {
  name: string;
  value: string;
}

export interface LogConfiguration {
  logDriver: string;
  options?: Record<string, string>;
}

export interface ContainerDefinition {
  name: string;
  image: string;
  essential?: boolean;
  command?: string[];
  entryPoint?: string[];
  environment?: KeyValuePair[];
  workingDirectory?: string;
  user?: string;
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
  portMappings?: { containerPort?: number; hostPort?: number; protocol?: string; name?: string }[];
  logConfiguration?: LogConfiguration;
  stopTimeout?: number;
  [member: string]: unknown;
}

export interface TaskDefinition {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  status: "ACTIVE" | "INACTIVE" | "DELETE_IN_PROGRESS";
  containerDefinitions: ContainerDefinition[];
  networkMode?: string;
  requiresCompatibilities?: string[];
  compatibilities: string[];
  cpu?: string;
  memory?: string;
  taskRoleArn?: string;
  executionRoleArn?: string;
  volumes: unknown[];
  placementConstraints: unknown[];
  requiresAttributes: { name: string }[];
  registeredAt: number;
  registeredBy: string;
  deregisteredAt?: number;
  deleteRequestedAt?: number;
}

/** What a RegisterTaskDefinition request makes, before ECS assigns the ARN, revision and status; other members pass through as given. */
export type TaskDefinitionBody = Omit<TaskDefinition, "taskDefinitionArn" | "revision" | "status" | "registeredAt" | "registeredBy">;

export interface ContainerOverride {
  name?: string;
  command?: string[];
  environment?: KeyValuePair[];
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
}

export interface TaskOverride {
  containerOverrides?: ContainerOverride[];
  cpu?: string;
  memory?: string;
  executionRoleArn?: string;
  taskRoleArn?: string;
}

export interface Container {
  containerArn: string;
  taskArn: string;
  name: string;
  image: string;
  imageDigest?: string;
  runtimeId?: string;
  lastStatus: string;
  exitCode?: number;
  reason?: string;
  networkBindings: unknown[];
  networkInterfaces: unknown[];
  /** The ExecuteCommandAgent of a task run with enableExecuteCommand: the simulator's own exec path, RUNNING while the container runs. */
  managedAgents?: { name: string; lastStatus: string; lastStartedAt?: number }[];
  cpu?: string;
  memory?: string;
  memoryReservation?: string;
}

export type TaskStatus = "PROVISIONING" | "PENDING" | "ACTIVATING" | "RUNNING" | "DEACTIVATING" | "STOPPING" | "DEPROVISIONING" | "STOPPED";

export interface Task {
  taskArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  containers: Container[];
  overrides: TaskOverride;
  lastStatus: TaskStatus;
  desiredStatus: "RUNNING" | "STOPPED";
  launchType: string;
  platformVersion?: string;
  platformFamily?: string;
  cpu?: string;
  memory?: string;
  group: string;
  startedBy?: string;
  enableExecuteCommand: boolean;
  version: number;
  createdAt: number;
  connectivity?: string;
  connectivityAt?: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  executionStoppedAt?: number;
  stopCode?: string;
  stoppedReason?: string;
  availabilityZone: string;
  attachments: unknown[];
  attributes: unknown[];
  tags?: Tag[];
}

export interface Cluster {
  clusterArn: string;
  clusterName: string;
  status: "ACTIVE" | "INACTIVE";
  settings: { name: string; value: string }[];
  configuration?: unknown;
  capacityProviders: string[];
  defaultCapacityProviderStrategy: unknown[];
  [member: string]: unknown;
}

/** Now, as the wire's epoch seconds with milliseconds. */
export function epochSeconds(ms = Date.now()): number {
  return ms / 1000;
}
