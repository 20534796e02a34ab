// Subscriptions: several topics, a pattern, and where a new group starts (earliest or latest).
import { createPipeline, silentLogger } from "@sluice/core";
import { elasticsearchDeadLetters, elasticsearchSink } from "@sluice/sink-elasticsearch";
import { type KafkaSourceOptions, kafkaMetadata, kafkaSource } from "@sluice/source-kafka";
import { epochToIso, parseJson } from "@sluice/transforms";
import { describe, expect, it } from "vitest";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { countDocs, useTestbed, waitFor } from "./helpers.js";

describe("subscriptions", () => {
  const bed = useTestbed();

  const pipelineFor = (source: Omit<KafkaSourceOptions, "brokers">, index: string) =>
    createPipeline({
      source: kafkaSource({ brokers: bed.kafka.bootstrapServers, ...source }),
      stages: [parseJson(), epochToIso(), kafkaMetadata({ topicKey: "kafka_topic" })],
      sink: elasticsearchSink({ node: bed.es.url, index }),
      deadLetters: elasticsearchDeadLetters({ node: bed.es.url }),
      logger: silentLogger(),
      handleSignals: false,
    });

  it("reads several topics, and every topic a pattern matches", async () => {
    for (const topic of ["insight-logs", "insight-event", "insight-gw-skoala", "other-logs"]) {
      await bed.kafka.createTopic(topic, 2);
      await produceWithKcat({
        brokers: bed.kafka.bootstrapServers,
        topic,
        messages: fluentBitRecords(100, { seed: 1 }),
      });
    }
    const named = pipelineFor({ topics: ["insight-logs", "other-logs"], groupId: "named" }, "named");
    const pattern = pipelineFor({ topicPattern: "^insight-", groupId: "pattern" }, "pattern");
    await Promise.all([named.start(), pattern.start()]);
    await waitFor(
      "named topics",
      () => countDocs(bed.client, "named"),
      (n) => n >= 200,
    );
    await waitFor(
      "pattern topics",
      () => countDocs(bed.client, "pattern"),
      (n) => n >= 300,
    );
    await Promise.all([named.stop(), pattern.stop()]);

    const topicsIn = async (index: string) => {
      const { hits } = await bed.client.search<{ kafka_topic: string }>({ index, size: 1000 });
      return [...new Set(hits.hits.map((h) => h._source!.kafka_topic))].sort();
    };
    expect(await topicsIn("named")).toEqual(["insight-logs", "other-logs"]);
    expect(await topicsIn("pattern")).toEqual(["insight-event", "insight-gw-skoala", "insight-logs"]);
    expect(await countDocs(bed.client, "pattern")).toBe(300);
  }, 120_000);

  it("starts a new group at the latest offset when asked, at the earliest by default", async () => {
    const topic = "start-position";
    await bed.kafka.createTopic(topic, 1);
    await produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      messages: fluentBitRecords(50, { seed: 2 }),
    });
    const latest = pipelineFor({ topics: [topic], groupId: "latest", startFrom: "latest" }, "latest");
    const earliest = pipelineFor({ topics: [topic], groupId: "earliest" }, "earliest");
    await Promise.all([latest.start(), earliest.start()]);
    await waitFor(
      "the old records, for the earliest group",
      () => countDocs(bed.client, "earliest"),
      (n) => n >= 50,
    );
    // Give the latest group time to join, then add new records: only those reach it.
    await new Promise((r) => setTimeout(r, 4000));
    await produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      messages: fluentBitRecords(20, { seed: 3 }),
    });
    await waitFor(
      "the new records",
      () => countDocs(bed.client, "latest"),
      (n) => n >= 20,
    );
    await waitFor(
      "all records, for the earliest group",
      () => countDocs(bed.client, "earliest"),
      (n) => n >= 70,
    );
    await Promise.all([latest.stop(), earliest.stop()]);
    expect(await countDocs(bed.client, "latest")).toBe(20);
    expect(await countDocs(bed.client, "earliest")).toBe(70);
  }, 120_000);

  it("refuses a source with neither topics nor a pattern, or a bad pattern, naming the option", () => {
    expect(() => kafkaSource({ brokers: "k:9092", groupId: "g" })).toThrow(
      /kafkaSource: option `topics` is required/,
    );
    expect(() => kafkaSource({ brokers: "k:9092", groupId: "g", topicPattern: "(" })).toThrow(
      /option `topicPattern` is not a valid regular expression/,
    );
  });
});
