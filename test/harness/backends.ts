// Which Kafka and which Elasticsearch a test runs on. Real ones by default; the stand-ins when a test
// needs what only they do on demand (injected faults, security), or when the environment asks for them.
import { ELASTICSEARCH_VERSION, KAFKA_VERSION } from "./jvm.js";

/** real: Apache Kafka brokers started for the test; mock: librdkafka's mock cluster; external: KAFKA_BROKERS. */
export type KafkaBackend = "real" | "mock" | "external";
/** real: an Elasticsearch node started for the test; emulator: test/harness/elasticsearch; external: ES_URL. */
export type ElasticsearchBackend = "real" | "emulator" | "external";

function fromEnv<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  if (!(allowed as readonly string[]).includes(value))
    throw new Error(`${name} must be one of ${allowed.join(", ")}; got ${JSON.stringify(value)}`);
  return value as T;
}

/** The Kafka a test gets: the mock when it requires it, else KAFKA_BROKERS, else SLUICE_TEST_KAFKA (real). */
export function kafkaBackend(required?: "mock"): KafkaBackend {
  if (required === "mock") return "mock";
  if (process.env.KAFKA_BROKERS) return "external";
  return fromEnv("SLUICE_TEST_KAFKA", ["real", "mock"] as const, "real");
}

/** The Elasticsearch a test gets: the emulator when it requires it, else ES_URL, else SLUICE_TEST_ES (real). */
export function elasticsearchBackend(required?: "emulator"): ElasticsearchBackend {
  if (required === "emulator") return "emulator";
  if (process.env.ES_URL) return "external";
  return fromEnv("SLUICE_TEST_ES", ["real", "emulator"] as const, "real");
}

/** What a backend is, in words: "Apache Kafka 4.4.0", "librdkafka's mock cluster", … */
export const kafkaNames: Record<KafkaBackend, string> = {
  real: `Apache Kafka ${KAFKA_VERSION}`,
  mock: "librdkafka's mock cluster",
  external: "KAFKA_BROKERS",
};
export const elasticsearchNames: Record<ElasticsearchBackend, string> = {
  real: `Elasticsearch ${ELASTICSEARCH_VERSION}`,
  emulator: "the Elasticsearch emulator",
  external: "ES_URL",
};

/**
 * The suffix of a test file's describe() naming what it runs on, e.g. "[Apache Kafka 4.4.0, Elasticsearch
 * 8.19.21]", so every result line says which backends judged it.
 */
export function runsOn(needs: { kafka?: true | "mock"; es?: true | "emulator" }): string {
  const parts: string[] = [];
  if (needs.kafka) parts.push(kafkaNames[kafkaBackend(needs.kafka === "mock" ? "mock" : undefined)]);
  if (needs.es)
    parts.push(elasticsearchNames[elasticsearchBackend(needs.es === "emulator" ? "emulator" : undefined)]);
  return `[${parts.join(", ")}]`;
}
