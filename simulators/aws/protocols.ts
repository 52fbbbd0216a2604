import { AwsError } from "./errors.js";
import { SignatureError, type AuthFailure } from "./sigv4.js";

/** The wire protocols the simulated services speak. */
export type Protocol = "json" | "query" | "rest-json";

/** A response ready to be written: status, headers and body. */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** Each protocol family's code and status for a signature that fails. */
const AUTH_CODES: Record<Protocol, Record<AuthFailure, [string, number]>> = {
  json: {
    missing: ["MissingAuthenticationTokenException", 400],
    unknownKey: ["UnrecognizedClientException", 400],
    mismatch: ["InvalidSignatureException", 400],
    expired: ["InvalidSignatureException", 400],
    malformed: ["IncompleteSignatureException", 400],
  },
  query: {
    missing: ["MissingAuthenticationToken", 403],
    unknownKey: ["InvalidClientTokenId", 403],
    mismatch: ["SignatureDoesNotMatch", 403],
    expired: ["SignatureDoesNotMatch", 403],
    malformed: ["IncompleteSignature", 400],
  },
  "rest-json": {
    missing: ["MissingAuthenticationTokenException", 403],
    unknownKey: ["UnrecognizedClientException", 403],
    mismatch: ["InvalidSignatureException", 403],
    expired: ["InvalidSignatureException", 403],
    malformed: ["IncompleteSignatureException", 403],
  },
};

/** Any thrown value as an AwsError: a signature failure under the protocol's own code, anything unexpected as a 500. */
export function asAwsError(err: unknown, protocol: Protocol): AwsError {
  if (err instanceof SignatureError) {
    const [code, status] = AUTH_CODES[protocol][err.failure];
    return new AwsError(code, err.message, status);
  }
  if (err instanceof AwsError) return err;
  return new AwsError("ServiceException", err instanceof Error ? err.message : String(err), 500);
}

export function jsonResponse(contentType: string, requestId: string, output: unknown): WireResponse {
  return { status: 200, headers: { "content-type": contentType, "x-amzn-requestid": requestId }, body: JSON.stringify(output ?? {}) };
}

/** JSON 1.0/1.1: `{"__type": code, "message": ...}`. */
export function jsonError(contentType: string, requestId: string, err: AwsError): WireResponse {
  return {
    status: err.status,
    headers: { "content-type": contentType, "x-amzn-requestid": requestId, "x-amzn-errortype": err.code },
    body: JSON.stringify({ __type: err.code, message: err.message, ...err.extra }),
  };
}

/** REST-JSON: the code in X-Amzn-ErrorType, `{"Type": "User"|"Service", "message": ...}` in the body. */
export function restJsonError(requestId: string, err: AwsError): WireResponse {
  return {
    status: err.status,
    headers: { "content-type": "application/json", "x-amzn-requestid": requestId, "x-amzn-errortype": err.code },
    body: JSON.stringify({ Type: err.fault === "Sender" ? "User" : "Service", message: err.message, ...err.extra }),
  };
}

export function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (ch) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[ch]!);
}

/** A nested value for the Query protocol's XML: scalars become text, arrays become `<member>` lists. */
export type XmlValue = string | number | boolean | undefined | null | XmlValue[] | { [name: string]: XmlValue };

export function toXml(value: XmlValue): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join("");
  if (typeof value === "object") {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join("");
  }
  return xmlEscape(String(value));
}

/** A Query-protocol answer: `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…`. */
export function queryResponse(xmlns: string, action: string, requestId: string, result: XmlValue): WireResponse {
  const body = `<${action}Response xmlns="${xmlns}"><${action}Result>${toXml(result)}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  return { status: 200, headers: { "content-type": "text/xml", "x-amzn-requestid": requestId }, body };
}

export function queryError(xmlns: string, requestId: string, err: AwsError): WireResponse {
  const body = `<ErrorResponse xmlns="${xmlns}"><Error><Type>${err.fault}</Type><Code>${xmlEscape(err.code)}</Code><Message>${xmlEscape(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status: err.status, headers: { "content-type": "text/xml", "x-amzn-requestid": requestId }, body };
}
