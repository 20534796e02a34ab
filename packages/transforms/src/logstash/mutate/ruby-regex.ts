// Ruby (Onigmo) regexes and gsub replacements, as Logstash's mutate reads them, translated to JavaScript once.
import { ErrorCode, SluiceError } from "@sluice/core";
import { NOT_SPACE, posixClass, propertyClass, SPACE, UnsupportedClass, WORD } from "./ruby-classes.js";

/** Thrown for a pattern JavaScript cannot run the way Ruby would; the caller names the option. */
export class RubyRegexError extends SluiceError {
  constructor(message: string) {
    super(ErrorCode.CONFIG, message);
    this.name = "RubyRegexError";
  }
}

// Characters that stay escaped in a JavaScript `u` regex; any other escaped symbol is just itself.
const SYNTAX = new Set("^$\\.*+?()[]{}|/");
// Escapes with the same meaning in both: classes, boundaries, control characters, backreferences, \k<name>.
const SAME = new Set("dDwWbBnrtfvxuck123456789");

/** The engine a translation is for: V8's backtracking RegExp, or RE2's linear-time automaton. */
export type Engine = "v8" | "re2";

/** A Ruby pattern as one engine reads it; a leading `(?i)` becomes `ignoreCase`. */
export interface Translation {
  source: string;
  ignoreCase: boolean;
}

/** What rubyRegex puts before a pattern that can match without a character: a match starts at one. */
export const START_GUARD = "(?:(?=[\\s\\S])|$)";

/**
 * Translates a Ruby regex source to a JavaScript RegExp (flags `gu`: Ruby matches characters, not UTF-16
 * units). Ruby's line anchors, `.` and `\s` know only `\n` and ASCII spaces, so they are spelled out rather
 * than left to JavaScript's `m` flag and `\s`; `\A`, `\z`, `\Z`, `\h`, `\e`, `{,n}`, literal braces,
 * `\p{…}` and `[[:alpha:]]`-style classes are rewritten; leading `(?imx)` options apply to the whole
 * pattern. What JavaScript cannot do as Ruby does (atomic groups, possessive quantifiers, scoped
 * options, nested classes) is refused, so a pattern never silently means something else.
 */
export function rubyRegex(source: string): RegExp {
  const { source: translated, ignoreCase } = translateRuby(source, "v8");
  // V8 can report an empty match between the halves of a surrogate pair; a match must start where a
  // character does. The guard slows matching, so only a pattern that can start without a character has it.
  const out = startsWithCharacter(translated) ? translated : `${START_GUARD}(?:${translated})`;
  try {
    return new RegExp(out, ignoreCase ? "gui" : "gu");
  } catch (error) {
    throw new RubyRegexError((error as Error).message);
  }
}

// True when every top-level branch of a V8 source starts by consuming a character (a literal, a class or
// an escape other than a backreference) that is not optional.
function startsWithCharacter(source: string): boolean {
  let depth = 0;
  let branchStart = true;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (branchStart && depth === 0) {
      const end = characterEnd(source, i);
      if (end < 0 || /^(?:[?*]|\{0)/.test(source.slice(end))) return false;
      branchStart = false;
    }
    if (c === "\\") i++;
    else if (c === "[") i = classEnd(source, i);
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "|" && depth === 0) branchStart = true;
  }
  return !branchStart;
}

// Where the character-consuming atom at `at` ends, or -1 when the atom there may consume nothing.
function characterEnd(source: string, at: number): number {
  const c = source[at]!;
  if (c === "[") return classEnd(source, at) + 1;
  if ("()^$|".includes(c)) return -1;
  if (c !== "\\") return at + (c.codePointAt(0)! > 0xffff ? 2 : 1);
  const next = source[at + 1];
  if (next === undefined || next === "k" || (next >= "1" && next <= "9")) return -1;
  if ("pPu".includes(next) && source[at + 2] === "{") return source.indexOf("}", at) + 1;
  return at + 2;
}

// The index of the `]` closing the class opened at `start`.
function classEnd(source: string, start: number): number {
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === "\\") i++;
    else if (source[i] === "]") return i;
  }
  return source.length;
}

