import { AwsError } from "../../errors.js";
import type { JsonInput } from "../../request.js";

/** CloudWatch Logs reports a request that fails validation as InvalidParameterException, in AWS's validation wording. */
export function invalid(message: string): AwsError {
  return new AwsError("InvalidParameterException", message);
}

/** A member of the wrong JSON type fails before validation, as AWS's JSON deserializer does. */
export function wrongType(member: string, expected: string): AwsError {
  return new AwsError("SerializationException", `Member ${member} must be ${expected}`);
}

export function constraintFailed(member: string, value: unknown, constraint: string): AwsError {
  const shown = value === undefined || value === null ? "null" : `'${typeof value === "string" ? value : JSON.stringify(value)}'`;
  return invalid(`1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`);
}

export function requiredString(input: JsonInput, member: string): string {
  const v = input[member];
  if (v === undefined || v === null) throw constraintFailed(member, v, "Member must not be null");
  if (typeof v !== "string") throw wrongType(member, "a string");
  return v;
}

export function optionalString(input: JsonInput, member: string): string | undefined {
  const v = input[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw wrongType(member, "a string");
  return v;
}

export function optionalNumber(input: JsonInput, member: string): number | undefined {
  const v = input[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) throw wrongType(member, "an integer");
  return v;
}

export function optionalBoolean(input: JsonInput, member: string): boolean | undefined {
  const v = input[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw wrongType(member, "a boolean");
  return v;
}

export function optionalStringList(input: JsonInput, member: string): string[] | undefined {
  const v = input[member];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) throw wrongType(member, "a list of strings");
  return v as string[];
}

export function optionalStringMap(input: JsonInput, member: string): Record<string, string> | undefined {
  const v = input[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v) || Object.values(v).some((s) => typeof s !== "string")) throw wrongType(member, "a map of strings");
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
