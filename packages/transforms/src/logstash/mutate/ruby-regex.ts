// Ruby (Onigmo) regexes and gsub replacements, as Logstash's mutate reads them, translated to JavaScript once.
import { ErrorCode, SluiceError } from "@sluice/core";

/** Thrown for a pattern JavaScript cannot run the way Ruby would; the caller names the option. */
export class RubyRegexError extends SluiceError {
  constructor(message: string) {
    super(ErrorCode.CONFIG, message);
    this.name = "RubyRegexError";
  }
}

// Ruby's POSIX bracket classes: Unicode-aware on UTF-8 strings (graph and print kept to ASCII here).
const POSIX: Record<string, string> = {
  alnum: "\\p{Alphabetic}\\p{Nd}",
  alpha: "\\p{Alphabetic}",
  blank: "\\p{Zs}\\t",
  cntrl: "\\p{Cc}",
  digit: "\\p{Nd}",
  graph: "\\x21-\\x7e",
  lower: "\\p{Lowercase}",
  print: "\\x20-\\x7e",
  punct: "\\p{P}$+<=>^`|~",
  space: "\\p{White_Space}",
  upper: "\\p{Uppercase}",
  word: "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}",
  xdigit: "0-9a-fA-F",
};

// Characters that stay escaped in a JavaScript `u` regex; any other escaped symbol is just itself.
const SYNTAX = new Set("^$\\.*+?()[]{}|/");
// Escapes with the same meaning in both: classes, boundaries, control characters, backreferences, \k<name>.
const SAME = new Set("dDwWsSbBnrtfvxucpPk123456789");

/** The engine a translation is for: V8's backtracking RegExp, or RE2's linear-time automaton. */
export type Engine = "v8" | "re2";

/** A Ruby pattern as one engine reads it; a leading `(?i)` becomes `ignoreCase`. */
export interface Translation {
  source: string;
  ignoreCase: boolean;
}

/**
 * Translates a Ruby regex source to a JavaScript RegExp (flags `gmu`: Ruby matches characters, not
 * UTF-16 units, and its `^`/`$` always match at line boundaries). `\A`, `\z`, `\Z`, `\h`, `\e`,
 * `{,n}`, literal braces and `[[:alpha:]]`-style classes are rewritten; a leading `(?i)` becomes the
 * `i` flag. What JavaScript cannot do as Ruby does (atomic groups, possessive quantifiers, other
 * inline options, nested classes) is refused, so a pattern never silently means something else.
 */
export function rubyRegex(source: string): RegExp {
  const { source: out, ignoreCase } = translateRuby(source, "v8");
  try {
    return new RegExp(out, ignoreCase ? "gmui" : "gmu");
  } catch (error) {
    throw new RubyRegexError((error as Error).message);
  }
}

