// The VRL subset's lexer and parser: program text to a small syntax tree with source offsets.
import { ErrorCode, SluiceError } from "@sluice/core";

import { parseTimestamp, parseZone } from "./time.js";
import type { VrlTimestamp } from "./value.js";

const UTC = parseZone("UTC")!;

export type Segment = string | number;

export type Node =
  | { t: "lit"; value: unknown; float?: boolean; start: number; end: number }
  | { t: "path"; target: "event" | "var"; name: string; segs: Segment[]; start: number; end: number }
  | { t: "obj"; entries: Array<[string, Node]>; start: number; end: number }
  | { t: "arr"; items: Node[]; start: number; end: number }
  | { t: "call"; name: string; abort: boolean; args: Arg[]; start: number; end: number; nameEnd: number }
  | { t: "not"; expr: Node; start: number; end: number }
  | { t: "bin"; op: string; l: Node; r: Node; start: number; end: number }
  | { t: "assign"; target: PathNode; err?: PathNode; value: Node; start: number; end: number }
  | { t: "if"; cond: Node; then: Node; else?: Node; start: number; end: number }
  | { t: "block"; stmts: Node[]; start: number; end: number }
  | { t: "abort"; message?: Node; start: number; end: number };

export type PathNode = Extract<Node, { t: "path" }>;
export interface Arg {
  name?: string;
  expr: Node;
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

type Tok =
  | { k: "num"; v: number; float: boolean; s: number; e: number }
  | { k: "str"; v: string; s: number; e: number }
  | { k: "ts"; v: VrlTimestamp; s: number; e: number }
  | { k: "ident"; v: string; s: number; e: number }
  | { k: "path"; v: Segment[]; s: number; e: number }
  | { k: "op"; v: string; s: number; e: number }
  | { k: "nl"; s: number; e: number }
  | { k: "eof"; s: number; e: number };

const OPS = [
  "??",
  "==",
  "!=",
  "&&",
  "||",
  "<=",
  ">=",
  "|=",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ",",
  ":",
  "=",
  "!",
  "<",
  ">",
  "+",
  "-",
  "*",
  "/",
  ";",
];
const FIELD_CHAR = /[A-Za-z0-9_@]/;
const IDENT_START = /[A-Za-z_]/;
const IDENT_CHAR = /[A-Za-z0-9_]/;
/** Programs are configuration, but still bound them: nesting beyond this is refused, not overflowed. */
const MAX_NESTING = 256;

function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    if (c === "\n") {
      toks.push({ k: "nl", s: i, e: i + 1 });
      i++;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      continue;
    }
    if (c === '"' || (c === "s" && src[i + 1] === "'")) {
      const [value, end] = c === '"' ? lexString(src, i) : lexRawString(src, i);
      toks.push({ k: "str", v: value, s: i, e: end });
      i = end;
      continue;
    }
    if (c === "t" && src[i + 1] === "'") {
      const [value, end] = lexRawString(src, i);
      let ts: VrlTimestamp;
      try {
        ts = parseTimestamp(value, "%+", UTC);
      } catch {
        throw new VrlCompileError(`invalid timestamp literal: ${JSON.stringify(value)}`, i);
      }
      toks.push({ k: "ts", v: ts, s: i, e: end });
      i = end;
      continue;
    }
    if (c === ".") {
      const [segs, end] = lexPath(src, i + 1);
      toks.push({ k: "path", v: segs, s: i, e: end });
      i = end;
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i;
      while (j < src.length && /[0-9_]/.test(src[j]!)) j++;
      let float = false;
      if (src[j] === "." && /[0-9]/.test(src[j + 1] ?? "")) {
        float = true;
        j++;
        while (j < src.length && /[0-9_]/.test(src[j]!)) j++;
      }
      if (src[j] === "e" || src[j] === "E") {
        let k = j + 1;
        if (src[k] === "+" || src[k] === "-") k++;
        if (/[0-9]/.test(src[k] ?? "")) {
          float = true;
          j = k;
          while (j < src.length && /[0-9]/.test(src[j]!)) j++;
        }
      }
      const value = Number(src.slice(i, j).replaceAll("_", ""));
      if (!float && !Number.isSafeInteger(value))
        throw new VrlCompileError("integer literal out of range", i);
      toks.push({ k: "num", v: value, float, s: i, e: j });
      i = j;
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < src.length && IDENT_CHAR.test(src[j]!)) j++;
      toks.push({ k: "ident", v: src.slice(i, j), s: i, e: j });
      i = j;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new VrlCompileError(`unexpected character ${JSON.stringify(c)}`, i);
    toks.push({ k: "op", v: op, s: i, e: i + op.length });
    i += op.length;
  }
  toks.push({ k: "eof", s: src.length, e: src.length });
  return toks;
}

