import { constraintFailed, invalid } from "./input.js";

/** The retention periods AWS accepts, in days. */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export const GROUP_CLASSES = ["STANDARD", "INFREQUENT_ACCESS", "ESSENTIALS", "DELIVERY"];

const GROUP_NAME = /^[.\-_/#A-Za-z0-9]+$/;
const STREAM_NAME = /^[^:*]*$/;

function checkLength(member: string, value: string): void {
  if (value.length < 1) throw constraintFailed(member, value, "Member must have length greater than or equal to 1");
  if (value.length > 512) throw constraintFailed(member, value, "Member must have length less than or equal to 512");
}

export function checkGroupName(name: string, member = "logGroupName"): void {
  checkLength(member, name);
  if (!GROUP_NAME.test(name)) throw constraintFailed(member, name, "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+");
}

export function checkStreamName(name: string, member = "logStreamName"): void {
  checkLength(member, name);
  if (!STREAM_NAME.test(name)) throw constraintFailed(member, name, "Member must satisfy regular expression pattern: [^:*]*");
}

export function checkRetention(days: number | undefined): number {
  if (days === undefined) throw constraintFailed("retentionInDays", undefined, "Member must not be null");
  if (!RETENTION_DAYS.includes(days)) throw constraintFailed("retentionInDays", String(days), `Member must satisfy enum value set: [${RETENTION_DAYS.join(", ")}]`);
  return days;
}

/** A resource can carry at most this many tags. */
export const MAX_TAGS = 50;

/** Tags as AWS limits them: keys of 1 to 128 characters, values of up to 256, no aws: prefix. */
export function checkTags(tags: Record<string, string>): void {
  const keys = Object.keys(tags);
  for (const key of keys) {
    if (key.length < 1 || key.length > 128) throw constraintFailed("tags", key, "Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]");
    if (tags[key].length > 256) throw constraintFailed("tags", tags[key], "Member must satisfy constraint: [Member must have length less than or equal to 256]");
    if (key.toLowerCase().startsWith("aws:")) throw invalid("Tag keys beginning with aws: are reserved for AWS use.");
  }
}

/** The ARNs AWS gives log groups and streams. */
export class Arns {
  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  /** The ARN without the trailing `:*`, as tagging APIs and logGroupIdentifier take it. */
  group(name: string): string {
    return `arn:aws:logs:${this.region}:${this.accountId}:log-group:${name}`;
  }

  /** The ARN with the trailing `:*`, as DescribeLogGroups' `arn` member shows it. */
  groupWildcard(name: string): string {
    return `${this.group(name)}:*`;
  }

  stream(group: string, stream: string): string {
    return `${this.group(group)}:log-stream:${stream}`;
  }

  /** The log group name a group ARN names, with or without `:*`; undefined if the ARN is not one of this account's log groups. */
  groupName(arn: string): string | undefined {
    const prefix = this.group("");
    if (!arn.startsWith(prefix)) return undefined;
    const name = arn.slice(prefix.length).replace(/:\*$/, "");
    return GROUP_NAME.test(name) ? name : undefined;
  }
}
