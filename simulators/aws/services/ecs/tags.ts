import { AwsError } from "../../errors.js";
import type { JsonOperation } from "../../service.js";
import { clusterNameOf, taskDefinitionRefOf, taskIdOf } from "./arns.js";
import { clusterNotFound, invalidParameter, optionalString, optionalStrings, tagsFrom } from "./common.js";
import type { EcsStore } from "./store.js";

/** TagResource, UntagResource, ListTagsForResource over clusters, task definitions and tasks. */
export function tagOperations(store: EcsStore): Record<string, JsonOperation> {
  /** The resource's ARN as stored, after checking it exists; `missing` is the error code the operation uses. */
  const resource = (arn: string | undefined, missing: string): string => {
    const kind = arn && /^arn:aws[\w-]*:ecs:[^:]+:\d+:(cluster|task-definition|task|container-instance|service|task-set|capacity-provider)\//.exec(arn)?.[1];
    if (!arn || !kind) throw invalidParameter("resourceArn must be a valid ECS resource ARN.");
    const found =
      kind === "cluster" ? store.cluster(clusterNameOf(arn))?.status === "ACTIVE"
      : kind === "task-definition" ? (() => {
          const ref = taskDefinitionRefOf(arn);
          return ref?.revision !== undefined && store.taskDefinition(ref.family, ref.revision) !== undefined;
        })()
      : kind === "task" ? store.task(taskIdOf(arn))?.taskArn === arn
      : false;
    if (!found && kind === "cluster") throw clusterNotFound();
    if (!found) throw new AwsError(missing, "The specified resource wasn't found.");
    return arn;
  };

  return {
    TagResource: (input) => {
      const arn = resource(optionalString(input, "resourceArn"), "ResourceNotFoundException");
      const tags = tagsFrom(input);
      if (tags.length === 0) throw invalidParameter("tags can not be empty.");
      const keys = new Set([...store.tagsOf(arn).map((t) => t.key), ...tags.map((t) => t.key)]);
      if (keys.size > 50) throw invalidParameter("The maximum number of tags per resource is 50.");
      store.putTags(arn, tags);
      return {};
    },
    UntagResource: (input) => {
      const arn = resource(optionalString(input, "resourceArn"), "ResourceNotFoundException");
      store.removeTags(arn, optionalStrings(input, "tagKeys") ?? []);
      return {};
    },
    ListTagsForResource: (input) => ({ tags: store.tagsOf(resource(optionalString(input, "resourceArn"), "InvalidParameterException")) }),
  };
}
