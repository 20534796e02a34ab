// The pipeline we recommend for Fluent Bit's kafka output: the three insight topics into their
// Elasticsearch targets, each document exactly as Fluent Bit's es output would have written it.
// Public API only: this file is what a user copies into their own service.
import { createPipeline, type Logger, type Pipeline } from "@sluice/core";
import {
  type ElasticsearchConnectionOptions,
  elasticsearchDeadLetters,
  elasticsearchSink,
} from "@sluice/sink-elasticsearch";
import { type KafkaSource, kafkaSource } from "@sluice/source-kafka";
import { fluentBitToElasticsearch } from "@sluice/transforms";

/** Topic → target (index, alias or data stream), as the seed's Logstash and Vector configs route them. */
export const DEFAULT_TARGETS: Readonly<Record<string, string>> = {
  "insight-logs": "insight-es-k8s-logs-alias",
  "insight-event": "insight-es-k8s-event-logs-alias",
  "insight-gw-skoala": "skoala-gw-alias",
};

export interface InsightLogsConfig {
  brokers: string;
  groupId?: string;
  /** Kafka's session timeout (ms): how long a member that vanished keeps its partitions. */
  sessionTimeoutMs?: number;
  /** Topic → target; default DEFAULT_TARGETS. These are the topics read. */
  targets?: Record<string, string>;
  elasticsearch: ElasticsearchConnectionOptions;
  /** Where records that cannot be written go, with their bytes and the reason. */
  deadLetterIndex?: string;
  /** Serve /metrics and /health on this port (0: any free port). */
  httpPort?: number;
  logger?: Logger;
}

export interface InsightLogs {
  pipeline: Pipeline;
  source: KafkaSource;
}

export function insightLogsPipeline(config: InsightLogsConfig): InsightLogs {
  const targets = config.targets ?? DEFAULT_TARGETS;
  const source = kafkaSource({
    brokers: config.brokers,
    topics: Object.keys(targets),
    groupId: config.groupId ?? "sluice-insight-logs",
    ...(config.sessionTimeoutMs !== undefined
      ? {
          sessionTimeoutMs: config.sessionTimeoutMs,
          heartbeatIntervalMs: Math.floor(config.sessionTimeoutMs / 6),
        }
      : {}),
  });
  const pipeline = createPipeline({
    name: "insight-logs",
    source,
    // The Kafka record's float @timestamp becomes ISO-8601 with milliseconds; nothing else is touched.
    stages: [fluentBitToElasticsearch()],
    // create + _id <topic>+<partition>+<offset>: a record read twice (a crash, a rebalance) is a 409,
    // counted as delivered, never a duplicate document.
    sink: elasticsearchSink({
      ...config.elasticsearch,
      index: { topics: targets },
      action: "create",
      id: "origin",
    }),
    deadLetters: elasticsearchDeadLetters({
      ...config.elasticsearch,
      index: config.deadLetterIndex ?? "sluice-dead-letter",
    }),
    ...(config.httpPort !== undefined ? { http: { port: config.httpPort } } : {}),
    ...(config.logger ? { logger: config.logger } : {}),
  });
  return { pipeline, source };
}
