// The VRL subset's lexer: program text to tokens with source offsets.
import { type Segment, VrlCompileError } from "./ast.js";
import { parseTimestamp, parseZone } from "./time.js";
import type { VrlTimestamp } from "./value.js";

const UTC = parseZone("UTC")!;

export type Token =
  | { type: "num"; value: number; float: boolean; start: number; end: number }
  | { type: "str"; value: string; start: number; end: number }
  | { type: "ts"; value: VrlTimestamp; start: number; end: number }
  | { type: "ident"; value: string; start: number; end: number }
  | { type: "path"; value: Segment[]; start: number; end: number }
  | { type: "op"; value: string; start: number; end: number }
  | { type: "nl"; start: number; end: number }
  | { type: "eof"; start: number; end: number };

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

/** Program text to tokens; comments and spaces dropped, newlines kept (they end statements). */
export function lex(src: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    if (c === "\n") {
      toks.push({ type: "nl", start: i, end: i + 1 });
      i++;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      continue;
    }
    if (c === '"' || (c === "s" && src[i + 1] === "'")) {
      const [value, end] = c === '"' ? lexString(src, i) : lexRawString(src, i);
      toks.push({ type: "str", value: value, start: i, end: end });
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
      toks.push({ type: "ts", value: ts, start: i, end: end });
      i = end;
      continue;
    }
    if (c === ".") {
      const [segs, end] = lexPath(src, i + 1);
      toks.push({ type: "path", value: segs, start: i, end: end });
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
      toks.push({ type: "num", value: value, float, start: i, end: j });
      i = j;
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < src.length && IDENT_CHAR.test(src[j]!)) j++;
      toks.push({ type: "ident", value: src.slice(i, j), start: i, end: j });
      i = j;
      // `x[0]` indexes a variable as `x.a` reads its field: a path token right after the name.
      if (/^\[-?[0-9]+\]/.test(src.slice(i, i + 24))) {
        const [segs, end] = lexPath(src, i);
        toks.push({ type: "path", value: segs, start: i, end: end });
        i = end;
      }
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new VrlCompileError(`unexpected character ${JSON.stringify(c)}`, i);
    toks.push({ type: "op", value: op, start: i, end: i + op.length });
    i += op.length;
  }
  toks.push({ type: "eof", start: src.length, end: src.length });
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
