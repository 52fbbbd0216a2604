import { AwsError } from "../../errors.js";
import type { RestOperation } from "../../service.js";

/** Lambda's paths begin with an API version date (/2015-03-31/, /2017-03-31/, ...). */
const LAMBDA_PATHS = "/:version{20[0-9]{2}-[0-9]{2}-[0-9]{2}}/*";

/** Registered after the served operations: aliases, versions, permissions, layers, URLs, concurrency and the rest. */
export function notServedOperations(): RestOperation[] {
  return (["GET", "POST", "PUT", "DELETE"] as const).map((method) => ({
    method,
    path: LAMBDA_PATHS,
    handler: (req) => {
      throw new AwsError("UnknownOperationException", `${method} ${req.rawPath} is a Lambda operation this simulator does not serve; it serves image functions' CreateFunction, GetFunction, GetFunctionConfiguration, UpdateFunctionCode, UpdateFunctionConfiguration, DeleteFunction, ListFunctions, Invoke, ListTags, TagResource and UntagResource.`, 404);
    },
  }));
}
