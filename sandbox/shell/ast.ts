/** The parts of just-bash's AST the interpreter uses, derived from its exported node types. */
import type { CommandNode, PipelineNode, ScriptNode, SimpleCommandNode, StatementNode, WordNode } from "just-bash";

export { parse } from "just-bash";
export type { CommandNode, PipelineNode, ScriptNode, SimpleCommandNode, StatementNode, WordNode };

export type FunctionDefNode = Extract<CommandNode, { type: "FunctionDef" }>;
export type CompoundCommandNode = Exclude<CommandNode, SimpleCommandNode | FunctionDefNode>;
export type IfNode = Extract<CommandNode, { type: "If" }>;
export type ForNode = Extract<CommandNode, { type: "For" }>;
export type CStyleForNode = Extract<CommandNode, { type: "CStyleFor" }>;
export type WhileNode = Extract<CommandNode, { type: "While" }>;
export type UntilNode = Extract<CommandNode, { type: "Until" }>;
export type CaseNode = Extract<CommandNode, { type: "Case" }>;
export type ConditionalCommandNode = Extract<CommandNode, { type: "ConditionalCommand" }>;
export type ArithmeticCommandNode = Extract<CommandNode, { type: "ArithmeticCommand" }>;

export type WordPart = WordNode["parts"][number];
export type AssignmentNode = SimpleCommandNode["assignments"][number];
export type RedirectionNode = SimpleCommandNode["redirections"][number];
export type HereDocNode = Extract<RedirectionNode["target"], { type: "HereDoc" }>;
export type ParameterExpansionPart = Extract<WordPart, { type: "ParameterExpansion" }>;
export type ParameterOperation = NonNullable<ParameterExpansionPart["operation"]>;
export type BraceExpansionPart = Extract<WordPart, { type: "BraceExpansion" }>;
export type BraceItem = BraceExpansionPart["items"][number];
export type ArithmeticExpression = ArithmeticCommandNode["expression"];
export type ArithExpr = ArithmeticExpression["expression"];
export type ConditionalExpressionNode = ConditionalCommandNode["expression"];
