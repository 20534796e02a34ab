// kafkaMetadata: copies a record's Kafka origin into its document, as Logstash's decorate_events and
// Vector's kafka source keys do. Off unless used, so documents stay exactly what Fluent Bit wrote.
import { isUtf8 } from "node:buffer";
import {
  type HeaderValue,
  isDocumentObject,
  mapValues,
  reject,
  SluiceConfigError,
  type Stage,
  validateOptions,
} from "@sluice/core";

type Doc = Record<string, unknown>;

/** The options of `kafkaMetadata`. */
export interface KafkaMetadataOptions {
  /**
   * Logstash's decorate_events: "basic" writes topic, consumer_group, partition, offset, key and
   * timestamp under `target`; "extended" adds headers. Default "none".
   */
  decorate?: "none" | "basic" | "extended";
  /** Where `decorate` writes (a top-level field). Default `kafka`. */
  target?: string;
  /** The consumer group to report in `consumer_group`. */
  consumerGroup?: string;
  /** Vector's keys: each names the top-level field that receives that piece of the origin. */
  topicKey?: string;
  /** The field that receives the partition (a number). */
  partitionKey?: string;
  /** The field that receives the offset (a number). */
  offsetKey?: string;
  /** The field that receives the record's key (text when UTF-8, else base64; null when none). */
  keyField?: string;
  /** The field that receives the headers, by name (text when UTF-8, else base64). */
  headersKey?: string;
  /** The field that receives the Kafka timestamp, as ISO-8601. */
  timestampKey?: string;
  /** The stage's name in metrics and logs. Default `kafkaMetadata`. */
  name?: string;
}

const field = { type: "string", minLength: 1 } as const;
export const schema = {
  type: "object",
  properties: {
    decorate: { enum: ["none", "basic", "extended"], default: "none" },
    target: { ...field, default: "kafka" },
    consumerGroup: field,
    topicKey: field,
    partitionKey: field,
    offsetKey: field,
    keyField: field,
    headersKey: field,
    timestampKey: field,
    name: { ...field, default: "kafkaMetadata" },
  },
  additionalProperties: false,
} as const;

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

/** Bytes as text when they are UTF-8, else base64 (a document cannot hold raw bytes). */
function text(value: Buffer | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  return isUtf8(value) ? value.toString("utf8") : value.toString("base64");
}

function headersOf(headers: Readonly<Record<string, HeaderValue>>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || FORBIDDEN.has(name)) continue;
    out[name] = Array.isArray(value) ? value.map((v) => text(v) ?? "") : (text(value) ?? "");
  }
  return out;
}

/**
 * A stage that copies each record's Kafka origin into its document, as Logstash's `decorate_events` and
 * Vector's kafka source keys do; an event whose value is not a parsed document fails with `not_a_document`
 * when anything is to be written.
 *
 * @throws SluiceConfigError (`SLUICE_ERR_CONFIG`) when an option is wrong or names `__proto__`, `constructor`
 * or `prototype`.
 */
export function kafkaMetadata(options: KafkaMetadataOptions): Stage<Doc, Doc> {
  const o = validateOptions<Required<KafkaMetadataOptions>>("kafkaMetadata", schema, options);
  for (const key of [
    "target",
    "topicKey",
    "partitionKey",
    "offsetKey",
    "keyField",
    "headersKey",
    "timestampKey",
  ] as const)
    if (o[key] !== undefined && FORBIDDEN.has(o[key]))
      throw new SluiceConfigError("kafkaMetadata", key, `cannot be ${JSON.stringify(o[key])}`);
  const writes =
    o.decorate !== "none" ||
    Boolean(o.topicKey || o.partitionKey || o.offsetKey || o.keyField || o.headersKey || o.timestampKey);
  return mapValues<Doc, Doc>(o.name, (doc, event) => {
    // Fields set on bytes (a record not parsed, the Fluent Bit preset's output) would be lost unseen.
    if (writes && !isDocumentObject(doc))
      return reject(
        "not_a_document",
        `${o.name} writes fields into a parsed document, and this event's value is not one: put parseJson() before it`,
      );
    const origin = event.origin;
    if (o.decorate !== "none") {
      const meta: Doc = {
        topic: origin.topic,
        consumer_group: o.consumerGroup ?? null,
        partition: origin.partition,
        offset: Number(origin.offset),
        key: text(origin.key),
        timestamp: Number(origin.timestamp),
      };
      if (o.decorate === "extended") meta.headers = headersOf(origin.headers);
      doc[o.target] = meta;
    }
    if (o.topicKey) doc[o.topicKey] = origin.topic;
    if (o.partitionKey) doc[o.partitionKey] = origin.partition;
    if (o.offsetKey) doc[o.offsetKey] = Number(origin.offset);
    if (o.keyField) doc[o.keyField] = text(origin.key);
    if (o.headersKey) doc[o.headersKey] = headersOf(origin.headers);
    if (o.timestampKey) doc[o.timestampKey] = new Date(Number(origin.timestamp)).toISOString();
    return doc;
  });
}
