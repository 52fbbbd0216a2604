import type { AwsService, SimContext } from "../../service.js";

/** ECS (JSON 1.1, AmazonEC2ContainerServiceV20141113). */
export function createEcsService(_ctx: SimContext): AwsService {
  return { signingName: "ecs", json: { targetPrefix: "AmazonEC2ContainerServiceV20141113", version: "1.1", operations: {} } };
}
