// ISO-8601 date-times as Joda's ISODateTimeFormat.dateTimeParser() reads them, and UTC offsets.
import {
  daysFromCivil,
  daysInMonth,
  type Instant,
  instantOf,
  isLeapYear,
  MILLIS_PER_DAY,
} from "./instant.js";
import type { Zone } from "./zone.js";

/** A read position in a text and the number last read there; one per parse, so no state is shared. */
export interface TextScan {
  /** The position in the text. */
  pos: number;
  /** The number last read. */
  value: number;
}

const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

/** Reads up to `max` digits at `pos` into `scan.value`; returns how many it read (`scan.pos` stays). */
function readDigits(text: string, pos: number, max: number, scan: TextScan): number {
  let value = 0;
  let i = pos;
  const end = Math.min(text.length, pos + max);
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    i++;
  }
  scan.value = value;
  return i - pos;
}

function twoDigits(text: string, pos: number): number {
  const a = text.charCodeAt(pos) - 48;
  const b = text.charCodeAt(pos + 1) - 48;
  if (!(a >= 0 && a <= 9 && b >= 0 && b <= 9)) return -1;
  return a * 10 + b;
}

/**
 * Joda's offset parser, lenient as Joda's is: `Z` (or `z`), or a sign and two-digit hours, then optional minutes
 * and seconds, with or without colons. Reads at `scan.pos`; on a match sets `scan.value` to the offset
 * in milliseconds, moves `scan.pos` past it and returns true.
 */
export function parseOffset(text: string, scan: TextScan): boolean {
  const pos = scan.pos;
  const c = text.charCodeAt(pos);
  // Joda matches its zero-offset text "Z" ignoring case.
  if (c === 90 /* Z */ || c === 122 /* z */) {
    scan.value = 0;
    scan.pos = pos + 1;
    return true;
  }
  if (c !== 43 && c !== 45) return false;
  const sign = c === 45 ? -1 : 1;
  const hours = twoDigits(text, pos + 1);
  if (hours < 0 || hours > 23) return false;
  let total = hours * 3_600_000;
  let end = pos + 3;
  const colon = text.charCodeAt(end) === 58;
  for (const unit of [60_000, 1000]) {
    const at = colon ? end + 1 : end;
    if (colon && text.charCodeAt(end) !== 58) break;
    const value = twoDigits(text, at);
    if (value < 0) break;
    if (value > 59) return false;
    total += value * unit;
    end = at + 2;
  }
  scan.value = sign * total;
  scan.pos = end;
  return true;
}

/** The calendar part of an ISO date-time: a day of the year, a week and weekday, or a month and a day. */
interface IsoDate {
  year: number;
  month: number;
  day: number;
  dayOfYear: number;
  /** ISO week 1–53 of `year` read as a week-based year, -1 when not a week date; `weekday` 1 = Monday. */
  week: number;
  weekday: number;
}

/** `[+-]yyyy[-MM[-dd]]`, `yyyy-DDD` or `yyyy-Www[-e]` from `scan.pos`; false when there is no year. */
function readDate(text: string, scan: TextScan, date: IsoDate): boolean {
  let pos = scan.pos;
  let sign = 1;
  const c = text.charCodeAt(pos);
  if (c === 45 || c === 43) {
    sign = c === 45 ? -1 : 1;
    pos++;
  }
  const n = readDigits(text, pos, 9, scan);
  if (n === 0) return false;
  date.year = sign * scan.value;
  pos += n;
  if (text.charCodeAt(pos) === 45 && (text.charCodeAt(pos + 1) | 0x20) === 119 /* W or w */) {
    const w = readDigits(text, pos + 2, 2, scan);
    if (w === 0) return false;
    date.week = scan.value;
    pos += 2 + w;
    if (text.charCodeAt(pos) === 45) {
      if (readDigits(text, pos + 1, 1, scan) === 0) return false;
      date.weekday = scan.value;
      pos += 2;
    }
  } else if (text.charCodeAt(pos) === 45) {
    if (readDigits(text, pos + 1, 3, scan) === 3) {
      date.dayOfYear = scan.value;
      pos += 4;
    } else {
      // Month: at most two digits.
      const mm = readDigits(text, pos + 1, 2, scan);
      if (mm === 0) return false;
      date.month = scan.value;
      pos += 1 + mm;
      if (text.charCodeAt(pos) === 45) {
        const d = readDigits(text, pos + 1, 2, scan);
        if (d === 0) return false;
        date.day = scan.value;
        pos += 1 + d;
      }
    }
  }
  scan.pos = pos;
  return true;
}

/**
 * The milliseconds a fraction of an hour or minute stands for, as Joda computes them: each digit's
 * share of the unit truncated to a tenth of a millisecond on its own, the sum then truncated.
 */
function fractionOfUnit(text: string, start: number, digits: number, unit: number): number {
  let share = unit * 10;
  let tenths = 0;
  for (let i = 0; i < digits; i++) {
    share = Math.floor(share / 10);
    tenths += (text.charCodeAt(start + i) - 48) * share;
  }
  return Math.floor(tenths / 10);
}

