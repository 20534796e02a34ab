// Joda-Time pattern parsing (Logstash's date filter): compiled once, then one small function per token kind.
import {
  compileTokens,
  daysFromCivil,
  daysInMonth,
  fieldsOf,
  type Instant,
  instantOf,
  isLeapYear,
  type JodaOptions,
  localeOption,
  MILLIS_PER_DAY,
  matchName,
  parseOffset,
  resolveZone,
  type TextScan,
  type Token,
  type Zone,
  zoneOption,
} from "@sluice/core/time";

export { compileJodaFormatter, formatJoda, type JodaOptions, JodaPatternError } from "@sluice/core/time";

// Joda's default zone names, the only ones it can parse (DateTimeUtils.getDefaultTimeZoneNames): each
// names a zone, not an offset, so EDT read in January is EST and 1800's times are local mean time.
const ZONE_NAMES: ReadonlyArray<readonly [string, string]> = [
  ["UTC", "UTC"],
  ["GMT", "UTC"],
  ["UT", "UTC"],
  ["EST", "America/New_York"],
  ["EDT", "America/New_York"],
  ["CST", "America/Chicago"],
  ["CDT", "America/Chicago"],
  ["MST", "America/Denver"],
  ["MDT", "America/Denver"],
  ["PST", "America/Los_Angeles"],
  ["PDT", "America/Los_Angeles"],
];

/** The zone ids a `ZZZ` field may match, longest first wins; only patterns with one need them. */
function knownZoneIds(tokens: readonly Token[]): ReadonlySet<string> {
  if (!tokens.some((t) => t.kind === "zoneId")) return new Set();
  return new Set([...Intl.supportedValuesOf("timeZone"), "UTC", "GMT", "Etc/UTC", "Etc/GMT"]);
}

const DATE_KINDS: ReadonlySet<string> = new Set(["monthText", "weekdayText"]);
const DATE_FIELDS: ReadonlySet<string> = new Set(["month", "day", "dayOfYear", "weekday"]);

/** Parses one text; `zone` overrides the compiled zone (a `timezone` taken from the event). */
export type JodaParser = (text: string, zone?: Zone) => Instant | undefined;

/** What a compiled parser keeps: its tokens and the defaults the text may leave out. */
interface ParserContext {
  readonly tokens: readonly Token[];
  readonly names: ReturnType<typeof localeOption>;
  readonly defaultZone: Zone;
  readonly now: () => number;
  /** Logstash's tests on the pattern's text (quoted letters count): a `y`/`Y`, and a `Z`. */
  readonly hasYear: boolean;
  readonly hasZone: boolean;
  /** The year Joda starts from: 2000 when the pattern has date fields but no year, else 1970. */
  readonly baseYear: number;
  readonly zoneIds: ReadonlySet<string>;
  /** The two-digit-year window's middle; 0 until a two-digit year first needs it. */
  pivot: number;
}

/** What one text said, field by field; `pos` and `value` are the read position and the last number. */
interface ParsedFields extends TextScan {
  year: number;
  month: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  /** 0 AM, 1 PM, -1 not given; the clock fields and the hour of the day likewise -1 when not given. */
  halfday: number;
  hourOfDay: number;
  clockHalf: number;
  hourHalf: number;
  clockDay: number;
  /** Set when given (else -1): a day of the month, of the year, of the week (1 = Monday). */
  dayOfMonth: number;
  dayOfYear: number;
  weekday: number;
  offset: number | undefined;
  zone: Zone | undefined;
}

/**
 * Compiles a Joda-Time pattern into a parser that reads as Logstash's date filter does with Joda. The
 * whole text must match; numbers take up to two digits (`dd` also reads `5`), `D` three, a year up to
 * nine (fixed width when a number follows, `yyyyMMdd`); `yy` resolves into the century window starting 80
 * years before now; month and weekday names are the locale's long or short forms, in any case; a weekday
 * moves the date within its week; fractions read as many digits as the pattern has `S` letters; literals
 * match in any case; an offset or zone in the text wins over `timeZone`; a local time in a DST gap does
 * not parse, one in an overlap takes the earlier instant. A pattern without `y`/`Y` is read in year 2000
 * and moved to the UTC clock's year, or the next one for a January date read in December, or the previous
 * one for a December date read in January (Logstash's rule).
 * Throws JodaPatternError for a bad pattern, a SluiceError (SLUICE_ERR_CONFIG) for an unknown zone or locale.
 */
