import type { ECRClient } from "@aws-sdk/client-ecr";
import { describe, expect, it } from "vitest";
import { EcrImages, ecrHost } from "./ecr-images.js";

const here = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:" + "a".repeat(64);
const elsewhere = ["111122223333.dkr.ecr.us-east-1.amazonaws.com/app@sha256:" + "b".repeat(64), "registry.example.com/app@sha256:" + "c".repeat(64), "public.ecr.aws/x/app@sha256:" + "d".repeat(64)];

describe("images for tasks and functions", () => {
  it("run by digest from a registry the runtime pulls from, as ECR of one region", async () => {
    const regional = ecrHost("eu-west-1");
    // No call reaches ECR for an image used as it is.
    const images = new EcrImages({} as ECRClient, "sockerless/images", (host) => regional.test(host));
    expect(await images.ensure("sha256:" + "e".repeat(64), [...elsewhere, here])).toBe(here);
  });

  it("are pushed from anywhere else", async () => {
    const regional = ecrHost("eu-west-1");
    const images = new EcrImages({} as ECRClient, "sockerless/images", (host) => regional.test(host));
    await expect(images.ensure("sha256:" + "e".repeat(64), elsewhere)).rejects.toThrow(/no image store to push images from/);
    await expect(images.ensure("sha256:" + "e".repeat(64))).rejects.toThrow(/no image store to push images from/);
  });

  it("know ECR's hosts in one region or any", () => {
    expect(ecrHost("eu-west-1").test("111122223333.dkr.ecr.eu-west-1.amazonaws.com")).toBe(true);
    expect(ecrHost("eu-west-1").test("111122223333.dkr.ecr.us-east-1.amazonaws.com")).toBe(false);
    expect(ecrHost().test("111122223333.dkr.ecr.us-east-1.amazonaws.com")).toBe(true);
    expect(ecrHost().test("public.ecr.aws")).toBe(false);
  });
});
