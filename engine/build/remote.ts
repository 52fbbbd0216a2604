import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import type { ProgressEvent } from "../images/progress.js";
import { connectionError } from "../registry/errors.js";
import type { ContextEntry } from "./context.js";
import { StepFailure } from "./step.js";

/** Whether an ADD source names a remote file rather than one of the context. */
export const isRemote = (src: string) => /^https?:\/\//i.test(src);

/** A GET through node:http (fetch refuses ports browsers block, which dockerd does not), following redirects as Go's client does. */
function request(url: string, signal: AbortSignal | undefined, hops = 0): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith("https:") ? httpsGet : httpGet;
    const req = get(url, { signal }, (res) => {
      const location = res.headers.location;
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
        res.resume();
        if (hops >= 10) return reject(new Error("stopped after 10 redirects"));
        return resolve(request(new URL(location, url).toString(), signal, hops + 1));
      }
      resolve(res);
    });
    req.on("error", reject);
  });
}

/** The downloaded file's name: the URL path's last element, else a Content-Disposition filename; "" when neither names one (dockerd refuses it only after the download). */
function filename(path: string, disposition: string | undefined): string {
  if (path !== "" && !path.endsWith("/")) {
    const base = path.split("/").filter(Boolean).at(-1);
    if (base) return base;
  }
  const m = /filename="?([^";]+)"?/i.exec(disposition ?? "");
  return m ? (m[1].split("/").at(-1) ?? "") : "";
}

/**
 * Downloads an ADD source as dockerd's builder does (the daemon fetches it,
 * not a container), reporting "Downloading" progress: the file is named by
 * the URL path's last element (or Content-Disposition), has mode 0600 and the Last-Modified time, and
 * is never unpacked.
 */
export async function download(instruction: string, url: string, progress: (e: ProgressEvent) => void, signal?: AbortSignal): Promise<{ name: string; entry: ContextEntry }> {
  const chunks: Buffer[] = [];
  let res: IncomingMessage;
  try {
    res = await request(url, signal);
    for await (const chunk of res) chunks.push(chunk as Buffer);
  } catch (err) {
    throw new StepFailure(`${instruction} failed: ${connectionError("GET", url, { cause: err }).message}`);
  }
  const body = Buffer.concat(chunks);
  const status = res.statusCode ?? 0;
  if (status >= 400) throw new StepFailure(`${instruction} failed: failed to GET ${url} with status ${status} ${res.statusMessage ?? ""}: ${body.toString("utf8").trim()}`);
  const name = filename(new URL(url).pathname, res.headers["content-disposition"]);
  const length = Number(res.headers["content-length"] ?? body.length);
  progress({ status: "Downloading", detail: { current: body.length, total: length } });
  const modified = Date.parse(res.headers["last-modified"] ?? "");
  return { name, entry: { type: "file", mode: 0o600, uid: 0, gid: 0, mtime: Number.isNaN(modified) ? Date.now() : modified, data: body, remote: true } };
}
