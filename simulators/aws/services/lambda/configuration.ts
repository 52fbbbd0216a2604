import type { LambdaFunction } from "./store.js";

/** LastModified as Lambda writes it: 2026-01-01T00:00:00.000+0000. */
export function lambdaTimestamp(date = new Date()): string {
  return date.toISOString().replace("Z", "+0000");
}

export const logGroupName = (name: string) => `/aws/lambda/${name}`;

/** The FunctionConfiguration of an image function's $LATEST. */
export function functionConfiguration(fn: LambdaFunction): Record<string, unknown> {
  const environment = fn.environment ? { Variables: JSON.parse(fn.environment) as Record<string, string> } : undefined;
  const imageConfig = fn.imageConfig ? { ImageConfig: JSON.parse(fn.imageConfig) as object } : undefined;
  return {
    FunctionName: fn.name,
    FunctionArn: fn.arn,
    Role: fn.role,
    CodeSize: 0,
    Description: fn.description,
    Timeout: fn.timeout,
    MemorySize: fn.memorySize,
    LastModified: fn.lastModified,
    CodeSha256: fn.codeSha256,
    Version: "$LATEST",
    ...(environment ? { Environment: environment } : {}),
    TracingConfig: { Mode: "PassThrough" },
    RevisionId: fn.revisionId,
    State: fn.state,
    ...(fn.stateReason ? { StateReason: fn.stateReason } : {}),
    ...(fn.stateReasonCode ? { StateReasonCode: fn.stateReasonCode } : {}),
    LastUpdateStatus: fn.lastUpdateStatus,
    ...(fn.lastUpdateStatusReason ? { LastUpdateStatusReason: fn.lastUpdateStatusReason } : {}),
    ...(fn.lastUpdateStatusReasonCode ? { LastUpdateStatusReasonCode: fn.lastUpdateStatusReasonCode } : {}),
    PackageType: "Image",
    ...(imageConfig ? { ImageConfigResponse: imageConfig } : {}),
    Architectures: ["x86_64"],
    EphemeralStorage: { Size: 512 },
    SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
    LoggingConfig: { LogFormat: "Text", LogGroup: logGroupName(fn.name) },
  };
}

/** GetFunction's Code member for an image function. */
export function codeLocation(fn: LambdaFunction): Record<string, unknown> {
  return { RepositoryType: "ECR", ImageUri: fn.imageUri, ...(fn.resolvedImageUri ? { ResolvedImageUri: fn.resolvedImageUri } : {}) };
}
