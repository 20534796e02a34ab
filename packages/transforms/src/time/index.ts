// The time library under the date stage: Joda patterns, Logstash's ISO8601, epochs and TAI64N, over core's
// instants and zones.
export {
  type Instant,
  instantToIso,
  normalizeLocale,
  parseIsoDateTime,
  resolveZone,
  UTC,
  type Zone,
} from "@sluice/core/time";
export { unixMillisToIso, unixSecondsToIso } from "./epoch.js";
export { compileIso8601Parser } from "./iso8601.js";
export {
  compileJodaFormatter,
  compileJodaParser,
  formatJoda,
  type JodaOptions,
  type JodaParser,
  JodaPatternError,
} from "./joda.js";
export { parseTai64n } from "./tai64n.js";
