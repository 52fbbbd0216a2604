import { DockerError } from "../errors.js";

/** One error of a registry's `{"errors":[{code,message,detail}]}` body (distribution's errcode.Error). */
export class RegistryError extends DockerError {
  constructor(
    status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    // errcode.Error's text: the code in lower case with spaces, then the registry's message.
    super(status, `${code.toLowerCase().replace(/_/g, " ")}: ${detail}`);
  }
}

/** Go's http.Client error text: `Get "URL": cause`. */
function goMethod(method: string): string {
  return method[0] + method.slice(1).toLowerCase();
}

/**
 * A failed connection described as Go's net/http describes it, so clients see
 * the messages they know ("dial tcp: lookup HOST: no such host", "connect:
 * connection refused"); status 500 as dockerd answers them.
 */
export function connectionError(method: string, url: string, err: unknown): DockerError {
  const cause = (err as { cause?: NodeJS.ErrnoException & { hostname?: string; address?: string; port?: number } }).cause ?? (err as NodeJS.ErrnoException);
  const u = new URL(url);
  const hostPort = `${u.hostname}:${u.port || (u.protocol === "https:" ? "443" : "80")}`;
  let text: string;
  switch (cause?.code) {
    case "ENOTFOUND":
      text = `dial tcp: lookup ${u.hostname}: no such host`;
      break;
    case "EAI_AGAIN":
      text = `dial tcp: lookup ${u.hostname}: temporary failure in name resolution`;
      break;
    case "ECONNREFUSED":
      text = `dial tcp ${hostPort}: connect: connection refused`;
      break;
    case "ECONNRESET":
      text = `read tcp ${hostPort}: read: connection reset by peer`;
      break;
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      text = `dial tcp ${hostPort}: i/o timeout`;
      break;
    case "EPROTO":
    case "ERR_SSL_WRONG_VERSION_NUMBER":
      text = "http: server gave HTTP response to HTTPS client";
      break;
    default:
      text = cause?.message ?? String(err);
  }
  return new DockerError(500, `${goMethod(method)} "${url}": ${text}`);
}

/**
 * A registry's error answer as distribution's client reports it: the first
 * errcode of the body; otherwise the body that could not be parsed; for
 * statuses outside 4xx, the status line.
 */
export async function responseError(res: Response): Promise<DockerError> {
  const body = await res.text();
  if (res.status < 400 || res.status >= 500) return new DockerError(500, `received unexpected HTTP status: ${res.status} ${res.statusText}`);
  let parsed: { errors?: { code?: string; message?: string; detail?: unknown }[]; details?: string } | undefined;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    if (res.status === 401) return new RegistryError(401, "UNAUTHORIZED", "authentication required");
    return new DockerError(500, `error parsing HTTP ${res.status} response body: ${(e as Error).message}: ${JSON.stringify(body)}`);
  }
  const first = parsed?.errors?.[0];
  if (first?.code) return new RegistryError(res.status, first.code, first.message ?? "");
  if (parsed?.details) return new RegistryError(res.status, res.status === 401 ? "UNAUTHORIZED" : res.status === 403 ? "DENIED" : "UNKNOWN", parsed.details);
  if (res.status === 401) return new RegistryError(401, "UNAUTHORIZED", "authentication required");
  return new DockerError(500, `error parsing HTTP ${res.status} response body: no error details found in HTTP response body: ${JSON.stringify(body)}`);
}
