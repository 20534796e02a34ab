// The parity examples are the seed's own files run by the sluice command: `pnpm example:logstash-parity`
// and `pnpm example:vector-parity` deliver every record, once, where the seed's config sends it. What
// each document holds is test/cli/seed-logstash.test.ts's and seed-vector.test.ts's to check.
import { beforeAll, describe, expect, it } from "vitest";
import { commitGroupAtStart, putStackLogsTemplate, SEED_TOPICS, type SeedTopic } from "../cli/helpers.js";
import { SEED_DATA_STREAM_NAME, SEED_VECTOR_INDICES } from "../cli/seed-documents.js";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { countDocs, useTestbed } from "../pipeline/helpers.js";
import { runExample } from "./run.js";

const COUNTS: Record<SeedTopic, number> = {
  "insight-logs": 600,
  "insight-event": 300,
  "insight-gw-skoala": 200,
};

describe(`parity examples ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();
  const env = () => ({
    KAFKA_BROKERS: bed.kafka.bootstrapServers,
    ES_URL: bed.es.url,
    SLUICE_EXIT_WHEN_IDLE_MS: "2000",
    SLUICE_HTTP_PORT: "0",
  });

  beforeAll(async () => {
    for (const [i, topic] of SEED_TOPICS.entries()) {
      await bed.kafka.createTopic(topic, 2);
      await produceWithKcat({
        brokers: bed.kafka.bootstrapServers,
        topic,
        messages: fluentBitRecords(COUNTS[topic], { seed: 500 + i }),
      });
    }
    await putStackLogsTemplate(bed.client);
  }, 60_000);

  it("logstash-parity runs the seed's Helm values: every record in the data stream its outputs name", async () => {
    // The seed's inputs start at the end of a group without commits: a team's group has Logstash's.
    await commitGroupAtStart(bed.kafka.brokers, "logstash", SEED_TOPICS);
    const run = runExample("examples/logstash-parity/main.ts", env());
    const code = await run.exited;
    expect(code, run.output()).toBe(0);
    expect(run.output()).toContain("sluice: stopped (drained)");
    expect(await countDocs(bed.client, SEED_DATA_STREAM_NAME)).toBe(1100);
    const resolved = await bed.client.indices.resolveIndex({ name: SEED_DATA_STREAM_NAME });
    expect(resolved.data_streams.map((s) => s.name)).toEqual([SEED_DATA_STREAM_NAME]);
  }, 180_000);

  it("vector-parity runs the seed's ConfigMap: each sink's index, insight-gw-skoala's records in two", async () => {
    await commitGroupAtStart(bed.kafka.brokers, "consumer-group-insight", SEED_TOPICS);
    const run = runExample("examples/vector-parity/main.ts", env());
    const code = await run.exited;
    expect(code, run.output()).toBe(0);
    for (const [index, topics] of Object.entries(SEED_VECTOR_INDICES))
      expect(await countDocs(bed.client, index), index).toBe(
        topics.reduce((sum, topic) => sum + COUNTS[topic as SeedTopic], 0),
      );
  }, 180_000);
});
