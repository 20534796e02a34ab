// Joda-Time patterns (what Logstash's date filter and sprintf dates use) split into tokens, and the
// options the parser and the formatter share.
import { ErrorCode, SluiceError } from "../errors.js";
import { type LocaleNames, localeNames, normalizeLocale } from "./locale.js";
import { resolveZone, UTC, type Zone } from "./zone.js";

/** A pattern Joda-Time would refuse, or a letter this implementation does not support. */
export class JodaPatternError extends SluiceError {
  /** An error (code `SLUICE_ERR_CONFIG`) whose message quotes `pattern` and says `why` it is refused. */
  constructor(pattern: string, why: string) {
    super(ErrorCode.CONFIG, `invalid date pattern ${JSON.stringify(pattern)}: ${why}`);
    this.name = "JodaPatternError";
  }
}

/**
 * The numeric fields of a Joda-Time pattern: `M`, `d`, `H`, `h` (`clockHalf`, 1–12), `K` (`hourHalf`, 0–11),
 * `k` (`clockDay`, 1–24), `m`, `s`, `e` (`weekday`, 1 = Monday) and `D` (`dayOfYear`, 1–366).
 */
export type NumberField =
  | "month"
  | "day"
  | "hour"
  | "clockHalf"
  | "hourHalf"
  | "clockDay"
  | "minute"
  | "second"
  | "weekday"
  | "dayOfYear";

/** One element of a compiled Joda-Time pattern, as `compileTokens` returns them. */
export type Token =
  | {
      /** Text written and matched as is (quoted text, punctuation). */
      readonly kind: "literal";
      /** The text. */
      readonly text: string;
    }
  | {
      /** The year (`y`, `Y`). */
      readonly kind: "year";
      /** The number of pattern letters: the digits printed at least. */
      readonly width: number;
      /** The most digits read. */
      readonly max: number;
      /** `yy`: two digits, read within the century around the current year. */
      readonly twoDigit: boolean;
      /** Whether a sign is accepted (and, for `yy`, more than two digits, as a full year); not for `Y`, the year of the era. */
      readonly lenient: boolean;
    }
  | {
      /** A numeric field. */
      readonly kind: "number";
      /** Which field. */
      readonly field: NumberField;
      /** The number of pattern letters: the digits printed at least. */
      readonly width: number;
      /** The most digits read. */
      readonly max: number;
    }
  | {
      /** The fraction of the second (`S`). */
      readonly kind: "fraction";
      /** The number of fraction digits printed. */
      readonly width: number;
    }
  | {
      /** The month's name (`MMM`, `MMMM`). */
      readonly kind: "monthText";
      /** The full name (`MMMM`) rather than the short one. */
      readonly long: boolean;
    }
  | {
      /** The weekday's name (`E`). */
      readonly kind: "weekdayText";
      /** The full name (`EEEE`) rather than the short one. */
      readonly long: boolean;
    }
  | {
      /** AM or PM (`a`). */
      readonly kind: "halfday";
    }
  | {
      /** A UTC offset (`Z`, `ZZ`). */
      readonly kind: "offset";
      /** `ZZ`: hours and minutes separated by a colon. */
      readonly colon: boolean;
    }
  | {
      /** A time-zone id (`ZZZ`), e.g. `Europe/Paris`. */
      readonly kind: "zoneId";
    }
  | {
      /** A time-zone name (`z`). */
      readonly kind: "zoneName";
      /** The full name (`zzzz`) rather than the short one. */
      readonly long: boolean;
    };

const NUMBER_FIELDS: Readonly<Record<string, NumberField>> = {
  d: "day",
  H: "hour",
  h: "clockHalf",
  K: "hourHalf",
  k: "clockDay",
  m: "minute",
  s: "second",
  e: "weekday",
  D: "dayOfYear",
};

/** Joda's isNumericToken: a numeric field right after a year makes the year fixed-width. */
function isNumeric(letter: string, count: number): boolean {
  return "yYdDhHmsSekK".includes(letter) || (letter === "M" && count <= 2);
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

/**
 * Splits a Joda-Time pattern into tokens, as Joda's DateTimeFormat does.
 *
 * @throws JodaPatternError (`SLUICE_ERR_CONFIG`) when the pattern is empty, a quote is not closed, or a
 * letter is not a pattern letter or not supported (`G`, `C`, `x`, `w`).
 */
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
            : // Y is Joda's year of the era: no sign, and no year 0.
              {
                kind: "year",
                width: count,
                max: nextNumeric ? count : 9,
                twoDigit: false,
                lenient: letter === "y",
              },
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
          const known = "GCxw".includes(letter);
          throw new JodaPatternError(
            pattern,
            known
              ? `pattern letter "${letter}" is not supported here`
              : `"${letter}" is not a pattern letter (quote literal text, as in 'T')`,
          );
        }
        // Joda reads up to three digits of a day of the year, two of the other fields, or the letters' count.
        tokens.push({
          kind: "number",
          field,
          width: count,
          max: Math.max(field === "dayOfYear" ? 3 : 2, count),
        });
      }
    }
  }
  return tokens;
}

/** The time zone, locale and clock a Joda-Time parser or formatter uses. */
export interface JodaOptions {
  /** The zone of texts that carry no offset: an IANA id or a fixed offset. Default UTC. */
  timeZone?: string;
  /** Language of month, weekday and AM/PM names (BCP 47 or POSIX `en_US`). Default `en`. */
  locale?: string;
  /** The clock for patterns without a year (tests set it). Default Date.now. */
  now?: () => number;
}

/**
 * The zone a `timeZone` option names (UTC when undefined).
 *
 * @throws SluiceError (`SLUICE_ERR_CONFIG`) when the zone is unknown.
 */
export function zoneOption(timeZone: string | undefined): Zone {
  if (timeZone === undefined) return UTC;
  const zone = resolveZone(timeZone);
  if (!zone) throw new SluiceError(ErrorCode.CONFIG, `unknown time zone ${JSON.stringify(timeZone)}`);
  return zone;
}

/**
 * The month, weekday and AM/PM names of a `locale` option (`en` when undefined).
 *
 * @throws SluiceError (`SLUICE_ERR_CONFIG`) when the locale is unknown.
 */
export function localeOption(locale: string | undefined): LocaleNames {
  const tag = normalizeLocale(locale ?? "en");
  if (tag === undefined) throw new SluiceError(ErrorCode.CONFIG, `unknown locale ${JSON.stringify(locale)}`);
  return localeNames(tag);
}