/** Rewrites a Ruby regex source for one engine (see rubyRegex); refuses what neither can do as Ruby does. */
export function translateRuby(source: string, engine: Engine): Translation {
  try {
    return translate(source, engine);
  } catch (error) {
    if (error instanceof UnsupportedClass) throw new RubyRegexError(error.message);
    throw error;
  }
}

function translate(source: string, engine: Engine): Translation {
  let body = source;
  const leading = /^\(\?([imx]+)\)/.exec(body);
  const options = leading?.[1] ?? "";
  if (leading) body = body.slice(leading[0].length);
  // Ruby's `m` is JavaScript's dotAll; `x` ignores whitespace and comments.
  const dotAll = options.includes("m");
  let breaks = new Set<number>();
  if (options.includes("x")) [body, breaks] = extended(body);
  // With a named group, Ruby's plain groups do not capture and a numbered backreference is an error.
  const named = /\(\?<[^=!]/.test(body);
  let out = "";
  // Where the last atom starts in `out` (-1: none), so a quantifier Ruby nests can wrap it.
  let atom = -1;
  // The quantifier just written, if the last token was one: `{n}`, `{n,m}` or a character (`?*+`).
  let quantified: "" | "exact" | "counted" | "char" = "";
  const nest = () => {
    if (atom < 0) throw new RubyRegexError("a quantifier has nothing to repeat");
    out = `${out.slice(0, atom)}(?:${out.slice(atom)})`;
  };
  const groups: Array<{ start: number; lookaround: boolean }> = [];
  let inClass = false;
  // In a class: the kind of the last item, since a range cannot start or end with a set (\d, [:alpha:]).
  type Item = "start" | "char" | "set" | "range";
  let item: Item = "start";
  let inRange = false;
  const classItem = (kind: "char" | "set"): Item => {
    if (inRange && kind === "set")
      throw new RubyRegexError("a range in a character class cannot end with a set");
    const ended = inRange;
    inRange = false;
    return ended ? "range" : kind;
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    const quantifier = inClass ? undefined : quantifierAt(body, i);
    if (quantifier !== undefined) {
      // Ruby repeats a repeated atom again where JavaScript refuses (`a{2}+`, `a{2}*`, and `a? ?` in
      // extended mode); `a{2}?` is optional, not lazy; `a*+` is possessive.
      if (quantified !== "") {
        const lazyOrPossessive = !breaks.has(i) && (quantifier === "?" || quantifier === "+");
        if (
          !lazyOrPossessive ||
          (quantifier === "+" && quantified !== "char") ||
          (quantifier === "?" && quantified === "exact")
        )
          nest();
        else if (quantifier === "+") throw new RubyRegexError("possessive quantifiers are not supported");
      }
      if (quantifier === "?" && quantified === "" && out[atom] === "(") {
        // JavaScript refuses an empty pass through an optional group (`(^|x)?` then takes x); Ruby takes it.
        const lazy = body[i + 1] === "?" && !breaks.has(i + 1);
        out = `${out.slice(0, atom)}(?:${lazy ? "|" : ""}${out.slice(atom)}${lazy ? "" : "|"})`;
        quantified = "char";
        if (lazy) i++;
        continue;
      }
      if (quantifier.startsWith("{")) {
        const [, low, comma, high] = /^\{(\d*)(,?)(\d*)\}$/.exec(quantifier)!;
        out += `{${low || "0"}${comma}${high}}`;
        quantified = comma ? "counted" : "exact";
      } else {
        out += quantifier;
        quantified = "char";
      }
      i += quantifier.length - 1;
      continue;
    }
    if (!inClass && c !== ")") atom = out.length;
    if (!inClass) quantified = "";
    if (c === "\\") {
      const next = body[i + 1];
      if (next === undefined) throw new RubyRegexError("the pattern ends with a backslash");
      i++;
      if (inClass) item = classItem("dDwWsShHpP".includes(next) ? "set" : "char");
      if (next === "u" || next === "x" || (engine === "re2" && next === "c")) {
        const [text, length] = codePoint(body, i, engine);
        out += text;
        i += length;
        continue;
      }
      if ((next === "p" || next === "P") && body[i + 1] === "{") {
        const end = body.indexOf("}", i + 2);
        if (end < 0) throw new RubyRegexError(`\\${next}{ is not closed`);
        const cls = propertyClass(body.slice(i + 2, end), next === "P", engine);
        out += inClass ? cls : `[${cls}]`;
        i = end;
        continue;
      }
      if (named && !inClass && next >= "1" && next <= "9")
        throw new RubyRegexError(
          "a numbered backreference is not allowed beside named groups (use \\k<name>)",
        );
      out += translateEscape(next, inClass, body[i + 1], engine);
      continue;
    }
    if (inClass) {
      if (c === "[" && body[i + 1] === ":") {
        const end = body.indexOf(":]", i + 2);
        out += posixClass(end < 0 ? "" : body.slice(i + 2, end));
        i = end + 1;
        item = classItem("set");
        continue;
      }
      if (c === "[") throw new RubyRegexError("nested character classes are not supported");
      if (c === "&" && body[i + 1] === "&")
        throw new RubyRegexError("class intersection && is not supported");
      if (c === "]") inClass = false;
      else if (c === "-" && body[i + 1] !== "]" && item === "set")
        throw new RubyRegexError("a range in a character class cannot start with a set");
      else if (c === "-" && body[i + 1] !== "]" && item === "char") inRange = true;
      else item = classItem("char");
      out += c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      item = "start";
      inRange = false;
      out += c;
      if (body[i + 1] === "^") {
        out += "^";
        i++;
      }
      // A `]` right after `[` or `[^` is a literal in Ruby.
      if (body[i + 1] === "]") {
        out += "\\]";
        i++;
        item = "char";
      }
      continue;
    }
    if (c === "{" || c === "}" || c === "]") {
      // Not a quantifier: a literal, as Ruby reads it.
      out += `\\${c}`;
      continue;
    }
    if (c === "(") {
      const kind = body[i + 1] === "?" ? body[i + 2] : undefined;
      if (kind === ">" || kind === "~" || kind === "#" || (kind !== undefined && /[imx-]/.test(kind)))
        throw new RubyRegexError(`group (?${kind} is not supported`);
      if (engine === "re2" && (kind === "=" || kind === "!"))
        throw new RubyRegexError(`the lookahead (?${kind} needs backtracking`);
      const lookbehind = kind === "<" && (body[i + 3] === "=" || body[i + 3] === "!");
      groups.push({ start: out.length, lookaround: kind === "=" || kind === "!" || lookbehind });
      // The group's opening, up to its body, as written.
      const open = /^\((?:\?(?:[:=!]|<[=!]|<[^>]*>))?/.exec(body.slice(i))![0];
      out += open;
      i += open.length - 1;
      atom = -1;
      continue;
    }
    if (c === ")") {
      const group = groups.pop();
      out += c;
      if (group === undefined) continue;
      atom = group.start;
      // Ruby repeats a lookaround; JavaScript repeats it only inside a group.
      if (group.lookaround && quantifierAt(body, i + 1) !== undefined) nest();
      continue;
    }
    if (c === "|") atom = -1;
    if (c === ".") out += dotAll ? (engine === "v8" ? "[\\s\\S]" : "(?s:.)") : "[^\\n]";
    // Ruby's ^ is not at the end of the text, even after a final \n.
    else if (engine === "v8" && c === "^") out += "(?:^|(?<=\\n)(?=[\\s\\S]))";
    else if (engine === "v8" && c === "$") out += "(?:$|(?=\\n))";
    else if (c.codePointAt(0)! >= 0xd800 && c.codePointAt(0)! < 0xdc00 && i + 1 < body.length) {
      // A character outside the BMP is one atom: its two halves stay together.
      out += c + body[++i];
    } else out += c;
  }
  if (inClass) throw new RubyRegexError("a character class is not closed");
  return { source: out, ignoreCase: options.includes("i") };
}

// The quantifier at `at` as Ruby reads it (`?`, `*`, `+`, `{n}`, `{n,}`, `{n,m}`, `{,m}`), if any.
function quantifierAt(body: string, at: number): string | undefined {
  const c = body[at];
  if (c === "?" || c === "*" || c === "+") return c;
  if (c !== "{") return undefined;
  const counted = /^\{(\d*)(,?)(\d*)\}/.exec(body.slice(at, at + 24));
  return counted && (counted[1] || (counted[2] && counted[3])) ? counted[0] : undefined;
}

// Ruby's extended mode: whitespace and `#` comments outside classes are dropped; escaped ones stay.
// Returns the body and where (in it) something was dropped, since `a? ?` is not `a??`.
function extended(body: string): [string, Set<number>] {
  let out = "";
  const breaks = new Set<number>();
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "\\") {
      out += body.slice(i, i + 2);
      i++;
    } else if (inClass) {
      if (c === "[" && body[i + 1] === ":") {
        const end = body.indexOf(":]", i);
        out += body.slice(i, end < 0 ? body.length : end + 2);
        i = end < 0 ? body.length : end + 1;
        continue;
      }
      if (c === "]") inClass = false;
      out += c;
    } else if (c === "[") {
      inClass = true;
      out += c;
      // A `]` first in a class is a literal: it does not close it.
      if (body[i + 1] === "^") out += body[++i];
      if (body[i + 1] === "]") out += body[++i];
    } else if (c === "#") {
      const end = body.indexOf("\n", i);
      i = end < 0 ? body.length : end;
      breaks.add(out.length);
    } else if (/\s/.test(c)) breaks.add(out.length);
    else out += c;
  }
  return [out, breaks];
}

