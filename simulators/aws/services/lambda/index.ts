import type { AwsService, SimContext } from "../../service.js";

/** Lambda (REST-JSON) and the Runtime API its function containers poll. */
export function createLambdaService(_ctx: SimContext): AwsService {
  return { signingName: "lambda", rest: [] };
}
