/**
 * What the AWS backends' options have in common; `backend` names the backend
 * in every message.
 */

/** An IAM role's ARN. */
export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;

/** Refuses an option the backend does not know, listing those it does. */
export function checkKnown(backend: string, options: Record<string, string>, known: string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`unknown ${backend} backend option "${key}"; known: ${known.join(", ")}`);
  }
}

/** The region option, or the SDK's environment variables for it. */
export function regionOf(backend: string, options: Record<string, string>, env: NodeJS.ProcessEnv): string {
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new Error(`the ${backend} backend needs a region: --backend-opt region=REGION (or AWS_REGION)`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new Error(`${backend} backend region "${region}" is not an AWS region name`);
  return region;
}

/** One endpoint for every service (the simulator); undefined means AWS's own. */
export function endpointOf(backend: string, options: Record<string, string>): string | undefined {
  const endpoint = options.endpoint;
  if (endpoint !== undefined && !/^https?:\/\/[^/]+\/?$/.test(endpoint)) throw new Error(`${backend} backend endpoint "${endpoint}" must be http(s)://HOST[:PORT]`);
  return endpoint;
}

/** A whole-number option within bounds, `fallback` when absent. */
export function wholeNumber(backend: string, options: Record<string, string>, key: string, bounds: { fallback: number; min: number; max: number; unit: string }): number {
  const value = Number(options[key] ?? bounds.fallback);
  if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new Error(`${backend} backend ${key} "${options[key]}" must be a whole number of ${bounds.unit} from ${bounds.min} to ${bounds.max}`);
  }
  return value;
}
