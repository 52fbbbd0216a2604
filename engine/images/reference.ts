import { InvalidParameterError } from "../errors.js";

/** A parsed image reference, as distribution/reference normalises it. */
export interface Reference {
  domain: string;
  /** Repository path without the domain, e.g. "library/busybox". */
  path: string;
  tag?: string;
  digest?: string;
}

const DEFAULT_DOMAIN = "docker.io";
const component = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const tagPattern = /^[\w][\w.-]{0,127}$/;
const digestPattern = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const domainPattern = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$|^\[[0-9a-fA-F:]+\](?::[0-9]+)?$/;

/** Parses NAME[:TAG][@DIGEST]; throws Docker's "invalid reference format" errors. */
export function parseReference(input: string): Reference {
  const invalid = (why = "") => new InvalidParameterError(`invalid reference format${why}`);
  if (input === "" || input.length > 255 + 128 + 80) throw invalid();
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestPattern.test(digest)) throw invalid();
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagPattern.test(tag)) throw invalid();
  }
  const slash = rest.indexOf("/");
  let domain = DEFAULT_DOMAIN;
  let path = rest;
  const first = slash < 0 ? "" : rest.slice(0, slash);
  if (slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase())) {
    domain = first;
    path = rest.slice(slash + 1);
    if (!domainPattern.test(domain)) throw invalid();
  }
  if (domain === "index.docker.io") domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes("/")) path = `library/${path}`;
  for (const part of path.split("/")) {
    if (!component.test(part)) {
      if (part.toLowerCase() !== part && component.test(part.toLowerCase())) {
        throw invalid(`: repository name (${path}) must be lowercase`);
      }
      throw invalid();
    }
  }
  if (domain.length + 1 + path.length > 255) throw invalid(": repository name must not be more than 255 characters");
  return { domain, path, tag, digest };
}

/** The repository as Docker shows it: "busybox", "me/app", "localhost:5000/app". */
export function familiarName(ref: Reference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return `${ref.domain}/${ref.path}`;
  return ref.path.startsWith("library/") && ref.path.split("/").length === 2 ? ref.path.slice("library/".length) : ref.path;
}

/** NAME:TAG with "latest" when neither tag nor digest was given, in familiar form. */
export function familiarTagged(ref: Reference): string {
  return `${familiarName(ref)}:${ref.tag ?? "latest"}`;
}
