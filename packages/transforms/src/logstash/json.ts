// json: Logstash's json filter — parse a string field into the event or into a target field.
import { type Stage, validateOptions } from "@sluice/core";
import { addTag, fieldOption, getField, isPlainObject, setField, setOwn } from "../fields/index.js";
import { type JsonLimits, jsonLimitProblem, jsonLimitsSchema, SNAKE_CASE_LIMITS } from "../json-limits.js";
import type { JsonObject } from "../parse-json.js";
import { type FailureMode, failureModeSchema, onFailure } from "./failure.js";

/**
 * Mirrors Logstash's json filter one to one, so every option is spelled as Logstash spells it
 * (snake_case), the ones Sluice adds included: `on_failure`, and `max_depth` (default 1000),
 * `max_containers` (10 000) and `max_values` (100 000), which bound what the source's text may parse
 * into; above one the event fails as invalid JSON does, with the limit as the reason.
 */
export interface JsonOptions {
  /** The field holding the JSON text (a Logstash field reference). Required, as in Logstash. */
  source: string;
  /** Where to put the parsed value; without it, the parsed object's keys go to the event's root. */
  target?: string;
  /** Leave an event whose source is not JSON untouched, without a tag. Default false. */
  skip_on_invalid_json?: boolean;
  /** Tags added when parsing fails. Default `["_jsonparsefailure"]`. */
  tag_on_failure?: string[];
  /** `tag` (Logstash's way, the event goes on) or `deadLetter` (the event goes to dead letters). */
  on_failure?: FailureMode;
  /** The deepest nesting the source's text may have. Default 1000. */
  max_depth?: number;
  /** The most objects and arrays the source's text may hold. Default 10 000. */
  max_containers?: number;
  /** The most values the source's text may hold. Default 100 000. */
  max_values?: number;
  /** The stage's name in metrics, logs and dead letters. Default `json`. */
  name?: string;
}

export const schema = {
  type: "object",
  properties: {
    source: { type: "string", minLength: 1 },
    target: { type: "string", minLength: 1 },
    skip_on_invalid_json: { type: "boolean", default: false },
    tag_on_failure: { type: "array", items: { type: "string" }, default: ["_jsonparsefailure"] },
    on_failure: failureModeSchema,
    max_depth: jsonLimitsSchema.maxDepth,
    max_containers: jsonLimitsSchema.maxContainers,
    max_values: jsonLimitsSchema.maxValues,
    name: { type: "string", minLength: 1, default: "json" },
  },
  required: ["source"],
  additionalProperties: false,
} as const;

type Resolved = Required<Omit<JsonOptions, "target">> & { target?: string };

/** Logstash's tag and field for an `@timestamp` it could not take as a time. */
export const TIMESTAMP_FAILURE_TAG = "_timestampparsefailure";
export const TIMESTAMP_FAILURE_FIELD = "_@timestamp";

/**
 * As Logstash's json filter does: a missing source does nothing; text that is not JSON tags the event
 * (or nothing with `skip_on_invalid_json`); without `target` the parsed value must be an object, and an
 * `@timestamp` in it must be an ISO-8601 string — anything else (Fluent Bit's float, for one) sets
 * `@timestamp` to now, keeps the original as text in `_@timestamp` and tags `_timestampparsefailure`.
 */
export function json(options: JsonOptions): Stage<JsonObject, JsonObject> {
  const o = validateOptions<Resolved>("json", schema, options);
  const source = fieldOption("json", "source", o.source);
  const target = o.target === undefined ? undefined : fieldOption("json", "target", o.target);
  const fail = onFailure(o.name, o.on_failure, o.tag_on_failure);
  const limits: JsonLimits = {
    maxDepth: o.max_depth,
    maxContainers: o.max_containers,
    maxValues: o.max_values,
  };

  return fail.stage((doc) => {
    const text = getField(doc, source);
    if (text === undefined || text === null) return doc;
    // Logstash hands non-string values to the parser as their text; an object there is not JSON text.
    const jsonText = typeof text === "string" ? text : String(text);
    const tooLarge = jsonLimitProblem(jsonText, limits, SNAKE_CASE_LIMITS);
    if (tooLarge) return fail.failed(doc, tooLarge.type, tooLarge.reason);
    let parsed: unknown;
    try {
      parsed = JSON.parse(jsonText);
    } catch (error) {
      if (o.skip_on_invalid_json) return doc;
      return fail.failed(doc, "json_parse_exception", (error as Error).message);
    }
    if (target) {
      setField(doc, target, parsed);
      return doc;
    }
    if (!isPlainObject(parsed))
      return fail.failed(doc, "json_not_object", "parsed JSON is not an object and no target is set");
    const hasTimestamp = Object.hasOwn(parsed, "@timestamp");
    const timestamp = parsed["@timestamp"];
    for (const key of Object.keys(parsed)) {
      if (key !== "@timestamp") setOwn(doc, key, parsed[key]);
    }
    if (hasTimestamp) {
      if (typeof timestamp === "string" && isIso8601(timestamp)) {
        doc["@timestamp"] = timestamp;
      } else {
        doc["@timestamp"] = new Date().toISOString();
        doc[TIMESTAMP_FAILURE_FIELD] = typeof timestamp === "string" ? timestamp : JSON.stringify(timestamp);
        addTag(doc, TIMESTAMP_FAILURE_TAG);
      }
    }
    return doc;
  });
}

// What Logstash's Timestamp parser takes: an ISO-8601 date-time, `T` or space, optional zone.
const ISO8601 =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

function isIso8601(text: string): boolean {
  return ISO8601.test(text) && !Number.isNaN(Date.parse(text.replace(" ", "T").replace(",", ".")));
}
