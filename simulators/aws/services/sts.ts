import type { AwsService } from "../service.js";

/** STS (Query protocol): who the signing credentials belong to. They are the account's root credentials. */
export function createStsService(): AwsService {
  return {
    signingName: "sts",
    query: {
      xmlns: "https://sts.amazonaws.com/doc/2011-06-15/",
      operations: {
        GetCallerIdentity: (_params, req) => ({ Arn: `arn:aws:iam::${req.accountId}:root`, UserId: req.accountId, Account: req.accountId }),
      },
    },
  };
}
