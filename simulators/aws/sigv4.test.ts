import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SignatureError, verifySignature, type Credential, type SignedRequest } from "./sigv4.js";

const example: Credential = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", accountId: "123456789012" };
const keys = new Map([[example.accessKeyId, example]]);
const signedAt = Date.UTC(2015, 7, 30, 12, 36, 0);

/** AWS's published SigV4 test case "get-vanilla". */
function vanilla(overrides: Partial<SignedRequest> = {}, signature = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"): SignedRequest {
  return {
    method: "GET",
    rawPath: "/",
    rawQuery: "",
    body: Buffer.alloc(0),
    headers: {
      host: "example.amazonaws.com",
      "x-amz-date": "20150830T123600Z",
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
    },
    ...overrides,
  };
}

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof SignatureError) return err.failure;
    throw err;
  }
  return "verified";
}

describe("SigV4 verification", () => {
  it("accepts AWS's get-vanilla example and reports its scope", () => {
    const v = verifySignature(vanilla(), keys, signedAt);
    expect(v).toMatchObject({ region: "us-east-1", service: "service", credential: { accountId: "123456789012" } });
  });

  it("refuses the example once anything signed changes", () => {
    expect(failure(() => verifySignature(vanilla({ method: "POST" }), keys, signedAt))).toBe("mismatch");
    expect(failure(() => verifySignature(vanilla({ rawPath: "/other" }), keys, signedAt))).toBe("mismatch");
    expect(failure(() => verifySignature(vanilla({ rawQuery: "a=b" }), keys, signedAt))).toBe("mismatch");
    expect(failure(() => verifySignature(vanilla({ body: Buffer.from("x") }), keys, signedAt))).toBe("mismatch");
    expect(failure(() => verifySignature(vanilla({}, "0".repeat(64)), keys, signedAt))).toBe("mismatch");
  });

  it("takes the payload hash from x-amz-content-sha256 when the client sends it", () => {
    const req = vanilla();
    req.headers["x-amz-content-sha256"] = createHash("sha256").update("").digest("hex");
    // Unsigned, the header does not change the canonical request; the hash it names is that of the empty body.
    expect(failure(() => verifySignature(req, keys, signedAt))).toBe("verified");
  });

  it("names why a request is refused: no signature, an unknown key, an old date, a malformed header", () => {
    expect(failure(() => verifySignature(vanilla({ headers: { host: "example.amazonaws.com" } }), keys, signedAt))).toBe("missing");
    expect(failure(() => verifySignature(vanilla(), new Map(), signedAt))).toBe("unknownKey");
    expect(failure(() => verifySignature(vanilla(), keys, signedAt + 16 * 60 * 1000))).toBe("expired");
    const malformed = vanilla();
    malformed.headers.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";
    expect(failure(() => verifySignature(malformed, keys, signedAt))).toBe("malformed");
  });
});
