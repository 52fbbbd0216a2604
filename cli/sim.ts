import { resolve } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { backendNames, createBackend, DEFAULT_BACKEND } from "../backends/registry.js";
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCOUNT_ID, DEFAULT_PORT, DEFAULT_REGION, DEFAULT_SECRET_ACCESS_KEY, startAwsSimulator } from "../simulators/aws/simulator.js";
import { parseBackendOptions } from "./serve.js";

export const simUsage = `Usage: sockerless sim CLOUD [OPTIONS]

Run a cloud API simulator. Clouds: aws.

Options:
      --listen HOST:PORT     where the API is served (default 127.0.0.1:${DEFAULT_PORT})
      --region REGION        the region it answers for (default ${DEFAULT_REGION})
      --account-id ID        the account its resources belong to (default ${DEFAULT_ACCOUNT_ID})
      --credentials KEY:SECRET
                             an access key SigV4 signatures are checked against (repeatable;
                             default ${DEFAULT_ACCESS_KEY_ID}:${DEFAULT_SECRET_ACCESS_KEY})
      --data DIR             keep state in DIR, across restarts (default: in memory)
      --backend NAME         where tasks and functions run (${backendNames().join(", ")}; default ${DEFAULT_BACKEND})
      --backend-opt K=V      a backend option (repeatable, or comma-separated)
      --log-level LEVEL      trace, debug, info, warn, error, silent (default info)
`;

function parseListen(value: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(value);
  if (!m || Number(m[2]) > 65535) throw new Error(`invalid --listen "${value}": expected HOST:PORT`);
  return { host: m[1].replace(/^\[|\]$/g, ""), port: Number(m[2]) };
}

function parseCredential(value: string): { accessKeyId: string; secretAccessKey: string } {
  const colon = value.indexOf(":");
  if (colon <= 0 || colon === value.length - 1) throw new Error(`invalid --credentials "${value}": expected ACCESS_KEY_ID:SECRET_ACCESS_KEY`);
  return { accessKeyId: value.slice(0, colon), secretAccessKey: value.slice(colon + 1) };
}

export async function sim(argv: string[]): Promise<void> {
  const [cloud, ...rest] = argv;
  if (cloud === undefined || cloud === "--help" || cloud === "-h") {
    process.stdout.write(simUsage);
    return;
  }
  if (cloud !== "aws") throw new Error(`unknown cloud "${cloud}": this build simulates aws`);
  const { values } = parseArgs({
    args: rest,
    options: {
      listen: { type: "string" },
      region: { type: "string" },
      "account-id": { type: "string" },
      credentials: { type: "string", multiple: true },
      data: { type: "string" },
      backend: { type: "string" },
      "backend-opt": { type: "string", multiple: true },
      "log-level": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(simUsage);
    return;
  }
  const log = pino({ level: values["log-level"] ?? "info", base: undefined }, pino.destination(2));
  const { host, port } = parseListen(values.listen ?? `127.0.0.1:${DEFAULT_PORT}`);
  const dataDir = values.data === undefined ? undefined : resolve(values.data);
  const backendName = values.backend ?? DEFAULT_BACKEND;
  const backendOptions = parseBackendOptions(values["backend-opt"] ?? []);
  const simulator = await startAwsSimulator({
    host,
    port,
    region: values.region,
    accountId: values["account-id"],
    credentials: values.credentials?.map(parseCredential),
    dataDir,
    backend: (dir) => createBackend(backendName, backendOptions, dir),
    log,
  });
  log.info({ endpoint: simulator.endpoint, region: simulator.region, accountId: simulator.accountId, backend: backendName, persistent: dataDir !== undefined }, "serving the AWS simulator");
  process.stdout.write(`export AWS_ENDPOINT_URL=${simulator.endpoint} AWS_REGION=${simulator.region} AWS_ACCESS_KEY_ID=${values.credentials?.[0] ? parseCredential(values.credentials[0]).accessKeyId : DEFAULT_ACCESS_KEY_ID}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, "shutting down");
    await simulator.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}
