import { AwsError } from "../../errors.js";
import type { JsonInput } from "../../request.js";
import { requestGroup, type LogsApi, type Operations } from "./api.js";
import { constraintFailed, invalid, limit, optionalBoolean, optionalNumber, optionalString, optionalStringList, optionalStringMap, requiredString } from "./input.js";
import { checkGroupName, checkRetention, checkTags, GROUP_CLASSES, MAX_TAGS } from "./names.js";
import { groupNotFound, type Group } from "./store.js";
import { pageToken, parsePageToken } from "./tokens.js";

function tagsOf(g: Group): Record<string, string> {
  return JSON.parse(g.tags) as Record<string, string>;
}

function isAfterName(v: unknown): v is { after: string } {
  return typeof v === "object" && v !== null && typeof (v as { after?: unknown }).after === "string";
}

/** Log groups: creation, listing, retention and tags. */
export function groupOperations(api: LogsApi): Operations {
  const { store, arns } = api;

  const describe = (g: Group, brief: boolean) =>
    brief
      ? { logGroupName: g.name, creationTime: g.created, arn: arns.groupWildcard(g.name) }
      : {
          logGroupName: g.name,
          creationTime: g.created,
          retentionInDays: g.retentionDays ?? undefined,
          metricFilterCount: 0,
          arn: arns.groupWildcard(g.name),
          storedBytes: g.storedBytes,
          logGroupClass: g.groupClass,
          logGroupArn: arns.group(g.name),
          deletionProtectionEnabled: false,
        };

  /** The group a tagging call's resourceArn names. */
  const byArn = (input: JsonInput): Group => {
    const arn = requiredString(input, "resourceArn");
    if (!arn.startsWith("arn:")) throw invalid(`Invalid ARN: ${arn}`);
    const name = arns.groupName(arn);
    if (name === undefined) throw groupNotFound();
    return store.group(name);
  };

  const addTags = (g: Group, tags: Record<string, string> | undefined) => {
    if (!tags) throw constraintFailed("tags", undefined, "Member must not be null");
    checkTags(tags);
    const merged = { ...tagsOf(g), ...tags };
    if (Object.keys(merged).length > MAX_TAGS) throw new AwsError("TooManyTagsException", `A resource can have no more than ${MAX_TAGS} tags.`, 400, "Sender", { resourceName: arns.group(g.name) });
    store.setTags(g, merged);
    return {};
  };

  const removeTags = (g: Group, keys: string[] | undefined, member: string) => {
    if (!keys) throw constraintFailed(member, undefined, "Member must not be null");
    const tags = tagsOf(g);
    for (const k of keys) delete tags[k];
    store.setTags(g, tags);
    return {};
  };

  return {
    CreateLogGroup: (input) => {
      const name = requiredString(input, "logGroupName");
      checkGroupName(name);
      if (name.startsWith("aws/")) throw invalid("Log group names can't start with the string aws/");
      if (optionalString(input, "kmsKeyId") !== undefined) throw invalid("KMS encryption of log groups is not served by this simulator (it has no KMS).");
      if (optionalBoolean(input, "deletionProtectionEnabled")) throw invalid("Deletion protection of log groups is not served by this simulator.");
      const groupClass = optionalString(input, "logGroupClass") ?? "STANDARD";
      if (!GROUP_CLASSES.includes(groupClass)) throw constraintFailed("logGroupClass", groupClass, `Member must satisfy enum value set: [${GROUP_CLASSES.join(", ")}]`);
      const tags = optionalStringMap(input, "tags") ?? {};
      checkTags(tags);
      if (Object.keys(tags).length > MAX_TAGS) throw constraintFailed("tags", `${Object.keys(tags).length} tags`, `Member must have length less than or equal to ${MAX_TAGS}`);
      store.createGroup({ name, groupClass, tags, created: Date.now() });
      return {};
    },

    DescribeLogGroups: (input) => {
      const prefix = optionalString(input, "logGroupNamePrefix");
      const pattern = optionalString(input, "logGroupNamePattern");
      if (prefix !== undefined && pattern !== undefined) throw invalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
      const identifiers = optionalStringList(input, "logGroupIdentifiers");
      if (identifiers && (prefix !== undefined || pattern !== undefined)) throw invalid("logGroupIdentifiers cannot be combined with logGroupNamePrefix or logGroupNamePattern.");
      const groupClass = optionalString(input, "logGroupClass");
      if (groupClass !== undefined && !GROUP_CLASSES.includes(groupClass)) throw constraintFailed("logGroupClass", groupClass, `Member must satisfy enum value set: [${GROUP_CLASSES.join(", ")}]`);
      // Infrequent Access and Essentials are listed together.
      const classes = groupClass === undefined ? undefined : ["INFREQUENT_ACCESS", "ESSENTIALS"].includes(groupClass) ? ["INFREQUENT_ACCESS", "ESSENTIALS"] : [groupClass];
      const pageSize = limit(input, 50, 50);
      const token = optionalString(input, "nextToken");
      const after = token === undefined ? undefined : parsePageToken(token, isAfterName).after;
      const names = identifiers?.map((id) => (id.startsWith("arn:") ? (arns.groupName(id) ?? "") : id));
      const rows = store.listGroups({ prefix, contains: pattern, names, classes, after, limit: pageSize + 1 });
      const page = rows.slice(0, pageSize);
      return {
        logGroups: page.map((g) => describe(g, pattern !== undefined)),
        nextToken: rows.length > pageSize ? pageToken({ after: page[page.length - 1].name }) : undefined,
      };
    },

    DeleteLogGroup: (input) => {
      store.deleteGroup(requiredString(input, "logGroupName"));
      return {};
    },

    PutRetentionPolicy: (input) => {
      const name = requiredString(input, "logGroupName");
      const days = checkRetention(optionalNumber(input, "retentionInDays"));
      store.setRetention(name, days, Date.now());
      return {};
    },

    DeleteRetentionPolicy: (input) => {
      store.setRetention(requiredString(input, "logGroupName"), null, Date.now());
      return {};
    },

    TagResource: (input) => addTags(byArn(input), optionalStringMap(input, "tags")),
    UntagResource: (input) => removeTags(byArn(input), optionalStringList(input, "tagKeys"), "tagKeys"),
    ListTagsForResource: (input) => ({ tags: tagsOf(byArn(input)) }),

    // The older, name-addressed tagging operations.
    TagLogGroup: (input) => addTags(store.group(requiredString(input, "logGroupName")), optionalStringMap(input, "tags")),
    UntagLogGroup: (input) => removeTags(store.group(requiredString(input, "logGroupName")), optionalStringList(input, "tags"), "tags"),
    ListTagsLogGroup: (input) => ({ tags: tagsOf(requestGroup(api, input)) }),
  };
}
