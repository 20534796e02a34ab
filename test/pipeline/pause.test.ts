// Pausing the Kafka source on request: nothing is fetched until resume(), across a rebalance, and
// nothing is lost or read twice.
import { createPipeline, silentLogger } from "@sluice/core";
import { elasticsearchDeadLetters, elasticsearchSink } from "@sluice/sink-elasticsearch";
import { kafkaSource } from "@sluice/source-kafka";
import { epochToIso, parseJson } from "@sluice/transforms";
import { describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { committedTotal, countDocs, useTestbed, waitFor } from "./helpers.js";

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
      handleSignals: false,
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

  const untilDocs = (index: string, count: number, what: string) =>
    waitFor(
      what,
      () => countDocs(bed.client, index),
      (n) => n >= count,
    );

  /** Longer than several fetch waits (500 ms each): anything a paused member fetched would be in. */
  const aWhile = () => new Promise((r) => setTimeout(r, 3000));

  it("fetches nothing while paused, also after a rebalance, and everything once resumed", async () => {
    const topic = "paused";
    await bed.kafka.createTopic(topic, 2);
    await produce(topic, 0, 20, 1);
    await produce(topic, 1, 20, 2);
    const a = member(topic, "paused-docs");
    await a.pipeline.start();
    await untilDocs("paused-docs", 40, "the first records");

    await a.source.pause();
    expect(a.source.health().detail).toMatchObject({ pausedOnRequest: true });
    await produce(topic, 0, 15, 3);
    await produce(topic, 1, 15, 4);
    await aWhile();
    expect(await countDocs(bed.client, "paused-docs")).toBe(40);

    // Another member joins: the group rebalances, and the paused one stays paused on what it keeps.
    const b = member(topic, "paused-docs");
    await b.pipeline.start();
    await untilDocs("paused-docs", 55, "the other member's share");
    await aWhile();
    expect(await countDocs(bed.client, "paused-docs")).toBe(55);
    await b.pipeline.stop();

    // Alone again after a second rebalance, still paused; then resumed, it reads the rest.
    await aWhile();
    expect(await countDocs(bed.client, "paused-docs")).toBe(55);
    await a.source.resume();
    expect(a.source.health().detail).not.toHaveProperty("pausedOnRequest");
    await untilDocs("paused-docs", 70, "every record");
    await waitFor(
      "the commits",
      () => committedTotal([bed.kafka.bootstrapServers], topic, topic),
      (n) => n === 70,
    );
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
    await aWhile();
    expect(await countDocs(bed.client, "paused-at-start-docs")).toBe(0);
    await a.source.resume();
    await untilDocs("paused-at-start-docs", 25, "every record");
    await a.pipeline.stop();
    expect(await countDocs(bed.client, "paused-at-start-docs")).toBe(25);
  }, 60_000);
});
