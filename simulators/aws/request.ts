import type { IncomingHttpHeaders } from "node:http";

/** A request that passed SigV4 verification, with what the signature proved. */
export interface AwsRequest {
  method: string;
  /** The path as sent, still percent-encoded. */
  rawPath: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** From the credential scope. */
  region: string;
  service: string;
  accessKeyId: string;
  accountId: string;
  requestId: string;
}

/** The JSON members of a JSON-protocol request body; an empty body is an empty input. */
export type JsonInput = Record<string, unknown>;