function translateEscape(c: string, inClass: boolean, after: string | undefined, engine: Engine): string {
  if (engine === "re2") {
    if (!inClass && (c === "A" || c === "z")) return `\\${c}`;
    if (!inClass && c === "Z") throw new RubyRegexError("\\Z needs lookahead (write \\n?\\z, or \\z)");
    // Ruby's \s is ASCII and holds \v, as RE2's [:space:] does (its \s lacks \v).
    if (c === "s") return inClass ? "[:space:]" : "[[:space:]]";
    if (c === "S") return inClass ? "[:^space:]" : "[[:^space:]]";
    if (c === "k" || (c >= "1" && c <= "9"))
      throw new RubyRegexError(`the backreference \\${c} needs backtracking`);
  }
  // The ends of the text: JavaScript's ^ and $ without the m flag.
  // Each in a group, since Ruby lets an anchor be quantified and JavaScript only a group.
  if (!inClass && c === "A") return "(?:^)";
  if (!inClass && c === "z") return "(?:$)";
  if (!inClass && c === "Z") return "(?:(?=\\n?$))";
  // Ruby's \w is ASCII, but its word boundaries know every script's letters and digits (RE2's are ASCII).
  if (engine === "v8" && !inClass && c === "b") return `(?:(?<=${WORD})(?!${WORD})|(?<!${WORD})(?=${WORD}))`;
  if (engine === "v8" && !inClass && c === "B") return `(?:(?<=${WORD})(?=${WORD})|(?<!${WORD})(?!${WORD}))`;
  if (c === "s") return inClass ? SPACE : `[${SPACE}]`;
  if (c === "S") return inClass ? NOT_SPACE : `[${NOT_SPACE}]`;
  if (c === "h") return inClass ? "0-9a-fA-F" : "[0-9a-fA-F]";
  if (c === "H" && !inClass) return "[^0-9a-fA-F]";
  if (c === "e") return "\\x1b";
  if (c === "a") return "\\x07";
  if (c === "0") {
    if (after !== undefined && after >= "0" && after <= "7")
      throw new RubyRegexError("octal escapes are not supported");
    return "\\0";
  }
  if (inClass && c === "b") return "\\x08";
  if (SAME.has(c)) return `\\${c}`;
  if (/[A-Za-z]/.test(c)) throw new RubyRegexError(`\\${c} is not supported`);
  if (SYNTAX.has(c) || (inClass && c === "-")) return `\\${c}`;
  // Any other escaped character means itself; JavaScript's `u` mode refuses the escape, so drop it.
  return c;
}

