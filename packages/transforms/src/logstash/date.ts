// date: Logstash's date filter — parse a field with Joda patterns (or ISO8601/UNIX/UNIX_MS/TAI64N) into a timestamp.
import { SluiceConfigError, type Stage, validateOptions } from "@sluice/core";
import { type Instant, instantToIso, normalizeLocale, resolveZone, type Zone } from "@sluice/core/time";
import { fieldOption, getField, hasReferences, setField, sprintf } from "../fields/index.js";
import type { JsonObject } from "../parse-json.js";
import { unixMillisToIso, unixSecondsToIso } from "../time/epoch.js";
import { compileIso8601Parser } from "../time/iso8601.js";
import { compileJodaParser, type JodaParser } from "../time/joda.js";
import { parseTai64n } from "../time/tai64n.js";
import { type FailureMode, failureModeSchema, onFailure } from "./failure.js";

/**
 * Mirrors Logstash's date filter one to one, so every option is spelled as Logstash spells it
 * (snake_case), the ones Sluice adds (`on_failure`, `fraction_digits`) included.
 */
export interface DateOptions {
  /** `[field, pattern, …]`: the source field, then Joda patterns or ISO8601, UNIX, UNIX_MS, TAI64N, tried in order. */
  match: string[];
  /** Zone of texts without an offset: an IANA id, a fixed offset, or a `%{field}` template. Default UTC. */
  timezone?: string;
  /** Language of month and weekday names: BCP 47 (`de`, `en-US`) or POSIX (`en_US`). Default `en`. */
  locale?: string;
  /** Where the ISO-8601 UTC timestamp goes. Default `@timestamp`. */
  target?: string;
  /** Tags added when no pattern matches. Default `["_dateparsefailure"]`. */
  tag_on_failure?: string[];
  /** `tag` (Logstash's way, the event goes on) or `deadLetter`. Default `tag`. */
  on_failure?: FailureMode;
  /** Fraction digits written, 3–9 (truncated). Default 3: milliseconds, as Logstash and Fluent Bit write. */
  fraction_digits?: number;
  /** The stage's name in metrics, logs and dead letters. Default `date`. */
  name?: string;
}

export const schema = {
  type: "object",
  properties: {
    match: { type: "array", items: { type: "string", minLength: 1 }, minItems: 2 },
    timezone: { type: "string", minLength: 1 },
    locale: { type: "string", minLength: 1 },
    target: { type: "string", minLength: 1, default: "@timestamp" },
    tag_on_failure: { type: "array", items: { type: "string" }, default: ["_dateparsefailure"] },
    on_failure: failureModeSchema,
    fraction_digits: { type: "integer", minimum: 3, maximum: 9, default: 3 },
    name: { type: "string", minLength: 1, default: "date" },
  },
  required: ["match"],
  additionalProperties: false,
} as const;

type Resolved = Required<Omit<DateOptions, "timezone" | "locale">> & { timezone?: string; locale?: string };

/** One pattern's reader: the ISO text for a value, or undefined when it does not match. */
type Reader = (value: unknown, doc: JsonObject) => string | undefined;

/**
 * As Logstash's date filter: the first pattern that reads the source value sets `target`; none → the
 * `tag_on_failure` tags (or a dead letter); a missing or null source → nothing at all. Joda patterns,
 * ISO8601 and TAI64N read strings only (a number or an array fails, as in Logstash); UNIX and UNIX_MS
 * read numbers and numeric strings. The result is ISO-8601 UTC with milliseconds (`fraction_digits`).
 */
export function date(options: DateOptions): Stage<JsonObject, JsonObject> {
  const o = validateOptions<Resolved>("date", schema, options);
  const [sourceRef, ...patterns] = o.match as [string, ...string[]];
  const source = fieldOption("date", "match.0", sourceRef);
  const target = fieldOption("date", "target", o.target);
  const digits = o.fraction_digits;

  let locale: string | undefined;
  if (o.locale !== undefined) {
    locale = normalizeLocale(o.locale);
    if (locale === undefined)
      throw new SluiceConfigError("date", "locale", "must be a BCP 47 language tag such as en-US");
  }

  // A `%{field}` timezone is resolved per event (cached per zone id); a fixed one at construction.
  const dynamicZone = o.timezone !== undefined && hasReferences(o.timezone) ? sprintf(o.timezone) : undefined;
  const staticZone = dynamicZone ? undefined : o.timezone;
  if (staticZone !== undefined && !resolveZone(staticZone))
    throw new SluiceConfigError(
      "date",
      "timezone",
      `must be a time zone id such as Europe/Berlin or +01:00 (got ${JSON.stringify(staticZone)})`,
    );

  const text = (parse: JodaParser): Reader => {
    const toIso = (instant: Instant | undefined) =>
      instant === undefined ? undefined : instantToIso(instant, digits);
    if (!dynamicZone) return (value) => (typeof value === "string" ? toIso(parse(value)) : undefined);
    return (value, doc) => {
      if (typeof value !== "string") return undefined;
      const zone: Zone | undefined = resolveZone(dynamicZone(doc));
      return zone === undefined ? undefined : toIso(parse(value, zone));
    };
  };

  const readers: Reader[] = patterns.map((pattern, i) => {
    switch (pattern) {
      case "ISO8601":
        return text(compileIso8601Parser({ timeZone: staticZone, locale }));
      case "UNIX":
        return (value) => unixSecondsToIso(value, digits);
      case "UNIX_MS":
        return (value) => unixMillisToIso(value, digits);
      case "TAI64N":
        return (value) => {
          if (typeof value !== "string") return undefined;
          const instant = parseTai64n(value);
          return instant === undefined ? undefined : instantToIso(instant, digits);
        };
      default:
        try {
          return text(compileJodaParser(pattern, { timeZone: staticZone, locale }));
        } catch (error) {
          throw new SluiceConfigError("date", `match.${i + 1}`, (error as Error).message);
        }
    }
  });

  const fail = onFailure(o.name, o.on_failure, o.tag_on_failure);
  return fail.stage((doc) => {
    const value = getField(doc, source);
    if (value === undefined || value === null) return doc;
    for (const read of readers) {
      const iso = read(value, doc);
      if (iso !== undefined) {
        if (setField(doc, target, iso)) return doc;
        return fail.failed(doc, "date_target_failure", `cannot set the target field ${o.target}`);
      }
    }
    return fail.failed(
      doc,
      "date_parse_failure",
      `field ${sourceRef} ${describe(value)} matches none of the patterns ${patterns.join(", ")}`,
    );
  });
}

function describe(value: unknown): string {
  if (typeof value === "string")
    return `value ${JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value)}`;
  if (typeof value === "number" || typeof value === "boolean") return `value ${value}`;
  return Array.isArray(value) ? "is an array" : "is an object";
}
