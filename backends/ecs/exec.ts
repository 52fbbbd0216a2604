import { randomBytes } from "node:crypto";
import { ExecuteCommandCommand, type ECSClient } from "@aws-sdk/client-ecs";
import { runSession, type SessionControls } from "../../simulators/aws/ssm/client.js";
import { NotImplementedError } from "../../engine/errors.js";
import type { ProcessExit, ProcessHandle, ProcessSpec } from "../backend.js";
import { OutputRelay } from "../output-relay.js";
import { CONTAINER_NAME } from "./task-definition.js";

/** Quotes a word for sh. */
export const shellQuote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * The command line ExecuteCommand runs: ECS Exec's sessions report no exit
 * code, so the command runs under sh, which then prints a marker line with
 * the code; the marker is random so the command cannot fake it.
 */
export function execCommandLine(process: ProcessSpec, marker: string): string {
  const env = process.env.length ? `env ${process.env.map(shellQuote).join(" ")} ` : "";
  const cd = process.cwd ? `cd ${shellQuote(process.cwd)} && ` : "";
  const script = `${cd}${env}${process.argv.map(shellQuote).join(" ")}; echo "${marker} $?"`;
  return `sh -c ${shellQuote(script)}`;
}

/**
 * Splits the session's output into the command's and the marker line:
 * whole lines pass on at once, a partial one once the next chunk shows it is
 * not the marker. Without a terminal of its own, the session's CR LF become LF.
 */
export class MarkerFilter {
  private held = "";
  exitCode: number | undefined;

  constructor(
    private readonly marker: string,
    private readonly tty: boolean,
    private readonly deliver: (data: Buffer) => void,
  ) {}

  push(data: Buffer): void {
    this.held += data.toString("utf8");
    const end = this.held.lastIndexOf("\n");
    this.flush(end < 0 ? this.undecided() : end + 1);
  }

  /** Where the held partial line may begin the marker (or a CR its LF has yet to follow): what comes before cannot. */
  private undecided(): number {
    for (let i = 0; i < this.held.length; i++) {
      const rest = this.held.slice(i);
      if (rest.startsWith(this.marker) || this.marker.startsWith(rest)) return i;
    }
    return this.held.endsWith("\r") ? this.held.length - 1 : this.held.length;
  }

  end(): void {
    this.flush(this.held.length);
  }

  private flush(upTo: number): void {
    const text = this.held.slice(0, upTo);
    this.held = this.held.slice(upTo);
    const kept = text
      .split(/(?<=\n)/)
      .map((line) => {
        // Output without a final newline shares the marker's line.
        const found = new RegExp(`${this.marker} (\\d+)\\r?\\n?$`).exec(line);
        if (!found) return line;
        this.exitCode = Number(found[1]);
        return line.slice(0, found.index);
      })
      .join("");
    if (kept) this.deliver(Buffer.from(this.tty ? kept : kept.replace(/\r\n/g, "\n")));
  }
}

/** An exec in a running task, through ECS Exec's Session Manager data channel. */
export async function startExec(ecs: ECSClient, cluster: string, taskArn: string, process: ProcessSpec): Promise<ProcessHandle> {
  const marker = `sockerless-exit-${randomBytes(8).toString("hex")}`;
  const opened = await ecs.send(new ExecuteCommandCommand({ cluster, task: taskArn, container: CONTAINER_NAME, interactive: true, command: execCommandLine(process, marker) }));
  const output = new OutputRelay();
  const filter = new MarkerFilter(marker, process.tty, (data) => output.deliver(1, data));
  let controls: SessionControls | undefined;
  const pendingInput: Buffer[] = [];
  const session = runSession(
    { streamUrl: opened.session!.streamUrl!, tokenValue: opened.session!.tokenValue! },
    {
      onStdout: (d) => filter.push(d),
      onStderr: (d) => filter.push(d),
      onReady: (c) => {
        controls = c;
        for (const d of pendingInput.splice(0)) c.write(d);
      },
    },
  );
  const exited: Promise<ProcessExit> = session.then(
    () => {
      filter.end();
      return filter.exitCode === undefined ? { exitCode: 255, error: "the ECS Exec session ended without the command's exit code" } : { exitCode: filter.exitCode };
    },
    (err: Error) => {
      filter.end();
      return { exitCode: 255, error: `the ECS Exec session failed: ${err.message}` };
    },
  );
  return {
    onOutput: (listener) => output.listen(listener),
    writeStdin: (data) => {
      // The data channel has no end of input: EOF cannot reach the command.
      if (data === null) return;
      if (controls) controls.write(data);
      else pendingInput.push(data);
    },
    signal: (signal) => {
      throw new NotImplementedError(`the ecs backend cannot send ${signal} to an exec: ECS Exec has no call for it`);
    },
    resize: (rows, columns) => controls?.resize(columns, rows),
    exited,
  };
}
