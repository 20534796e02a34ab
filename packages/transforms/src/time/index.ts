// The time library under the date stage: instants, zones, Joda patterns, ISO8601, epochs and TAI64N.
export { unixMillisToIso, unixSecondsToIso } from "./epoch.js";
export { type Instant, instantToIso } from "./instant.js";
export { compileIso8601Parser, parseIsoDateTime } from "./iso8601.js";
export {
  compileJodaFormatter,
  compileJodaParser,
  formatJoda,
  type JodaOptions,
  type JodaParser,
  JodaPatternError,
} from "./joda.js";
export { normalizeLocale } from "./locale.js";
export { parseTai64n } from "./tai64n.js";
export { resolveZone, UTC, type Zone } from "./zone.js";
