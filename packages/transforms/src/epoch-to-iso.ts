// epochToIso: rewrites a float epoch-seconds field (Fluent Bit's @timestamp) as ISO-8601 UTC.
import { mapValues, reject, type Stage, validateOptions } from "@sluice/core";
import type { JsonObject } from "./parse-json.js";
import { epochTextToIso } from "./time/epoch.js";

/** The options of `epochToIso`. */
export interface EpochToIsoOptions {
  /** The top-level field holding epoch seconds. Default `@timestamp`. */
  field?: string;
  /** The stage's name in metrics, logs and dead letters. Default `epochToIso`. */
  name?: string;
}

export const schema = {
  type: "object",
  properties: {
    field: { type: "string", minLength: 1, default: "@timestamp" },
    name: { type: "string", minLength: 1, default: "epochToIso" },
  },
  additionalProperties: false,
} as const;

/**
 * Epoch seconds (a JSON number) to `YYYY-MM-DDTHH:mm:ss.SSSZ`, the milliseconds of its decimal text
 * truncated as Fluent Bit's es output writes them: `1732492800.001` (stored as 1732492800.0009999…)
 * gives `.001`, and `0.9999999` gives `.999`, not the next second.
 */
export function epochSecondsToIso(seconds: number): string | undefined {
  // Below 2^31 s, whole microseconds from the float are within a quarter microsecond of the decimal
  // text's: unless they fall on a whole millisecond, both truncate to the same one; when they do, they
  // are the text's if they give back the same float. Anything else goes through the text, which costs more.
  const micros = Math.round(seconds * 1e6);
  const millis = Math.floor(micros / 1000);
  if (seconds >= 0 && seconds < 2_147_483_648 && (millis * 1000 !== micros || micros / 1e6 === seconds))
    return new Date(millis).toISOString();
  return Number.isFinite(seconds) ? epochTextToIso(String(seconds)) : undefined;
}

/**
 * A stage that rewrites a top-level field of epoch seconds (Fluent Bit's `@timestamp`) as ISO-8601 UTC
 * with milliseconds, as `epochSecondsToIso` does; an event whose field is not a number, or is out of
 * range, fails with `timestamp_parse_exception`.
 */
export function epochToIso(options: EpochToIsoOptions = {}): Stage<JsonObject, JsonObject> {
  const { field, name } = validateOptions<Required<EpochToIsoOptions>>("epochToIso", schema, options);
  return mapValues<JsonObject, JsonObject>(name, (doc) => {
    const value = doc[field];
    if (typeof value !== "number")
      return reject("timestamp_parse_exception", `field [${field}] is ${describe(value)}, not epoch seconds`);
    const iso = epochSecondsToIso(value);
    if (iso === undefined) return reject("timestamp_parse_exception", `field [${field}] is out of range`);
    doc[field] = iso;
    return doc;
  });
}

function describe(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  return `a ${typeof value}`;
}
