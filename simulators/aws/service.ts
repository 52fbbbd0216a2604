import type http from "node:http";
import type net from "node:net";
import type Database from "better-sqlite3";
import type { Hono } from "hono";
import type { Logger } from "pino";
import type { AwsRequest, JsonInput } from "./request.js";
import type { XmlValue } from "./protocols.js";
import type { ExecHandle, OutputListener, Workloads } from "./workloads.js";

/** What every service shares: the account, the database, the public endpoint, the workload host and each other. */
export interface SimContext {
  region: string;
  accountId: string;
  /** The simulator's base URL as clients reach it, e.g. http://127.0.0.1:4566. */
  endpoint: string;
  sqlite: Database.Database;
  /** A directory for a service's files (registry blobs, say): under --data, or a temporary one removed at close. */
  filesDir: string;
  log: Logger;
  workloads: Workloads;
  /** Applies a service's own drizzle migrations, recorded in a table of its own. */
  migrate(service: string, migrationsFolder: string): void;
  /** Services ask each other through these, never through each other's tables. */
  logs: LogSink;
  registry: ImageRegistry;
  roles: RoleDirectory;
  sessions: SessionBroker;
}

/** Session Manager sessions as ECS ExecuteCommand opens them. */
export interface SessionBroker {
  /**
   * A session whose process starts when a client connects to its stream URL
   * with its token (the SSM data channel over WebSocket); `start` runs it.
   * InteractiveCommands (what ECS ExecuteCommand opens) carry output only, on
   * a terminal; NonInteractiveCommands keep stderr apart and end with the
   * exit code.
   */
  open(spec: {
    target: string;
    start: (onOutput: OutputListener) => Promise<ExecHandle>;
    sessionType?: "InteractiveCommands" | "NonInteractiveCommands";
  }): { sessionId: string; streamUrl: string; tokenValue: string };
}

/** IAM roles as other services check them (an execution role must exist). */
export interface RoleDirectory {
  exists(arn: string): boolean;
}

/** CloudWatch Logs as other services write to it. */
export interface LogSink {
  groupExists(group: string): boolean;
  createGroup(group: string): void;
  /** Creates the stream if needed. */
  createStream(group: string, stream: string): void;
  /** Appends events (timestamps in ms) to a stream that exists. */
  put(group: string, stream: string, events: { timestamp: number; message: string }[]): void;
}

/** The simulator's ECR as workloads pull from it. */
export interface ImageRegistry {
  /** Whether an image reference names a repository of this simulator's ECR (its own host or the account's ECR host name). */
  owns(reference: string): boolean;
  /** The reference rewritten to the simulator's own registry host, which the workload host pulls from. */
  localReference(reference: string): string;
  /** Credentials for pulling, as GetAuthorizationToken gives them. */
  pullCredentials(): { username: string; password: string };
}

export type JsonOperation = (input: JsonInput, req: AwsRequest) => unknown | Promise<unknown>;
export type QueryOperation = (params: URLSearchParams, req: AwsRequest) => XmlValue | Promise<XmlValue>;

export interface RestResult {
  status?: number;
  json?: unknown;
  body?: Buffer | string;
  headers?: Record<string, string>;
}

export interface RestOperation {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** A Hono path pattern, e.g. /2015-03-31/functions/:name/invocations. */
  path: string;
  /** The body is a payload passed on as sent (Lambda's Invoke), never parsed as the operation's JSON input. */
  payload?: boolean;
  handler: (req: AwsRequest, params: Record<string, string>, input: JsonInput) => RestResult | Promise<RestResult>;
}

/** One AWS service: its signing name and the operations it serves in its protocol. */
export interface AwsService {
  /** The SigV4 signing name (ecs, logs, ecr, lambda, sts, iam). */
  signingName: string;
  /** JSON 1.0/1.1 services, addressed by X-Amz-Target `${targetPrefix}.${operation}`. */
  json?: { targetPrefix: string; version: "1.0" | "1.1"; operations: Record<string, JsonOperation> };
  /** Query services (form-encoded Action=…), answered in XML under xmlns. */
  query?: { xmlns: string; operations: Record<string, QueryOperation> };
  /** REST-JSON services; the server verifies SigV4 and renders errors. */
  rest?: RestOperation[];
  /** Unsigned routes of the service's own (an OCI registry, say), mounted as they are. */
  routes?(app: Hono): void;
  /** WebSocket or other upgrades this service takes; returns false to leave it to others. */
  upgrade?(req: http.IncomingMessage, socket: net.Socket, head: Buffer): boolean;
  /** What GET /_sockerless/health lists for it. */
  health?(): Record<string, unknown>;
  close?(): Promise<void>;
}
