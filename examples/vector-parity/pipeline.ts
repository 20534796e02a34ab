// The seed's Vector aggregator, rebuilt from Sluice stages:
//
//   [sources.insight_logs]  type = "kafka"  topics = ["insight-logs"]       (and insight_event, skoala_gw)
//   [transforms.parse_*]    type = "remap"  source = '''
//                             . = parse_json!(string!(.message))
//                             .@timestamp = now()
//                           '''
//   [sinks.es_logs]   type = "elasticsearch"  inputs = ["parse_logs", "parse_skoala"]  index = "insight-es-k8s-logs-alias"
//   [sinks.es_event]  type = "elasticsearch"  inputs = ["parse_event"]                 index = "insight-es-k8s-event-logs-alias"
//   [sinks.es_skoala] type = "elasticsearch"  inputs = ["parse_skoala"]                index = "skoala-gw-alias"
//
// insight-gw-skoala feeds two sinks, so its records land twice. A Sluice pipeline has one sink: the
// fan-out is a second pipeline, in its own consumer group, reading that topic again.
import { createPipeline, type Logger, type Pipeline, type Stage } from "@sluice/core";
import {
  type ElasticsearchConnectionOptions,
  elasticsearchDeadLetters,
  elasticsearchSink,
} from "@sluice/sink-elasticsearch";
import { kafkaSource } from "@sluice/source-kafka";
import { type JsonObject, remap, vectorKafkaEvent } from "@sluice/transforms";

export const SEED_PROGRAM = `. = parse_json!(string!(.message))
.@timestamp = now()`;

/** Each sink: the topics (Vector inputs) it takes, and its index. */
export const SINKS = [
  {
    name: "es_logs_event_skoala",
    targets: {
      "insight-logs": "insight-es-k8s-logs-alias",
      "insight-event": "insight-es-k8s-event-logs-alias",
      "insight-gw-skoala": "skoala-gw-alias",
    },
  },
  // The seed's second sink on insight-gw-skoala.
  { name: "es_skoala_into_logs", targets: { "insight-gw-skoala": "insight-es-k8s-logs-alias" } },
] as const;

/** The kafka source's event, then the seed's remap. */
export function vectorStages(): readonly [Stage<Buffer, JsonObject>, Stage<JsonObject, JsonObject>] {
  return [vectorKafkaEvent(), remap({ source: SEED_PROGRAM })] as const;
}

export interface VectorParityConfig {
  brokers: string;
  elasticsearch: ElasticsearchConnectionOptions;
  groupId?: string;
  deadLetterIndex?: string;
  logger?: Logger;
}

export function vectorParityPipelines(config: VectorParityConfig): Pipeline[] {
  const groupId = config.groupId ?? "sluice-vector-parity";
  return SINKS.map((sink) =>
    createPipeline({
      name: `vector-parity-${sink.name}`,
      source: kafkaSource({
        brokers: config.brokers,
        topics: Object.keys(sink.targets),
        groupId: `${groupId}-${sink.name}`,
      }),
      stages: vectorStages(),
      sink: elasticsearchSink({
        ...config.elasticsearch,
        index: { topics: { ...sink.targets } },
        // Vector's elasticsearch sink writes with `index` and lets Elasticsearch pick the _id; the id
        // from the Kafka coordinates makes a replay overwrite instead of duplicating.
        action: "index",
        id: "origin",
      }),
      deadLetters: elasticsearchDeadLetters({
        ...config.elasticsearch,
        index: config.deadLetterIndex ?? "sluice-dead-letter",
      }),
      ...(config.logger ? { logger: config.logger } : {}),
    }),
  );
}
