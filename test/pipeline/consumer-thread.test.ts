// The Kafka source's consumer thread: a pipeline started after another in the same process hosts its
// source on the thread the first one left, warm, and neither pipeline sees the other's records.
import { describe, expect, it } from "vitest";
import { idleThreads } from "../../packages/source-kafka/src/worker/thread-pool.js";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { committedTotal, countDocs, topicPipeline, useTestbed, waitFor } from "./helpers.js";

describe(`consumer threads ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();

  it("a later pipeline reuses the thread an earlier one left, each with its own records", async () => {
    const before = idleThreads();
    for (const [i, topic] of ["thread-reuse-a", "thread-reuse-b"].entries()) {
      await bed.kafka.createTopic(topic, 2);
      await produceWithKcat({
        brokers: bed.kafka.bootstrapServers,
        topic,
        messages: fluentBitRecords(2000 + i * 500, { seed: 60 + i }),
      });
    }
    const first = topicPipeline(bed, "thread-reuse-a");
    await first.start();
    await waitFor(
      "the first topic",
      () => countDocs(bed.client, "thread-reuse-a-docs"),
      (n) => n >= 2000,
    );
    await first.stop();
    // Its thread waits for the next source instead of ending.
    expect(idleThreads()).toBe(before + 1);

    const second = topicPipeline(bed, "thread-reuse-b");
    await second.start();
    expect(idleThreads()).toBe(before);
    await waitFor(
      "the second topic",
      () => countDocs(bed.client, "thread-reuse-b-docs"),
      (n) => n >= 2500,
    );
    await waitFor(
      "the second topic committed",
      () => committedTotal(bed.kafka.brokers, "thread-reuse-b", "thread-reuse-b"),
      (n) => n === 2500,
    );
    await second.stop();
    expect(await countDocs(bed.client, "thread-reuse-a-docs")).toBe(2000);
    expect(await countDocs(bed.client, "thread-reuse-b-docs")).toBe(2500);
    expect(await committedTotal(bed.kafka.brokers, "thread-reuse-a", "thread-reuse-a")).toBe(2000);
    expect(idleThreads()).toBe(before + 1);
  }, 120_000);
});
