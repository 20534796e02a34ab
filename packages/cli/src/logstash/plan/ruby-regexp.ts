// A condition's Ruby regular expression as a JavaScript one that matches the same texts, or a refusal.
import type { Position } from "../ast.js";
import { LogstashConfigError } from "../errors.js";

/**
 * Ruby's `^` and `$` match at every line, so the `m` flag; `\A`, `\z`, `\Z` and `\h` are rewritten; inline
 * options, POSIX brackets and other Onigmo-only syntax are refused rather than read differently.
 */
export function rubyRegExp(pattern: string, position: Position): RegExp {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const next = pattern[i + 1];
      i++;
      if (next === undefined) throw refuse(position, pattern, "it ends with a backslash");
      if (!inClass && next === "A") out += "(?<![\\s\\S])";
      else if (!inClass && next === "z") out += "(?![\\s\\S])";
      else if (!inClass && next === "Z") out += "(?=\\n?(?![\\s\\S]))";
      else if (next === "h") out += inClass ? "0-9a-fA-F" : "[0-9a-fA-F]";
      else if (next === "H" && !inClass) out += "[^0-9a-fA-F]";
      else if ("GKRXgkpPHQE".includes(next) || (next === "x" && pattern[i + 1] === "{"))
        throw refuse(position, pattern, `\`\\${next}\` has no JavaScript equivalent`);
      else out += `\\${next}`;
      continue;
    }
    if (inClass) {
      if (c === "[")
        throw refuse(position, pattern, "nested and POSIX bracket classes have no JavaScript equivalent");
      if (c === "]") inClass = false;
      if (c === "&" && pattern[i + 1] === "&")
        throw refuse(position, pattern, "class intersection has no JavaScript equivalent");
      out += c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      if (pattern[i + 1] === "^") out += pattern[++i];
      if (pattern[i + 1] === "]") out += `\\${pattern[++i]}`;
      continue;
    }
    if (c === "(" && pattern[i + 1] === "?") {
      const rest = pattern.slice(i + 2);
      if (!/^(?::|=|!|<=|<!|<[A-Za-z_])/.test(rest))
        throw refuse(position, pattern, "inline options and other `(?` groups have no JavaScript equivalent");
    }
    if ((c === "+" || c === "?" || c === "*" || c === "}") && pattern[i + 1] === "+")
      throw refuse(position, pattern, "possessive quantifiers have no JavaScript equivalent");
    out += c;
  }
  try {
    return new RegExp(out, "m");
  } catch (error) {
    throw refuse(position, pattern, (error as Error).message);
  }
}

function refuse(position: Position, pattern: string, why: string): LogstashConfigError {
  return new LogstashConfigError(
    position,
    `condition: Sluice cannot run the regular expression /${pattern}/: ${why}`,
  );
}
