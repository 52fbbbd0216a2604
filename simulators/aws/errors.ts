/**
 * An error as AWS reports it: the code SDKs turn into a typed exception,
 * its message, its HTTP status, and whether the caller (Sender) or the
 * service (Receiver) is at fault. Each protocol renders it in its own shape.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly fault: "Sender" | "Receiver" = status >= 500 ? "Receiver" : "Sender",
    /** Extra members of the error body some codes carry (ECS's ClientException has none; Lambda's have Type). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }
}

/** A required member is missing or a value is outside what the operation accepts. */
export function requireString(input: Record<string, unknown>, member: string, code = "InvalidParameterException"): string {
  const value = input[member];
  if (typeof value !== "string" || value === "") throw new AwsError(code, `${member} must be specified.`);
  return value;
}
