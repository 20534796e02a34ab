// parseJson: turns each record's raw bytes into the JSON object they hold.
import { isUtf8 } from "node:buffer";
import { ErrorCode, JsonBytes, mapValues, reject, type Stage, validateOptions } from "@sluice/core";
import { type JsonLimits, jsonLimitProblem, jsonLimitsSchema } from "./json-limits.js";
import { checkJsonText } from "./json-text.js";

/** The options of `parseJson`: the stage's name and the limits on what a record may parse into. */
export interface ParseJsonOptions extends Partial<JsonLimits> {
  /** The stage's name in metrics and dead letters. */
  name?: string;
}

export const schema = {
  type: "object",
  properties: {
    ...jsonLimitsSchema,
    name: { type: "string", minLength: 1, default: "parseJson" },
  },
  additionalProperties: false,
} as const;

/** A parsed JSON object: a document as stages see it. */
export type JsonObject = Record<string, unknown>;

/**
 * Parses each event's value (bytes) as one JSON object. Bytes that are not UTF-8, not JSON, or JSON
 * that is not an object fail that event alone (SLUICE_ERR_PARSE), which then goes to dead letters; so do
 * lone UTF-16 surrogate escapes (`"\ud800"`), which no document should carry (Vector's parse_json
 * refuses them too), and, before anything is parsed, records nested deeper than `maxDepth` (default
 * 1000) or holding more than `maxContainers` objects and arrays (10 000) or `maxValues` values (100 000):
 * a small record can parse into many times its bytes, which the in-flight limits do not count.
 */
export function parseJson(options: ParseJsonOptions = {}): Stage<Buffer | JsonBytes, JsonObject> {
  const { name, ...limits } = validateOptions<Required<ParseJsonOptions>>("parseJson", schema, options);
  return mapValues<Buffer | JsonBytes, JsonObject>(name, (value) => {
    // After a stage that left the document as JsonBytes (the Fluent Bit preset), its bytes.
    const raw: Buffer = value instanceof JsonBytes ? value.toBuffer() : value;
    if (!isUtf8(raw)) return reject("invalid_utf8", "record is not valid UTF-8", ErrorCode.PARSE);
    const text = raw.toString("utf8");
    const tooLarge = jsonLimitProblem(text, limits);
    if (tooLarge) return reject(tooLarge.type, tooLarge.reason, ErrorCode.PARSE);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return reject("json_parse_exception", (error as Error).message, ErrorCode.PARSE);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      const kind = parsed === null ? "null" : Array.isArray(parsed) ? "an array" : typeof parsed;
      return reject("json_not_object", `record is JSON ${kind}, not an object`, ErrorCode.PARSE);
    }
    const problem = checkJsonText(raw, text);
    if (problem) return reject(problem.type, problem.reason, ErrorCode.PARSE);
    return parsed as JsonObject;
  });
}
