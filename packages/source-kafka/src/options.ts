// Options of the Kafka source, their schema and defaults.
import { validateOptions } from "@sluice/core";

export interface KafkaSourceOptions {
  /** Bootstrap brokers, as an array or a comma-separated string ("host:9092,host2:9092"). */
  brokers: string[] | string;
  topics: string[];
  groupId: string;
  clientId?: string;
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
  connectionTimeoutMs?: number;
  /** How long connect() keeps trying before it reports Kafka unreachable. */
  connectRetries?: number;
}

export interface ResolvedKafkaSourceOptions extends Required<Omit<KafkaSourceOptions, "brokers">> {
  brokers: string[];
}

/** Brokers as an array or a comma-separated string. */
export const brokersSchema = {
  anyOf: [
    { type: "string", minLength: 1 },
    { type: "array", items: { type: "string", minLength: 1 }, minItems: 1 },
  ],
} as const;

export function parseBrokers(brokers: string | string[]): string[] {
  const list = typeof brokers === "string" ? brokers.split(",") : brokers;
  return list.map((b) => b.trim()).filter((b) => b.length > 0);
}

const schema = {
  type: "object",
  properties: {
    brokers: brokersSchema,
    topics: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1 },
    groupId: { type: "string", minLength: 1 },
    clientId: { type: "string", minLength: 1, default: "sluice" },
    startFrom: { enum: ["earliest", "latest"], default: "earliest" },
    sessionTimeoutMs: { type: "integer", minimum: 1000, default: 30_000 },
    heartbeatIntervalMs: { type: "integer", minimum: 100, default: 3000 },
    partitionsConsumedConcurrently: { type: "integer", minimum: 1, default: 4 },
    maxBytesPerPartition: { type: "integer", minimum: 1024, default: 1024 * 1024 },
    maxBytes: { type: "integer", minimum: 1024, default: 8 * 1024 * 1024 },
    connectionTimeoutMs: { type: "integer", minimum: 100, default: 3000 },
    connectRetries: { type: "integer", minimum: 0, default: 3 },
  },
  required: ["brokers", "topics", "groupId"],
  additionalProperties: false,
} as const;

export function resolveOptions(options: KafkaSourceOptions): ResolvedKafkaSourceOptions {
  const valid = validateOptions<KafkaSourceOptions>("kafkaSource", schema, options);
  const brokers =
    typeof valid.brokers === "string" ? valid.brokers.split(",").map((b) => b.trim()) : valid.brokers;
  return { ...(valid as Required<KafkaSourceOptions>), brokers: brokers.filter((b) => b.length > 0) };
}