function lexString(src: string, start: number): [string, number] {
  let out = "";
  let i = start + 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '"') return [out, i + 1];
    if (c === "\\") {
      const n = src[i + 1];
      switch (n) {
        case "n":
          out += "\n";
          break;
        case "t":
          out += "\t";
          break;
        case "r":
          out += "\r";
          break;
        case "0":
          out += "\0";
          break;
        case "\\":
        case '"':
        case "'":
        case "{":
        case "}":
          out += n;
          break;
        case "\n":
          // a backslash before a newline continues the string on the next line
          i += 2;
          while (src[i] === " " || src[i] === "\t") i++;
          continue;
        case "u": {
          const match = /^\{([0-9A-Fa-f]{1,6})\}/.exec(src.slice(i + 2, i + 11));
          if (!match) throw new VrlCompileError("invalid unicode escape", i);
          const code = Number.parseInt(match[1]!, 16);
          if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
            throw new VrlCompileError("invalid unicode escape", i);
          out += String.fromCodePoint(code);
          i += 2 + match[0].length;
          continue;
        }
        default:
          throw new VrlCompileError(`invalid escape character: \\${n ?? ""}`, i);
      }
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  throw new VrlCompileError("unterminated string literal", start);
}

function lexRawString(src: string, start: number): [string, number] {
  let out = "";
  let i = start + 2;
  while (i < src.length) {
    const c = src[i]!;
    if (c === "'") return [out, i + 1];
    if (c === "\\" && src[i + 1] === "'") {
      out += "'";
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  throw new VrlCompileError("unterminated raw string literal", start);
}

/** After the leading `.`: field names, quoted fields, `[n]` indexes, joined by dots. */
function lexPath(src: string, start: number): [Segment[], number] {
  const segs: Segment[] = [];
  let i = start;
  let needField = true;
  for (;;) {
    const c = src[i];
    if (needField && c === '"') {
      const [value, end] = lexString(src, i);
      segs.push(value);
      i = end;
    } else if (needField && c !== undefined && FIELD_CHAR.test(c)) {
      let j = i;
      while (j < src.length && FIELD_CHAR.test(src[j]!)) j++;
      segs.push(src.slice(i, j));
      i = j;
    } else if (!needField || segs.length === 0) {
      // `.` alone is the root; `.[0]` indexes it
    } else {
      throw new VrlCompileError("expected a field name after `.`", i);
    }
    needField = false;
    while (src[i] === "[") {
      const match = /^\[(-?[0-9]+)\]/.exec(src.slice(i, i + 24));
      if (!match) break;
      segs.push(Number(match[1]));
      i += match[0].length;
    }
    if (src[i] === "." && (src[i + 1] === '"' || FIELD_CHAR.test(src[i + 1] ?? ""))) {
      i++;
      needField = true;
      continue;
    }
    return [segs, i];
  }
}

const BINARY: Array<string[]> = [
  ["??"],
  ["||"],
  ["&&"],
  ["==", "!="],
  ["<", "<=", ">", ">="],
  ["+", "-"],
  ["*", "/"],
];

export function parse(src: string): Node {
  const toks = lex(src);
  let p = 0;
  let nesting = 0;

  const peek = (): Tok => toks[p]!;
  const next = (): Tok => toks[p++]!;
  const isOp = (v: string, tok: Tok = peek()): boolean => tok.k === "op" && tok.v === v;
  const skipNl = (): void => {
    while (peek().k === "nl") p++;
  };
  const expectOp = (v: string): Tok => {
    const tok = peek();
    if (!isOp(v, tok))
      throw new VrlCompileError(`syntax error: expected \`${v}\`, found ${describe(tok)}`, tok.s);
    return next();
  };
  const enter = (at: number): void => {
    if (++nesting > MAX_NESTING) throw new VrlCompileError("program is nested too deeply", at);
  };

  function describe(tok: Tok): string {
    switch (tok.k) {
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
        return `\`${tok.v}\``;
    }
  }

  function program(): Node {
    const stmts = statements("eof");
    return { t: "block", stmts, start: 0, end: src.length };
  }

  function statements(until: "eof" | "}"): Node[] {
    const stmts: Node[] = [];
    for (;;) {
      while (peek().k === "nl" || isOp(";")) p++;
      const tok = peek();
      if (until === "eof" ? tok.k === "eof" : isOp("}", tok)) return stmts;
      if (tok.k === "eof") throw new VrlCompileError("syntax error: missing `}`", tok.s);
      stmts.push(statement());
      const after = peek();
      if (!(after.k === "nl" || isOp(";", after) || after.k === "eof" || isOp("}", after)))
        throw new VrlCompileError(`syntax error: unexpected ${describe(after)}`, after.s);
    }
  }

  function statement(): Node {
    const start = peek();
    // `target = value`, `target, err = value`
    if (start.k === "path" || (start.k === "ident" && !isKeyword(start.v))) {
      const save = p;
      const target = pathLike();
      if (target && (isOp("=", peek()) || isOp(",", peek()))) {
        let err: PathNode | undefined;
        if (isOp(",")) {
          next();
          const e = pathLike();
          if (!e) throw new VrlCompileError("syntax error: expected an error target after `,`", peek().s);
          err = e;
        }
        expectOp("=");
        skipNl();
        const value = expression();
        return { t: "assign", target, err, value, start: start.s, end: value.end };
      }
      p = save;
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
    if (tok.k === "path") {
      next();
      return { t: "path", target: "event", name: "", segs: tok.v, start: tok.s, end: tok.e };
    }
    if (tok.k === "ident" && !isKeyword(tok.v)) {
      const after = toks[p + 1]!;
      if (isOp("(", after)) return undefined;
      if (isOp("!", after) && isOp("(", toks[p + 2]!)) return undefined;
      next();
      let segs: Segment[] = [];
      let end = tok.e;
      const follow = peek();
      if (follow.k === "path" && follow.s === tok.e) {
        next();
        segs = follow.v;
        end = follow.e;
      }
      return { t: "path", target: "var", name: tok.v, segs, start: tok.s, end };
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
      if (tok.k !== "op" || !ops.includes(tok.v)) {
        nesting -= chain;
        return left;
      }
      next();
      skipNl();
      enter(tok.s);
      chain++;
      const right = expression(level + 1);
      left = { t: "bin", op: tok.v, l: left, r: right, start: left.start, end: right.end };
    }
  }

  function unary(): Node {
    const tok = peek();
    if (isOp("!", tok)) {
      next();
      enter(tok.s);
      const expr = unary();
      nesting--;
      return { t: "not", expr, start: tok.s, end: expr.end };
    }
    if (isOp("-", tok) && toks[p + 1]?.k === "num") {
      next();
      const num = next() as Extract<Tok, { k: "num" }>;
      return { t: "lit", value: -num.v, float: num.float, start: tok.s, end: num.e };
    }
    return primary();
  }

  function primary(): Node {
    const tok = peek();
    switch (tok.k) {
      case "num":
        next();
        return { t: "lit", value: tok.v, float: tok.float, start: tok.s, end: tok.e };
      case "str":
      case "ts":
        next();
        return { t: "lit", value: tok.v, start: tok.s, end: tok.e };
      case "path":
        next();
        return { t: "path", target: "event", name: "", segs: tok.v, start: tok.s, end: tok.e };
      case "ident":
        return identifier();
      case "op":
        if (tok.v === "(") {
          next();
          skipNl();
          enter(tok.s);
          const inner = expression();
          nesting--;
          skipNl();
          expectOp(")");
          return inner;
        }
        if (tok.v === "[") return array();
        if (tok.v === "{") return looksLikeObject() ? object() : block();
        break;
      default:
        break;
    }
    throw new VrlCompileError(`syntax error: unexpected ${describe(tok)}`, tok.s);
  }

  function looksLikeObject(): boolean {
    let q = p + 1;
    while (toks[q]!.k === "nl") q++;
    const first = toks[q]!;
    if (isOp("}", first)) return true;
    return first.k === "str" && isOp(":", toks[q + 1]!);
  }

  function identifier(): Node {
    const tok = next() as Extract<Tok, { k: "ident" }>;
    switch (tok.v) {
      case "true":
      case "false":
        return { t: "lit", value: tok.v === "true", start: tok.s, end: tok.e };
      case "null":
        return { t: "lit", value: null, start: tok.s, end: tok.e };
      case "if":
        return ifExpr(tok);
      case "abort": {
        const after = peek();
        if (after.k === "nl" || after.k === "eof" || isOp("}", after) || isOp(";", after))
          return { t: "abort", start: tok.s, end: tok.e };
        const message = expression();
        return { t: "abort", message, start: tok.s, end: message.end };
      }
      default:
        break;
    }
    let abort = false;
    if (isOp("!") && isOp("(", toks[p + 1]!)) {
      next();
      abort = true;
    }
    if (isOp("(")) return call(tok, abort);
    let segs: Segment[] = [];
    let end = tok.e;
    const follow = peek();
    if (follow.k === "path" && follow.s === tok.e) {
      next();
      segs = follow.v;
      end = follow.e;
    }
    return { t: "path", target: "var", name: tok.v, segs, start: tok.s, end };
  }

  function call(name: Extract<Tok, { k: "ident" }>, abort: boolean): Node {
    const open = expectOp("(");
    enter(open.s);
    const args: Arg[] = [];
    skipNl();
    while (!isOp(")")) {
      let argName: string | undefined;
      const tok = peek();
      if (tok.k === "ident" && isOp(":", toks[p + 1]!)) {
        argName = tok.v;
        p += 2;
        skipNl();
      }
      args.push({ name: argName, expr: expression() });
      skipNl();
      if (isOp(",")) {
        next();
        skipNl();
      } else if (!isOp(")"))
        throw new VrlCompileError(`syntax error: unexpected ${describe(peek())}`, peek().s);
    }
    const close = next();
    nesting--;
    return { t: "call", name: name.v, abort, args, start: name.s, end: close.e, nameEnd: name.e };
  }

  function array(): Node {
    const open = expectOp("[");
    enter(open.s);
    const items: Node[] = [];
    skipNl();
    while (!isOp("]")) {
      items.push(expression());
      skipNl();
      if (isOp(",")) {
        next();
        skipNl();
      } else if (!isOp("]"))
        throw new VrlCompileError(`syntax error: unexpected ${describe(peek())}`, peek().s);
    }
    const close = next();
    nesting--;
    return { t: "arr", items, start: open.s, end: close.e };
  }

  function object(): Node {
    const open = expectOp("{");
    enter(open.s);
    const entries: Array<[string, Node]> = [];
    skipNl();
    while (!isOp("}")) {
      const key = next();
      if (key.k !== "str") throw new VrlCompileError("syntax error: object keys must be strings", key.s);
      expectOp(":");
      skipNl();
      entries.push([key.v, expression()]);
      skipNl();
      if (isOp(",")) {
        next();
        skipNl();
      } else if (!isOp("}"))
        throw new VrlCompileError(`syntax error: unexpected ${describe(peek())}`, peek().s);
    }
    const close = next();
    nesting--;
    return { t: "obj", entries, start: open.s, end: close.e };
  }

  function block(): Node {
    const open = expectOp("{");
    enter(open.s);
    const stmts = statements("}");
    const close = expectOp("}");
    nesting--;
    return { t: "block", stmts, start: open.s, end: close.e };
  }

  function ifExpr(keyword: Tok): Node {
    enter(keyword.s);
    const cond = expression();
    const then = block();
    let otherwise: Node | undefined;
    const save = p;
    skipNl();
    const tok = peek();
    if (tok.k === "ident" && tok.v === "else") {
      next();
      const after = peek();
      if (after.k === "ident" && after.v === "if") {
        next();
        otherwise = ifExpr(after);
      } else otherwise = block();
    } else p = save;
    nesting--;
    return { t: "if", cond, then, else: otherwise, start: keyword.s, end: (otherwise ?? then).end };
  }

  return program();
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
