import type { JsonInput } from "../../request.js";
import type { JsonOperation } from "../../service.js";
import { invalid, optionalString } from "./input.js";
import type { Arns } from "./names.js";
import { groupNotFound, type Group, type LogStore } from "./store.js";

/** What the operations share. */
export interface LogsApi {
  store: LogStore;
  arns: Arns;
}

export type Operations = Record<string, JsonOperation>;

/** The log group a request names by logGroupName or by logGroupIdentifier (a name or an ARN), never both. */
export function requestGroup(api: LogsApi, input: JsonInput): Group {
  const name = optionalString(input, "logGroupName");
  const identifier = optionalString(input, "logGroupIdentifier");
  if (name !== undefined && identifier !== undefined) throw invalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  if (name !== undefined) return api.store.group(name);
  if (identifier === undefined) throw invalid("Either logGroupName or logGroupIdentifier must be specified.");
  const resolved = identifier.startsWith("arn:") ? api.arns.groupName(identifier) : identifier;
  if (resolved === undefined) throw groupNotFound();
  return api.store.group(resolved);
}
