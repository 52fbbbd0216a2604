import type { AwsService, SessionBroker, SimContext } from "../service.js";

/** Session Manager: the data channel (WebSocket) that ExecuteCommand sessions stream over. */
export function createSessionManager(_ctx: SimContext): { service: AwsService; sessions: SessionBroker } {
  return {
    service: { signingName: "ssm", json: { targetPrefix: "AmazonSSM", version: "1.1", operations: {} } },
    sessions: {
      open: () => {
        throw new Error("Session Manager sessions are not served yet");
      },
    },
  };
}
