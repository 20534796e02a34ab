// plain: Logstash's kafka input with its default plain codec — the record's text in `message`.
import { mapValues, type Stage, validateOptions } from "@sluice/core";
import { setOwn } from "../fields/index.js";

type JsonObject = Record<string, unknown>;

/** The plain codec's behaviour, not its config (it has none of these), so its options are camelCase. */
export interface PlainOptions {
  /** The field that receives the text. Default `message`, as Logstash's plain codec. */
  target?: string;
  /** Add `@version: "1"` and `@timestamp` (the time the event was read) as every Logstash event has. Default true. */
  logstashFields?: boolean;
  /** The stage's name in metrics, logs and dead letters. Default `plain`. */
  name?: string;
}

export const schema = {
  type: "object",
  properties: {
    target: { type: "string", minLength: 1, default: "message" },
    logstashFields: { type: "boolean", default: true },
    name: { type: "string", minLength: 1, default: "plain" },
  },
  additionalProperties: false,
} as const;

/**
 * The record's bytes as UTF-8 text (invalid sequences become U+FFFD, as the plain codec's charset
 * conversion does; the dead letter, if any, still has the exact bytes).
 */
export function plain(options: PlainOptions = {}): Stage<Buffer, JsonObject> {
  const o = validateOptions<Required<PlainOptions>>("plain", schema, options);
  return mapValues<Buffer, JsonObject>(o.name, (raw) => {
    const doc: JsonObject = {};
    if (o.logstashFields) {
      doc["@timestamp"] = new Date().toISOString();
      doc["@version"] = "1";
    }
    setOwn(doc, o.target, raw.toString("utf8"));
    return doc;
  });
}
