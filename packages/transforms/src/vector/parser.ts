// The VRL subset's parser: tokens to a syntax tree (ast.ts), precedence climbing over BINARY's levels.
import { type Argument, type Node, type PathNode, type Segment, VrlCompileError } from "./ast.js";
import { lex, type Token } from "./lexer.js";

/** Programs are configuration, but still bound them: nesting beyond this is refused, not overflowed. */
const MAX_NESTING = 256;

const BINARY: Array<string[]> = [
  ["??"],
  ["||"],
  ["&&"],
  ["==", "!="],
  ["<", "<=", ">", ">="],
  ["+", "-"],
  ["*", "/"],
];

/** The program as a block of statements; throws VrlCompileError at the first syntax error. */
export function parse(src: string): Node {
  const tokens = lex(src);
  let position = 0;
  let nesting = 0;

  const peek = (): Token => tokens[position]!;
  const next = (): Token => tokens[position++]!;
  const isOp = (v: string, tok: Token = peek()): boolean => tok.type === "op" && tok.value === v;
  const skipNewlines = (): void => {
    while (peek().type === "nl") position++;
  };
  const expectOp = (v: string): Token => {
    const tok = peek();
    if (!isOp(v, tok))
      throw new VrlCompileError(`syntax error: expected \`${v}\`, found ${describe(tok)}`, tok.start);
    return next();
  };
  const enter = (at: number): void => {
    if (++nesting > MAX_NESTING) throw new VrlCompileError("program is nested too deeply", at);
  };

  function describe(tok: Token): string {
    switch (tok.type) {
      case "eof":
        return "end of program";
      case "nl":
        return "a newline";
      case "str":
        return "a string";
      case "ts":
        return "a timestamp";
      case "num":
        return "a number";
      case "path":
        return "a path";
      default:
        return `\`${tok.value}\``;
    }
  }

  function program(): Node {
    const statements = statementList("eof");
    return { kind: "block", statements, start: 0, end: src.length, source: src };
  }

  function statementList(until: "eof" | "}"): Node[] {
    const statements: Node[] = [];
    for (;;) {
      while (peek().type === "nl" || isOp(";")) position++;
      const tok = peek();
      if (until === "eof" ? tok.type === "eof" : isOp("}", tok)) return statements;
      if (tok.type === "eof") throw new VrlCompileError("syntax error: missing `}`", tok.start);
      statements.push(statement());
      const after = peek();
      if (!(after.type === "nl" || isOp(";", after) || after.type === "eof" || isOp("}", after)))
        throw new VrlCompileError(`syntax error: unexpected ${describe(after)}`, after.start);
    }
  }

  function statement(): Node {
    const start = peek();
    // `target = value`, `target, err = value`
    if (start.type === "path" || (start.type === "ident" && !isKeyword(start.value))) {
      const save = position;
      const target = pathLike();
      if (target && (isOp("=", peek()) || isOp(",", peek()))) {
        let errorTarget: PathNode | undefined;
        if (isOp(",")) {
          next();
          const e = pathLike();
          if (!e) throw new VrlCompileError("syntax error: expected an error target after `,`", peek().start);
          errorTarget = e;
        }
        expectOp("=");
        skipNewlines();
        const value = expression();
        return { kind: "assign", target, errorTarget, value, start: start.start, end: value.end };
      }
      position = save;
    }
    return expression();
  }

  function isKeyword(word: string): boolean {
    return (
      word === "if" ||
      word === "else" ||
      word === "abort" ||
      word === "true" ||
      word === "false" ||
      word === "null"
    );
  }

  /** A path or a variable (with optional path), when the next tokens are exactly that. */
  function pathLike(): PathNode | undefined {
    const tok = peek();
    if (tok.type === "path") {
      next();
      return {
        kind: "path",
        target: "event",
        variable: "",
        segments: tok.value,
        start: tok.start,
        end: tok.end,
      };
    }
    if (tok.type === "ident" && !isKeyword(tok.value)) {
      const after = tokens[position + 1]!;
      if (isOp("(", after)) return undefined;
      if (isOp("!", after) && isOp("(", tokens[position + 2]!)) return undefined;
      next();
      let segments: Segment[] = [];
      let end = tok.end;
      const follow = peek();
      if (follow.type === "path" && follow.start === tok.end) {
        next();
        segments = follow.value;
        end = follow.end;
      }
      return { kind: "path", target: "variable", variable: tok.value, segments, start: tok.start, end };
    }
    return undefined;
  }

  function expression(level = 0): Node {
    if (level >= BINARY.length) return unary();
    let left = expression(level + 1);
    const ops = BINARY[level]!;
    // Each operator in a chain deepens the (left-leaning) tree: it counts as nesting too.
    let chain = 0;
    for (;;) {
      const tok = peek();
      if (tok.type !== "op" || !ops.includes(tok.value)) {
        nesting -= chain;
        return left;
      }
      next();
      skipNewlines();
      enter(tok.start);
      chain++;
      const right = expression(level + 1);
      left = { kind: "binary", operator: tok.value, left, right, start: left.start, end: right.end };
    }
  }

  function unary(): Node {
    const tok = peek();
    if (isOp("!", tok)) {
      next();
      enter(tok.start);
      const operand = unary();
      nesting--;
      return { kind: "not", operand, start: tok.start, end: operand.end };
    }
    if (isOp("-", tok) && tokens[position + 1]?.type === "num") {
      next();
      const num = next() as Extract<Token, { type: "num" }>;
      return { kind: "literal", value: -num.value, float: num.float, start: tok.start, end: num.end };
    }
    return primary();
  }

  function primary(): Node {
    const tok = peek();
    switch (tok.type) {
      case "num":
        next();
        return { kind: "literal", value: tok.value, float: tok.float, start: tok.start, end: tok.end };
      case "str":
      case "ts":
        next();
        return { kind: "literal", value: tok.value, start: tok.start, end: tok.end };
      case "path":
        next();
        return {
          kind: "path",
          target: "event",
          variable: "",
          segments: tok.value,
          start: tok.start,
          end: tok.end,
        };
      case "ident":
        return identifier();
      case "op":
        if (tok.value === "(") {
          next();
          skipNewlines();
          enter(tok.start);
          const inner = expression();
          nesting--;
          skipNewlines();
          expectOp(")");
          return inner;
        }
        if (tok.value === "[") return array();
        if (tok.value === "{") return looksLikeObject() ? object() : block();
        break;
      default:
        break;
    }
    throw new VrlCompileError(`syntax error: unexpected ${describe(tok)}`, tok.start);
  }

  function looksLikeObject(): boolean {
    let q = position + 1;
    while (tokens[q]!.type === "nl") q++;
    const first = tokens[q]!;
    if (isOp("}", first)) return true;
    return first.type === "str" && isOp(":", tokens[q + 1]!);
  }

  function identifier(): Node {
    const tok = next() as Extract<Token, { type: "ident" }>;
    switch (tok.value) {
      case "true":
      case "false":
        return { kind: "literal", value: tok.value === "true", start: tok.start, end: tok.end };
      case "null":
        return { kind: "literal", value: null, start: tok.start, end: tok.end };
      case "if":
        return ifExpr(tok);
      case "abort": {
        const after = peek();
        if (after.type === "nl" || after.type === "eof" || isOp("}", after) || isOp(";", after))
          return { kind: "abort", start: tok.start, end: tok.end };
        const message = expression();
        return { kind: "abort", message, start: tok.start, end: message.end };
      }
      default:
        break;
    }
    let abortOnError = false;
    if (isOp("!") && isOp("(", tokens[position + 1]!)) {
      next();
      abortOnError = true;
    }
    if (isOp("(")) return call(tok, abortOnError);
    let segments: Segment[] = [];
    let end = tok.end;
    const follow = peek();
    if (follow.type === "path" && follow.start === tok.end) {
      next();
      segments = follow.value;
      end = follow.end;
    }
    return { kind: "path", target: "variable", variable: tok.value, segments, start: tok.start, end };
  }

  function call(name: Extract<Token, { type: "ident" }>, abortOnError: boolean): Node {
    const open = expectOp("(");
    enter(open.start);
    const args: Argument[] = [];
    skipNewlines();
    while (!isOp(")")) {
      let argName: string | undefined;
      const tok = peek();
      if (tok.type === "ident" && isOp(":", tokens[position + 1]!)) {
        argName = tok.value;
        position += 2;
        skipNewlines();
      }
      args.push({ name: argName, value: expression() });
      skipNewlines();
      if (isOp(",")) {
        next();
        skipNewlines();
      } else if (!isOp(")"))
        throw new VrlCompileError(`syntax error: unexpected ${describe(peek())}`, peek().start);
    }
    const close = next();
    nesting--;
    return {
      kind: "call",
      name: name.value,
      abortOnError,
      args,
      start: name.start,
      end: close.end,
      nameEnd: name.end,
    };
  }

  function array(): Node {
    const open = expectOp("[");
    enter(open.start);
    const items: Node[] = [];
    skipNewlines();
    while (!isOp("]")) {
      items.push(expression());
      skipNewlines();
      if (isOp(",")) {
        next();
        skipNewlines();
      } else if (!isOp("]"))
        throw new VrlCompileError(`syntax error: unexpected ${describe(peek())}`, peek().start);
    }
    const close = next();
    nesting--;
    return { kind: "array", items, start: open.start, end: close.end };
  }

  function object(): Node {
    const open = expectOp("{");
    enter(open.start);
    const entries: Array<[string, Node]> = [];
    skipNewlines();
    while (!isOp("}")) {
      const key = next();
      if (key.type !== "str")
        throw new VrlCompileError("syntax error: object keys must be strings", key.start);
      expectOp(":");
      skipNewlines();
      entries.push([key.value, expression()]);
      skipNewlines();
      if (isOp(",")) {
        next();
        skipNewlines();
      } else if (!isOp("}"))
        throw new VrlCompileError(`syntax error: unexpected ${describe(peek())}`, peek().start);
    }
    const close = next();
    nesting--;
    return { kind: "object", entries, start: open.start, end: close.end };
  }

  function block(): Node {
    const open = expectOp("{");
    enter(open.start);
    const statements = statementList("}");
    const close = expectOp("}");
    nesting--;
    return { kind: "block", statements, start: open.start, end: close.end };
  }

  function ifExpr(keyword: Token): Node {
    enter(keyword.start);
    const condition = expression();
    const then = block();
    let otherwise: Node | undefined;
    const save = position;
    skipNewlines();
    const tok = peek();
    if (tok.type === "ident" && tok.value === "else") {
      next();
      const after = peek();
      if (after.type === "ident" && after.value === "if") {
        next();
        otherwise = ifExpr(after);
      } else otherwise = block();
    } else position = save;
    nesting--;
    return { kind: "if", condition, then, otherwise, start: keyword.start, end: (otherwise ?? then).end };
  }

  return program();
}
