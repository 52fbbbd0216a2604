import { FilterLogEventsCommand, ResourceNotFoundException, type CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";

/**
 * Reads a function's log group in CloudWatch Logs from where the last read
 * ended, across the streams of its instances, each event once. Kept for a
 * container's whole life, so a start goes on after the previous one's lines.
 */
export class LogFollower {
  /** The newest timestamp read, and the events read at it (a later event may share it). */
  private from: number | undefined;
  private readAtFrom = new Set<string>();

  constructor(
    private readonly logs: CloudWatchLogsClient,
    private readonly group: string,
  ) {}

  /** Passes every event there is now that was not read before, oldest first. */
  async drain(deliver: (message: string) => void): Promise<void> {
    // A page token goes on with the query that gave it.
    const startTime = this.from;
    let nextToken: string | undefined;
    do {
      let out;
      try {
        out = await this.logs.send(new FilterLogEventsCommand({ logGroupName: this.group, startFromHead: true, ...(startTime !== undefined ? { startTime } : {}), ...(nextToken ? { nextToken } : {}) }));
      } catch (err) {
        // Lambda creates the group with the function's first log line; a throttled read is done again at the next poll.
        if (err instanceof ResourceNotFoundException || (err as Error).name === "ThrottlingException") return;
        throw err;
      }
      for (const e of out.events ?? []) {
        const id = e.eventId ?? `${e.logStreamName}/${e.timestamp}/${e.message}`;
        const timestamp = e.timestamp ?? 0;
        if (this.from !== undefined && timestamp < this.from) continue;
        if (timestamp === this.from && this.readAtFrom.has(id)) continue;
        if (this.from === undefined || timestamp > this.from) {
          this.from = timestamp;
          this.readAtFrom = new Set();
        }
        this.readAtFrom.add(id);
        deliver(e.message ?? "");
      }
      nextToken = out.nextToken;
    } while (nextToken);
  }
}
