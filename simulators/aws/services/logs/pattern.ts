import { invalid } from "./input.js";

/** Whether a log event's message matches a filter pattern. */
export type Matcher = (message: string) => boolean;

type Term = { test: (message: string) => boolean; exclude: boolean; alternative: boolean };

/**
 * Compiles the filter pattern syntax for unstructured log events: terms that
 * must all appear (case-sensitive), "quoted phrases", -term exclusions,
 * %regular expression% terms, and ?alternatives: each ? begins a group of
 * terms, and an event matches if all the terms of any one group hold
 * ("?ERROR ?WARN" is either; "?ERROR Main ?WARN Deadlock" is either pair).
 * JSON ({ $.key = … }) and space-delimited ([a, b]) patterns are not served
 * and say so.
 */
export function compilePattern(pattern: string | undefined): Matcher {
  const text = (pattern ?? "").trim();
  if (text === "") return () => true;
  if (text.startsWith("{")) throw invalid("JSON filter patterns ({ $.key = value }) are not supported by this simulator; use terms, \"quoted phrases\", -term, ?term or %regex%.");
  if (text.startsWith("[")) throw invalid("Space-delimited filter patterns ([field, ...]) are not supported by this simulator; use terms, \"quoted phrases\", -term, ?term or %regex%.");
  const groups: Term[][] = [];
  for (const term of tokenize(text)) {
    if (term.alternative || groups.length === 0) groups.push([]);
    groups[groups.length - 1].push(term);
  }
  return (message) => groups.some((group) => group.every((t) => t.test(message) !== t.exclude));
}

const REGEX_CHARACTERS = /^[A-Za-z0-9:_#=@/;,\-^$?[\]{}|\\*+.]*$/;
const MAX_REGEXES = 2;

function tokenize(text: string): Term[] {
  const terms: Term[] = [];
  let regexes = 0;
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i])) {
      i++;
      continue;
    }
    const alternative = text[i] === "?";
    if (alternative) i++;
    const exclude = text[i] === "-";
    if (exclude) i++;
    let test: Term["test"];
    if (text[i] === '"') {
      let phrase = "";
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < text.length) i++;
        phrase += text[i++];
      }
      if (i >= text.length) throw invalid(`Invalid filter pattern: unterminated quoted term in ${text}`);
      i++;
      test = (m) => m.includes(phrase);
    } else if (text[i] === "%") {
      const end = text.indexOf("%", i + 1);
      if (end < 0) throw invalid(`Invalid filter pattern: unterminated regular expression in ${text}`);
      const source = text.slice(i + 1, end);
      i = end + 1;
      // AWS takes letters, digits, a few symbols and the operators ^ $ ? [ ] { } | \\ * + . only: no groups.
      if (!REGEX_CHARACTERS.test(source)) throw invalid(`Invalid filter pattern: %${source}% uses characters AWS regular expressions do not take (no parentheses, no multibyte characters)`);
      if (++regexes > MAX_REGEXES) throw invalid(`Invalid filter pattern: at most ${MAX_REGEXES} regular expressions are allowed in a filter pattern`);
      let re: RegExp;
      try {
        re = new RegExp(source);
      } catch {
        throw invalid(`Invalid filter pattern: invalid regular expression %${source}%`);
      }
      test = (m) => re.test(m);
    } else {
      let word = "";
      while (i < text.length && !/\s/.test(text[i])) word += text[i++];
      if (word === "") throw invalid(`Invalid filter pattern: ${text}`);
      test = (m) => m.includes(word);
    }
    terms.push({ test, exclude, alternative });
  }
  return terms;
}