export function compileJodaParser(pattern: string, options: JodaOptions = {}): JodaParser {
  const tokens = compileTokens(pattern);
  const now = options.now ?? Date.now;
  const hasYear = /[yY]/.test(pattern);
  const context: ParserContext = {
    tokens,
    names: localeOption(options.locale),
    defaultZone: zoneOption(options.timeZone),
    now,
    hasYear,
    hasZone: pattern.includes("Z"),
    baseYear: tokens.some((t) => DATE_KINDS.has(t.kind) || (t.kind === "number" && DATE_FIELDS.has(t.field)))
      ? 2000
      : 1970,
    zoneIds: knownZoneIds(tokens),
    pivot: tokens.some((t) => t.kind === "year" && t.twoDigit) ? pivotYear(now) : 0,
  };
  return (text, zoneOverride) => parseWith(context, text, zoneOverride);
}

function pivotYear(now: () => number): number {
  return fieldsOf(now()).year - 30;
}

function parseWith(
  context: ParserContext,
  text: string,
  zoneOverride: Zone | undefined,
): Instant | undefined {
  const fields: ParsedFields = {
    pos: 0,
    value: 0,
    year: context.baseYear,
    month: -1,
    hour: 0,
    minute: 0,
    second: 0,
    nanos: 0,
    halfday: -1,
    hourOfDay: -1,
    clockHalf: -1,
    hourHalf: -1,
    clockDay: -1,
    dayOfMonth: -1,
    dayOfYear: -1,
    weekday: -1,
    offset: undefined,
    zone: undefined,
  };
  const tokens = context.tokens;
  for (let t = 0; t < tokens.length; t++) {
    if (!readToken(tokens[t]!, text, fields, context)) return undefined;
  }
  if (fields.pos !== text.length) return undefined;
  if (!resolveHour(fields)) return undefined;
  const { month, minute, second } = fields;
  if (month === 0 || month > 12 || fields.hour > 23 || minute > 59 || second > 59) return undefined;
  // A year-less pattern without Z is read as a local time: a zone its text names is not used.
  const parsedZone = context.hasYear || context.hasZone ? fields.zone : undefined;
  const zone = parsedZone ?? zoneOverride ?? context.defaultZone;
  if (context.hasYear) {
    const local = localMillis(fields, fields.year);
    if (local === undefined) return undefined;
    const utc = fields.offset !== undefined ? local - fields.offset : zone.toUtc(local);
    return utc === undefined ? undefined : instantOf(utc, fields.nanos % 1_000_000);
  }
  return withGuessedYear(fields, context, zone, zoneOverride ?? context.defaultZone);
}

function readToken(token: Token, text: string, fields: ParsedFields, context: ParserContext): boolean {
  switch (token.kind) {
    case "literal": {
      // Joda matches literal text ignoring case.
      const end = fields.pos + token.text.length;
      if (
        !text.startsWith(token.text, fields.pos) &&
        text.slice(fields.pos, end).toLowerCase() !== token.text.toLowerCase()
      )
        return false;
      fields.pos = end;
      return true;
    }
    case "year":
      return readYear(token, text, fields, context);
    case "number":
      return readNumber(token, text, fields);
    case "fraction":
      return readFraction(token, text, fields);
    case "monthText": {
      const match = matchName(context.names.months, text, fields.pos);
      if (!match) return false;
      fields.month = match[0] + 1;
      fields.pos = match[1];
      return true;
    }
    case "weekdayText": {
      const match = matchName(context.names.weekdays, text, fields.pos);
      if (!match) return false;
      fields.weekday = match[0] + 1;
      fields.pos = match[1];
      return true;
    }
    case "halfday": {
      const match = matchName(context.names.halfdays, text, fields.pos);
      if (!match) return false;
      fields.halfday = match[0];
      fields.pos = match[1];
      return true;
    }
    case "offset":
      if (!parseOffset(text, fields)) return false;
      fields.offset = fields.value;
      return true;
    case "zoneName":
      return readZoneName(text, fields);
    case "zoneId":
      return readZoneId(text, fields, context.zoneIds);
  }
}

/** Digits from `fields.pos` up to `limit` into `fields.value`; returns how many. */
function readDigitsUpTo(text: string, fields: ParsedFields, limit: number): number {
  const start = fields.pos;
  const end = Math.min(text.length, limit);
  let pos = start;
  let value = 0;
  while (pos < end) {
    const c = text.charCodeAt(pos);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    pos++;
  }
  fields.pos = pos;
  fields.value = value;
  return pos - start;
}