/** Rewrites a Ruby regex source for one engine (see rubyRegex); refuses what neither can do as Ruby does. */
export function translateRuby(source: string, engine: Engine): Translation {
  let ignoreCase = false;
  let body = source;
  const leading = /^\(\?([imx]+)\)/.exec(body);
  if (leading) {
    if (/[mx]/.test(leading[1]!)) throw new RubyRegexError(`inline option (?${leading[1]}) is not supported`);
    ignoreCase = true;
    body = body.slice(leading[0].length);
  }
  let out = "";
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "\\") {
      const next = body[i + 1];
      if (next === undefined) throw new RubyRegexError("the pattern ends with a backslash");
      i++;
      if (engine === "re2" && (next === "u" || next === "c")) {
        const [text, length] = re2CodePoint(body, i);
        out += text;
        i += length;
        continue;
      }
      out += translateEscape(next, inClass, body[i + 1], engine);
      continue;
    }
    if (inClass) {
      if (c === "[" && body[i + 1] === ":") {
        const end = body.indexOf(":]", i + 2);
        const name = end < 0 ? "" : body.slice(i + 2, end);
        const cls = POSIX[name];
        if (cls === undefined) throw new RubyRegexError(`class [:${name}:] is not supported`);
        out += cls;
        i = end + 1;
        continue;
      }
      if (c === "[") throw new RubyRegexError("nested character classes are not supported");
      if (c === "&" && body[i + 1] === "&")
        throw new RubyRegexError("class intersection && is not supported");
      if (c === "]") inClass = false;
      out += c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      if (body[i + 1] === "^") {
        out += "^";
        i++;
      }
      // A `]` right after `[` or `[^` is a literal in Ruby.
      if (body[i + 1] === "]") {
        out += "\\]";
        i++;
      }
      continue;
    }
    if (c === "{") {
      // A quantifier ({n}, {n,}, {n,m}, Ruby's {,m}), or else a literal brace, as Ruby reads it.
      const quantifier = /^\{(\d*)(,?)(\d*)\}/.exec(body.slice(i));
      if (quantifier && (quantifier[1] || (quantifier[2] && quantifier[3]))) {
        out += `{${quantifier[1] || "0"}${quantifier[2]}${quantifier[3]}}`;
        i += quantifier[0].length - 1;
        if (body[i + 1] === "+") throw new RubyRegexError("possessive quantifiers are not supported");
      } else out += "\\{";
      continue;
    }
    if (c === "}" || c === "]") {
      out += `\\${c}`;
      continue;
    }
    if (c === "(" && body[i + 1] === "?") {
      const kind = body[i + 2];
      if (kind === ">" || kind === "~" || kind === "#" || (kind !== undefined && /[imx-]/.test(kind)))
        throw new RubyRegexError(`group (?${kind} is not supported`);
      if (engine === "re2" && (kind === "=" || kind === "!"))
        throw new RubyRegexError(`the lookahead (?${kind} needs backtracking`);
    }
    if ((c === "+" || c === "*" || c === "?") && body[i + 1] === "+" && !isEscaped(body, i))
      throw new RubyRegexError("possessive quantifiers are not supported");
    out += c;
  }
  if (inClass) throw new RubyRegexError("a character class is not closed");
  return { source: out, ignoreCase };
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
  if (!inClass && c === "A") return "(?<![\\s\\S])";
  if (!inClass && c === "z") return "(?![\\s\\S])";
  if (!inClass && c === "Z") return "(?=\\n?(?![\\s\\S]))";
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

// RE2 has no \u or \c escapes: Ruby's \uHHHH, \u{H…} and \cX become \x{…}. Returns the text and how
// many characters after the escape letter it used.
function re2CodePoint(body: string, at: number): [string, number] {
  if (body[at] === "c") {
    const x = body[at + 1];
    if (x === undefined) throw new RubyRegexError("\\c needs a character");
    return [`\\x{${(x.charCodeAt(0) & 0x1f).toString(16)}}`, 1];
  }
  const hex = /^(?:([0-9a-fA-F]{4})|\{([0-9a-fA-F]{1,6})\})/.exec(body.slice(at + 1, at + 10));
  if (!hex) throw new RubyRegexError("\\u needs four hex digits or {hex}");
  return [`\\x{${hex[1] ?? hex[2]}}`, hex[0].length];
}

function isEscaped(text: string, index: number): boolean {
  let n = 0;
  for (let i = index - 1; i >= 0 && text[i] === "\\"; i--) n++;
  return n % 2 === 1;
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

/**
 * Ruby's gsub replacement as a JavaScript replacement string: `\0`–`\9` and `\&` (whole match),
 * `\k<name>`, `` \` `` (before the match), `\'` (after it), `\\` (a backslash); any other backslash
 * stays as written and `$` is plain text. Groups become two-digit `$0n`, so a digit after one is
 * never read as part of it; a group the regex lacks is empty, as in Ruby.
 */
export function rubyReplacement(template: string, groups: number, named: boolean): string {
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
      if (Number(n) <= groups) out += `$0${n}`;
    } else if (n === "0" || n === "&") out += "$&";
    else if (n === "`") out += "$`";
    else if (n === "'") out += "$'";
    else if (n === "\\") out += "\\";
    else if (n === "k" && template[i + 1] === "<" && template.indexOf(">", i + 2) > i + 2) {
      const end = template.indexOf(">", i + 2);
      if (named) out += `$<${template.slice(i + 2, end)}>`;
      i = end;
    } else out += `\\${n === "$" ? "$$" : n}`;
  }
  return out;
}

/** True when the regex has named groups (JavaScript reads `$<name>` only then). */
export function hasNamedGroups(regex: RegExp): boolean {
  return new RegExp(`${regex.source}|`, regex.flags.replace("g", "")).exec("")!.groups !== undefined;
}
