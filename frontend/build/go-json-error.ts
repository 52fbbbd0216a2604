/** Go's quoteChar: how encoding/json names an unexpected character. */
function quoteChar(c: string): string {
  if (c === "'") return `'\\''`;
  if (c === '"') return `'"'`;
  return JSON.stringify(c).replace(/^"|"$/g, "'");
}

/**
 * The message Go's encoding/json gives for malformed JSON (dockerd reports
 * it verbatim): the first character its scanner refuses and what it was
 * looking for, or "unexpected end of JSON input". Only called on text that
 * JSON.parse refused.
 */
export function goJsonError(text: string): string {
  // What the scanner expects next; a stack of open containers.
  const stack: ("object" | "array")[] = [];
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\r\n".includes(text[i])) i++;
  };
  const bad = (looking: string) => `invalid character ${quoteChar(text[i])} ${looking}`;
  const END = "unexpected end of JSON input";
  type State = "value" | "key" | "afterKey" | "afterValue" | "firstKey" | "firstValue";
  let state: State = "value";
  for (;;) {
    ws();
    if (i >= text.length) return END;
    const c = text[i];
    if (state === "value" || state === "firstValue") {
      if (state === "firstValue" && c === "]") {
        stack.pop();
        i++;
        state = "afterValue";
      } else if (c === "{") {
        stack.push("object");
        i++;
        state = "firstKey";
      } else if (c === "[") {
        stack.push("array");
        i++;
        state = "firstValue";
      } else if (c === '"') {
        const m = /^"(?:[^"\\\u0000-\u001f]|\\.)*"/.exec(text.slice(i));
        if (!m) return END;
        i += m[0].length;
        state = "afterValue";
      } else {
        const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)/.exec(text.slice(i));
        if (!m) return bad("looking for beginning of value");
        i += m[0].length;
        state = "afterValue";
      }
    } else if (state === "key" || state === "firstKey") {
      if (state === "firstKey" && c === "}") {
        stack.pop();
        i++;
        state = "afterValue";
      } else if (c !== '"') return bad("looking for beginning of object key string");
      else {
        const m = /^"(?:[^"\\\u0000-\u001f]|\\.)*"/.exec(text.slice(i));
        if (!m) return END;
        i += m[0].length;
        state = "afterKey";
      }
    } else if (state === "afterKey") {
      if (c !== ":") return bad("after object key");
      i++;
      state = "value";
    } else {
      const top = stack.at(-1);
      if (top === undefined) return bad("after top-level value");
      if (c === ",") {
        i++;
        state = top === "object" ? "key" : "value";
      } else if ((top === "object" && c === "}") || (top === "array" && c === "]")) {
        stack.pop();
        i++;
        if (stack.length === 0) {
          ws();
          if (i < text.length) return bad("after top-level value");
          return END;
        }
      } else return bad(top === "object" ? "after object key:value pair" : "after array element");
    }
  }
}
