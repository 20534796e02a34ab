// Joda-Time patterns (what Logstash's date filter and sprintf dates use): compiled once, parsed per record.
import { ErrorCode, SluiceError } from "@sluice/core";
import { daysFromCivil, daysInMonth, fieldsOf, type Instant, instantOf, MILLIS_PER_DAY } from "./instant.js";
import { type LocaleNames, localeNames, matchName, normalizeLocale } from "./locale.js";
import { resolveZone, UTC, type Zone } from "./zone.js";

/** A pattern Joda-Time would refuse, or a letter this implementation does not support. */
export class JodaPatternError extends SluiceError {
  constructor(pattern: string, why: string) {
    super(ErrorCode.CONFIG, `invalid date pattern ${JSON.stringify(pattern)}: ${why}`);
    this.name = "JodaPatternError";
  }
}

type NumberField =
  | "month"
  | "day"
  | "hour"
  | "clockHalf"
  | "hourHalf"
  | "clockDay"
  | "minute"
  | "second"
  | "weekday";

type Token =
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

function compileTokens(pattern: string): Token[] {
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

// Joda's default short zone names: the only ones it can parse (DateTimeUtils.getDefaultTimeZoneNames).
const ZONE_NAMES: ReadonlyArray<readonly [string, number]> = [
  ["UTC", 0],
  ["GMT", 0],
  ["UT", 0],
  ["EST", -5],
  ["EDT", -4],
  ["CST", -6],
  ["CDT", -5],
  ["MST", -7],
  ["MDT", -6],
  ["PST", -8],
  ["PDT", -7],
];

let zoneIds: Set<string> | undefined;
function knownZoneIds(): Set<string> {
  zoneIds ??= new Set([...Intl.supportedValuesOf("timeZone"), "UTC", "GMT", "Etc/UTC", "Etc/GMT"]);
  return zoneIds;
}

export interface JodaOptions {
  /** The zone of texts that carry no offset: an IANA id or a fixed offset. Default UTC. */
  timeZone?: string;
  /** Language of month, weekday and AM/PM names (BCP 47 or POSIX `en_US`). Default `en`. */
  locale?: string;
  /** The clock for patterns without a year (tests set it). Default Date.now. */
  now?: () => number;
}

/** Parses one text; `zone` overrides the compiled zone (a `timezone` taken from the event). */
export type JodaParser = (text: string, zone?: Zone) => Instant | undefined;

function zoneOption(timeZone: string | undefined): Zone {
  if (timeZone === undefined) return UTC;
  const zone = resolveZone(timeZone);
  if (!zone) throw new SluiceError(ErrorCode.CONFIG, `unknown time zone ${JSON.stringify(timeZone)}`);
  return zone;
}

function localeOption(locale: string | undefined): LocaleNames {
  const tag = normalizeLocale(locale ?? "en");
  if (tag === undefined) throw new SluiceError(ErrorCode.CONFIG, `unknown locale ${JSON.stringify(locale)}`);
  return localeNames(tag);
}

/**
 * Compiles a Joda-Time pattern into a parser. As Joda: the whole text must match; numbers take up to
 * two digits (`dd` also reads `5`), a year up to nine (fixed width when a number follows, `yyyyMMdd`);
 * `yy` resolves into the century window starting 80 years before now; month and weekday names match
 * long, short or numeric, in any case; fractions read up to nine digits; an offset or zone in the text
 * wins over `timeZone`; a local time in a DST gap does not parse, one in an overlap takes the earlier
 * instant. A pattern without a year takes the current year, or the next one for a January date read in
 * December, or the previous one for a December date read in January (Logstash's rule).
 * Throws JodaPatternError for a bad pattern, a SluiceError (SLUICE_ERR_CONFIG) for an unknown zone or locale.
 */
export function compileJodaParser(pattern: string, options: JodaOptions = {}): JodaParser {
  const tokens = compileTokens(pattern);
  const defaultZone = zoneOption(options.timeZone);
  const names = localeOption(options.locale);
  const now = options.now ?? Date.now;
  const hasYear = tokens.some((t) => t.kind === "year");
  const pivotYear = () => fieldsOf(now()).year - 30;
  let pivot = hasYear && tokens.some((t) => t.kind === "year" && t.twoDigit) ? pivotYear() : 0;

  return (text, zoneOverride) => {
    let pos = 0;
    let year = 2000;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let nanos = 0;
    let halfday = -1;
    let clockHalf = -1;
    let hourHalf = -1;
    let clockDay = -1;
    let offset: number | undefined;
    let zone: Zone | undefined;
    const length = text.length;

    for (let t = 0; t < tokens.length; t++) {
      const token = tokens[t]!;
      switch (token.kind) {
        case "literal": {
          if (!text.startsWith(token.text, pos)) return undefined;
          pos += token.text.length;
          break;
        }
        case "number":
        case "year": {
          let sign = 1;
          let start = pos;
          if (token.kind === "year" && token.lenient && pos < length) {
            const c = text.charCodeAt(pos);
            if (c === 45 /* - */ || c === 43 /* + */) {
              if (c === 45) sign = -1;
              start = ++pos;
            }
          }
          const limit = Math.min(
            length,
            start + (token.kind === "year" && token.twoDigit && token.lenient ? 9 : token.max),
          );
          let value = 0;
          while (pos < limit) {
            const c = text.charCodeAt(pos);
            if (c < 48 || c > 57) break;
            value = value * 10 + (c - 48);
            pos++;
          }
          const digits = pos - start;
          if (digits === 0) return undefined;
          if (token.kind === "year") {
            if (token.twoDigit && digits === 2 && sign === 1) {
              if (pivot === 0) pivot = pivotYear();
              // Joda's TwoDigitYear: the year ending in these digits within [pivot - 50, pivot + 50).
              const low = pivot - 50;
              year = value + Math.floor(low / 100) * 100;
              if (year < low) year += 100;
            } else {
              year = sign * value;
            }
            break;
          }
          switch (token.field) {
            case "month":
              month = value;
              break;
            case "day":
              day = value;
              break;
            case "hour":
              hour = value;
              break;
            case "clockHalf":
              clockHalf = value;
              break;
            case "hourHalf":
              hourHalf = value;
              break;
            case "clockDay":
              clockDay = value;
              break;
            case "minute":
              minute = value;
              break;
            case "second":
              second = value;
              break;
            case "weekday":
              if (value < 1 || value > 7) return undefined;
              break;
          }
          break;
        }
        case "fraction": {
          const start = pos;
          const limit = Math.min(length, pos + 9);
          let value = 0;
          while (pos < limit) {
            const c = text.charCodeAt(pos);
            if (c < 48 || c > 57) break;
            value = value * 10 + (c - 48);
            pos++;
          }
          if (pos === start) return undefined;
          nanos = value * POW10[9 - (pos - start)]!;
          break;
        }
        case "monthText": {
          const match = matchName(names.months, text, pos);
          if (!match) return undefined;
          month = match[0] + 1;
          pos = match[1];
          break;
        }
        case "weekdayText": {
          // Read and checked; the date itself decides the day, as the date fields come first in Joda.
          const match = matchName(names.weekdays, text, pos);
          if (!match) return undefined;
          pos = match[1];
          break;
        }
        case "halfday": {
          const match = matchName(names.halfdays, text, pos);
          if (!match) return undefined;
          halfday = match[0];
          pos = match[1];
          break;
        }
        case "offset": {
          const end = parseOffset(text, pos);
          if (end < 0) return undefined;
          offset = parsedOffset.value;
          pos = end;
          break;
        }
        case "zoneName": {
          let found = false;
          for (const [name, hours] of ZONE_NAMES) {
            if (text.startsWith(name, pos)) {
              offset = hours * 3_600_000;
              pos += name.length;
              found = true;
              break;
            }
          }
          if (!found) return undefined;
          break;
        }
        case "zoneId": {
          let end = pos;
          while (end < length && end - pos < 64 && isZoneIdChar(text.charCodeAt(end))) end++;
          const ids = knownZoneIds();
          let matched: Zone | undefined;
          for (let e = end; e > pos; e--) {
            const id = text.slice(pos, e);
            if (ids.has(id)) {
              matched = resolveZone(id);
              if (matched) {
                pos = e;
                break;
              }
            }
          }
          if (!matched) {
            matched = resolveZone(text.slice(pos, end));
            if (!matched) return undefined;
            pos = end;
          }
          zone = matched;
          break;
        }
      }
    }
    if (pos !== length) return undefined;

    // Hours: the clock-hour fields win over H as they come later in a pattern in practice; check ranges.
    if (clockHalf >= 0) {
      if (clockHalf < 1 || clockHalf > 12) return undefined;
      hour = (clockHalf % 12) + (halfday === 1 ? 12 : 0);
    } else if (hourHalf >= 0) {
      if (hourHalf > 11) return undefined;
      hour = hourHalf + (halfday === 1 ? 12 : 0);
    } else if (clockDay >= 0) {
      if (clockDay < 1 || clockDay > 24) return undefined;
      hour = clockDay % 24;
    } else if (halfday === 1 && hour < 12) {
      hour += 12;
    }
    if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || day < 1) return undefined;
    if (!hasYear) {
      // Logstash's guess: this year, but a January date seen in December is next year's and vice versa.
      const current = fieldsOf(now() + (zone ?? zoneOverride ?? defaultZone).offsetAt(now()));
      year = current.year;
      if (month === 12 && current.month === 1) year--;
      else if (month === 1 && current.month === 12) year++;
      // Joda parses the date in the leap year 2000 and then sets the year: 29 February becomes the 28th.
      if (month === 2 && day === 29) day = daysInMonth(year, 2);
    }
    if (day > daysInMonth(year, month)) return undefined;
    const local =
      daysFromCivil(year, month, day) * MILLIS_PER_DAY +
      hour * 3_600_000 +
      minute * 60_000 +
      second * 1000 +
      Math.floor(nanos / 1_000_000);
    let utc: number | undefined;
    if (offset !== undefined) utc = local - offset;
    else utc = (zone ?? zoneOverride ?? defaultZone).toUtc(local);
    if (utc === undefined) return undefined;
    return instantOf(utc, nanos % 1_000_000);
  };
}

