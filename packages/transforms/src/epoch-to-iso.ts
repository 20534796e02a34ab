// epochToIso: rewrites a float epoch-seconds field (Fluent Bit's @timestamp) as ISO-8601 UTC.
import { mapValues, reject, type Stage, validateOptions } from "@sluice/core";
import type { JsonObject } from "./parse-json.js";

export interface EpochToIsoOptions {
  /** The top-level field holding epoch seconds. Default `@timestamp`. */
  field?: string;
  name?: string;
}

const schema = {
  type: "object",
  properties: {
    field: { type: "string", minLength: 1, default: "@timestamp" },
    name: { type: "string", minLength: 1, default: "epochToIso" },
  },
  additionalProperties: false,
} as const;

/**
 * Epoch seconds (a JSON number with up to six decimals) to `YYYY-MM-DDTHH:mm:ss.SSSZ`, milliseconds
 * truncated as Fluent Bit's es output writes them. The seconds are first rounded to whole microseconds:
 * `1732492800.001` is stored as 1732492800.0009999, and must still give `.001`.
 */
export function epochSecondsToIso(seconds: number): string | undefined {
  const millis = Math.floor(Math.round(seconds * 1e6) / 1000);
  // Beyond ±8.64e15 ms a JavaScript Date is invalid.
  if (!Number.isFinite(millis) || Math.abs(millis) > 8.64e15) return undefined;
  return new Date(millis).toISOString();
}

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
