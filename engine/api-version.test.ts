import { describe, expect, it } from "vitest";
import { compareVersions, splitVersionPrefix, unsupportedVersionMessage } from "./api-version.js";

describe("API versions", () => {
  it("compares like moby's versions package", () => {
    expect(compareVersions("1.41", "1.5")).toBe(1);
    expect(compareVersions("1.24", "1.24")).toBe(0);
    expect(compareVersions("1", "1.24")).toBe(-1);
    expect(compareVersions("1..2", "1.24")).toBe(-1);
    expect(compareVersions("2.0", "1.51")).toBe(1);
  });

  it("splits the /vX.Y prefix only when it is numeric", () => {
    expect(splitVersionPrefix("/v1.41/containers/json")).toEqual({ version: "1.41", path: "/containers/json" });
    expect(splitVersionPrefix("/v1.51")).toEqual({ version: "1.51", path: "/" });
    expect(splitVersionPrefix("/vfoo/version")).toEqual({ path: "/vfoo/version" });
    expect(splitVersionPrefix("/volumes")).toEqual({ path: "/volumes" });
  });

  it("refuses versions outside 1.24..1.51 with Docker's messages", () => {
    expect(unsupportedVersionMessage("1.51")).toBeUndefined();
    expect(unsupportedVersionMessage("1.24")).toBeUndefined();
    expect(unsupportedVersionMessage("1.52")).toBe("client version 1.52 is too new. Maximum supported API version is 1.51");
    expect(unsupportedVersionMessage("1.23")).toBe(
      "client version 1.23 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version",
    );
  });
});