const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

function isZoneIdChar(c: number): boolean {
  return (
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    (c >= 48 && c <= 57) ||
    c === 47 ||
    c === 95 ||
    c === 43 ||
    c === 45 ||
    c === 58
  );
}

/** Where parseOffset leaves the offset it read, in milliseconds (no allocation per call). */
export const parsedOffset = { value: 0 };

/**
 * Joda's offset parser, lenient as Joda's is: `Z`, or a sign and two-digit hours, then optional minutes
 * and seconds, with or without colons. Sets `parsedOffset.value`; returns the end, or -1.
 */
export function parseOffset(text: string, pos: number): number {
  const c = text.charCodeAt(pos);
  if (c === 90 /* Z */) {
    parsedOffset.value = 0;
    return pos + 1;
  }
  if (c !== 43 && c !== 45) return -1;
  const sign = c === 45 ? -1 : 1;
  const hours = twoDigits(text, pos + 1);
  if (hours < 0 || hours > 23) return -1;
  let total = hours * 3_600_000;
  let end = pos + 3;
  const colon = text.charCodeAt(end) === 58;
  for (const unit of [60_000, 1000]) {
    const at = colon ? end + 1 : end;
    if (colon && text.charCodeAt(end) !== 58) break;
    const value = twoDigits(text, at);
    if (value < 0) break;
    if (value > 59) return -1;
    total += value * unit;
    end = at + 2;
  }
  parsedOffset.value = sign * total;
  return end;
}

