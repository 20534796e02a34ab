// Options of the Kafka source, their schema and defaults.
import { SluiceConfigError, validateOptions } from "@sluice/core";
import { parseIsoDateTime } from "@sluice/core/time";
import { connectionSchema, type KafkaConnectionOptions, parseBrokers } from "./connection.js";

/** The options of `kafkaSource`: the connection, what to read and how the consumer group behaves. */
export interface KafkaSourceOptions extends KafkaConnectionOptions {
  /** Topics to read; `topics`, `topicPattern` or both must be given. */
  topics?: string[];
  /** A regular expression: every existing topic whose name matches is read too (Logstash's topics_pattern). */
  topicPattern?: string;
  /** The consumer group; its committed offsets are where reading resumes. */
  groupId: string;
  /**
   * Where a group with no committed offset starts, per partition: the oldest record (default), only new
   * ones, or the first record whose Kafka timestamp is at or after a time (the end when none is). A
   * start at the end or at a time is committed as soon as it is found, so the group keeps it.
   */
  startFrom?: StartFrom;
  /**
   * How long the group coordinator waits for a heartbeat before it takes this member's partitions away (ms).
   * Default 30 000.
   */
  sessionTimeoutMs?: number;
  /** How often the consumer sends heartbeats to the group coordinator (ms). Default 3000. */
  heartbeatIntervalMs?: number;
  /** Partitions whose batches are handed over concurrently. Default 4. */
  partitionsConsumedConcurrently?: number;
  /** Largest fetch per partition (bytes, default 1 MiB); must exceed the largest record. */
  maxBytesPerPartition?: number;
  /**
   * Largest fetch response (bytes, default 2 MiB). The consumer thread holds a whole response decompressed
   * and decoded, several times its size: the pipeline's memory bound assumes this default.
   */
  maxBytes?: number;
  /**
   * How long a fetch waits at the broker for new records (Kafka's `fetch.max.wait.ms`, default 500), and
   * so how long fetching takes to start again after a pause (kafkajs sleeps this long while paused).
   */
  maxWaitTimeMs?: number;
  /**
   * How many times connect() retries reaching a broker (kafkajs's backoff, from 250 ms) before it reports
   * Kafka unreachable. Default 3.
   */
  connectRetries?: number;
  /** How often the consumer lag metrics are asked of the cluster (ms, default 10 000), paused or not. */
  lagIntervalMs?: number;
  /**
   * The consumer thread's module, for a bundled service: a path or `file:` URL of the built
   * `@sluice/source-kafka/consumer-worker` (or of your bundle of it). Default: the file beside the source's
   * own module in `dist/worker/`. A file that does not exist throws `SLUICE_ERR_KAFKA_WORKER_MISSING` at
   * construction, with how to fix the bundle.
   */
  workerFile?: string | URL;
}

/** A time as milliseconds since the epoch or an ISO-8601 date-time with a zone ("2026-11-25T08:00:00Z"). */
export type StartFrom = "earliest" | "latest" | { timestamp: number | string };

export type ResolvedKafkaSourceOptions = Required<
  Omit<
    KafkaSourceOptions,
    "brokers" | "topics" | "topicPattern" | "sasl" | "ssl" | "startFrom" | "workerFile"
  >
> &
  Pick<KafkaSourceOptions, "sasl" | "ssl"> & {
    brokers: string[];
    topics: string[];
    topicPattern: RegExp | undefined;
    /** A timestamp in milliseconds since the epoch. */
    startFrom: "earliest" | "latest" | { timestamp: number };
  };

const schema = {
  type: "object",
  properties: {
    ...connectionSchema,
    clientId: { type: "string", minLength: 1, default: "sluice" },
    topics: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1 },
    topicPattern: { type: "string", minLength: 1 },
    groupId: { type: "string", minLength: 1 },
    startFrom: {
      anyOf: [
        { enum: ["earliest", "latest"] },
        {
          type: "object",
          properties: {
            timestamp: {
              anyOf: [
                { type: "integer", minimum: 0 },
                { type: "string", minLength: 1 },
              ],
            },
          },
          required: ["timestamp"],
          additionalProperties: false,
        },
      ],
      default: "earliest",
    },
    sessionTimeoutMs: { type: "integer", minimum: 1000, default: 30_000 },
    heartbeatIntervalMs: { type: "integer", minimum: 100, default: 3000 },
    partitionsConsumedConcurrently: { type: "integer", minimum: 1, default: 4 },
    maxBytesPerPartition: { type: "integer", minimum: 1024, default: 1024 * 1024 },
    maxBytes: { type: "integer", minimum: 1024, default: 2 * 1024 * 1024 },
    maxWaitTimeMs: { type: "integer", minimum: 10, maximum: 60_000, default: 500 },
    connectRetries: { type: "integer", minimum: 0, default: 3 },
    lagIntervalMs: { type: "integer", minimum: 100, default: 10_000 },
    // A URL object is not JSON: start-thread.ts checks this option.
    workerFile: {},
  },
  required: ["brokers", "groupId"],
  additionalProperties: false,
} as const;

const TIMESTAMP =
  'milliseconds since the epoch or an ISO-8601 date-time with a zone ("2026-11-25T08:00:00Z")';

export function resolveOptions(options: KafkaSourceOptions): ResolvedKafkaSourceOptions {
  let valid: KafkaSourceOptions;
  try {
    valid = validateOptions<KafkaSourceOptions>("kafkaSource", schema, options);
  } catch (error) {
    // ajv reports the first alternative that did not match ("must be one of ..."); say what all are.
    if (error instanceof SluiceConfigError && error.option.startsWith("startFrom"))
      throw new SluiceConfigError(
        "kafkaSource",
        "startFrom",
        `must be "earliest", "latest" or { timestamp: ${TIMESTAMP} }`,
      );
    throw error;
  }
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
  const { workerFile: _checkedByWorkerEntry, ...rest } = valid;
  return {
    ...(rest as Required<Omit<KafkaSourceOptions, "workerFile">>),
    brokers: parseBrokers(valid.brokers, "kafkaSource"),
    topics: valid.topics ?? [],
    topicPattern,
    startFrom: resolveStartFrom(valid.startFrom ?? "earliest"),
  };
}

function resolveStartFrom(startFrom: StartFrom): ResolvedKafkaSourceOptions["startFrom"] {
  if (typeof startFrom === "string") return startFrom;
  if (typeof startFrom.timestamp === "number") return { timestamp: startFrom.timestamp };
  // No default zone: a time without an offset would start the group at an hour that depends on the machine's.
  const instant = parseIsoDateTime(startFrom.timestamp);
  // Before the epoch would reach Kafka as one of its negative "latest"/"earliest" markers.
  if (instant === undefined || instant.millis < 0)
    throw new SluiceConfigError("kafkaSource", "startFrom.timestamp", `must be ${TIMESTAMP}`);
  // Kafka's timestamps are milliseconds: a finer fraction is truncated.
  return { timestamp: instant.millis };
}
