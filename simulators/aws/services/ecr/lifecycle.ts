import { indexesReferencing } from "./images.js";
import type { EcrStore, ImageRow } from "./store.js";

/** One rule of a lifecycle policy, as validated. */
export interface LifecycleRule {
  rulePriority: number;
  selection: {
    tagStatus: "tagged" | "untagged" | "any";
    tagPrefixList?: string[];
    tagPatternList?: string[];
    countType: "imageCountMoreThan" | "sinceImagePushed";
    countNumber: number;
  };
}

/** An image a policy expires, and the rule that expires it. */
export interface Expiry {
  image: ImageRow;
  tags: string[];
  rulePriority: number;
}

/** Why a lifecycle policy text is refused. */
export class InvalidLifecyclePolicy extends Error {}

const DAY_MS = 24 * 60 * 60 * 1000;

function fail(message: string): never {
  throw new InvalidLifecyclePolicy(message);
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === "string" && s !== "");

/** Parses and checks a lifecycle policy by ECR's rules; returns its rules in the order they apply. */
export function parseLifecyclePolicy(text: string): LifecycleRule[] {
  let policy: { rules?: unknown };
  try {
    policy = JSON.parse(text);
  } catch {
    fail("the policy is not valid JSON");
  }
  if (typeof policy !== "object" || policy === null || !Array.isArray(policy.rules) || policy.rules.length === 0) fail("the policy must have a non-empty 'rules' list");
  const rules = (policy.rules as Record<string, any>[]).map((r, i): LifecycleRule => {
    const where = `rule ${i + 1}`;
    if (!Number.isInteger(r?.rulePriority) || r.rulePriority < 1) fail(`${where}: 'rulePriority' must be a positive integer`);
    const s = r.selection ?? fail(`${where}: 'selection' is required`);
    if (!["tagged", "untagged", "any"].includes(s.tagStatus)) fail(`${where}: 'tagStatus' must be one of tagged, untagged, any`);
    const prefixes = s.tagPrefixList;
    const patterns = s.tagPatternList;
    if (s.tagStatus === "tagged") {
      if ((prefixes === undefined) === (patterns === undefined)) fail(`${where}: a tagged rule needs exactly one of 'tagPrefixList' and 'tagPatternList'`);
      if (prefixes !== undefined && !strings(prefixes)) fail(`${where}: 'tagPrefixList' must be a non-empty list of strings`);
      if (patterns !== undefined && (!strings(patterns) || patterns.some((p) => p.split("*").length - 1 > 4))) fail(`${where}: 'tagPatternList' must be strings with at most four wildcards`);
    } else if (prefixes !== undefined || patterns !== undefined) fail(`${where}: only a tagged rule may have 'tagPrefixList' or 'tagPatternList'`);
    if (s.countType === "imageCountMoreThan") {
      if (s.countUnit !== undefined) fail(`${where}: 'countUnit' is not allowed with imageCountMoreThan`);
    } else if (s.countType === "sinceImagePushed") {
      if (s.countUnit !== "days") fail(`${where}: 'countUnit' must be days with sinceImagePushed`);
    } else fail(`${where}: 'countType' must be imageCountMoreThan or sinceImagePushed`);
    if (!Number.isInteger(s.countNumber) || s.countNumber < 1) fail(`${where}: 'countNumber' must be a positive integer`);
    if (r.action?.type !== "expire") fail(`${where}: 'action.type' must be expire`);
    return { rulePriority: r.rulePriority, selection: { tagStatus: s.tagStatus, tagPrefixList: prefixes, tagPatternList: patterns, countType: s.countType, countNumber: s.countNumber } };
  });
  rules.sort((a, b) => a.rulePriority - b.rulePriority);
  if (new Set(rules.map((r) => r.rulePriority)).size !== rules.length) fail("each rule needs a unique 'rulePriority'");
  if (rules.filter((r) => r.selection.tagStatus === "untagged").length > 1) fail("only one rule may select untagged images");
  const any = rules.findIndex((r) => r.selection.tagStatus === "any");
  if (any >= 0 && any !== rules.length - 1) fail("a rule with tagStatus any must have the highest 'rulePriority'");
  return rules;
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}

/** Whether an image's tags meet a rule's selection: for lists, every prefix or pattern matches one of its tags. */
function selects(rule: LifecycleRule, tags: string[]): boolean {
  const { tagStatus, tagPrefixList, tagPatternList } = rule.selection;
  if (tagStatus === "any") return true;
  if (tagStatus === "untagged") return tags.length === 0;
  if (tagPrefixList) return tagPrefixList.every((p) => tags.some((t) => t.startsWith(p)));
  return tagPatternList!.every((p) => tags.some((t) => wildcard(p).test(t)));
}

/**
 * The images a policy expires now, by ECR's evaluation rules: rules apply in
 * priority order, youngest images first; an image whose tags a rule selected
 * is never expired by a later rule, though later rules still count it; an
 * image is expired by at most one rule. Images a manifest list names stay.
 */
export function imagesToExpire(store: EcrStore, repository: string, rules: LifecycleRule[], now = Date.now()): Expiry[] {
  const images = store.images(repository).sort((a, b) => b.pushedAtMs - a.pushedAtMs);
  const tagsOf = new Map(images.map((i) => [i.digest, store.tagsOf(repository, i.digest)]));
  const claimed = new Set<string>();
  const expired = new Map<string, Expiry>();
  for (const rule of rules) {
    const matched = images.filter((i) => selects(rule, tagsOf.get(i.digest)!));
    const { countType, countNumber } = rule.selection;
    const over = countType === "imageCountMoreThan" ? matched.slice(countNumber) : matched.filter((i) => i.pushedAtMs < now - countNumber * DAY_MS);
    for (const i of over) if (!claimed.has(i.digest) && !expired.has(i.digest)) expired.set(i.digest, { image: i, tags: tagsOf.get(i.digest)!, rulePriority: rule.rulePriority });
    for (const i of matched) claimed.add(i.digest);
  }
  return [...expired.values()].filter((e) => indexesReferencing(store, repository, e.image.digest).length === 0);
}

/** Applies a repository's lifecycle policy, if it has one, as ECR does after pushes. */
export function applyLifecycle(store: EcrStore, repository: string, now = Date.now()): void {
  const repo = store.repository(repository);
  if (!repo?.lifecyclePolicyText) return;
  const doomed = imagesToExpire(store, repository, parseLifecyclePolicy(repo.lifecyclePolicyText), now);
  store.transaction(() => {
    for (const e of doomed) store.deleteImage(repository, e.image.digest);
    store.updateRepository(repository, { lifecycleEvaluatedAtMs: now });
  });
}
