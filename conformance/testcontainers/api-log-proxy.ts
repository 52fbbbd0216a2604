/**
 * Serves a unix socket that forwards every connection to an engine's socket
 * unchanged and writes each HTTP request line it sees (method, path and
 * query) to a log, one per line: the record of which Docker API calls a
 * client made. Bytes after a hijack are forwarded as they are; a line of
 * them that ends like a request line would be logged as one.
 * Usage: node api-log-proxy.js LISTEN_SOCKET ENGINE_SOCKET LOG_FILE
 */
import { createWriteStream, rmSync } from "node:fs";
import net from "node:net";

const [listenPath, enginePath, logPath] = process.argv.slice(2);
if (!listenPath || !enginePath || !logPath) throw new Error("usage: api-log-proxy.js LISTEN_SOCKET ENGINE_SOCKET LOG_FILE");

const log = createWriteStream(logPath, { flags: "a" });
// Not anchored at the start: a request can follow a body that ends without a line break.
const REQUEST_LINE = /(GET|HEAD|POST|PUT|DELETE) (\/\S*) HTTP\/1\.[01]$/;
let connections = 0;

// Half-open sockets both ways, so a client's CloseWrite (stdin EOF on attach) passes through as it is.
const server = net.createServer({ allowHalfOpen: true }, (client) => {
  const n = ++connections;
  const engine = net.connect({ path: enginePath, allowHalfOpen: true });
  let pending = "";
  client.on("data", (chunk: Buffer) => {
    // Only the start of each line matters; a long body is not kept.
    pending = (pending + chunk.toString("latin1")).slice(-65536);
    const lines = pending.split("\r\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      const m = REQUEST_LINE.exec(line);
      if (m) log.write(`${new Date().toISOString()} conn${n} ${m[1]} ${m[2]}\n`);
    }
  });
  client.pipe(engine).pipe(client);
  client.on("error", () => engine.destroy());
  engine.on("error", () => client.destroy());
  client.on("close", () => engine.destroy());
  engine.on("close", () => client.destroy());
});

rmSync(listenPath, { force: true });
server.listen(listenPath, () => process.stdout.write(`listening on ${listenPath}\n`));
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    server.close();
    log.end(() => process.exit(0));
  });
}