/**
 * `HH[:mm[:ss]]` with a `.`/`,` fraction on the last part given, from `scan.pos`: its milliseconds
 * into `scan.value` and the nanoseconds below them as the result; -1 when it is not a time.
 */
function readTime(text: string, scan: TextScan): number {
  let pos = scan.pos;
  const h = readDigits(text, pos, 2, scan);
  const hour = scan.value;
  if (hour > 23) return -1;
  pos += h;
  let unit = 3_600_000;
  let millis = hour * unit;
  let nanos = 0;
  for (const next of [60_000, 1000]) {
    if (text.charCodeAt(pos) !== 58) break;
    const n = readDigits(text, pos + 1, 2, scan);
    if (n === 0 || scan.value > 59) return -1;
    pos += 1 + n;
    unit = next;
    millis += scan.value * unit;
  }
  const sep = text.charCodeAt(pos);
  if (sep === 46 || sep === 44) {
    const start = pos + 1;
    const f = readDigits(text, start, 9, scan);
    if (f === 0) return -1;
    pos = start + f;
    if (unit === 1000) {
      // Of a second: d/1e9 s is d nanoseconds, kept below the millisecond.
      const extra = scan.value * POW10[9 - f]!;
      millis += Math.floor(extra / 1_000_000);
      nanos = extra % 1_000_000;
    } else {
      millis += fractionOfUnit(text, start, f, unit);
    }
  }
  scan.pos = pos;
  scan.value = millis;
  return nanos;
}

/**
 * Joda's ISODateTimeFormat.dateTimeParser(): `yyyy[-MM[-dd]]`, `yyyy-DDD` or `yyyy-Www[-e]`, then
 * optionally `T`, a time `HH[:mm[:ss]]` whose last part may carry a `.`/`,` fraction, and an offset
 * (`Z`, `+01`, `+0100`, `+01:00`); or `T` and a time alone. A text without an offset is read in `zone`;
 * without a zone such a text is refused, for callers whose result must not depend on the machine's.
 */
export function parseIsoDateTime(text: string, zone?: Zone): Instant | undefined {
  const length = text.length;
  const scan: TextScan = { pos: 0, value: 0 };
  const date: IsoDate = { year: 1970, month: 1, day: 1, dayOfYear: -1, week: -1, weekday: 1 };
  // Joda matches the T ignoring case.
  const timeOnly = (text.charCodeAt(0) | 0x20) === 116; /* T or t */
  if (!timeOnly) {
    if (!readDate(text, scan, date)) return undefined;
    if (scan.pos === length) return toInstant(date, 0, 0, undefined, zone);
    if ((text.charCodeAt(scan.pos) | 0x20) !== 116) return undefined;
  }
  scan.pos++; // the T
  let timeMillis = 0;
  let nanos = 0;
  // `T` alone is no time; after a date the time is optional (`2011-04-19T`).
  const hasHour = scan.pos < length && text.charCodeAt(scan.pos) >= 48 && text.charCodeAt(scan.pos) <= 57;
  if (!hasHour && timeOnly) return undefined;
  if (hasHour) {
    nanos = readTime(text, scan);
    if (nanos < 0) return undefined;
    timeMillis = scan.value;
  }
  let offset: number | undefined;
  if (scan.pos < length) {
    if (!parseOffset(text, scan)) return undefined;
    offset = scan.value;
  }
  if (scan.pos !== length) return undefined;
  return toInstant(date, timeMillis, nanos, offset, zone);
}

/** The Monday of ISO week 1 of `year`: the week holding 4 January. */
function firstIsoMonday(year: number): number {
  const jan4 = daysFromCivil(year, 1, 4);
  // 1970-01-01 (day 0) was a Thursday, day 3 counting Monday as 0.
  return jan4 - ((((jan4 + 3) % 7) + 7) % 7);
}

function toInstant(
  date: IsoDate,
  timeMillis: number,
  nanos: number,
  offset: number | undefined,
  zone: Zone | undefined,
): Instant | undefined {
  const { year, month, day, dayOfYear, week, weekday } = date;
  let days: number;
  if (week >= 0) {
    const first = firstIsoMonday(year);
    if (week < 1 || weekday < 1 || weekday > 7 || week > (firstIsoMonday(year + 1) - first) / 7)
      return undefined;
    days = first + (week - 1) * 7 + weekday - 1;
  } else if (dayOfYear >= 0) {
    if (dayOfYear < 1 || dayOfYear > (isLeapYear(year) ? 366 : 365)) return undefined;
    days = daysFromCivil(year, 1, 1) + dayOfYear - 1;
  } else {
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
    days = daysFromCivil(year, month, day);
  }
  const local = days * MILLIS_PER_DAY + timeMillis;
  if (offset === undefined && zone === undefined) return undefined;
  const utc = offset !== undefined ? local - offset : zone!.toUtc(local);
  return utc === undefined ? undefined : instantOf(utc, nanos);
}
