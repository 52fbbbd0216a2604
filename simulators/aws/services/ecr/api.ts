import type { JsonOperation } from "../../service.js";
import { list, type ApiDeps } from "./api-common.js";
import { imageOperations } from "./images-api.js";
import { layerOperations } from "./layers-api.js";
import { lifecycleOperations } from "./lifecycle-api.js";
import { policyOperations } from "./policies-api.js";
import { repositoryOperations } from "./repositories-api.js";
import { REGISTRY_USER } from "./tokens.js";

export type { ApiDeps };

/** The ECR API operations this simulator serves. */
export function ecrOperations(deps: ApiDeps): Record<string, JsonOperation> {
  return {
    ...repositoryOperations(deps),
    ...imageOperations(deps),
    ...layerOperations(deps),
    ...policyOperations(deps),
    ...lifecycleOperations(deps),
    GetAuthorizationToken: (input) => {
      const ids = list<string>(input, "registryIds") ?? [deps.ctx.accountId];
      const { password, expiresAtMs } = deps.tokens.issue();
      // One token serves every registry id asked for: all are this simulator's one registry.
      return {
        authorizationData: ids.map(() => ({
          authorizationToken: Buffer.from(`${REGISTRY_USER}:${password}`).toString("base64"),
          expiresAt: expiresAtMs / 1000,
          proxyEndpoint: deps.ctx.endpoint,
        })),
      };
    },
  };
}
