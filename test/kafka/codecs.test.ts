// Every Kafka compression codec on the consumer side: what librdkafka (kcat) writes decodes byte for byte.
import { randomBytes } from "node:crypto";
import { registerCodecs } from "@sluice/source-kafka";
import kafkajs from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { type KafkaCluster, startKafkaCluster } from "../harness/kafka/cluster.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { Kafka, logLevel } = kafkajs;

describe(`compression codecs (librdkafka producer → kafkajs consumer) ${runsOn({ kafka: true })}`, () => {
  let cluster: KafkaCluster;
  beforeAll(async () => {
    registerCodecs();
    cluster = await startKafkaCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  for (const codec of ["lz4", "snappy", "gzip", "zstd"] as const) {
    it(`${codec}: every message decodes byte for byte`, async () => {
      const topic = `codec-${codec}`;
      await cluster.createTopic(topic, 1);
      // Fluent Bit records plus bytes that are not UTF-8 (no newline: kcat's delimiter).
      const binary = Array.from({ length: 50 }, () => {
        const b = randomBytes(300);
        return Buffer.from(b.map((x) => (x === 0x0a ? 0x0b : x)));
      });
      const messages: Buffer[] = [
        ...fluentBitRecords(3000, { seed: 17 }).map((r) => Buffer.from(r)),
        ...binary,
      ];
      await produceWithKcat({ brokers: cluster.bootstrapServers, topic, messages, compression: codec });

      const consumer = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING }).consumer({
        groupId: `reader-${codec}`,
      });
      const received: Buffer[] = [];
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          received.push(message.value!);
        },
      });
      const end = Date.now() + 30_000;
      while (received.length < messages.length && Date.now() < end)
        await new Promise((r) => setTimeout(r, 50));
      await consumer.disconnect();
      expect(received.length).toBe(messages.length);
      for (let i = 0; i < messages.length; i++)
        expect(received[i]!.equals(messages[i]!), `message ${i}`).toBe(true);
    }, 60_000);
  }
});
