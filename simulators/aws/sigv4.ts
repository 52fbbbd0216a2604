import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { AwsError } from "./errors.js";

/** An access key the simulator accepts, and the account it belongs to. */
export interface Credential {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
}

export interface SignedRequest {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface VerifiedSignature {
  credential: Credential;
  region: string;
  service: string;
}

/** How far a request's X-Amz-Date may be from the simulator's clock, as AWS allows. */
const MAX_SKEW_MS = 15 * 60 * 1000;

const SIGNATURE_MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/** The auth failures, under the codes each protocol family uses for them. */
export type AuthFailure = "missing" | "unknownKey" | "mismatch" | "expired" | "malformed";

export class SignatureError extends AwsError {
  constructor(
    readonly failure: AuthFailure,
    message: string,
  ) {
    super(failure, message, 403);
  }
}

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters. */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** Every path segment encoded once more, as SigV4 does for all services but S3. */
function canonicalUri(rawPath: string): string {
  return rawPath.split("/").map((segment) => uriEncode(segment)).join("/") || "/";
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, "%20"));
  } catch {
    return s;
  }
}

function canonicalQuery(rawQuery: string): string {
  if (rawQuery === "") return "";
  const pairs = rawQuery
    .split("&")
    .filter((p) => p !== "")
    .map((p) => {
      const eq = p.indexOf("=");
      const key = eq < 0 ? p : p.slice(0, eq);
      const value = eq < 0 ? "" : p.slice(eq + 1);
      return [uriEncode(decode(key)), uriEncode(decode(value))] as const;
    })
    .filter(([k]) => k !== "X-Amz-Signature");
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  const joined = Array.isArray(v) ? v.join(",") : (v ?? "");
  return joined.trim().replace(/\s+/g, " ");
}

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(value: string): ParsedAuthorization {
  const match = /^AWS4-HMAC-SHA256\s+(.*)$/.exec(value.trim());
  if (!match) throw new SignatureError("malformed", `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.`);
  const parts = new Map<string, string>();
  for (const item of match[1].split(",")) {
    const eq = item.indexOf("=");
    if (eq > 0) parts.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  const credential = parts.get("Credential");
  const signedHeaders = parts.get("SignedHeaders");
  const signature = parts.get("Signature");
  if (!credential || !signedHeaders || !signature) {
    throw new SignatureError("malformed", `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=${value}`);
  }
  const scope = credential.split("/");
  if (scope.length !== 5 || scope[4] !== "aws4_request") {
    throw new SignatureError("malformed", `Credential should be scoped to a valid region, not '${scope[2] ?? ""}'. `);
  }
  const [accessKeyId, date, region, service] = scope;
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(";"), signature };
}

/** The time a request was signed, from X-Amz-Date (basic ISO 8601) or Date. */
function requestTime(headers: IncomingHttpHeaders): { stamp: string; ms: number } {
  const amz = headerValue(headers, "x-amz-date");
  if (amz !== "") {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amz);
    if (!m) throw new SignatureError("malformed", `Date must be in ISO-8601 'basic format'. Got '${amz}'. See http://en.wikipedia.org/wiki/ISO_8601`);
    return { stamp: amz, ms: Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) };
  }
  const date = headerValue(headers, "date");
  const ms = Date.parse(date);
  if (date === "" || Number.isNaN(ms)) throw new SignatureError("missing", "Missing Authentication Token");
  return { stamp: new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, ""), ms };
}

/**
 * Verifies a request's Signature Version 4 Authorization header against the
 * configured credentials: the canonical request, the string to sign and the
 * derived signing key, exactly as AWS computes them.
 */
export function verifySignature(req: SignedRequest, credentials: ReadonlyMap<string, Credential>, now = Date.now()): VerifiedSignature {
  const authorization = headerValue(req.headers, "authorization");
  if (authorization === "") throw new SignatureError("missing", "Missing Authentication Token");
  const auth = parseAuthorization(authorization);
  const credential = credentials.get(auth.accessKeyId);
  if (!credential) throw new SignatureError("unknownKey", "The security token included in the request is invalid.");
  const time = requestTime(req.headers);
  if (Math.abs(now - time.ms) > MAX_SKEW_MS) {
    const fmt = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, "");
    throw new SignatureError("expired", `Signature expired: ${time.stamp} is now earlier than ${fmt(now - MAX_SKEW_MS)} (${fmt(now)} - 15 min.)`);
  }
  if (!auth.signedHeaders.includes("host")) throw new SignatureError("mismatch", SIGNATURE_MISMATCH);
  const payloadHash = headerValue(req.headers, "x-amz-content-sha256") || sha256Hex(req.body);
  const canonicalRequest = [
    req.method,
    canonicalUri(req.rawPath),
    canonicalQuery(req.rawQuery),
    auth.signedHeaders.map((h) => `${h}:${headerValue(req.headers, h)}\n`).join(""),
    auth.signedHeaders.join(";"),
    payloadHash,
  ].join("\n");
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", time.stamp, scope, sha256Hex(canonicalRequest)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${credential.secretAccessKey}`, auth.date), auth.region), auth.service), "aws4_request");
  const expected = Buffer.from(createHmac("sha256", key).update(stringToSign, "utf8").digest("hex"));
  const given = Buffer.from(auth.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new SignatureError("mismatch", SIGNATURE_MISMATCH);
  return { credential, region: auth.region, service: auth.service };
}