// Ruby's \uHHHH, \u{H…} and \xH(H) as one code point escape (V8's \u{…}, RE2's \x{…}), and \cX on RE2,
// which lacks it. Returns the text and how many characters after the escape letter it used.
function codePoint(body: string, at: number, engine: Engine): [string, number] {
  const written = (hex: string) => (engine === "v8" ? `\\u{${hex}}` : `\\x{${hex}}`);
  if (body[at] === "c") {
    const x = body[at + 1];
    if (x === undefined) throw new RubyRegexError("\\c needs a character");
    return [written((x.charCodeAt(0) & 0x1f).toString(16)), 1];
  }
  const hex =
    body[at] === "x"
      ? /^([0-9a-fA-F]{1,2})/.exec(body.slice(at + 1, at + 3))
      : /^(?:([0-9a-fA-F]{4})|\{([0-9a-fA-F]{1,6})\})/.exec(body.slice(at + 1, at + 10));
  if (!hex) throw new RubyRegexError(`\\${body[at]} needs hex digits`);
  return [written((hex[1] ?? hex[2])!), hex[0].length];
}

/**
 * Escapes text so a Ruby regex matches it literally, wherever it stands (in a class too): how
 * interpolated field values enter a gsub pattern. Every ASCII punctuation character is escaped, since
 * Ruby reads an escaped one as itself; letters, digits and other characters are literal already.
 */
