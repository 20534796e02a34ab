/**
 * Instants, time zones, the ISO-8601 parser and Joda-Time patterns, shared by every package that reads
 * or writes times.
 *
 * @module \@sluice/core/time
 */
export {
  daysFromCivil,
  daysInMonth,
  type Fields,
  fieldsOf,
  type Instant,
  instantOf,
  instantToIso,
  isLeapYear,
  MAX_MILLIS,
  MILLIS_PER_DAY,
} from "./instant.js";
export { parseIsoDateTime, parseOffset, type TextScan } from "./iso8601.js";
export { compileJodaFormatter, formatJoda } from "./joda-format.js";
export {
  compileTokens,
  type JodaOptions,
  JodaPatternError,
  localeOption,
  type NumberField,
  type Token,
  zoneOption,
} from "./joda-pattern.js";
export { type LocaleNames, localeNames, matchName, type NameTable, normalizeLocale } from "./locale.js";
export { resolveZone, UTC, type Zone } from "./zone.js";
