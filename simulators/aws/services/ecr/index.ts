import type { AwsService, ImageRegistry, SimContext } from "../../service.js";

/** ECR (JSON 1.1, AmazonEC2ContainerRegistry_V20150921) and its OCI distribution endpoint. */
export function createEcrService(_ctx: SimContext): { service: AwsService; registry: ImageRegistry } {
  const absent = () => {
    throw new Error("ECR is not served yet");
  };
  return {
    service: { signingName: "ecr", json: { targetPrefix: "AmazonEC2ContainerRegistry_V20150921", version: "1.1", operations: {} } },
    registry: { owns: () => false, localReference: absent, pullCredentials: absent },
  };
}
