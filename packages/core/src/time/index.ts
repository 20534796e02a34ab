// @sluice/core/time: instants, time zones and the ISO-8601 parser every package reads times with.
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
export { resolveZone, UTC, type Zone } from "./zone.js";
