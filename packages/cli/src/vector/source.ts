// Vector's kafka source as kafkaSource options and the stage that builds Vector's event from a record.
import type { VectorKafkaEventOptions } from "@sluice/transforms";
import type { ComponentOptions } from "./options.js";

/** What a Vector kafka source becomes. */
export interface PlannedSource {
  /** `kafkaSource` options. */
  readonly source: Record<string, unknown>;
  /** `vectorKafkaEvent` options: the field names of the record's metadata. */
  readonly event: VectorKafkaEventOptions;
  /** The payload's codec: `bytes` keeps it as text in `message`, `json` makes it the event. */
  readonly codec: "bytes" | "json";
}

const KNOWN = [
  "type",
  "bootstrap_servers",
  "group_id",
  "topics",
  "auto_offset_reset",
  "key_field",
  "topic_key",
  "partition_key",
  "offset_key",
  "headers_key",
  "decoding",
  "session_timeout_ms",
  "fetch_wait_max_ms",
];

const OFFSET_RESET: Record<string, string> = {
  smallest: "earliest",
  earliest: "earliest",
  beginning: "earliest",
  largest: "latest",
  latest: "latest",
  end: "latest",
};

/** Reads the kafka source `id`. */
export function kafkaSourceOf(options: ComponentOptions, id: string): PlannedSource {
  options.only([], KNOWN);
  const brokers = options.string(["bootstrap_servers"]);
  if (brokers === undefined) throw options.refuse([], "needs `bootstrap_servers`");
  const groupId = options.string(["group_id"]);
  if (groupId === undefined) throw options.refuse([], "needs `group_id`");
  const topics = options.strings(["topics"]);
  if (topics === undefined || topics.length === 0) throw options.refuse([], "needs `topics`");
  // Vector reads a topic starting with ^ as a regular expression; kafkaSource takes one such pattern.
  const patterns = topics.flatMap((topic, i) => (topic.startsWith("^") ? [i] : []));
  if (patterns.length > 1)
    throw options.refuse(
      ["topics", patterns[1]!],
      "is a second pattern; Sluice reads one topic pattern per source",
    );
  const names = topics.filter((topic) => !topic.startsWith("^"));
  // Vector's default is librdkafka's: a group without offsets starts at the end.
  const reset = options.choice(["auto_offset_reset"], Object.keys(OFFSET_RESET)) ?? "largest";
  const source: Record<string, unknown> = {
    brokers: brokers.split(",").map((broker) => broker.trim()),
    groupId,
    ...(names.length > 0 ? { topics: names } : {}),
    ...(patterns.length > 0 ? { topicPattern: topics[patterns[0]!] } : {}),
    startFrom: OFFSET_RESET[reset],
    clientId: `sluice-${id}`,
  };
  const session = options.get(["session_timeout_ms"]);
  if (session !== undefined) source.sessionTimeoutMs = positive(options, "session_timeout_ms", session);
  const wait = options.get(["fetch_wait_max_ms"]);
  if (wait !== undefined) source.maxWaitTimeMs = positive(options, "fetch_wait_max_ms", wait);
  const event: Record<string, string> = {};
  for (const key of ["key_field", "topic_key", "partition_key", "offset_key", "headers_key"] as const) {
    const name = options.string([key]);
    if (name !== undefined) event[key] = name;
  }
  options.only(["decoding"], ["codec"]);
  const codec = options.choice(["decoding", "codec"], ["bytes", "json"] as const) ?? "bytes";
  return { source, event, codec };
}

function positive(options: ComponentOptions, key: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0)
    throw options.refuse([key], "must be a positive integer");
  return value;
}
