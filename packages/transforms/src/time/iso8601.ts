// ISO8601 as Logstash's date filter reads it: core's ISO date-time parser, then four "casual" patterns.
import { ErrorCode, SluiceError } from "@sluice/core";
import { parseIsoDateTime, resolveZone, UTC } from "@sluice/core/time";
import { compileJodaParser, type JodaParser } from "./joda.js";

// Logstash's CasualISO8601Parser tries these after ISODateTimeFormat.dateTimeParser().
const CASUAL = [
  "yyyy-MM-dd HH:mm:ss.SSSZ",
  "yyyy-MM-dd HH:mm:ss.SSS",
  "yyyy-MM-dd HH:mm:ss,SSSZ",
  "yyyy-MM-dd HH:mm:ss,SSS",
];

/**
 * Logstash's `ISO8601`: Joda's extended ISO parser — `yyyy[-MM[-dd]]`, `yyyy-DDD` or `yyyy-Www[-e]`, then optionally
 * `T`, a time `HH[:mm[:ss]]` whose last part may carry a `.`/`,` fraction, and an offset (`Z`, `+01`,
 * `+0100`, `+01:00`) — then `yyyy-MM-dd HH:mm:ss.SSS` with `.` or `,`, with or without an offset.
 * Texts without an offset are read in `timeZone` (default UTC).
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

export { parseIsoDateTime };
