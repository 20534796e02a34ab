// The VRL subset's syntax tree: what the parser produces and the checker and code generator walk.
import { ErrorCode, SluiceError } from "@sluice/core";

/** One step of a path: a field name, or an array index (negative counts from the end). */
export type Segment = string | number;

interface Span {
  /** Offsets in the program text, for error messages. */
  readonly start: number;
  readonly end: number;
}

export interface LiteralNode extends Span {
  readonly kind: "literal";
  readonly value: unknown;
  /** Written with a fraction or an exponent: a float even when its value is whole. */
  readonly float?: boolean;
}

/** `.a.b[0]` on the event, or `name.a` on a variable. */
export interface PathNode extends Span {
  readonly kind: "path";
  readonly target: "event" | "variable";
  /** The variable's name; "" for the event. */
  readonly variable: string;
  readonly segments: Segment[];
}

export interface ObjectNode extends Span {
  readonly kind: "object";
  readonly entries: Array<[string, Node]>;
}

export interface ArrayNode extends Span {
  readonly kind: "array";
  readonly items: Node[];
}

export interface Argument {
  readonly name?: string;
  readonly value: Node;
}

export interface CallNode extends Span {
  readonly kind: "call";
  readonly name: string;
  /** Written `name!(…)`: a failure aborts the program instead of having to be handled. */
  readonly abortOnError: boolean;
  readonly args: Argument[];
  readonly nameEnd: number;
}

export interface NotNode extends Span {
  readonly kind: "not";
  readonly operand: Node;
}

export interface BinaryNode extends Span {
  readonly kind: "binary";
  readonly operator: string;
  readonly left: Node;
  readonly right: Node;
}

/** `target = value`, or `target, errorTarget = value`. */
export interface AssignNode extends Span {
  readonly kind: "assign";
  readonly target: PathNode;
  readonly errorTarget?: PathNode;
  readonly value: Node;
}

export interface IfNode extends Span {
  readonly kind: "if";
  readonly condition: Node;
  readonly then: Node;
  readonly otherwise?: Node;
}

export interface BlockNode extends Span {
  readonly kind: "block";
  readonly statements: Node[];
  /** The whole program's text, on the program's own block: error messages give UTF-8 byte offsets in it. */
  readonly source?: string;
}

export interface AbortNode extends Span {
  readonly kind: "abort";
  readonly message?: Node;
}

export type Node =
  | LiteralNode
  | PathNode
  | ObjectNode
  | ArrayNode
  | CallNode
  | NotNode
  | BinaryNode
  | AssignNode
  | IfNode
  | BlockNode
  | AbortNode;

/** The nodes directly inside `node`, in evaluation order. */
export function childrenOf(node: Node): Node[] {
  switch (node.kind) {
    case "literal":
    case "path":
      return [];
    case "object":
      return node.entries.map(([, value]) => value);
    case "array":
      return node.items;
    case "call":
      return node.args.map((arg) => arg.value);
    case "not":
      return [node.operand];
    case "binary":
      return [node.left, node.right];
    case "assign":
      return [node.value];
    case "if":
      return node.otherwise ? [node.condition, node.then, node.otherwise] : [node.condition, node.then];
    case "block":
      return node.statements;
    case "abort":
      return node.message ? [node.message] : [];
  }
}

/** A syntax or type error at an offset of the program text. */
export class VrlCompileError extends SluiceError {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(ErrorCode.CONFIG, message);
    this.name = "VrlCompileError";
  }
}

/** 1-based line and column of a character offset. */
export function lineColumn(src: string, offset: number): string {
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset && i < src.length; i++) {
    if (src[i] === "\n") {
      line++;
      column = 1;
    } else column++;
  }
  return `${line}:${column}`;
}
