import { AwsError } from "../../errors.js";
import type { JsonOperation } from "../../service.js";
import { invalid, list, optionalString, page, repository, required, seconds, tagStatus, type ApiDeps } from "./api-common.js";
import { applyLifecycle, imagesToExpire, InvalidLifecyclePolicy, parseLifecyclePolicy } from "./lifecycle.js";
import type { Repository } from "./store.js";

/** Lifecycle policies: kept per repository, applied when put and after every push, and previewed on request. */
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

  /** A policy text checked as ECR checks it; returns its rules. */
  const validPolicy = (lifecyclePolicyText: string) => {
    if (lifecyclePolicyText.length < 100 || lifecyclePolicyText.length > 30720) {
      throw invalid("lifecyclePolicyText", "Member must have length less than or equal to 30720 and greater than or equal to 100");
    }
    try {
      return parseLifecyclePolicy(lifecyclePolicyText);
    } catch (err) {
      if (err instanceof InvalidLifecyclePolicy) throw invalid("LifecyclePolicyText", `Lifecycle policy validation failure: ${err.message}`);
      throw err;
    }
  };

  return {
    PutLifecyclePolicy: (input) => {
      const repo = repository(deps, input);
      const lifecyclePolicyText = required(input, "lifecyclePolicyText");
      validPolicy(lifecyclePolicyText);
      store.updateRepository(repo.name, { lifecyclePolicyText, lifecycleEvaluatedAtMs: null });
      applyLifecycle(store, repo.name);
      return { registryId: account, repositoryName: repo.name, lifecyclePolicyText };
    },
    GetLifecyclePolicy: (input) => current(repository(deps, input)),
    StartLifecyclePolicyPreview: (input) => {
      const repo = repository(deps, input);
      const lifecyclePolicyText = optionalString(input, "lifecyclePolicyText") ?? current(repo).lifecyclePolicyText;
      // The evaluation is done before this answers, so the preview is already complete.
      const results = imagesToExpire(store, repo.name, validPolicy(lifecyclePolicyText)).map((e) => ({
        imageDigest: e.image.digest,
        imageTags: e.tags,
        imagePushedAt: seconds(e.image.pushedAtMs),
        action: { type: "EXPIRE" },
        appliedRulePriority: e.rulePriority,
      }));
      store.updateRepository(repo.name, { previewPolicyText: lifecyclePolicyText, previewResults: JSON.stringify(results) });
      return { registryId: account, repositoryName: repo.name, lifecyclePolicyText, status: "COMPLETE" };
    },
    GetLifecyclePolicyPreview: (input) => {
      const repo = repository(deps, input);
      if (repo.previewPolicyText === null || repo.previewResults === null) {
        throw new AwsError("LifecyclePolicyPreviewNotFoundException", `There is no dry run for the repository with name '${repo.name}' in the registry with id '${account}'`);
      }
      type Result = { imageDigest: string; imageTags: string[] };
      let results = JSON.parse(repo.previewResults) as Result[];
      const ids = list<{ imageDigest?: string; imageTag?: string }>(input, "imageIds");
      if (ids) results = results.filter((r) => ids.some((id) => id.imageDigest === r.imageDigest || (id.imageTag !== undefined && r.imageTags.includes(id.imageTag))));
      const status = tagStatus(input);
      if (status !== "ANY") results = results.filter((r) => (r.imageTags.length > 0) === (status === "TAGGED"));
      const p = page(results, input);
      return {
        registryId: account,
        repositoryName: repo.name,
        lifecyclePolicyText: repo.previewPolicyText,
        status: "COMPLETE",
        previewResults: p.items,
        summary: { expiringImageTotalCount: results.length },
        ...(p.nextToken ? { nextToken: p.nextToken } : {}),
      };
    },
    DeleteLifecyclePolicy: (input) => {
      const repo = repository(deps, input);
      const answer = current(repo);
      store.updateRepository(repo.name, { lifecyclePolicyText: null, lifecycleEvaluatedAtMs: null });
      return answer;
    },
  };
}
