import { AwsError } from "../../errors.js";
import type { RestOperation } from "../../service.js";
import { lookup, type LambdaParts } from "./api.js";
import { tags } from "./validate.js";

const TAGS = "/2017-03-31/tags/:resource";

/** A function ARN (without a qualifier), as tag operations take it. */
function functionOf(parts: LambdaParts, req: Parameters<RestOperation["handler"]>[0], raw: string) {
  const arn = decodeURIComponent(raw);
  if (!/^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9_-]+$/.test(arn)) {
    throw new AwsError("ValidationException", `1 validation error detected: Value '${arn}' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?`);
  }
  return lookup(parts, req, arn);
}

/** ListTags, TagResource and UntagResource of functions. */
export function tagOperations(parts: LambdaParts): RestOperation[] {
  const current = (fn: { tags: string }) => JSON.parse(fn.tags) as Record<string, string>;
  return [
    { method: "GET", path: TAGS, handler: (req, p) => ({ json: { Tags: current(functionOf(parts, req, p.resource)) } }) },
    {
      method: "POST",
      path: TAGS,
      handler: (req, p, input) => {
        const fn = functionOf(parts, req, p.resource);
        const added = tags(input.Tags);
        if (Object.keys(added).length === 0) throw new AwsError("InvalidParameterValueException", "A list of tags must be provided.");
        parts.store.update(fn.name, { tags: JSON.stringify({ ...current(fn), ...added }) });
        return { status: 204 };
      },
    },
    {
      method: "DELETE",
      path: TAGS,
      handler: (req, p) => {
        const fn = functionOf(parts, req, p.resource);
        const keys = req.query.getAll("tagKeys");
        if (keys.length === 0) throw new AwsError("ValidationException", "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
        const kept = Object.fromEntries(Object.entries(current(fn)).filter(([k]) => !keys.includes(k)));
        parts.store.update(fn.name, { tags: JSON.stringify(kept) });
        return { status: 204 };
      },
    },
  ];
}