function readYear(
  token: Extract<Token, { kind: "year" }>,
  text: string,
  fields: ParsedFields,
  context: ParserContext,
): boolean {
  let sign = 0;
  if (token.lenient && fields.pos < text.length) {
    const c = text.charCodeAt(fields.pos);
    if (c === 45 /* - */ || c === 43 /* + */) {
      sign = c === 45 ? -1 : 1;
      fields.pos++;
    }
  }
  const width = token.twoDigit && token.lenient ? 9 : token.max;
  const digits = readDigitsUpTo(text, fields, fields.pos + width);
  if (digits === 0 || (!token.lenient && !token.twoDigit && fields.value === 0)) return false;
  // A signed or longer yy is a full year, as Joda's lenient TwoDigitYear reads it.
  if (token.twoDigit && digits === 2 && sign === 0) {
    if (context.pivot === 0) context.pivot = pivotYear(context.now);
    // Joda's TwoDigitYear: the year ending in these digits within [pivot - 50, pivot + 50).
    const low = context.pivot - 50;
    fields.year = fields.value + Math.floor(low / 100) * 100;
    if (fields.year < low) fields.year += 100;
  } else {
    fields.year = (sign || 1) * fields.value;
  }
  return true;
}

function readNumber(token: Extract<Token, { kind: "number" }>, text: string, fields: ParsedFields): boolean {
  if (readDigitsUpTo(text, fields, fields.pos + token.max) === 0) return false;
  const value = fields.value;
  switch (token.field) {
    case "month":
      fields.month = value;
      return true;
    case "day":
      fields.dayOfMonth = value;
      return true;
    case "dayOfYear":
      fields.dayOfYear = value;
      return true;
    case "hour":
      fields.hour = value;
      fields.hourOfDay = value;
      return true;
    case "clockHalf":
      fields.clockHalf = value;
      return true;
    case "hourHalf":
      fields.hourHalf = value;
      return true;
    case "clockDay":
      fields.clockDay = value;
      return true;
    case "minute":
      fields.minute = value;
      return true;
    case "second":
      fields.second = value;
      return true;
    case "weekday":
      fields.weekday = value;
      return value >= 1 && value <= 7;
  }
}

/** Joda reads at most as many fraction digits as the pattern has `S` letters. */
function readFraction(
  token: Extract<Token, { kind: "fraction" }>,
  text: string,
  fields: ParsedFields,
): boolean {
  const start = fields.pos;
  const digits = readDigitsUpTo(text, fields, start + Math.min(9, token.width));
  if (digits === 0) return false;
  fields.nanos = fields.value * POW10[9 - digits]!;
  // Digits past the ninth are read but below a nanosecond.
  if (token.width > 9 && digits === 9) {
    const value = fields.value;
    readDigitsUpTo(text, fields, start + token.width);
    fields.value = value;
  }
  return true;
}

function readZoneName(text: string, fields: ParsedFields): boolean {
  for (const [name, id] of ZONE_NAMES) {
    if (text.startsWith(name, fields.pos)) {
      fields.zone = resolveZone(id);
      fields.pos += name.length;
      return fields.zone !== undefined;
    }
  }
  return false;
}

/** The longest known zone id at `fields.pos`, else whatever id-like text is there if it names a zone. */
function readZoneId(text: string, fields: ParsedFields, ids: ReadonlySet<string>): boolean {
  const pos = fields.pos;
  let end = pos;
  while (end < text.length && end - pos < 64 && isZoneIdChar(text.charCodeAt(end))) end++;
  // The whole run first, as Joda takes the longest id: links (US/Eastern) and Etc/GMT-14 are not in
  // Intl's list, and Etc/GMT-1 must not win over it. Joda knows no offsets, UT or Z as ids.
  const whole = text.slice(pos, end);
  const idLike =
    /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/.test(whole) && whole !== "UT" && whole !== "Z";
  for (let e = end; e > pos; e--) {
    const id = e === end ? whole : text.slice(pos, e);
    if (!(ids.has(id) || (e === end && idLike))) continue;
    const zone = resolveZone(id);
    if (zone) {
      fields.zone = zone;
      fields.pos = e;
      return true;
    }
  }
  return false;
}

/** Hours: the clock-hour fields win over H as they come later in a pattern in practice; checks ranges. */
function resolveHour(fields: ParsedFields): boolean {
  const { clockHalf, hourHalf, clockDay } = fields;
  const pm = fields.halfday === 1;
  if (clockHalf >= 0) {
    if (clockHalf < 1 || clockHalf > 12) return false;
    fields.hour = (clockHalf % 12) + (pm ? 12 : 0);
  } else if (hourHalf >= 0) {
    if (hourHalf > 11) return false;
    fields.hour = hourHalf + (pm ? 12 : 0);
  } else if (clockDay >= 0) {
    if (clockDay < 1 || clockDay > 24) return false;
    fields.hour = clockDay % 24;
  } else if (pm && fields.hourOfDay < 0) {
    // Joda sets AM/PM before the hour of the day, so an H field overrides it; alone, PM is noon.
    fields.hour = 12;
  }
  return true;
}

