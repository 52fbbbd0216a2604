/** Go's strconv number parsing, with its error texts, which dockerd passes on to clients. */

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

function parse(fn: string, s: string): bigint {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`strconv.${fn}: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = BigInt(s);
  if (n > INT64_MAX || n < INT64_MIN) throw new Error(`strconv.${fn}: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

/** strconv.Atoi. */
export function atoi(s: string): number {
  return Number(parse("Atoi", s));
}

/** strconv.ParseInt(s, 10, 64). */
export function parseInt64(s: string): bigint {
  return parse("ParseInt", s);
}
