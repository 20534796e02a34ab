// The parity examples: one of the seed's configs, as its team runs it today, run as it is by `sluice run`
// against KAFKA_BROKERS / ES_URL, or against a Kafka and an Elasticsearch started here.
import { sluice } from "@sluice/cli";
import { startInfra } from "./infra.js";

const SEED_TOPICS = ["insight-logs", "insight-event", "insight-gw-skoala"];

/** Runs `sluice run <form flag> <file>` with the clusters' addresses; resolves with its exit code. */
export async function runSeed(name: string, form: "--logstash" | "--vector", file: string): Promise<number> {
  const infra = await startInfra();
  console.log(`${name}: ${infra.describe()}`);
  if (infra.embeddedKafka) for (const topic of SEED_TOPICS) await infra.createTopic(topic, 3);
  // A default Elasticsearch 8 ships this template (x-pack's stack templates); Logstash's data_stream output
  // relies on it to make `logs-*-*` a data stream, and the node started here lacks it.
  if (infra.embeddedElasticsearch)
    await fetch(`${infra.esUrl}/_index_template/logs`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ index_patterns: ["logs-*-*"], data_stream: {}, priority: 100 }),
    });
  try {
    // Runs until SIGTERM or Ctrl-C (drained), or SLUICE_EXIT_WHEN_IDLE_MS; more flags pass through.
    return await sluice([
      "run",
      form,
      file,
      "--kafka-brokers",
      infra.brokers,
      "--es-url",
      infra.esUrl,
      ...process.argv.slice(2),
    ]);
  } finally {
    await infra.stop();
  }
}