/**
 * The local date-time of the fields in `year`, as Joda's parser sets them: from 1 January, the year,
 * month, day of the year, day of the month, then the weekday (which moves the date within its
 * Monday-to-Sunday week), all twice over, as Joda sets its fields again once all are known; undefined
 * when a day does not exist.
 */
function localMillis(fields: ParsedFields, year: number): number | undefined {
  const first = setDate(fields, year, daysFromCivil(year, 1, 1));
  const days = first === undefined ? undefined : setDate(fields, year, first);
  if (days === undefined) return undefined;
  return (
    days * MILLIS_PER_DAY +
    fields.hour * 3_600_000 +
    fields.minute * 60_000 +
    fields.second * 1000 +
    Math.floor(fields.nanos / 1_000_000)
  );
}

/** One pass of Joda's field setters over the date `days`; setting a year or month keeps the day, clamped to the month. */
function setDate(fields: ParsedFields, year: number, days: number): number | undefined {
  let { month, day } = fieldsOf(days * MILLIS_PER_DAY);
  day = Math.min(day, daysInMonth(year, month));
  if (fields.month > 0) {
    month = fields.month;
    day = Math.min(day, daysInMonth(year, month));
  }
  if (fields.dayOfYear >= 0) {
    if (fields.dayOfYear < 1 || fields.dayOfYear > (isLeapYear(year) ? 366 : 365)) return undefined;
    ({ month, day } = fieldsOf((daysFromCivil(year, 1, 1) + fields.dayOfYear - 1) * MILLIS_PER_DAY));
  }
  if (fields.dayOfMonth >= 0) {
    if (fields.dayOfMonth < 1 || fields.dayOfMonth > daysInMonth(year, month)) return undefined;
    day = fields.dayOfMonth;
  }
  let date = daysFromCivil(year, month, day);
  // 1970-01-01 (day 0) was a Thursday, day 4 of Joda's Monday-first week.
  if (fields.weekday > 0) date += fields.weekday - ((((date + 3) % 7) + 7) % 7) - 1;
  return date;
}

/**
 * Logstash's date filter for a pattern without a year: Joda reads the text in its default year, 2000 (so
 * a wall time in that year's DST gap fails), then the date moves to the clock's year in UTC (a December
 * date read in January to the previous one, a January date read in December to the next), keeping the
 * offset when it still holds there and otherwise resolving as Joda's lenient setter does, all in the
 * parser's zone. Without a `Z` in the pattern the text is read as a local time, so a zone name it
 * carries is not used.
 */
function withGuessedYear(
  fields: ParsedFields,
  context: ParserContext,
  zone: Zone,
  parserZone: Zone,
): Instant | undefined {
  const base = localMillis(fields, fields.year);
  if (base === undefined) return undefined;
  const offset = context.hasZone ? fields.offset : undefined;
  const read = offset !== undefined ? base - offset : zone.toUtc(base);
  if (read === undefined) return undefined;
  // Joda hands the instant back in the parser's zone, whatever zone the text named: the year moves there.
  const local = read + parserZone.offsetAt(read);
  const date = fieldsOf(local);
  const clock = fieldsOf(context.now());
  let year = clock.year;
  if (date.month === 12 && clock.month === 1) year--;
  else if (date.month === 1 && clock.month === 12) year++;
  // Joda keeps the day of the month, but 29 February becomes the 28th in a common year.
  const day = Math.min(date.day, daysInMonth(year, date.month));
  const timeOfDay = local - Math.floor(local / MILLIS_PER_DAY) * MILLIS_PER_DAY;
  const moved = daysFromCivil(year, date.month, day) * MILLIS_PER_DAY + timeOfDay;
  return instantOf(lenientUtc(parserZone, moved, read), fields.nanos % 1_000_000);
}

/**
 * Joda's lenient local-to-UTC conversion when a field of an instant is set: the instant's own offset
 * when it still holds, else the offset in force at the local time read as UTC, which moves a time in a
 * DST gap forward (west of Greenwich, the local time's own offset).
 */
function lenientUtc(zone: Zone, local: number, original: number): number {
  const kept = zone.offsetAt(original);
  if (zone.offsetAt(local - kept) === kept) return local - kept;
  const offsetLocal = zone.offsetAt(local);
  const offset = zone.offsetAt(local - offsetLocal);
  // West of Greenwich, Joda keeps the local time's offset when a transition lies between the two readings.
  if (offset !== offsetLocal && offsetLocal < 0 && zone.offsetAt(local - offset) !== offset)
    return local - offsetLocal;
  return local - offset;
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
