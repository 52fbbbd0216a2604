import type { ConditionalExpressionNode } from "./ast.js";
import { ShellError } from "./errors.js";
import type { Expander } from "./expand.js";
import { matchPattern } from "./pattern.js";
import type { Shell } from "./state.js";
import { binaryTest, unaryTest } from "./test-expr.js";

/** Evaluates the expression of a [[ ... ]] command. */
export async function evalConditional(sh: Shell, ex: Expander, e: ConditionalExpressionNode): Promise<boolean> {
  switch (e.type) {
    case "CondAnd":
      return (await evalConditional(sh, ex, e.left)) && evalConditional(sh, ex, e.right);
    case "CondOr":
      return (await evalConditional(sh, ex, e.left)) || evalConditional(sh, ex, e.right);
    case "CondNot":
      return !(await evalConditional(sh, ex, e.operand));
    case "CondGroup":
      return evalConditional(sh, ex, e.expression);
    case "CondWord":
      return (await ex.string(e.word)) !== "";
    case "CondUnary":
      return unaryTest(sh, e.operator, await ex.string(e.operand));
    case "CondBinary": {
      const left = await ex.string(e.left);
      if (e.operator === "==" || e.operator === "=" || e.operator === "!=") {
        const hit = matchPattern(await ex.pattern(e.right), left);
        return e.operator === "!=" ? !hit : hit;
      }
      if (e.operator === "=~") {
        let re: RegExp;
        const src = await ex.regex(e.right);
        try {
          re = new RegExp(src);
        } catch {
          throw new ShellError(`invalid regular expression: ${src}`, 2);
        }
        const m = re.exec(left);
        if (m) sh.set("BASH_REMATCH", m.map((x) => x ?? ""));
        else sh.set("BASH_REMATCH", []);
        return !!m;
      }
      const right = await ex.string(e.right);
      if (["-eq", "-ne", "-lt", "-le", "-gt", "-ge"].includes(e.operator)) {
        const a = await ex.arith.evaluateText(left);
        const b = await ex.arith.evaluateText(right);
        return binaryTest(sh, e.operator, String(a), String(b));
      }
      return binaryTest(sh, e.operator, left, right);
    }
  }
}
