/** One challenge of a WWW-Authenticate header. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="...",service="...",scope="..."` (and Basic); several challenges may share a header. */
export function parseChallenges(header: string | null): Challenge[] {
  if (!header) return [];
  const out: Challenge[] = [];
  const token = /\s*([A-Za-z][A-Za-z0-9_-]*)(?:\s+|$)/y;
  const param = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/y;
  let i = 0;
  while (i < header.length) {
    token.lastIndex = i;
    const t = token.exec(header);
    if (!t) break;
    i = token.lastIndex;
    const challenge: Challenge = { scheme: t[1].toLowerCase(), params: {} };
    for (;;) {
      param.lastIndex = i;
      const p = param.exec(header);
      if (!p) break;
      // A name followed by a space and no "=" starts the next challenge; the regex only matches name=value.
      challenge.params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, "$1") : p[3];
      i = param.lastIndex;
    }
    out.push(challenge);
    while (header[i] === "," || header[i] === " ") i++;
  }
  return out;
}
