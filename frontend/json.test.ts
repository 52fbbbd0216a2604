import { describe, expect, it } from "vitest";
import { withGoFieldNames } from "./json.js";

describe("withGoFieldNames", () => {
  it("matches keys to fields without regard to case, as Go's encoding/json does", () => {
    const fields = ["DetachKeys", "Tty", "Cmd"] as const;
    expect(withGoFieldNames<{ DetachKeys?: string; Tty?: boolean; Cmd?: string[] }>({ detachKeys: "ctrl-p", TTY: true, cmd: ["cat"] }, [...fields])).toEqual({ DetachKeys: "ctrl-p", Tty: true, Cmd: ["cat"] });
  });

  it("prefers an exact match and keeps unknown keys", () => {
    expect(withGoFieldNames<{ Tty?: boolean }>({ tty: false, Tty: true, Other: 1 } as never, ["Tty"])).toEqual({ Tty: true, Other: 1 });
  });
});