export function escapeRegex(text: string): string {
  return text.replace(/[!-/:-@[-`{-~]/g, "\\$&");
}

/** The number of capture groups in a compiled regex. */
export function groupCount(regex: RegExp): number {
  return new RegExp(`${regex.source}|`, regex.flags.replace("g", "")).exec("")!.length - 1;
}

/** A replacement Ruby cannot expand: gsub raises this at the first match (Logstash tags the event). */
export interface RubyRaise {
  raises: string;
}

/**
 * Ruby's gsub replacement as a JavaScript replacement string: `\0`–`\9` and `\&` (whole match),
 * `\k<name>`, `` \` `` (before the match), `\'` (after it), `\\` (a backslash); any other backslash
 * stays as written and `$` is plain text. Groups become two-digit `$0n`, so a digit after one is
 * never read as part of it; a group the regex lacks is empty, as in Ruby, and so is every numbered
 * group of a regex with named groups. A `\k<…>` Ruby cannot resolve gives what it raises instead.
 */
export function rubyReplacement(
  template: string,
  groups: number,
  names: readonly string[],
): string | RubyRaise {
  if (!template.includes("\\")) return template.includes("$") ? template.replaceAll("$", "$$$$") : template;
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === "$") {
      out += "$$";
      continue;
    }
    if (c !== "\\" || i + 1 >= template.length) {
      out += c;
      continue;
    }
    const n = template[i + 1]!;
    i++;
    if (n >= "1" && n <= "9") {
      if (Number(n) <= groups && names.length === 0) out += `$0${n}`;
    } else if (n === "0" || n === "&") out += "$&";
    else if (n === "`") out += "$`";
    else if (n === "'") out += "$'";
    else if (n === "\\") out += "\\";
    else if (n === "k" && template[i + 1] === "<") {
      const end = template.indexOf(">", i + 2);
      if (end < 0) return { raises: "invalid group name reference format" };
      const name = template.slice(i + 2, end);
      if (!names.includes(name)) return { raises: `undefined name <${name}> reference` };
      out += `$<${name}>`;
      i = end;
    } else out += `\\${n === "$" ? "$$" : n}`;
  }
  return out;
}

/** The names of a compiled regex's named groups. */
export function groupNames(regex: RegExp): string[] {
  return Object.keys(new RegExp(`${regex.source}|`, regex.flags.replace("g", "")).exec("")!.groups ?? {});
}
