// Records that cannot be delivered go to dead letters with their bytes intact; the pipeline goes on.
import { createPipeline, silentLogger } from "@sluice/core";
import { elasticsearchSink } from "@sluice/sink-elasticsearch";
import { deadLetterHeaders, kafkaDeadLetters, kafkaSource, registerCodecs } from "@sluice/source-kafka";
import { epochToIso, parseJson } from "@sluice/transforms";
import kafkajs from "kafkajs";
import { describe, expect, it } from "vitest";
import { slicePipeline } from "../fixtures/slice-pipeline.js";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { countDocs, useTestbed, waitFor } from "./helpers.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { Kafka, logLevel } = kafkajs;

describe(`dead letters ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();

  it("sends a record that is not JSON to the dead-letter index with its bytes intact, and goes on", async () => {
    const topic = "dlq-es";
    await bed.kafka.createTopic(topic, 1);
    const good = fluentBitRecords(200, { seed: 5 });
    const notJson = '{"@timestamp":1732492800.5,"log":"truncated';
    const binary = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x22, 0xc3, 0x28, 0x7d]); // not UTF-8, no newline
    const messages: Array<string | Buffer> = [...good.slice(0, 100), notJson, binary, ...good.slice(100)];
    await produceWithKcat({ brokers: bed.kafka.bootstrapServers, topic, messages });

    const pipeline = slicePipeline({
      brokers: bed.kafka.bootstrapServers,
      esUrl: bed.es.url,
      topics: [topic],
      groupId: "dlq-es",
      index: "dlq-es-docs",
      deadLetterIndex: "dlq-es-letters",
      logger: silentLogger(),
    });
    await pipeline.start();
    await waitFor(
      "good records",
      () => countDocs(bed.client, "dlq-es-docs"),
      (n) => n >= 200,
    );
    await waitFor(
      "dead letters",
      () => countDocs(bed.client, "dlq-es-letters"),
      (n) => n >= 2,
    );
    await pipeline.stop();

    expect(await countDocs(bed.client, "dlq-es-docs")).toBe(200);
    const letters = await bed.client.search<{
      error: { code: string; type: string; stage: string; reason: string };
      kafka: { topic: string; partition: number; offset: string };
      raw: { base64: string; text?: string; bytes: number };
    }>({ index: "dlq-es-letters", size: 10 });
    const docs = letters.hits.hits.map((h) => h._source!);
    expect(docs.length).toBe(2);
    const byOffset = new Map(docs.map((d) => [d.kafka.offset, d]));
    const truncated = byOffset.get("100")!;
    expect(Buffer.from(truncated.raw.base64, "base64").toString()).toBe(notJson);
    expect(truncated.raw.text).toBe(notJson);
    expect(truncated.error).toMatchObject({
      code: "SLUICE_ERR_PARSE",
      type: "json_parse_exception",
      stage: "parseJson",
    });
    expect(truncated.kafka).toMatchObject({ topic, partition: 0 });
    const bytes = byOffset.get("101")!;
    expect(Buffer.from(bytes.raw.base64, "base64").equals(binary)).toBe(true);
    expect(bytes.raw.text).toBeUndefined();
    expect(bytes.error).toMatchObject({ code: "SLUICE_ERR_PARSE", type: "invalid_utf8" });
  }, 120_000);

  it("routes Elasticsearch's refusals (a mapping conflict) to dead letters with Elasticsearch's reason", async () => {
    const topic = "dlq-mapping";
    await bed.kafka.createTopic(topic, 1);
    const records = [
      JSON.stringify({ "@timestamp": 1732492800.1, log: "a", kubernetes: { labels: { app: "x" } } }),
      JSON.stringify({
        "@timestamp": 1732492800.2,
        log: "b",
        kubernetes: { labels: { app: { name: "y" } } },
      }),
      JSON.stringify({ "@timestamp": 1732492800.3, log: "c", kubernetes: { labels: { app: "z" } } }),
    ];
    await produceWithKcat({ brokers: bed.kafka.bootstrapServers, topic, messages: records });
    const pipeline = slicePipeline({
      brokers: bed.kafka.bootstrapServers,
      esUrl: bed.es.url,
      topics: [topic],
      groupId: "dlq-mapping",
      index: "dlq-mapping-docs",
      deadLetterIndex: "dlq-mapping-letters",
      logger: silentLogger(),
    });
    await pipeline.start();
    await waitFor(
      "the refused record",
      () => countDocs(bed.client, "dlq-mapping-letters"),
      (n) => n >= 1,
    );
    await waitFor(
      "the others",
      () => countDocs(bed.client, "dlq-mapping-docs"),
      (n) => n >= 2,
    );
    await pipeline.stop();
    const [letter] = (
      await bed.client.search<{
        error: { type: string; reason: string; code: string };
        raw: { text: string };
      }>({
        index: "dlq-mapping-letters",
      })
    ).hits.hits.map((h) => h._source!);
    expect(letter!.error.code).toBe("SLUICE_ERR_REJECTED");
    expect(letter!.error.type).toBe("document_parsing_exception");
    expect(letter!.error.reason).toContain("kubernetes.labels.app");
    expect(letter!.raw.text).toBe(records[1]);
  }, 120_000);

  it("writes dead letters to a Kafka topic with the raw bytes as value and the error as headers", async () => {
    const topic = "dlq-kafka-in";
    const dlqTopic = "dlq-kafka-out";
    await bed.kafka.createTopic(topic, 1);
    await bed.kafka.createTopic(dlqTopic, 1);
    const bad = "not json at all";
    await produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      messages: [...fluentBitRecords(3, { seed: 1 }), bad],
    });
    const pipeline = createPipeline({
      name: "kafka-dlq",
      source: kafkaSource({ brokers: bed.kafka.brokers, topics: [topic], groupId: "dlq-kafka" }),
      stages: [parseJson(), epochToIso()],
      sink: elasticsearchSink({ node: bed.es.url, index: "dlq-kafka-docs" }),
      deadLetters: kafkaDeadLetters({ brokers: bed.kafka.brokers, topic: dlqTopic }),
      logger: silentLogger(),
      handleSignals: false,
    });
    await pipeline.start();
    await waitFor(
      "good records",
      () => countDocs(bed.client, "dlq-kafka-docs"),
      (n) => n >= 3,
    );

    registerCodecs();
    const consumer = new Kafka({ brokers: bed.kafka.brokers, logLevel: logLevel.NOTHING }).consumer({
      groupId: "dlq-reader",
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [dlqTopic], fromBeginning: true });
    const received: Array<{ value: Buffer | null; headers: Record<string, string> }> = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        received.push({ value: message.value, headers });
      },
    });
    await waitFor(
      "the letter on the topic",
      () => received.length,
      (n) => n >= 1,
      30_000,
    );
    await consumer.disconnect();
    await pipeline.stop();
    expect(received.length).toBe(1);
    expect(received[0]!.value!.toString()).toBe(bad);
    expect(received[0]!.headers).toMatchObject({
      [deadLetterHeaders.code]: "SLUICE_ERR_PARSE",
      [deadLetterHeaders.type]: "json_parse_exception",
      [deadLetterHeaders.stage]: "parseJson",
      [deadLetterHeaders.topic]: topic,
      [deadLetterHeaders.partition]: "0",
      [deadLetterHeaders.offset]: "3",
      [deadLetterHeaders.pipeline]: "kafka-dlq",
    });
  }, 120_000);
});
