// The seed's Logstash pipeline, rebuilt from Sluice stages:
//
//   input  { kafka { topics => [...] decorate_events => "basic"
//                    add_field => { "kafka_topic" => "%{[@metadata][kafka][topic]}" } } }   # codec plain
//   filter { mutate { gsub => ["message", "@timestamp", "_@timestamp"] }
//            json   { source => "message" }
//            date   { match => ["_@timestamp", "UNIX"] }
//            mutate { remove_field => ["message", "_@timestamp"] } }
//   output { elasticsearch { data_stream => true data_stream_dataset => "insight" } }     # logs-insight-default
//
// It writes what that Logstash writes, differences from Fluent Bit's own documents included (see the
// README's table); examples/insight-logs is the pipeline to use.
import { createPipeline, type Logger, type Pipeline } from "@sluice/core";
import {
  type ElasticsearchConnectionOptions,
  elasticsearchDeadLetters,
  elasticsearchSink,
} from "@sluice/sink-elasticsearch";
import { kafkaMetadata, kafkaSource } from "@sluice/source-kafka";
import { date, json, mutate, plain } from "@sluice/transforms";

export const TOPICS = ["insight-logs", "insight-event", "insight-gw-skoala"];
/** Logstash's data stream name: <type>-<dataset>-<namespace>. */
export const DATA_STREAM = { type: "logs", dataset: "insight", namespace: "default" } as const;

/** The filter section, plus what the kafka input and the data_stream output add to each event. */
export function logstashStages(groupId: string) {
  return [
    // kafka input, codec plain: the record as the string `message`, with @timestamp (now) and @version.
    plain(),
    // decorate_events => "basic": [@metadata][kafka][…]; Logstash never sends @metadata to Elasticsearch.
    kafkaMetadata({ decorate: "basic", target: "@metadata", consumerGroup: groupId }),
    // The input's add_field.
    mutate({ add_field: { kafka_topic: "%{[@metadata][topic]}" }, name: "input add_field" }),
    mutate({ gsub: [["message", "@timestamp", "_@timestamp"]], name: "mutate gsub" }),
    json({ source: "message" }),
    date({ match: ["_@timestamp", "UNIX"] }),
    mutate({ remove_field: ["message", "_@timestamp"], name: "mutate remove_field" }),
    // The output's data_stream_sync_fields (default true), and @metadata left behind.
    mutate({
      add_field: {
        "[data_stream][type]": DATA_STREAM.type,
        "[data_stream][dataset]": DATA_STREAM.dataset,
        "[data_stream][namespace]": DATA_STREAM.namespace,
      },
      remove_field: ["@metadata"],
      name: "data_stream fields",
    }),
  ] as const;
}

export interface LogstashParityConfig {
  brokers: string;
  elasticsearch: ElasticsearchConnectionOptions;
  groupId?: string;
  topics?: string[];
  deadLetterIndex?: string;
  logger?: Logger;
}

export function logstashParityPipeline(config: LogstashParityConfig): Pipeline {
  const groupId = config.groupId ?? "sluice-logstash-parity";
  const name = `${DATA_STREAM.type}-${DATA_STREAM.dataset}-${DATA_STREAM.namespace}`;
  return createPipeline({
    name: "logstash-parity",
    source: kafkaSource({ brokers: config.brokers, topics: config.topics ?? TOPICS, groupId }),
    stages: logstashStages(groupId),
    sink: elasticsearchSink({
      ...config.elasticsearch,
      index: name,
      // data_stream => true: action create, and an index template that makes the name a data stream.
      dataStream: { template: { name: "sluice-logs-insight" } },
      // Logstash lets Elasticsearch pick _ids (a replay duplicates); ours make a replay a 409 instead.
      id: "origin",
    }),
    deadLetters: elasticsearchDeadLetters({
      ...config.elasticsearch,
      index: config.deadLetterIndex ?? "sluice-dead-letter",
    }),
    ...(config.logger ? { logger: config.logger } : {}),
  });
}
