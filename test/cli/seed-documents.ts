// What Logstash and Vector write to Elasticsearch for one Fluent Bit record under the seed's configs,
// worked out from those tools' documented behaviour (the rules of test/examples/parity.test.ts, with the
// seed's exact text), independently of Sluice.
import { esOutputTimestamp } from "../harness/kafka/records.js";

type Doc = Record<string, unknown>;

/** The data stream the seed's Logstash outputs write: data_stream_dataset, type and namespace defaulted. */
export const SEED_DATA_STREAM = { type: "logs", dataset: "insight-es-k8s-logs-alias", namespace: "default" };
export const SEED_DATA_STREAM_NAME = "logs-insight-es-k8s-logs-alias-default";

/** The filter section of each of the seed's three files (the same text in each). */
function seedFilters(event: Doc, record: string): void {
  // mutate { gsub => ["message", "@timestamp", "_@timestamp"] }: on the whole text, log lines included.
  if (typeof event.message === "string")
    event.message = event.message.replaceAll("@timestamp", "_@timestamp");
  // json { source => "message" }: the object's keys into the event's root; nothing when there is no message.
  if (typeof event.message === "string") Object.assign(event, JSON.parse(event.message));
  // date { match => ["_@timestamp", "UNIX"] remove_field => "_@timestamp" }: milliseconds, truncated.
  if ("_@timestamp" in event) {
    event["@timestamp"] = esOutputTimestamp(record);
    delete event["_@timestamp"];
  }
  // mutate { remove_field => ["event", "message"] }
  delete event.event;
  delete event.message;
}

/**
 * The document the seed's Logstash writes for `record` of `topic`. The Helm chart's three files are
 * one pipeline (the image's pipelines.yml reads the whole directory), so every event passes all three
 * filter sections and then every output, whose `if [kafka_topic] == …` keeps one.
 */
export function logstashSeedDocument(record: string, topic: string): Doc {
  // kafka input: codec plain (ECS v8 keeps [event][original]), add_field; decorate_events goes to
  // [@metadata], which no output sends.
  const event: Doc = {
    message: record,
    "@timestamp": "the time Logstash read it",
    "@version": "1",
    event: { original: record },
    kafka_topic: topic,
  };
  for (let file = 0; file < 3; file++) seedFilters(event, record);
  // elasticsearch { data_stream => "true" }: data_stream_sync_fields (default true) writes the stream's names.
  event.data_stream = { ...SEED_DATA_STREAM };
  return event;
}

/** The seed's Vector indices, suffixes kept, and the topics each sink's inputs lead from. */
export const SEED_VECTOR_INDICES = {
  "insight-es-k8s-logs-alias-1418": ["insight-logs"],
  // insight_event_kafka_remap's inputs are insight_event_kafka and insight_gw_skoala_kafka.
  "insight-es-k8s-event-logs-alias-1418": ["insight-event", "insight-gw-skoala"],
  "skoala-gw-alias-1418": ["insight-gw-skoala"],
} as const;

/**
 * The document the seed's Vector writes for `record`, but for `@timestamp`: `. = parse_json!(string!(.message))`
 * replaces the event (the kafka source's fields with it) by the record's object; `.@timestamp = now()`
 * then sets the time it was processed, which the caller checks against the run's window.
 */
export function vectorSeedDocument(record: string): Doc {
  const { "@timestamp": _, ...rest } = JSON.parse(record) as Doc;
  return rest;
}

/** How Vector encodes a timestamp: RFC 3339 in UTC, with 0, 3, 6 or 9 fractional digits. */
export const VECTOR_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z$/;
