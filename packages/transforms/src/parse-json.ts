// parseJson: turns each record's raw bytes into the JSON object they hold.
import { isUtf8 } from "node:buffer";
import { ErrorCode, mapValues, reject, type Stage, validateOptions } from "@sluice/core";

export interface ParseJsonOptions {
  /** The stage's name in metrics and dead letters. */
  name?: string;
}

const schema = {
  type: "object",
  properties: { name: { type: "string", minLength: 1, default: "parseJson" } },
  additionalProperties: false,
} as const;

export type JsonObject = Record<string, unknown>;

/**
 * Parses each event's value (bytes) as one JSON object. Bytes that are not UTF-8, not JSON, or JSON
 * that is not an object fail that event alone (SLUICE_ERR_PARSE), which then goes to dead letters.
 */
export function parseJson(options: ParseJsonOptions = {}): Stage<Buffer, JsonObject> {
  const { name } = validateOptions<Required<ParseJsonOptions>>("parseJson", schema, options);
  return mapValues<Buffer, JsonObject>(name, (raw) => {
    if (!isUtf8(raw)) return reject("invalid_utf8", "record is not valid UTF-8", ErrorCode.PARSE);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString("utf8"));
    } catch (error) {
      return reject("json_parse_exception", (error as Error).message, ErrorCode.PARSE);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      const kind = parsed === null ? "null" : Array.isArray(parsed) ? "an array" : typeof parsed;
      return reject("json_not_object", `record is JSON ${kind}, not an object`, ErrorCode.PARSE);
    }
    return parsed as JsonObject;
  });
}
