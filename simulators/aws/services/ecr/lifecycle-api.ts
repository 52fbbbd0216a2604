import { AwsError } from "../../errors.js";
import type { JsonOperation } from "../../service.js";
import { invalid, repository, required, seconds, type ApiDeps } from "./api-common.js";
import { applyLifecycle, InvalidLifecyclePolicy, parseLifecyclePolicy } from "./lifecycle.js";
import type { Repository } from "./store.js";

/** Lifecycle policies: kept per repository and applied when put and after every push. */
export function lifecycleOperations(deps: ApiDeps): Record<string, JsonOperation> {
  const { store } = deps;
  const account = deps.ctx.accountId;
  const current = (repo: Repository) => {
    if (repo.lifecyclePolicyText === null) {
      throw new AwsError("LifecyclePolicyNotFoundException", `Lifecycle policy does not exist for the repository with name '${repo.name}' in the registry with id '${account}'`);
    }
    return {
      registryId: account,
      repositoryName: repo.name,
      lifecyclePolicyText: repo.lifecyclePolicyText,
      ...(repo.lifecycleEvaluatedAtMs !== null ? { lastEvaluatedAt: seconds(repo.lifecycleEvaluatedAtMs) } : {}),
    };
  };

  return {
    PutLifecyclePolicy: (input) => {
      const repo = repository(deps, input);
      const lifecyclePolicyText = required(input, "lifecyclePolicyText");
      if (lifecyclePolicyText.length < 100 || lifecyclePolicyText.length > 30720) {
        throw invalid("lifecyclePolicyText", "Member must have length less than or equal to 30720 and greater than or equal to 100");
      }
      try {
        parseLifecyclePolicy(lifecyclePolicyText);
      } catch (err) {
        if (err instanceof InvalidLifecyclePolicy) throw invalid("LifecyclePolicyText", `Lifecycle policy validation failure: ${err.message}`);
        throw err;
      }
      store.updateRepository(repo.name, { lifecyclePolicyText, lifecycleEvaluatedAtMs: null });
      applyLifecycle(store, repo.name);
      return { registryId: account, repositoryName: repo.name, lifecyclePolicyText };
    },
    GetLifecyclePolicy: (input) => current(repository(deps, input)),
    DeleteLifecyclePolicy: (input) => {
      const repo = repository(deps, input);
      const answer = current(repo);
      store.updateRepository(repo.name, { lifecyclePolicyText: null, lifecycleEvaluatedAtMs: null });
      return answer;
    },
  };
}
