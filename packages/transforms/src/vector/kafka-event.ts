// vectorKafkaEvent: shapes a raw Kafka record as Vector's kafka source does (legacy log namespace).
import {
  type HeaderValue,
  JsonBytes,
  mapValues,
  SluiceConfigError,
  type Stage,
  validateOptions,
} from "@sluice/core";
import { type JsonObject, setKey, VrlTimestamp } from "./value.js";

/** Mirrors the options of Vector's kafka source one to one, so each is spelled as Vector spells it. */
export interface VectorKafkaEventOptions {
  /** Field for the record key (null when the record has none). Default `message_key`; "" leaves it out. */
  key_field?: string;
  /** Field for the topic. Default `topic`; "" leaves it out. */
  topic_key?: string;
  /** Field for the partition (an integer). Default `partition`; "" leaves it out. */
  partition_key?: string;
  /** Field for the offset (an integer). Default `offset`; "" leaves it out. */
  offset_key?: string;
  /** Field for the headers (name → value text). Default `headers`; "" leaves it out. */
  headers_key?: string;
  /** Vector's global `log_schema.timestamp_key`: where the Kafka timestamp goes. Default `timestamp`. */
  timestamp_key?: string;
  /** Vector's global `log_schema.message_key`: where the payload goes. Default `message`. */
  message_key?: string;
  /** The stage's name in metrics, logs and dead letters. Default `vectorKafkaEvent`. */
  name?: string;
}

const key = { type: "string" } as const;
export const schema = {
  type: "object",
  properties: {
    key_field: { ...key, default: "message_key" },
    topic_key: { ...key, default: "topic" },
    partition_key: { ...key, default: "partition" },
    offset_key: { ...key, default: "offset" },
    headers_key: { ...key, default: "headers" },
    timestamp_key: { ...key, minLength: 1, default: "timestamp" },
    message_key: { ...key, minLength: 1, default: "message" },
    name: { type: "string", minLength: 1, default: "vectorKafkaEvent" },
  },
  additionalProperties: false,
} as const;

/** Kafka bytes as Vector writes them to JSON: UTF-8, invalid sequences replaced by U+FFFD. */
function text(value: Buffer | string): string {
  return typeof value === "string" ? value : value.toString("utf8");
}

function headersOf(headers: Readonly<Record<string, HeaderValue>>): JsonObject {
  const out: JsonObject = {};
  for (const name of Object.keys(headers)) {
    let value = headers[name];
    // A repeated header: Vector's map keeps the last value.
    if (Array.isArray(value)) value = value[value.length - 1];
    if (value === undefined || value === null) continue; // a header without a value is skipped
    setKey(out, name, text(value));
  }
  return out;
}

/**
 * The event Vector's kafka source emits with `decoding.codec = "bytes"` (its default) in the legacy
 * namespace: `{ headers, message, message_key, offset, partition, source_type: "kafka", timestamp, topic }`.
 * `timestamp` is the Kafka record timestamp as a VRL timestamp (remap can use it; it is written as
 * RFC 3339 UTC text). Keys are inserted in sorted order, as Vector's event map keeps them.
 */
export function vectorKafkaEvent(options: VectorKafkaEventOptions = {}): Stage<Buffer, JsonObject> {
  const o = validateOptions<Required<VectorKafkaEventOptions>>("vectorKafkaEvent", schema, options);
  const fields: Array<[string, string]> = [
    ["headers", o.headers_key],
    ["message", o.message_key],
    ["message_key", o.key_field],
    ["offset", o.offset_key],
    ["partition", o.partition_key],
    ["source_type", "source_type"],
    ["timestamp", o.timestamp_key],
    ["topic", o.topic_key],
  ];
  const used = new Map<string, string>();
  for (const [what, field] of fields) {
    if (field === "") continue;
    const other = used.get(field);
    if (other !== undefined)
      throw new SluiceConfigError(
        "vectorKafkaEvent",
        optionOf(what),
        `names the same field as ${optionOf(other)}: ${JSON.stringify(field)}`,
      );
    used.set(field, what);
  }
  const order = fields
    .filter(([, field]) => field !== "")
    .sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return mapValues<Buffer, JsonObject>(o.name, (raw, event) => {
    const origin = event.origin;
    const given: unknown = raw;
    const value = given instanceof JsonBytes ? given.toBuffer() : Buffer.isBuffer(given) ? given : event.raw;
    const out: JsonObject = {};
    for (const [what, field] of order) {
      switch (what) {
        case "headers":
          setKey(out, field, headersOf(origin.headers));
          break;
        case "message":
          setKey(out, field, value.toString("utf8"));
          break;
        case "message_key":
          setKey(out, field, origin.key === null ? null : text(origin.key));
          break;
        case "offset":
          setKey(out, field, Number(origin.offset));
          break;
        case "partition":
          setKey(out, field, origin.partition);
          break;
        case "source_type":
          setKey(out, field, "kafka");
          break;
        case "timestamp": {
          // A record without a timestamp (-1) gets none, as Vector leaves the field out.
          const ms = Number(origin.timestamp);
          if (origin.timestamp !== "" && Number.isSafeInteger(ms) && ms >= 0)
            setKey(out, field, new VrlTimestamp(ms, 0));
          break;
        }
        case "topic":
          setKey(out, field, origin.topic);
          break;
        default:
          break;
      }
    }
    return out;
  });
}

function optionOf(what: string): string {
  switch (what) {
    case "message_key":
      return "key_field";
    case "message":
      return "message_key";
    case "source_type":
      return "source_type";
    default:
      return `${what}_key`;
  }
}
