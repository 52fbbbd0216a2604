import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../../../engine/package-info.js";
import { migrateService, openSimState } from "../../state.js";
import { imagesToExpire, parseLifecyclePolicy } from "./lifecycle.js";
import { EcrStore } from "./store.js";

const DAY = 24 * 60 * 60 * 1000;
const now = Date.UTC(2026, 0, 31);

/** A repository whose images were pushed `age` days before `now`, with these tags. */
function repositoryOf(images: { digest: string; age: number; tags: string[] }[]): EcrStore {
  const sqlite = openSimState(":memory:");
  migrateService(sqlite, "ecr", join(packageRoot, "simulators", "aws", "services", "ecr", "migrations"));
  const store = new EcrStore(sqlite);
  store.createRepository({ name: "r", createdAtMs: 0, imageTagMutability: "MUTABLE", scanOnPush: false, encryptionType: "AES256", kmsKey: null, tags: "[]", policyText: null, lifecyclePolicyText: null, lifecycleEvaluatedAtMs: null, previewPolicyText: null, previewResults: null });
  for (const i of images) {
    store.insertImage({ repository: "r", digest: i.digest, manifest: "{}", mediaType: "application/vnd.oci.image.manifest.v1+json", artifactMediaType: null, sizeBytes: 1, pushedAtMs: now - i.age * DAY, lastPulledAtMs: null });
    for (const t of i.tags) store.setTag("r", t, i.digest);
  }
  return store;
}

const policy = (...rules: object[]) => parseLifecyclePolicy(JSON.stringify({ rules: rules.map((r, i) => ({ rulePriority: i + 1, action: { type: "expire" }, ...r })) }));
const expired = (store: EcrStore, rules: ReturnType<typeof policy>) => imagesToExpire(store, "r", rules, now).map((e) => e.image.digest).sort();

describe("lifecycle policies", () => {
  it("keeps the newest N images a rule selects and expires the older ones", () => {
    const store = repositoryOf([
      { digest: "a", age: 3, tags: ["prod-1"] },
      { digest: "b", age: 2, tags: ["prod-2"] },
      { digest: "c", age: 1, tags: ["prod-3"] },
      { digest: "d", age: 5, tags: ["dev-1"] },
    ]);
    expect(expired(store, policy({ selection: { tagStatus: "tagged", tagPrefixList: ["prod"], countType: "imageCountMoreThan", countNumber: 2 } }))).toEqual(["a"]);
    expect(expired(store, policy({ selection: { tagStatus: "tagged", tagPatternList: ["*-1"], countType: "imageCountMoreThan", countNumber: 1 } }))).toEqual(["d"]);
  });

  it("expires untagged images older than a number of days", () => {
    const store = repositoryOf([
      { digest: "old", age: 10, tags: [] },
      { digest: "new", age: 1, tags: [] },
      { digest: "tagged", age: 30, tags: ["v1"] },
    ]);
    expect(expired(store, policy({ selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 } }))).toEqual(["old"]);
  });

  it("never lets a later rule expire an image an earlier rule selected, though it still counts it", () => {
    const store = repositoryOf([
      { digest: "p1", age: 4, tags: ["prod-1"] },
      { digest: "p2", age: 3, tags: ["prod-2"] },
      { digest: "x", age: 2, tags: ["exp"] },
      { digest: "y", age: 1, tags: ["exp2"] },
    ]);
    const rules = policy(
      { selection: { tagStatus: "tagged", tagPrefixList: ["prod"], countType: "imageCountMoreThan", countNumber: 5 } },
      { selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 } },
    );
    expect(expired(store, rules)).toEqual(["x"]);
  });

  it("refuses policies ECR refuses", () => {
    const bad = [
      { rules: [] },
      { rules: [{ rulePriority: 1, selection: { tagStatus: "tagged", countType: "imageCountMoreThan", countNumber: 1 }, action: { type: "expire" } }] },
      { rules: [{ rulePriority: 1, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countNumber: 1 }, action: { type: "expire" } }] },
      {
        rules: [
          { rulePriority: 1, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 }, action: { type: "expire" } },
          { rulePriority: 2, selection: { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 1 }, action: { type: "expire" } },
        ],
      },
    ];
    for (const p of bad) expect(() => parseLifecyclePolicy(JSON.stringify(p))).toThrow();
    expect(() => parseLifecyclePolicy("nope")).toThrow();
  });
});
