import type { AwsService, LogSink, SimContext } from "../../service.js";

/** CloudWatch Logs (JSON 1.1, Logs_20140328). */
export function createLogsService(_ctx: SimContext): { service: AwsService; sink: LogSink } {
  const absent = () => {
    throw new Error("CloudWatch Logs is not served yet");
  };
  return {
    service: { signingName: "logs", json: { targetPrefix: "Logs_20140328", version: "1.1", operations: {} } },
    sink: { groupExists: () => false, createGroup: absent, createStream: absent, put: absent },
  };
}
