// parseJson: turns each record's raw bytes into the JSON object they hold.
import { isUtf8 } from "node:buffer";
import { ErrorCode, JsonBytes, mapValues, reject, type Stage, validateOptions } from "@sluice/core";
import { checkJsonText } from "./json-text.js";

export interface ParseJsonOptions {
  /** Records nested deeper fail to dead letters (Elasticsearch refuses them too). Default 1000. */
  maxDepth?: number;
  /** The stage's name in metrics and dead letters. */
  name?: string;
}

const schema = {
  type: "object",
  properties: {
    maxDepth: { type: "integer", minimum: 1, maximum: 100_000, default: 1000 },
    name: { type: "string", minLength: 1, default: "parseJson" },
  },
  additionalProperties: false,
} as const;

export type JsonObject = Record<string, unknown>;

/**
 * Parses each event's value (bytes) as one JSON object. Bytes that are not UTF-8, not JSON, or JSON
 * that is not an object fail that event alone (SLUICE_ERR_PARSE), which then goes to dead letters; so do
 * records nested deeper than `maxDepth` and lone UTF-16 surrogate escapes (`"\ud800"`), which no
 * document should carry (Vector's parse_json refuses them too).
 */
export function parseJson(options: ParseJsonOptions = {}): Stage<Buffer | JsonBytes, JsonObject> {
  const { maxDepth, name } = validateOptions<Required<ParseJsonOptions>>("parseJson", schema, options);
  return mapValues<Buffer | JsonBytes, JsonObject>(name, (value) => {
    // After a stage that left the document as JsonBytes (the Fluent Bit preset), its bytes.
    const raw: Buffer = value instanceof JsonBytes ? value.toBuffer() : value;
    if (!isUtf8(raw)) return reject("invalid_utf8", "record is not valid UTF-8", ErrorCode.PARSE);
    const text = raw.toString("utf8");
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
    const problem = checkJsonText(raw, text, maxDepth);
    if (problem) return reject(problem.type, problem.reason, ErrorCode.PARSE);
    return parsed as JsonObject;
  });
}
