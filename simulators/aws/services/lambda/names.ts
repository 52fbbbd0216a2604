import { AwsError } from "../../errors.js";

/** A FunctionName as Lambda takes it: a name, a full ARN or a partial ARN, with an optional qualifier. */
const FUNCTION_NAME = /^(?:arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):)?(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9_-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/;

export interface FunctionRef {
  name: string;
  /** An explicit version or alias; undefined for $LATEST. */
  qualifier?: string;
}

export function functionArn(region: string, accountId: string, name: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}`;
}

/** Parses the FunctionName path parameter (and a Qualifier query parameter). */
export function parseFunctionName(raw: string, qualifier: string | null, where: { region: string; accountId: string }): FunctionRef {
  const value = decodeURIComponent(raw);
  const m = FUNCTION_NAME.exec(value);
  if (!m || m[3].length > 64) {
    throw new AwsError("ValidationException", `1 validation error detected: Value '${value}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`);
  }
  const [, region, account, name, inArn] = m;
  const q = inArn ?? qualifier ?? undefined;
  if (inArn !== undefined && qualifier !== null && qualifier !== inArn) {
    throw new AwsError("InvalidParameterValueException", "The derived qualifier from the function name does not match the specified qualifier.");
  }
  if ((region !== undefined && region !== where.region) || (account !== undefined && account !== where.accountId)) {
    throw notFound(region ?? where.region, account ?? where.accountId, name, q);
  }
  return { name, qualifier: q === "$LATEST" ? undefined : q };
}

export function notFound(region: string, accountId: string, name: string, qualifier?: string): AwsError {
  const arn = functionArn(region, accountId, name) + (qualifier ? `:${qualifier}` : "");
  return new AwsError("ResourceNotFoundException", `Function not found: ${arn}`, 404);
}
