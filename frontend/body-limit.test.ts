import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSYBOX_IMAGE } from "../conformance/images/busybox.js";
import { MAX_JSON_BODY } from "./json.js";
import { startTestDaemon, type TestDaemon } from "./testing.js";

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(() => d.close());

const json = { "Content-Type": "application/json" };

describe("request body limit", () => {
  it("refuses a JSON body over the limit with 413, and creates nothing", async () => {
    const big = JSON.stringify({ Image: BUSYBOX_IMAGE, Env: [`X=${"x".repeat(MAX_JSON_BODY)}`] });
    const res = await d.request("POST", "/containers/create?name=huge", big, json);
    expect(res.status).toBe(413);
    expect(res.json()).toEqual({ message: `request body exceeds the limit of ${MAX_JSON_BODY} bytes` });
    expect((await d.request("GET", "/containers/huge/json")).status).toBe(404);
    expect((await d.request("GET", "/_ping")).body).toBe("OK");
  });
});
