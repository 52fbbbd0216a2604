import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackend } from "../../../backends/registry.js";
import { BUSYBOX_IMAGE, buildBusyboxImage } from "../../../conformance/images/busybox.js";
import { loadImages } from "../../../engine/images/load.js";
import { createServer } from "../server.js";
import type { AwsService } from "../service.js";
import { Workloads, type Workload } from "../workloads.js";
import { runSession } from "./client.js";
import { createSessionManager } from "./index.js";
import type { SessionManager } from "./broker.js";

const log = pino({ level: "silent" });

/** Sessions into a busybox container on the sandbox backend, served through the simulator's HTTP front. */
describe("sessions into a running container", () => {
  let dir: string;
  let workloads: Workloads;
  let container: Workload;
  let sessions: SessionManager;
  let service: AwsService;
  let server: ReturnType<typeof createServer>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "sockerless-ssm-"));
    workloads = new Workloads((dataDir) => createBackend("sandbox", {}, dataDir));
    const archive = join(dir, "busybox.tar");
    await buildBusyboxImage(archive);
    await loadImages(workloads.engine.images, createReadStream(archive), join(dir, "load"));
    container = await workloads.run({ image: BUSYBOX_IMAGE, command: ["sleep", "600"] }, () => {});
    const services: AwsService[] = [];
    server = createServer({ services, credentials: new Map(), log, health: () => ({}) });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    ({ service, sessions } = createSessionManager({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, log }));
    services.push(service);
  });

  afterAll(async () => {
    await service?.close?.();
    if (server)
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    await container?.stop(0);
    await container?.remove();
    await workloads?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(argv: string[], options: { sessionType?: "InteractiveCommands" | "NonInteractiveCommands"; tty?: boolean; stdin?: string } = {}) {
    const session = sessions.open({
      target: `ecs:cluster_task_${container.id}`,
      sessionType: options.sessionType ?? "NonInteractiveCommands",
      start: (onOutput) => container.exec(argv, { tty: options.tty, stdin: options.stdin !== undefined }, onOutput),
    });
    let stdout = "";
    let stderr = "";
    const result = await runSession(session, { stdin: options.stdin, onStdout: (d) => (stdout += d.toString()), onStderr: (d) => (stderr += d.toString()) });
    return { ...result, stdout, stderr };
  }

  it("lists the image's root directory with exit code 0", async () => {
    const r = await run(["ls", "/"]);
    expect(r.stdout.split(/\s+/)).toEqual(expect.arrayContaining(["bin", "etc", "tmp", "usr"]));
    expect(r.exitCode).toBe(0);
  });

  it("reports a command's exit code", async () => {
    expect((await run(["sh", "-c", "exit 7"])).exitCode).toBe(7);
  });

  it("keeps stderr apart from stdout", async () => {
    const r = await run(["sh", "-c", "echo out; ls /nonexistent"]);
    expect(r.stdout).toBe("out\n");
    expect(r.stderr).toMatch(/nonexistent/);
    expect(r.exitCode).not.toBe(0);
  });

  it("runs an interactive shell on input, ending without an exit code as ECS exec does", async () => {
    const r = await run(["sh"], { sessionType: "InteractiveCommands", stdin: "echo hello from $(cat /etc/group | head -1)\nexit 5\n" });
    expect(r.stdout).toContain("hello from root:x:0:");
    expect(r.exitCode).toBeNull();
  });
});
