import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** The SDK client configuration for the simulator: its endpoint, region and the documented local credentials. */
export interface ClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface RunningSimulator {
  endpoint: string;
  config: ClientConfig;
  stop(): Promise<void>;
}

/**
 * Starts `sockerless sim aws` as its own process on a free port, or uses the
 * one AWS_ENDPOINT_URL names (run.sh starts one for all scripts).
 */
export async function startSimulator(args: string[] = []): Promise<RunningSimulator> {
  const region = process.env.AWS_REGION ?? "us-east-1";
  const credentials = { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? "test", secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? "test" };
  const given = process.env.AWS_ENDPOINT_URL;
  if (given && args.length === 0) return { endpoint: given, config: { endpoint: given, region, credentials }, stop: async () => {} };
  const child = spawn(process.execPath, [join(root, "dist", "cli", "main.js"), "sim", "aws", "--listen", "127.0.0.1:0", "--log-level", "warn", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      const m = /AWS_ENDPOINT_URL=(\S+)/.exec(line);
      if (m) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`sockerless sim aws exited with ${code} before serving`)));
  });
  return { endpoint, config: { endpoint, region, credentials }, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** Named checks, run in order; each prints PASS or FAIL, and the process exits 1 if any failed. */
export class Checks {
  private passed = 0;
  private failed: string[] = [];

  constructor(private readonly suite: string) {}

  async check(name: string, fn: () => Promise<void> | void): Promise<void> {
    const started = Date.now();
    try {
      await fn();
      this.passed++;
      process.stdout.write(`PASS ${this.suite}: ${name} (${Date.now() - started} ms)\n`);
    } catch (err) {
      this.failed.push(name);
      process.stdout.write(`FAIL ${this.suite}: ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    }
  }

  /** Prints the tally and sets the exit code. */
  finish(): void {
    process.stdout.write(`${this.suite}: ${this.passed}/${this.passed + this.failed.length} passed\n`);
    if (this.failed.length > 0) process.exitCode = 1;
  }
}

/** Expects `fn` to fail with an SDK exception of this name (and, if given, HTTP status). */
export async function expectError(fn: () => Promise<unknown>, name: string, status?: number): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number } };
    if (e.name !== name) throw new Error(`expected ${name}, got ${e.name}: ${e.message}`);
    if (status !== undefined && e.$metadata?.httpStatusCode !== status) throw new Error(`expected HTTP ${status} for ${name}, got ${e.$metadata?.httpStatusCode}`);
    return e;
  }
  throw new Error(`expected ${name}, but the call succeeded`);
}

/** Waits until `probe` returns a value, polling, or throws after timeoutMs. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export function assertEqual<T>(actual: T, expected: T, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
