// Pausing the Kafka source on request: nothing is fetched until resume(), across a rebalance, and
// nothing is lost or read twice.
import { createPipeline, type Pipeline, silentLogger } from "@sluice/core";
import { elasticsearchDeadLetters, elasticsearchSink } from "@sluice/sink-elasticsearch";
import { type KafkaSource, kafkaSource } from "@sluice/source-kafka";
import { epochToIso, parseJson } from "@sluice/transforms";
import { describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import {
  countDocs,
  sourceBytes,
  steadyValue,
  useTestbed,
  waitFor,
  waitForCommits,
  waitForDocs,
} from "./helpers.js";

describe(`pausing the source ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();

  const member = (topic: string, index: string) => {
    const source = kafkaSource({
      brokers: bed.kafka.bootstrapServers,
      topics: [topic],
      groupId: topic,
      sessionTimeoutMs: 6000,
      heartbeatIntervalMs: 1000,
    });
    const pipeline = createPipeline({
      source,
      stages: [parseJson(), epochToIso()],
      sink: elasticsearchSink({ node: bed.es.url, index }),
      deadLetters: elasticsearchDeadLetters({ node: bed.es.url }),
      commitIntervalMs: 200,
      logger: silentLogger(),
    });
    return { source, pipeline };
  };

  const produce = (topic: string, partition: number, count: number, seed: number) =>
    produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      partition,
      messages: fluentBitRecords(count, { seed }),
    });

  const untilDocs = (index: string, count: number) => waitForDocs(bed.client, index, count);

  /**
   * The bytes `pipeline` took from Kafka once they held still for longer than several fetch waits
   * (500 ms each): a member that fetched while paused would have moved them.
   */
  const fetchedOnceStill = (pipeline: Pipeline) =>
    steadyValue("the bytes fetched", () => sourceBytes(pipeline), { samples: 12, intervalMs: 150 });

  /** Waits until `member` holds `count` partitions of `topic` (a rebalance is over for it). */
  const untilHolding = (member: { source: KafkaSource }, topic: string, count: number) =>
    waitFor(
      `${count} partitions of ${topic}`,
      () => (member.source.health().detail!.assignment as Record<string, number[]>)[topic]?.length ?? 0,
      (n) => n === count,
    );

  it("fetches nothing while paused, also after a rebalance, and everything once resumed", async () => {
    const topic = "paused";
    await bed.kafka.createTopic(topic, 2);
    await produce(topic, 0, 20, 1);
    await produce(topic, 1, 20, 2);
    const a = member(topic, "paused-docs");
    await a.pipeline.start();
    await untilDocs("paused-docs", 40);

    await a.source.pause();
    expect(a.source.health().detail).toMatchObject({ pausedOnRequest: true });
    const fetched = await sourceBytes(a.pipeline);
    await produce(topic, 0, 15, 3);
    await produce(topic, 1, 15, 4);
    expect(await fetchedOnceStill(a.pipeline)).toBe(fetched);
    expect(await countDocs(bed.client, "paused-docs")).toBe(40);

    // Another member joins: the group rebalances, and the paused one stays paused on what it keeps.
    const b = member(topic, "paused-docs");
    await b.pipeline.start();
    await untilDocs("paused-docs", 55);
    await untilHolding(a, topic, 1);
    expect(await fetchedOnceStill(a.pipeline)).toBe(fetched);
    expect(await countDocs(bed.client, "paused-docs")).toBe(55);
    await b.pipeline.stop();

    // Alone again after a second rebalance, still paused; then resumed, it reads the rest.
    await untilHolding(a, topic, 2);
    expect(await fetchedOnceStill(a.pipeline)).toBe(fetched);
    expect(await countDocs(bed.client, "paused-docs")).toBe(55);
    await a.source.resume();
    expect(a.source.health().detail).not.toHaveProperty("pausedOnRequest");
    await untilDocs("paused-docs", 70);
    await waitForCommits([bed.kafka.bootstrapServers], topic, topic, 70);
    await a.pipeline.stop();
    expect(await countDocs(bed.client, "paused-docs")).toBe(70);
  }, 120_000);

  it("can be paused before it starts, and starts paused", async () => {
    const topic = "paused-at-start";
    await bed.kafka.createTopic(topic, 1);
    await produce(topic, 0, 25, 5);
    const a = member(topic, "paused-at-start-docs");
    await a.source.pause();
    await a.pipeline.start();
    await waitFor(
      "the group's assignment",
      () => a.source.health().detail!.assignment as Record<string, number[]>,
      (assignment) => (assignment[topic]?.length ?? 0) > 0,
    );
    expect(await fetchedOnceStill(a.pipeline)).toBe(0);
    expect(await countDocs(bed.client, "paused-at-start-docs")).toBe(0);
    await a.source.resume();
    await untilDocs("paused-at-start-docs", 25);
    await a.pipeline.stop();
    expect(await countDocs(bed.client, "paused-at-start-docs")).toBe(25);
  }, 60_000);
});