function twoDigits(text: string, pos: number): number {
  const a = text.charCodeAt(pos) - 48;
  const b = text.charCodeAt(pos + 1) - 48;
  if (!(a >= 0 && a <= 9 && b >= 0 && b <= 9)) return -1;
  return a * 10 + b;
}

// ---------------------------------------------------------------------------------------------------
// Formatting

type Printer = (millis: number, local: ReturnType<typeof fieldsOf>, zone: Zone) => string;

const pad = (n: number, width: number): string => {
  const text = String(Math.abs(n)).padStart(width, "0");
  return n < 0 ? `-${text}` : text;
};

function compilePrinter(pattern: string, names: LocaleNames): Printer[] {
  const printers: Printer[] = [];
  for (const token of compileTokens(pattern)) {
    switch (token.kind) {
      case "literal": {
        const text = token.text;
        printers.push(() => text);
        break;
      }
      case "year":
        printers.push(
          token.twoDigit
            ? (_m, f) => pad(((f.year % 100) + 100) % 100, 2)
            : (_m, f) => pad(f.year, token.width),
        );
        break;
      case "number": {
        const width = token.width;
        const get: Record<NumberField, (f: ReturnType<typeof fieldsOf>) => number> = {
          month: (f) => f.month,
          day: (f) => f.day,
          hour: (f) => f.hour,
          clockHalf: (f) => (f.hour % 12 === 0 ? 12 : f.hour % 12),
          hourHalf: (f) => f.hour % 12,
          clockDay: (f) => (f.hour === 0 ? 24 : f.hour),
          minute: (f) => f.minute,
          second: (f) => f.second,
          weekday: (f) => f.weekday,
        };
        const read = get[token.field];
        printers.push((_m, f) => pad(read(f), width));
        break;
      }
      case "fraction": {
        // Joda holds milliseconds: digits beyond the third print as zeros.
        const width = token.width;
        printers.push((_m, f) => String(f.millis).padStart(3, "0").padEnd(width, "0").slice(0, width));
        break;
      }
      case "monthText": {
        const list = token.long ? names.months.long : names.months.short;
        printers.push((_m, f) => list[f.month - 1]!);
        break;
      }
      case "weekdayText": {
        const list = token.long ? names.weekdays.long : names.weekdays.short;
        printers.push((_m, f) => list[f.weekday - 1]!);
        break;
      }
      case "halfday":
        printers.push((_m, f) => names.halfdays.short[f.hour < 12 ? 0 : 1]!);
        break;
      case "offset": {
        const colon = token.colon ? ":" : "";
        printers.push((m, _f, zone) => {
          const offset = zone.offsetAt(m);
          const abs = Math.abs(offset);
          const h = Math.floor(abs / 3_600_000);
          const min = Math.floor((abs % 3_600_000) / 60_000);
          return `${offset < 0 ? "-" : "+"}${pad(h, 2)}${colon}${pad(min, 2)}`;
        });
        break;
      }
      case "zoneId":
        printers.push((_m, _f, zone) => zone.id);
        break;
      case "zoneName": {
        const long = token.long;
        printers.push((m, _f, zone) => zone.name(m, long));
        break;
      }
    }
  }
  return printers;
}

