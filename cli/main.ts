#!/usr/bin/env node
import { SOCKERLESS_VERSION } from "../engine/package-info.js";
import { MAX_API_VERSION, MIN_API_VERSION } from "../engine/api-version.js";
import { serve } from "./serve.js";
import { sim } from "./sim.js";

const usage = `Usage: sockerless COMMAND

A Docker Engine API daemon with pluggable backends.

Commands:
  serve     Serve the Docker Engine API (see sockerless serve --help)
  sim       Run a cloud API simulator (see sockerless sim --help)
  version   Print the version of sockerless and the API versions it serves
  help      Print this help
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve":
      await serve(rest);
      return -1;
    case "sim":
      await sim(rest);
      return -1;
    case "version":
    case "--version":
      process.stdout.write(`sockerless ${SOCKERLESS_VERSION} (Docker Engine API ${MIN_API_VERSION} to ${MAX_API_VERSION}, Node.js ${process.versions.node})\n`);
      return 0;
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(usage);
      return 0;
    default:
      process.stderr.write(`sockerless: unknown command "${command}"\n\n${usage}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`sockerless: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
