import { join } from "node:path";
import { packageRoot } from "../../../../engine/package-info.js";
import type { AwsService, SimContext } from "../../service.js";
import { Arns } from "./arns.js";
import { clusterOperations } from "./clusters.js";
import { execOperations } from "./exec.js";
import { TaskMetadata } from "./metadata.js";
import { TaskRunner } from "./runner.js";
import { EcsStore } from "./store.js";
import { tagOperations } from "./tags.js";
import { taskDefinitionOperations } from "./task-definitions.js";
import { taskOperations } from "./tasks.js";

const migrations = join(packageRoot, "simulators", "aws", "services", "ecs", "migrations");

/** ECS (JSON 1.1, AmazonEC2ContainerServiceV20141113): clusters, task definitions, and Fargate tasks that really run. */
export function createEcsService(ctx: SimContext): AwsService {
  ctx.migrate("ecs", migrations);
  const store = new EcsStore(ctx.sqlite);
  const arns = new Arns(ctx.region, ctx.accountId);
  const metadata = new TaskMetadata(store, ctx.endpoint);
  const runner = new TaskRunner(ctx, store, metadata);
  runner.recover();
  return {
    signingName: "ecs",
    json: {
      targetPrefix: "AmazonEC2ContainerServiceV20141113",
      version: "1.1",
      operations: {
        ...clusterOperations(store, arns),
        ...taskDefinitionOperations(store, arns),
        ...taskOperations(store, arns, runner, ctx.roles, ctx.region),
        ...tagOperations(store),
        ...execOperations(ctx, store, runner),
      },
    },
    routes: (app) => metadata.routes(app),
    health: () => ({
      launchTypes: ["FARGATE"],
      notSimulated: [
        "awsvpc networking: a task gets no elastic network interface and its containers share no network namespace, so they cannot reach each other on localhost",
        "EC2 and EXTERNAL launch types (no container instances), services, task sets, capacity providers other than FARGATE and FARGATE_SPOT",
        "container health checks (so no HEALTHY dependsOn condition), task IAM role credentials, the metadata endpoint's statistics and network details",
        "secrets, environmentFiles, mountPoints, volumesFrom and log drivers other than awslogs: RunTask refuses them with UnsupportedFeatureException",
        "stopped tasks are kept until the simulator's state is removed, not for an hour",
      ],
    }),
    close: async () => runner.close(),
  };
}
