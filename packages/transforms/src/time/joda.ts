// Joda-Time pattern parsing (Logstash's date filter): compiled once, then one small function per token kind.
import {
  compileTokens,
  daysFromCivil,
  daysInMonth,
  fieldsOf,
  type Instant,
  instantOf,
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

/** The zone ids a `ZZZ` field may match, longest first wins; only patterns with one need them. */
function knownZoneIds(tokens: readonly Token[]): ReadonlySet<string> {
  if (!tokens.some((t) => t.kind === "zoneId")) return new Set();
  return new Set([...Intl.supportedValuesOf("timeZone"), "UTC", "GMT", "Etc/UTC", "Etc/GMT"]);
}

/** Parses one text; `zone` overrides the compiled zone (a `timezone` taken from the event). */
export type JodaParser = (text: string, zone?: Zone) => Instant | undefined;

/** What a compiled parser keeps: its tokens and the defaults the text may leave out. */
interface ParserContext {
  readonly tokens: readonly Token[];
  readonly names: ReturnType<typeof localeOption>;
  readonly defaultZone: Zone;
  readonly now: () => number;
  readonly hasYear: boolean;
  readonly zoneIds: ReadonlySet<string>;
  /** The two-digit-year window's middle; 0 until a two-digit year first needs it. */
  pivot: number;
}

/** What one text said, field by field; `pos` and `value` are the read position and the last number. */
interface ParsedFields extends TextScan {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  /** 0 AM, 1 PM, -1 not given; the clock fields likewise -1 when not given. */
  halfday: number;
  clockHalf: number;
  hourHalf: number;
  clockDay: number;
  offset: number | undefined;
  zone: Zone | undefined;
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
  const now = options.now ?? Date.now;
  const hasYear = tokens.some((t) => t.kind === "year");
  const context: ParserContext = {
    tokens,
    names: localeOption(options.locale),
    defaultZone: zoneOption(options.timeZone),
    now,
    hasYear,
    zoneIds: knownZoneIds(tokens),
    pivot: hasYear && tokens.some((t) => t.kind === "year" && t.twoDigit) ? pivotYear(now) : 0,
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
    year: 2000,
    month: 1,
    day: 1,
    hour: 0,
    minute: 0,
    second: 0,
    nanos: 0,
    halfday: -1,
    clockHalf: -1,
    hourHalf: -1,
    clockDay: -1,
    offset: undefined,
    zone: undefined,
  };
  const tokens = context.tokens;
  for (let t = 0; t < tokens.length; t++) {
    if (!readToken(tokens[t]!, text, fields, context)) return undefined;
  }
  if (fields.pos !== text.length) return undefined;
  if (!resolveHour(fields)) return undefined;
  const { month, minute, second, day } = fields;
  if (month < 1 || month > 12 || fields.hour > 23 || minute > 59 || second > 59 || day < 1) return undefined;
  const zone = fields.zone ?? zoneOverride ?? context.defaultZone;
  if (!context.hasYear) guessYear(fields, context.now, zone);
  return toInstant(fields, zone);
}

function readToken(token: Token, text: string, fields: ParsedFields, context: ParserContext): boolean {
  switch (token.kind) {
    case "literal":
      if (!text.startsWith(token.text, fields.pos)) return false;
      fields.pos += token.text.length;
      return true;
    case "year":
      return readYear(token, text, fields, context);
    case "number":
      return readNumber(token, text, fields);
    case "fraction":
      return readFraction(text, fields);
    case "monthText": {
      const match = matchName(context.names.months, text, fields.pos);
      if (!match) return false;
      fields.month = match[0] + 1;
      fields.pos = match[1];
      return true;
    }
    case "weekdayText": {
      // Read and checked; the date itself decides the day, as the date fields come first in Joda.
      const match = matchName(context.names.weekdays, text, fields.pos);
      if (!match) return false;
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
  let sign = 1;
  if (token.lenient && fields.pos < text.length) {
    const c = text.charCodeAt(fields.pos);
    if (c === 45 /* - */ || c === 43 /* + */) {
      if (c === 45) sign = -1;
      fields.pos++;
    }
  }
  const width = token.twoDigit && token.lenient ? 9 : token.max;
  const digits = readDigitsUpTo(text, fields, fields.pos + width);
  if (digits === 0) return false;
  if (token.twoDigit && digits === 2 && sign === 1) {
    if (context.pivot === 0) context.pivot = pivotYear(context.now);
    // Joda's TwoDigitYear: the year ending in these digits within [pivot - 50, pivot + 50).
    const low = context.pivot - 50;
    fields.year = fields.value + Math.floor(low / 100) * 100;
    if (fields.year < low) fields.year += 100;
  } else {
    fields.year = sign * fields.value;
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
      fields.day = value;
      return true;
    case "hour":
      fields.hour = value;
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
      return value >= 1 && value <= 7;
  }
}

function readFraction(text: string, fields: ParsedFields): boolean {
  const digits = readDigitsUpTo(text, fields, fields.pos + 9);
  if (digits === 0) return false;
  fields.nanos = fields.value * POW10[9 - digits]!;
  return true;
}

function readZoneName(text: string, fields: ParsedFields): boolean {
  for (const [name, hours] of ZONE_NAMES) {
    if (text.startsWith(name, fields.pos)) {
      fields.offset = hours * 3_600_000;
      fields.pos += name.length;
      return true;
    }
  }
  return false;
}

/** The longest known zone id at `fields.pos`, else whatever id-like text is there if it names a zone. */
function readZoneId(text: string, fields: ParsedFields, ids: ReadonlySet<string>): boolean {
  const pos = fields.pos;
  let end = pos;
  while (end < text.length && end - pos < 64 && isZoneIdChar(text.charCodeAt(end))) end++;
  for (let e = end; e > pos; e--) {
    const id = text.slice(pos, e);
    if (!ids.has(id)) continue;
    const zone = resolveZone(id);
    if (zone) {
      fields.zone = zone;
      fields.pos = e;
      return true;
    }
  }
  const zone = resolveZone(text.slice(pos, end));
  if (!zone) return false;
  fields.zone = zone;
  fields.pos = end;
  return true;
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
  } else if (pm && fields.hour < 12) {
    fields.hour += 12;
  }
  return true;
}

/** Logstash's guess for a pattern without a year: this year, but a January date seen in December is next year's and vice versa. */
function guessYear(fields: ParsedFields, now: () => number, zone: Zone): void {
  const current = fieldsOf(now() + zone.offsetAt(now()));
  fields.year = current.year;
  if (fields.month === 12 && current.month === 1) fields.year--;
  else if (fields.month === 1 && current.month === 12) fields.year++;
  // Joda parses the date in the leap year 2000 and then sets the year: 29 February becomes the 28th.
  if (fields.month === 2 && fields.day === 29) fields.day = daysInMonth(fields.year, 2);
}

function toInstant(fields: ParsedFields, zone: Zone): Instant | undefined {
  const { year, month, day, nanos } = fields;
  if (day > daysInMonth(year, month)) return undefined;
  const local =
    daysFromCivil(year, month, day) * MILLIS_PER_DAY +
    fields.hour * 3_600_000 +
    fields.minute * 60_000 +
    fields.second * 1000 +
    Math.floor(nanos / 1_000_000);
  const utc = fields.offset !== undefined ? local - fields.offset : zone.toUtc(local);
  if (utc === undefined) return undefined;
  return instantOf(utc, nanos % 1_000_000);
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
