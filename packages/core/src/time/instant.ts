// Instants with sub-millisecond precision, and the calendar arithmetic the parsers and formatters share.

/**
 * A point in time: `millis` since the epoch (an integer within a JavaScript Date's ±8.64e15 range) plus
 * `nanos` (0–999 999) inside that millisecond. Keeps what a text had beyond milliseconds; the date stage
 * writes milliseconds by default, as Logstash and Fluent Bit's es output do.
 */
export interface Instant {
  /** Milliseconds since 1970-01-01T00:00:00Z. */
  readonly millis: number;
  /** Nanoseconds inside that millisecond (0–999 999). */
  readonly nanos: number;
}

/** The largest distance from the epoch a JavaScript Date holds, in milliseconds (±8.64e15). */
export const MAX_MILLIS = 8.64e15;
/** Milliseconds in a day. */
export const MILLIS_PER_DAY = 86_400_000;

/** An Instant, or undefined when `millis` is outside a JavaScript Date's range. */
export function instantOf(millis: number, nanos = 0): Instant | undefined {
  if (!Number.isFinite(millis) || millis > MAX_MILLIS || millis < -MAX_MILLIS) return undefined;
  return { millis, nanos };
}

/** ISO-8601 UTC, `YYYY-MM-DDTHH:mm:ss` and `digits` (3–9) fraction digits, truncated, then `Z`. */
export function instantToIso(instant: Instant, digits = 3): string {
  const iso = new Date(instant.millis).toISOString();
  if (digits <= 3) return iso;
  const sub = String(instant.nanos)
    .padStart(6, "0")
    .slice(0, digits - 3);
  return `${iso.slice(0, -1)}${sub}Z`;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1–12); any integer year. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Whether `year` is a leap year of the proleptic Gregorian calendar. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number of days of `month` (1–12) in `year`. */
export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1]!;
}

/** Local calendar fields of a millisecond count (already shifted by the zone's offset). */
export interface Fields {
  /** The year (proleptic Gregorian; may be 0 or negative). */
  year: number;
  /** The month, 1–12. */
  month: number;
  /** The day of the month, 1–31. */
  day: number;
  /** The hour, 0–23. */
  hour: number;
  /** The minute, 0–59. */
  minute: number;
  /** The second, 0–59. */
  second: number;
  /** The millisecond, 0–999. */
  millis: number;
  /** 1 = Monday … 7 = Sunday, as Joda numbers days. */
  weekday: number;
}

/**
 * The calendar fields of `localMillis`, milliseconds since the epoch already shifted by the zone's offset.
 */
export function fieldsOf(localMillis: number): Fields {
  const days = Math.floor(localMillis / MILLIS_PER_DAY);
  let rest = localMillis - days * MILLIS_PER_DAY;
  // civil_from_days (Howard Hinnant's algorithm)
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  // 1970-01-01 was a Thursday (4).
  const weekday = ((((days + 3) % 7) + 7) % 7) + 1;
  return { year, month, day, hour, minute, second, millis: rest - second * 1000, weekday };
}
