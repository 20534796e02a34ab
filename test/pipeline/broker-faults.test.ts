// Broker faults: a broker down and back, injected fetch and commit errors, the whole cluster
// unreachable for a while. The source retries, says so in /health, and loses nothing.
import { silentLogger } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { slicePipeline } from "../fixtures/slice-pipeline.js";
import { runsOn } from "../harness/backends.js";
import { ApiKey, KafkaErrorCode, startKafkaCluster } from "../harness/kafka/cluster.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { countDocs, keptLog, useTestbed, waitFor, waitForCommits, waitForDocs } from "./helpers.js";

// Injected request errors and unreachable brokers need the mock cluster (real brokers' faults are in
// real-broker-faults.test.ts).
describe(`broker faults ${runsOn({ kafka: "mock", es: true })}`, () => {
  const bed = useTestbed({ kafka: "mock" });

  it("rides out a broker down and up, fetch and commit errors, and a full outage, losing nothing", async () => {
    const kafka = await startKafkaCluster({ brokers: 3, backend: "mock" });
    const topic = "faults";
    const total = 30_000;
    try {
      await kafka.createTopic(topic, 3, 1);
      const records = fluentBitRecords(total, { seed: 31 });
      await produceWithKcat({ brokers: kafka.bootstrapServers, topic, messages: records.slice(0, 10_000) });
      const pipeline = slicePipeline({
        brokers: kafka.bootstrapServers,
        esUrl: bed.es.url,
        topics: [topic],
        groupId: "faults",
        index: "faults",
        logger: silentLogger(),
        httpPort: 0,
        sessionTimeoutMs: 10_000,
      });
      await pipeline.start();
      await waitFor(
        "first records",
        () => countDocs(bed.client, "faults"),
        (n) => n > 0,
        60_000,
        100,
      );

      // Fetch and commit requests fail for a while.
      await kafka.pushRequestErrors(ApiKey.Fetch, Array(5).fill(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER));
      await kafka.pushRequestErrors(ApiKey.OffsetCommit, Array(3).fill(KafkaErrorCode.REQUEST_TIMED_OUT));
      await produceWithKcat({
        brokers: kafka.bootstrapServers,
        topic,
        messages: records.slice(10_000, 20_000),
      });

      // One broker down, then up.
      await kafka.setBrokerDown(2);
      await new Promise((r) => setTimeout(r, 3000));
      await kafka.setBrokerUp(2);

      // The whole cluster unreachable: /health says the source is not well.
      for (const id of [1, 2, 3]) await kafka.setBrokerDown(id);
      const health = await waitFor(
        "an unhealthy source in /health",
        async () =>
          (await (await fetch(`${pipeline.httpUrl}/health`)).json()) as {
            detail: { source: { status: string } };
          },
        (h) => h.detail.source.status !== "ok",
        30_000,
        250,
      );
      expect(["degraded", "down"]).toContain(health.detail.source.status);
      const sourceUp = async () =>
        Number(
          /sluice_source_up\{[^}]*\} (\d+)/.exec(
            await (await fetch(`${pipeline.httpUrl}/metrics`)).text(),
          )?.[1],
        );
      expect(await sourceUp()).toBe(0);
      for (const id of [1, 2, 3]) await kafka.setBrokerUp(id);

      await produceWithKcat({ brokers: kafka.bootstrapServers, topic, messages: records.slice(20_000) });
      await waitForDocs(bed.client, "faults", total, 180_000, 500);
      await waitForCommits(kafka.brokers, "faults", topic, total, 60_000);
      const after = (await (await fetch(`${pipeline.httpUrl}/health`)).json()) as {
        detail: { source: { status: string } };
      };
      expect(after.detail.source.status).toBe("ok");
      expect(await sourceUp()).toBe(1);
      await pipeline.stop();
      expect(await countDocs(bed.client, "faults")).toBe(total);
    } finally {
      await kafka.stop();
    }
  }, 300_000);

  it("rejoins the group after an error kafkajs will not retry, and still delivers exactly once", async () => {
    const topic = "fatal-heartbeat";
    const total = 20_000;
    await bed.kafka.createTopic(topic, 2);
    const records = fluentBitRecords(total, { seed: 37 });
    await produceWithKcat({ brokers: bed.kafka.bootstrapServers, topic, messages: records.slice(0, 10_000) });
    const { logger, lines } = keptLog("warn");
    const pipeline = slicePipeline({
      brokers: bed.kafka.bootstrapServers,
      esUrl: bed.es.url,
      topics: [topic],
      groupId: topic,
      index: topic,
      logger,
      sessionTimeoutMs: 6000,
    });
    await pipeline.start();
    try {
      // Idle first, every record so far committed: the next heartbeat is kafkajs's own, between empty
      // fetches. (One sent while a batch handler waits on backpressure throws into the handler, and
      // kafkajs's runner retries its fetch loop instead of crashing: another path, not this test's.)
      await waitForCommits(bed.kafka.brokers, topic, topic, 10_000, 60_000);
      // INVALID_REQUEST is not retriable for kafkajs: its consumer crashes for good (the mock cluster
      // answers it, for one, to a SyncGroup that arrives while the group is still joining).
      await bed.kafka.pushRequestErrors(ApiKey.Heartbeat, [KafkaErrorCode.INVALID_REQUEST]);
      await waitFor(
        "the consumer's crash",
        () => lines.some((l) => l.includes("kafka consumer crashed")),
        (crashed) => crashed,
        30_000,
        100,
      );
      await produceWithKcat({ brokers: bed.kafka.bootstrapServers, topic, messages: records.slice(10_000) });
      await waitForDocs(bed.client, topic, total, 120_000, 500);
      await waitForCommits(bed.kafka.brokers, topic, topic, total, 60_000);
      expect(lines.some((l) => l.includes('"restart":false'))).toBe(true);
      expect(lines.some((l) => l.includes("rejoining the consumer group"))).toBe(true);
      expect(await countDocs(bed.client, topic)).toBe(total);
    } finally {
      await pipeline.stop();
    }
  }, 240_000);
});
