// The Kafka source's consumer thread: each source has its own, which ends with it, and a pipeline started
// after another in the same process sees none of the other's records.
import { describe, expect, it } from "vitest";
import { runningThreads } from "../../packages/source-kafka/src/worker/start-thread.js";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { committedTotal, countDocs, topicPipeline, useTestbed, waitFor } from "./helpers.js";

describe(`consumer threads ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();

  it("a later pipeline starts a thread of its own, each with its own records; none outlives its source", async () => {
    const before = runningThreads();
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
    expect(runningThreads()).toBe(before + 1);
    await waitFor(
      "the first topic",
      () => countDocs(bed.client, "thread-reuse-a-docs"),
      (n) => n >= 2000,
    );
    await first.stop();
    await waitFor(
      "the first thread's exit",
      async () => runningThreads(),
      (n) => n === before,
    );

    const second = topicPipeline(bed, "thread-reuse-b");
    await second.start();
    expect(runningThreads()).toBe(before + 1);
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
    await waitFor(
      "the second thread's exit",
      async () => runningThreads(),
      (n) => n === before,
    );
  }, 120_000);
});
