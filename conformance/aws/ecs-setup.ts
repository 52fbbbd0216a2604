import { asBackendOpt, ecsBackendOptions } from "./ecs-backend-options.js";

/**
 * Prepares the AWS simulator at AWS_ENDPOINT_URL for the ecs backend and
 * prints the `--backend-opt` value. Usage: ecs-setup.js [POLL_MS]
 */
const endpoint = process.env.AWS_ENDPOINT_URL;
const region = process.env.AWS_REGION;
if (!endpoint || !region) {
  process.stderr.write("ecs-setup: AWS_ENDPOINT_URL and AWS_REGION must name the simulator\n");
  process.exit(2);
}
process.stdout.write(`${asBackendOpt(await ecsBackendOptions(endpoint, region, Number(process.argv[2] ?? "50")))}\n`);