const formatters = new Map<string, (millis: number) => string>();
const MAX_FORMATTERS = 512;

/**
 * Formats epoch milliseconds with a Joda pattern in a zone (default UTC) and locale (default `en`):
 * the signature of sprintf's DateFormatter, so `(m, p) => formatJoda(m, p)` serves `%{+yyyy.MM.dd}`.
 * Compiled formatters are cached per pattern, zone and locale. Throws JodaPatternError for a bad pattern.
 */
export function formatJoda(epochMillis: number, pattern: string, timeZone = "UTC", locale = "en"): string {
  const key = `${timeZone}\u0000${locale}\u0000${pattern}`;
  let format = formatters.get(key);
  if (format === undefined) {
    format = compileJodaFormatter(pattern, { timeZone, locale });
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatters.set(key, format);
  }
  return format(epochMillis);
}

/** Compiles a Joda pattern into a formatter of epoch milliseconds. */
export function compileJodaFormatter(
  pattern: string,
  options: Omit<JodaOptions, "now"> = {},
): (epochMillis: number) => string {
  const zone = zoneOption(options.timeZone);
  const printers = compilePrinter(pattern, localeOption(options.locale));
  return (epochMillis) => {
    const millis = Math.floor(epochMillis);
    const local = fieldsOf(millis + zone.offsetAt(millis));
    let out = "";
    for (const print of printers) out += print(millis, local, zone);
    return out;
  };
}
