import { AwsError } from "../../errors.js";
import type { JsonOperation } from "../../service.js";
import { invalid, repository, required, type ApiDeps } from "./api-common.js";
import type { Repository } from "./store.js";

/**
 * Repository policies, kept as given. The simulator has one account, whose
 * callers may do everything, so a policy (which grants other principals
 * access) changes nothing for them.
 */
export function policyOperations(deps: ApiDeps): Record<string, JsonOperation> {
  const { store } = deps;
  const account = deps.ctx.accountId;
  const answer = (repo: Repository, policyText: string) => ({ registryId: account, repositoryName: repo.name, policyText });
  const current = (repo: Repository): string => {
    if (repo.policyText === null) {
      throw new AwsError("RepositoryPolicyNotFoundException", `Repository policy does not exist for the repository with name '${repo.name}' in the registry with id '${account}'`);
    }
    return repo.policyText;
  };

  return {
    SetRepositoryPolicy: (input) => {
      const repo = repository(deps, input);
      const policyText = required(input, "policyText");
      let policy: unknown;
      try {
        policy = JSON.parse(policyText);
      } catch {
        throw invalid("PolicyText", "Invalid repository policy provided");
      }
      const statements = (policy as { Statement?: unknown } | null)?.Statement;
      if (typeof policy !== "object" || policy === null || !(Array.isArray(statements) || (typeof statements === "object" && statements !== null))) {
        throw invalid("PolicyText", "Invalid repository policy provided");
      }
      store.updateRepository(repo.name, { policyText });
      return answer(repo, policyText);
    },
    GetRepositoryPolicy: (input) => {
      const repo = repository(deps, input);
      return answer(repo, current(repo));
    },
    DeleteRepositoryPolicy: (input) => {
      const repo = repository(deps, input);
      const policyText = current(repo);
      store.updateRepository(repo.name, { policyText: null });
      return answer(repo, policyText);
    },
  };
}
