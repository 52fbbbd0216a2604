import type { JsonOperation } from "../../service.js";
import { requireString } from "../../errors.js";
import { taskDefinitionRefOf, type Arns } from "./arns.js";
import { clientError, invalidParameter, optionalString, optionalStrings, page, tagsFrom } from "./common.js";
import { taskDefinitionFrom } from "./register.js";
import type { EcsStore } from "./store.js";
import { epochSeconds, type TaskDefinition } from "./types.js";

/** A task definition by family (its latest ACTIVE revision), family:revision or ARN. */
export function findTaskDefinition(store: EcsStore, ref: string): TaskDefinition | undefined {
  const parsed = taskDefinitionRefOf(ref);
  if (!parsed) return undefined;
  return parsed.revision === undefined ? store.latestActive(parsed.family) : store.taskDefinition(parsed.family, parsed.revision);
}

/** RegisterTaskDefinition, DescribeTaskDefinition, ListTaskDefinitions, ListTaskDefinitionFamilies, DeregisterTaskDefinition, DeleteTaskDefinitions. */
export function taskDefinitionOperations(store: EcsStore, arns: Arns): Record<string, JsonOperation> {
  return {
    RegisterTaskDefinition: (input, req) => {
      const body = taskDefinitionFrom(input);
      const tags = tagsFrom(input);
      const revision = store.nextRevision(body.family);
      const td: TaskDefinition = {
        taskDefinitionArn: arns.taskDefinition(body.family, revision),
        ...body,
        revision,
        status: "ACTIVE",
        registeredAt: epochSeconds(),
        registeredBy: `arn:aws:iam::${req.accountId}:root`,
      };
      store.putTaskDefinition(td);
      store.putTags(td.taskDefinitionArn, tags);
      return { taskDefinition: td, ...(tags.length > 0 ? { tags } : {}) };
    },

    DescribeTaskDefinition: (input) => {
      const td = findTaskDefinition(store, requireString(input, "taskDefinition", "ClientException"));
      if (!td) throw clientError("Unable to describe task definition.");
      const include = optionalStrings(input, "include") ?? [];
      return { taskDefinition: td, ...(include.includes("TAGS") ? { tags: store.tagsOf(td.taskDefinitionArn) } : {}) };
    },

    ListTaskDefinitions: (input) => {
      const status = optionalString(input, "status") ?? "ACTIVE";
      if (!["ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS"].includes(status)) throw invalidParameter(`Invalid status: ${status}`);
      const sort = optionalString(input, "sort") ?? "ASC";
      if (sort !== "ASC" && sort !== "DESC") throw invalidParameter(`Invalid sort: ${sort}`);
      // familyPrefix names a whole family, as ECS documents it.
      const family = optionalString(input, "familyPrefix");
      const rows = store.taskDefinitionRows(status, sort).filter((r) => family === undefined || r.family === family);
      const { items, nextToken } = page(rows, input);
      return { taskDefinitionArns: items.map((r) => r.arn), ...(nextToken ? { nextToken } : {}) };
    },

    ListTaskDefinitionFamilies: (input) => {
      const status = optionalString(input, "status") ?? "ALL";
      if (!["ACTIVE", "INACTIVE", "ALL"].includes(status)) throw invalidParameter(`Invalid status: ${status}`);
      const prefix = optionalString(input, "familyPrefix") ?? "";
      const active = new Map<string, boolean>();
      for (const r of store.taskDefinitionRows(undefined, "ASC")) {
        if (!r.family.startsWith(prefix)) continue;
        active.set(r.family, (active.get(r.family) ?? false) || r.status === "ACTIVE");
      }
      const families = [...active].filter(([, isActive]) => status === "ALL" || (status === "ACTIVE") === isActive).map(([f]) => f);
      const { items, nextToken } = page(families, input);
      return { families: items, ...(nextToken ? { nextToken } : {}) };
    },

    DeregisterTaskDefinition: (input) => {
      const ref = requireString(input, "taskDefinition", "ClientException");
      const parsed = taskDefinitionRefOf(ref);
      if (!parsed || parsed.revision === undefined) throw clientError(`Invalid revision number. Number: ${ref.includes(":") ? ref.slice(ref.lastIndexOf(":") + 1) : ""}`);
      const td = store.taskDefinition(parsed.family, parsed.revision);
      if (!td) throw clientError("Unable to deregister task definition.");
      if (td.status === "DELETE_IN_PROGRESS") throw clientError("The task definition could not be deregistered because it is in the process of being deleted.");
      if (td.status === "ACTIVE") {
        td.status = "INACTIVE";
        td.deregisteredAt = epochSeconds();
        store.putTaskDefinition(td);
      }
      return { taskDefinition: td };
    },

    DeleteTaskDefinitions: (input) => {
      const refs = optionalStrings(input, "taskDefinitions") ?? [];
      if (refs.length < 1 || refs.length > 10) throw invalidParameter("taskDefinitions must contain between 1 and 10 items.");
      const taskDefinitions: TaskDefinition[] = [];
      const failures: { arn: string; reason: string }[] = [];
      for (const ref of refs) {
        const parsed = taskDefinitionRefOf(ref);
        const td = parsed?.revision !== undefined ? store.taskDefinition(parsed.family, parsed.revision) : undefined;
        if (!parsed || parsed.revision === undefined) failures.push({ arn: ref, reason: "The specified task definition identifier is invalid. Specify a valid name or ARN and try again." });
        else if (!td) failures.push({ arn: ref, reason: "The specified task definition does not exist. Specify a valid account, family, revision and try again." });
        else if (td.status === "ACTIVE") failures.push({ arn: ref, reason: "The specified task definition is still in ACTIVE status. Please deregister the target and try again." });
        else {
          td.status = "DELETE_IN_PROGRESS";
          td.deleteRequestedAt ??= epochSeconds();
          store.putTaskDefinition(td);
          taskDefinitions.push(td);
        }
      }
      return { taskDefinitions, failures };
    },
  };
}
