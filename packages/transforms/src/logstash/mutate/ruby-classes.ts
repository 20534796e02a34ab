// Ruby's character classes (POSIX brackets, \p{…} properties, \s) as the body of a class in V8's or RE2's syntax.
import type { Engine } from "./ruby-regex.js";

/** Thrown for a class Sluice cannot say in the target engine's syntax; the caller wraps it. */
export class UnsupportedClass extends Error {}

// Ruby's POSIX bracket classes: Unicode-aware on UTF-8 strings. graph is what is not space, control,
// surrogate or unassigned; print adds the space separators.
const GRAPH = "\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}\\p{Cf}\\p{Co}";
const POSIX: Record<string, string> = {
  alnum: "\\p{Alphabetic}\\p{Nd}",
  alpha: "\\p{Alphabetic}",
  blank: "\\p{Zs}\\t",
  cntrl: "\\p{Cc}",
  digit: "\\p{Nd}",
  graph: GRAPH,
  lower: "\\p{Lowercase}",
  print: `${GRAPH}\\p{Zs}`,
  punct: "\\p{P}$+<=>^`|~",
  space: "\\p{White_Space}",
  upper: "\\p{Uppercase}",
  word: "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}",
  xdigit: "0-9a-fA-F",
};

// Ruby's \s and its complement: ASCII whitespace only (JavaScript's \s also takes Unicode spaces).
export const SPACE = "\\t\\n\\v\\f\\r ";
export const NOT_SPACE = "\\0-\\x08\\x0e-\\x1f\\x21-\\u{10ffff}";

/** Ruby's word characters for \b and \B (its \w is ASCII only), as a class. */
export const WORD = `[${POSIX.word}]`;

const CATEGORIES = new Set(
  "L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Co Cn".split(
    " ",
  ),
);
const SCRIPTS = new Set(
  "Arabic Armenian Bengali Common Cyrillic Devanagari Georgian Greek Han Hangul Hebrew Hiragana Inherited Katakana Latin Thai".split(
    " ",
  ),
);

/** A POSIX bracket name (`alpha`, `^alpha`) as a class body. */
export function posixClass(name: string): string {
  const negated = name.startsWith("^");
  const body = POSIX[negated ? name.slice(1) : name];
  if (body === undefined) throw new UnsupportedClass(`class [:${name}:] is not supported`);
  return negated ? negate(body, `[:${name}:]`) : body;
}

/**
 * A Ruby property `\p{name}` (`negated` for `\P{…}`; `^name` negates too) as a class body. Ruby reads the
 * name ignoring case, spaces, hyphens and underscores; general categories, common scripts and the POSIX
 * names (`\p{Alpha}`) are known.
 */
export function propertyClass(name: string, negated: boolean, engine: Engine): string {
  const written = `\\${negated ? "P" : "p"}{${name}}`;
  let key = name;
  if (key.startsWith("^")) {
    negated = !negated;
    key = key.slice(1);
  }
  key = key.replace(/[\s_-]/g, "").toLowerCase();
  let body: string | undefined;
  const category = key.length <= 2 ? key.charAt(0).toUpperCase() + key.slice(1) : "";
  const script = [...SCRIPTS].find((s) => s.toLowerCase() === key);
  if (CATEGORIES.has(category)) body = `\\p{${category}}`;
  else if (script !== undefined) body = engine === "v8" ? `\\p{Script=${script}}` : `\\p{${script}}`;
  else if (key in POSIX) body = POSIX[key];
  if (body === undefined) throw new UnsupportedClass(`the property ${written} is not supported`);
  return negated ? negate(body, written) : body;
}

// A class body's complement, when it is one property (the only complement a class can hold).
function negate(body: string, written: string): string {
  if (/^\\p\{[^}]+\}$/.test(body)) return `\\P${body.slice(2)}`;
  throw new UnsupportedClass(`the negated class ${written} is not supported`);
}
