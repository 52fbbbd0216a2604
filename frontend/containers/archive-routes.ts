import { Readable } from "node:stream";
import { constants, createDeflate, createGzip } from "node:zlib";
import { Hono, type Context } from "hono";
import { ContainerArchive, type PathStat } from "../../engine/containers/archive.js";
import type { AppEnv } from "../env.js";

const STAT_HEADER = "X-Docker-Container-Path-Stat";

/** dockerd's BoolValue: anything but "", "0", "no", "false" and "none" is true. */
function boolValue(v: string | undefined): boolean {
  const s = (v ?? "").trim().toLowerCase();
  return !(s === "" || s === "0" || s === "no" || s === "false" || s === "none");
}

function statHeader(stat: PathStat): string {
  return Buffer.from(JSON.stringify(stat)).toString("base64");
}

/** The encoding dockerd would pick from Accept-Encoding among gzip and deflate (highest q, gzip first on ties). */
function negotiated(accept: string | undefined): "gzip" | "deflate" | undefined {
  let best: "gzip" | "deflate" | undefined;
  let bestQ = 0;
  for (const part of (accept ?? "").split(",")) {
    const [token, ...params] = part.trim().split(";");
    const q = Number(params.map((p) => p.trim()).find((p) => p.startsWith("q="))?.slice(2) ?? "1");
    const name = token.trim().toLowerCase();
    if ((name === "gzip" || name === "deflate") && q > bestQ) {
      best = name;
      bestQ = q;
    }
  }
  return best;
}

/** Streams a Node readable as the response body; a client that goes away ends the producer. */
function streamBody(c: Context<AppEnv>, body: Readable, headers: Record<string, string>) {
  const web = Readable.toWeb(body) as ReadableStream;
  return c.body(web, 200, headers);
}

/** docker cp (archive), docker export and docker diff. */
export function archiveRoutes() {
  const r = new Hono<AppEnv>();
  const service = (c: Context<AppEnv>) => new ContainerArchive(c.var.engine.containers, c.var.engine.backend);

  // Hono serves HEAD with the GET handler; HEAD only stats, so no archive is made for a body nobody reads.
  r.get("/containers/:id/archive", async (c) => {
    if (c.req.method === "HEAD") {
      const stat = await service(c).stat(c.req.param("id"), c.req.query("path") ?? "");
      return c.body(null, 200, { [STAT_HEADER]: statHeader(stat) });
    }
    const { stat, tar } = await service(c).archive(c.req.param("id"), c.req.query("path") ?? "");
    const headers: Record<string, string> = { [STAT_HEADER]: statHeader(stat), "Content-Type": "application/x-tar" };
    const encoding = negotiated(c.req.header("Accept-Encoding"));
    if (!encoding) return streamBody(c, tar, headers);
    headers["Content-Encoding"] = encoding;
    const compress = encoding === "gzip" ? createGzip() : createDeflate({ level: constants.Z_DEFAULT_COMPRESSION });
    tar.on("error", (e) => compress.destroy(e));
    compress.on("close", () => tar.destroy());
    return streamBody(c, tar.pipe(compress), headers);
  });

  r.put("/containers/:id/archive", async (c) => {
    const raw = c.req.raw.body;
    const body = raw ? Readable.fromWeb(raw as never) : Readable.from([]);
    const q = (k: string) => c.req.query(k);
    await service(c).extract(c.req.param("id"), q("path") ?? "", body, {
      noOverwriteDirNonDir: q("noOverwriteDirNonDir") !== undefined && boolValue(q("noOverwriteDirNonDir")),
      copyUIDGID: boolValue(q("copyUIDGID")),
    });
    return c.body(null, 200);
  });

  r.get("/containers/:id/export", async (c) => {
    const tar = await service(c).export(c.req.param("id"));
    return streamBody(c, tar, { "Content-Type": "application/octet-stream" });
  });

  r.get("/containers/:id/changes", async (c) => c.json(await service(c).changes(c.req.param("id"))));

  return r;
}
