// Dead letters under the faults the emulator injects: letters refused 429 are resent alone until all are
// stored, and letters waiting on their destination show in /health.
import { describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { committedTotal, countDocs, topicPipeline, useTestbed, waitFor } from "./helpers.js";

describe(`dead letters under faults ${runsOn({ kafka: true, es: "emulator" })}`, () => {
  const bed = useTestbed({ es: "emulator" });

  it("with 30% of items refused 429, 619 broken records are all kept and committed past", async () => {
    const topic = "dlq-429";
    const broken = 619;
    await bed.kafka.createTopic(topic, 1);
    await produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      messages: Array.from({ length: broken }, (_, i) => `{"broken":${i}`),
    });
    bed.es.faults.rejectItems(0.3, { seed: 26 });
    const before = bed.es.stats();
    const pipeline = topicPipeline(bed, topic);
    const started = Date.now();
    try {
      await pipeline.start();
      await waitFor(
        "every broken record committed",
        () => committedTotal([bed.kafka.bootstrapServers], topic, topic),
        (n) => n >= broken,
        120_000,
      );
    } finally {
      bed.es.faults.clear();
      await pipeline.stop();
    }
    const seconds = (Date.now() - started) / 1000;
    const rejected = bed.es.stats().rejectedItems - before.rejectedItems;
    console.info(
      `${broken} dead letters with 30% of items refused 429: ${rejected} refusals, all stored in ${seconds.toFixed(1)} s`,
    );
    expect(rejected).toBeGreaterThan(broken * 0.3 * 0.8);
    expect(await countDocs(bed.client, `${topic}-letters`)).toBe(broken);
  }, 180_000);

  it("reports the letters waiting on an unavailable destination as deadLettersPending, then stores them", async () => {
    const topic = "dlq-pending";
    await bed.kafka.createTopic(topic, 1);
    await produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      messages: Array.from({ length: 30 }, (_, i) => `not json ${i}`),
    });
    bed.es.faults.respondWith(503, { paths: /_bulk/ });
    const pipeline = topicPipeline(bed, topic);
    try {
      await pipeline.start();
      const waiting = await waitFor(
        "30 letters pending",
        () => pipeline.health().detail?.deadLettersPending,
        (n) => n === 30,
      );
      expect(waiting).toBe(30);
      expect(await committedTotal([bed.kafka.bootstrapServers], topic, topic)).toBe(0);
      bed.es.faults.clear();
      await waitFor(
        "every letter committed",
        () => committedTotal([bed.kafka.bootstrapServers], topic, topic),
        (n) => n >= 30,
      );
      expect(pipeline.health().detail?.deadLettersPending).toBe(0);
    } finally {
      bed.es.faults.clear();
      await pipeline.stop();
    }
    expect(await countDocs(bed.client, `${topic}-letters`)).toBe(30);
  }, 120_000);
});
