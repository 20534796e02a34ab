// Joda-Time patterns (what Logstash's date filter and sprintf dates use) split into tokens, and the
// options the parser and the formatter share.
import { ErrorCode, SluiceError } from "../errors.js";
import { type LocaleNames, localeNames, normalizeLocale } from "./locale.js";
import { resolveZone, UTC, type Zone } from "./zone.js";

/** A pattern Joda-Time would refuse, or a letter this implementation does not support. */
export class JodaPatternError extends SluiceError {
  constructor(pattern: string, why: string) {
    super(ErrorCode.CONFIG, `invalid date pattern ${JSON.stringify(pattern)}: ${why}`);
    this.name = "JodaPatternError";
  }
}

export type NumberField =
  | "month"
  | "day"
  | "hour"
  | "clockHalf"
  | "hourHalf"
  | "clockDay"
  | "minute"
  | "second"
  | "weekday";

export type Token =
  | { readonly kind: "literal"; readonly text: string }
  | {
      readonly kind: "year";
      readonly width: number;
      readonly max: number;
      readonly twoDigit: boolean;
      readonly lenient: boolean;
    }
  | { readonly kind: "number"; readonly field: NumberField; readonly width: number; readonly max: number }
  | { readonly kind: "fraction"; readonly width: number }
  | { readonly kind: "monthText"; readonly long: boolean }
  | { readonly kind: "weekdayText"; readonly long: boolean }
  | { readonly kind: "halfday" }
  | { readonly kind: "offset"; readonly colon: boolean }
  | { readonly kind: "zoneId" }
  | { readonly kind: "zoneName"; readonly long: boolean };

const NUMBER_FIELDS: Readonly<Record<string, NumberField>> = {
  d: "day",
  H: "hour",
  h: "clockHalf",
  K: "hourHalf",
  k: "clockDay",
  m: "minute",
  s: "second",
  e: "weekday",
};

/** Joda's isNumericToken: a numeric field right after a year makes the year fixed-width. */
function isNumeric(letter: string, count: number): boolean {
  return "yYdhHmsSekK".includes(letter) || (letter === "M" && count <= 2);
}

interface RawToken {
  readonly letter?: string;
  readonly count: number;
  readonly text: string;
}

/** Splits a pattern as Joda's DateTimeFormat does: letter runs, quoted text, other characters. */
function lex(pattern: string): RawToken[] {
  const out: RawToken[] = [];
  let i = 0;
  let literal = "";
  const flush = () => {
    if (literal) out.push({ count: 0, text: literal });
    literal = "";
  };
  while (i < pattern.length) {
    const c = pattern[i]!;
    if ((c >= "A" && c <= "Z") || (c >= "a" && c <= "z")) {
      flush();
      let j = i + 1;
      while (j < pattern.length && pattern[j] === c) j++;
      out.push({ letter: c, count: j - i, text: "" });
      i = j;
    } else if (c === "'") {
      if (pattern[i + 1] === "'") {
        literal += "'";
        i += 2;
        continue;
      }
      let j = i + 1;
      for (;;) {
        if (j >= pattern.length) throw new JodaPatternError(pattern, "a quote is not closed");
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            literal += "'";
            j += 2;
            continue;
          }
          break;
        }
        literal += pattern[j];
        j++;
      }
      i = j + 1;
    } else {
      literal += c;
      i++;
    }
  }
  flush();
  return out;
}

export function compileTokens(pattern: string): Token[] {
  if (pattern.length === 0) throw new JodaPatternError(pattern, "it is empty");
  const raw = lex(pattern);
  const tokens: Token[] = [];
  for (let i = 0; i < raw.length; i++) {
    const { letter, count, text } = raw[i]!;
    if (letter === undefined) {
      tokens.push({ kind: "literal", text });
      continue;
    }
    const next = raw[i + 1];
    const nextNumeric = next?.letter !== undefined && isNumeric(next.letter, next.count);
    switch (letter) {
      case "y":
      case "Y":
        tokens.push(
          count === 2
            ? { kind: "year", width: 2, max: 2, twoDigit: true, lenient: !nextNumeric }
            : { kind: "year", width: count, max: nextNumeric ? count : 9, twoDigit: false, lenient: true },
        );
        break;
      case "M":
        tokens.push(
          count >= 3
            ? { kind: "monthText", long: count >= 4 }
            : { kind: "number", field: "month", width: count, max: 2 },
        );
        break;
      case "E":
        tokens.push({ kind: "weekdayText", long: count >= 4 });
        break;
      case "a":
        tokens.push({ kind: "halfday" });
        break;
      case "S":
        tokens.push({ kind: "fraction", width: count });
        break;
      case "Z":
        tokens.push(count >= 3 ? { kind: "zoneId" } : { kind: "offset", colon: count === 2 });
        break;
      case "z":
        tokens.push({ kind: "zoneName", long: count >= 4 });
        break;
      default: {
        const field = NUMBER_FIELDS[letter];
        if (field === undefined) {
          const known = "GCxwDFW".includes(letter);
          throw new JodaPatternError(
            pattern,
            known
              ? `pattern letter "${letter}" is not supported here`
              : `"${letter}" is not a pattern letter (quote literal text, as in 'T')`,
          );
        }
        tokens.push({ kind: "number", field, width: count, max: Math.max(2, count) });
      }
    }
  }
  return tokens;
}

export interface JodaOptions {
  /** The zone of texts that carry no offset: an IANA id or a fixed offset. Default UTC. */
  timeZone?: string;
  /** Language of month, weekday and AM/PM names (BCP 47 or POSIX `en_US`). Default `en`. */
  locale?: string;
  /** The clock for patterns without a year (tests set it). Default Date.now. */
  now?: () => number;
}

export function zoneOption(timeZone: string | undefined): Zone {
  if (timeZone === undefined) return UTC;
  const zone = resolveZone(timeZone);
  if (!zone) throw new SluiceError(ErrorCode.CONFIG, `unknown time zone ${JSON.stringify(timeZone)}`);
  return zone;
}

export function localeOption(locale: string | undefined): LocaleNames {
  const tag = normalizeLocale(locale ?? "en");
  if (tag === undefined) throw new SluiceError(ErrorCode.CONFIG, `unknown locale ${JSON.stringify(locale)}`);
  return localeNames(tag);
}
