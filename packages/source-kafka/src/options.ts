// Options of the Kafka source, their schema and defaults.
import { SluiceConfigError, validateOptions } from "@sluice/core";
import { connectionSchema, type KafkaConnectionOptions, parseBrokers } from "./connection.js";

export interface KafkaSourceOptions extends KafkaConnectionOptions {
  /** Topics to read. */
  topics?: string[];
  /** A regular expression: every existing topic whose name matches is read too (Logstash's topics_pattern). */
  topicPattern?: string;
  groupId: string;
  /** Where a group with no committed offset starts: the oldest record (default) or only new ones. */
  startFrom?: "earliest" | "latest";
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Partitions whose batches are handed over concurrently. */
  partitionsConsumedConcurrently?: number;
  /** Largest fetch per partition (bytes); must exceed the largest record. */
  maxBytesPerPartition?: number;
  /** Largest fetch response (bytes). */
  maxBytes?: number;
  /**
   * How long a fetch waits at the broker for new records (Kafka's `fetch.max.wait.ms`, default 500), and
   * so how long fetching takes to start again after a pause (kafkajs sleeps this long while paused).
   */
  maxWaitTimeMs?: number;
  /** How long connect() keeps trying before it reports Kafka unreachable. */
  connectRetries?: number;
}

export type ResolvedKafkaSourceOptions = Required<
  Omit<KafkaSourceOptions, "brokers" | "topics" | "topicPattern" | "sasl" | "ssl">
> &
  Pick<KafkaSourceOptions, "sasl" | "ssl"> & {
    brokers: string[];
    topics: string[];
    topicPattern: RegExp | undefined;
  };

const schema = {
  type: "object",
  properties: {
    ...connectionSchema,
    clientId: { type: "string", minLength: 1, default: "sluice" },
    topics: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1 },
    topicPattern: { type: "string", minLength: 1 },
    groupId: { type: "string", minLength: 1 },
    startFrom: { enum: ["earliest", "latest"], default: "earliest" },
    sessionTimeoutMs: { type: "integer", minimum: 1000, default: 30_000 },
    heartbeatIntervalMs: { type: "integer", minimum: 100, default: 3000 },
    partitionsConsumedConcurrently: { type: "integer", minimum: 1, default: 4 },
    maxBytesPerPartition: { type: "integer", minimum: 1024, default: 1024 * 1024 },
    maxBytes: { type: "integer", minimum: 1024, default: 8 * 1024 * 1024 },
    maxWaitTimeMs: { type: "integer", minimum: 10, maximum: 60_000, default: 500 },
    connectRetries: { type: "integer", minimum: 0, default: 3 },
  },
  required: ["brokers", "groupId"],
  additionalProperties: false,
} as const;

export function resolveOptions(options: KafkaSourceOptions): ResolvedKafkaSourceOptions {
  const valid = validateOptions<KafkaSourceOptions>("kafkaSource", schema, options);
  if (!valid.topics && !valid.topicPattern)
    throw new SluiceConfigError("kafkaSource", "topics", "is required (or give `topicPattern`)");
  let topicPattern: RegExp | undefined;
  if (valid.topicPattern) {
    try {
      topicPattern = new RegExp(valid.topicPattern);
    } catch (error) {
      throw new SluiceConfigError(
        "kafkaSource",
        "topicPattern",
        `is not a valid regular expression: ${(error as Error).message}`,
      );
    }
  }
  return {
    ...(valid as Required<KafkaSourceOptions>),
    brokers: parseBrokers(valid.brokers),
    topics: valid.topics ?? [],
    topicPattern,
  };
}
