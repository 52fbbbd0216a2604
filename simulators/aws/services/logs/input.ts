import { AwsError } from "../../errors.js";
import type { JsonInput } from "../../request.js";

/** CloudWatch Logs reports every malformed request as InvalidParameterException, in AWS's validation wording. */
export function invalid(message: string): AwsError {
  return new AwsError("InvalidParameterException", message);
}

export function constraintFailed(member: string, value: unknown, constraint: string): AwsError {
  const shown = value === undefined || value === null ? "null" : `'${typeof value === "string" ? value : JSON.stringify(value)}'`;
  return invalid(`1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`);
}

export function requiredString(input: JsonInput, member: string): string {
  const v = input[member];
  if (v === undefined || v === null) throw constraintFailed(member, v, "Member must not be null");
  if (typeof v !== "string") throw invalid(`Member ${member} must be a string`);
  return v;
}

export function optionalString(input: JsonInput, member: string): string | undefined {
  const v = input[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalid(`Member ${member} must be a string`);
  return v;
}

export function optionalNumber(input: JsonInput, member: string): number | undefined {
  const v = input[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) throw invalid(`Member ${member} must be an integer`);
  return v;
}

export function optionalBoolean(input: JsonInput, member: string): boolean | undefined {
  const v = input[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw invalid(`Member ${member} must be a boolean`);
  return v;
}

export function optionalStringList(input: JsonInput, member: string): string[] | undefined {
  const v = input[member];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) throw invalid(`Member ${member} must be a list of strings`);
  return v as string[];
}

export function optionalStringMap(input: JsonInput, member: string): Record<string, string> | undefined {
  const v = input[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v) || Object.values(v).some((s) => typeof s !== "string")) throw invalid(`Member ${member} must be a map of strings`);
  return v as Record<string, string>;
}

/** A page size within AWS's bounds, or the default. */
export function limit(input: JsonInput, max: number, fallback: number): number {
  const v = optionalNumber(input, "limit");
  if (v === undefined) return fallback;
  if (v < 1) throw constraintFailed("limit", String(v), "Member must have value greater than or equal to 1");
  if (v > max) throw constraintFailed("limit", String(v), `Member must have value less than or equal to ${max}`);
  return v;
}
