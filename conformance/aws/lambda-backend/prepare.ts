import { CreateRoleCommand, EntityAlreadyExistsException, GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { buildLambdaRuntimeImage } from "../lambda/runtime-image.js";

/**
 * For lambda-backend.sh, against the simulator at AWS_ENDPOINT_URL:
 * `prepare ARCHIVE` builds the custom-runtime image as a docker archive and
 * prints the ARN of an execution role for the functions (created if missing);
 * `functions` prints the names of the functions there are, one a line.
 */
const [command, archive] = process.argv.slice(2);
const endpoint = process.env.AWS_ENDPOINT_URL;
if (!endpoint) throw new Error("AWS_ENDPOINT_URL names no simulator");
const config = { endpoint, region: process.env.AWS_REGION ?? "us-east-1" };

if (command === "prepare" && archive) {
  await buildLambdaRuntimeImage(archive);
  const iam = new IAMClient(config);
  const RoleName = "sockerless-lambda";
  try {
    await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [] }) }));
  } catch (err) {
    if (!(err instanceof EntityAlreadyExistsException)) throw err;
  }
  process.stdout.write(`${(await iam.send(new GetRoleCommand({ RoleName }))).Role!.Arn}\n`);
  iam.destroy();
} else if (command === "functions") {
  const lambda = new LambdaClient(config);
  const names: string[] = [];
  let Marker: string | undefined;
  do {
    const page = await lambda.send(new ListFunctionsCommand({ ...(Marker ? { Marker } : {}) }));
    names.push(...(page.Functions ?? []).map((f) => f.FunctionName!));
    Marker = page.NextMarker;
  } while (Marker);
  process.stdout.write(names.map((n) => `${n}\n`).join(""));
  lambda.destroy();
} else {
  throw new Error("usage: prepare ARCHIVE | functions");
}
