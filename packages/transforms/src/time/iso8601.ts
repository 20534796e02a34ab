// ISO8601 as Logstash's date filter reads it: Joda's ISO date-time parser, then four "casual" patterns.
import { ErrorCode, SluiceError } from "@sluice/core";
import {
  daysFromCivil,
  daysInMonth,
  type Instant,
  instantOf,
  isLeapYear,
  MILLIS_PER_DAY,
} from "./instant.js";
import { compileJodaParser, type JodaParser, parsedOffset, parseOffset } from "./joda.js";
import { resolveZone, UTC, type Zone } from "./zone.js";

// Logstash's CasualISO8601Parser tries these after ISODateTimeFormat.dateTimeParser().
const CASUAL = [
  "yyyy-MM-dd HH:mm:ss.SSSZ",
  "yyyy-MM-dd HH:mm:ss.SSS",
  "yyyy-MM-dd HH:mm:ss,SSSZ",
  "yyyy-MM-dd HH:mm:ss,SSS",
];

/**
 * Logstash's `ISO8601`: Joda's extended ISO parser — `yyyy[-MM[-dd]]` or `yyyy-DDD`, then optionally
 * `T`, a time `HH[:mm[:ss]]` whose last part may carry a `.`/`,` fraction, and an offset (`Z`, `+01`,
 * `+0100`, `+01:00`) — then `yyyy-MM-dd HH:mm:ss.SSS` with `.` or `,`, with or without an offset.
 * Texts without an offset are read in `timeZone` (default UTC). Week dates (`2024-W01-1`) are not read.
 */
export function compileIso8601Parser(options: { timeZone?: string; locale?: string } = {}): JodaParser {
  const defaultZone = options.timeZone === undefined ? UTC : resolveZone(options.timeZone);
  if (!defaultZone)
    throw new SluiceError(ErrorCode.CONFIG, `unknown time zone ${JSON.stringify(options.timeZone)}`);
  const casual = CASUAL.map((p) => compileJodaParser(p, options));
  return (text, zone) => {
    const instant = parseIsoDateTime(text, zone ?? defaultZone);
    if (instant !== undefined) return instant;
    // The casual forms all have a space at position 10 or later; skip them for anything else.
    if (text.indexOf(" ") < 0) return undefined;
    for (const parse of casual) {
      const result = parse(text, zone);
      if (result !== undefined) return result;
    }
    return undefined;
  };
}

const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

/** Reads up to `max` digits at `pos`: sets `digitsValue`, returns the count. */
let digitsValue = 0;
function digits(text: string, pos: number, max: number): number {
  let value = 0;
  let i = pos;
  const end = Math.min(text.length, pos + max);
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    i++;
  }
  digitsValue = value;
  return i - pos;
}

/** Joda's ISODateTimeFormat.dateTimeParser(), without week dates. */
export function parseIsoDateTime(text: string, zone: Zone): Instant | undefined {
  const length = text.length;
  let pos = 0;
  let year = 1970;
  let month = 1;
  let day = 1;
  let dayOfYear = 0;
  const timeOnly = text.charCodeAt(0) === 84; /* T */
  if (!timeOnly) {
    let sign = 1;
    const c = text.charCodeAt(0);
    if (c === 45 || c === 43) {
      sign = c === 45 ? -1 : 1;
      pos++;
    }
    const n = digits(text, pos, 9);
    if (n === 0) return undefined;
    year = sign * digitsValue;
    pos += n;
    if (text.charCodeAt(pos) === 45) {
      const m = digits(text, pos + 1, 3);
      if (m === 3) {
        dayOfYear = digitsValue;
        pos += 4;
      } else {
        // Month: at most two digits.
        const mm = digits(text, pos + 1, 2);
        if (mm === 0) return undefined;
        month = digitsValue;
        pos += 1 + mm;
        if (text.charCodeAt(pos) === 45) {
          const d = digits(text, pos + 1, 2);
          if (d === 0) return undefined;
          day = digitsValue;
          pos += 1 + d;
        }
      }
    }
    if (pos === length) return finish(year, month, day, dayOfYear, 0, undefined, zone);
    if (text.charCodeAt(pos) !== 84) return undefined;
  }
  pos++; // the T
  let timeMillis = 0;
  let nanos = 0;
  // time-element: HH [':' mm [':' ss]] with a fraction on the last part given.
  const h = digits(text, pos, 2);
  // `T` alone is no time; after a date the time is optional (`2011-04-19T`).
  if (h === 0 && timeOnly) return undefined;
  if (h > 0) {
    const hour = digitsValue;
    if (hour > 23) return undefined;
    pos += h;
    let unit = 3_600_000;
    timeMillis = hour * unit;
    for (const next of [60_000, 1000]) {
      if (text.charCodeAt(pos) !== 58) break;
      const n = digits(text, pos + 1, 2);
      if (n === 0) return undefined;
      if (digitsValue > 59) return undefined;
      pos += 1 + n;
      unit = next;
      timeMillis += digitsValue * unit;
    }
    const sep = text.charCodeAt(pos);
    if (sep === 46 || sep === 44) {
      const start = pos + 1;
      const f = digits(text, start, 9);
      if (f === 0) return undefined;
      pos = start + f;
      // The fraction is of the last unit read: d/1e9 of `unit` ms is d × unit / 1000 ns (< 2^53).
      const extra = Math.floor((digitsValue * POW10[9 - f]! * unit) / 1000);
      timeMillis += Math.floor(extra / 1_000_000);
      nanos = extra % 1_000_000;
    }
  }
  let offset: number | undefined;
  if (pos < length) {
    const end = parseOffset(text, pos);
    if (end < 0) return undefined;
    offset = parsedOffset.value;
    pos = end;
  }
  if (pos !== length) return undefined;
  return finish(year, month, day, dayOfYear, timeMillis, offset, zone, nanos);
}

function finish(
  year: number,
  month: number,
  day: number,
  dayOfYear: number,
  timeMillis: number,
  offset: number | undefined,
  zone: Zone,
  nanos = 0,
): Instant | undefined {
  let days: number;
  if (dayOfYear > 0) {
    if (dayOfYear > (isLeapYear(year) ? 366 : 365)) return undefined;
    days = daysFromCivil(year, 1, 1) + dayOfYear - 1;
  } else {
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
    days = daysFromCivil(year, month, day);
  }
  const local = days * MILLIS_PER_DAY + timeMillis;
  const utc = offset !== undefined ? local - offset : zone.toUtc(local);
  return utc === undefined ? undefined : instantOf(utc, nanos);
}
