// The Fluent Bit record generator and the producer fixture: shapes, formatting, bytes on the wire.
import { registerCodecs } from "@sluice/source-kafka";
import kafkajs from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { type KafkaCluster, startKafkaCluster } from "../harness/kafka/cluster.js";
import { FLUENT_BIT_PRODUCER_SETTINGS, produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecord, fluentBitRecords, formatFluentBitTimestamp } from "../harness/kafka/records.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { CompressionCodecs, CompressionTypes, Kafka, logLevel } = kafkajs;

describe("formatFluentBitTimestamp (C's %.16g, %.1f when whole)", () => {
  it("prints what Fluent Bit's kafka output prints", () => {
    expect(formatFluentBitTimestamp(1732492800.123456)).toBe("1732492800.123456");
    expect(formatFluentBitTimestamp(1732492800.5)).toBe("1732492800.5");
    expect(formatFluentBitTimestamp(1732492800.12)).toBe("1732492800.12");
    expect(formatFluentBitTimestamp(1732492800.001)).toBe("1732492800.001");
    expect(formatFluentBitTimestamp(1732492800)).toBe("1732492800.0");
    expect(formatFluentBitTimestamp(1732492800.00001)).toBe("1732492800.00001");
  });
});

describe("fluentBitRecord", () => {
  it("is a Kubernetes record with @timestamp first, a number with at most six decimals", () => {
    const text = fluentBitRecord(42, { seed: 9 });
    expect(text.startsWith('{"@timestamp":17324928')).toBe(true);
    expect(text).toMatch(/^\{"@timestamp":\d{10}(\.\d{1,6})?,"log":/);
    const record = JSON.parse(text);
    expect(Object.keys(record)).toEqual(["@timestamp", "log", "stream", "time", "kubernetes"]);
    expect(Object.keys(record.kubernetes)).toEqual([
      "pod_name",
      "namespace_name",
      "pod_id",
      "labels",
      "annotations",
      "host",
      "container_name",
      "docker_id",
      "container_hash",
      "container_image",
    ]);
    expect(typeof record["@timestamp"]).toBe("number");
    expect(record.time).toMatch(/^2024-11-25T00:00:00\.\d{9}Z$/);
    // The runtime's nanosecond time and the double agree to the microsecond.
    expect(record.time.slice(20, 26)).toBe(
      String(Math.round((record["@timestamp"] % 1) * 1e6)).padStart(6, "0"),
    );
  });

  it("is deterministic in (i, seed), varied across i, and ~836 bytes on average", () => {
    expect(fluentBitRecord(7, { seed: 3 })).toBe(fluentBitRecord(7, { seed: 3 }));
    expect(fluentBitRecord(7, { seed: 3 })).not.toBe(fluentBitRecord(7, { seed: 4 }));
    const records = fluentBitRecords(2000, { seed: 1 });
    const sizes = records.map((r) => Buffer.byteLength(r));
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    expect(mean).toBeGreaterThan(820);
    expect(mean).toBeLessThan(880);
    expect(new Set(records.map((r) => JSON.parse(r).log.slice(0, 12))).size).toBeGreaterThan(20);
    expect(records.some((r) => JSON.parse(r).log.includes("@timestamp"))).toBe(true);
  });
});

describe(`Fluent Bit producer fixture (kcat with the seed's settings) ${runsOn({ kafka: true })}`, () => {
  let cluster: KafkaCluster;
  beforeAll(async () => {
    cluster = await startKafkaCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("uses the seed's producer settings", () => {
    expect(FLUENT_BIT_PRODUCER_SETTINGS).toEqual({
      "batch.size": "65536",
      "compression.level": "6",
      "linger.ms": "0",
      acks: "1",
      "message.max.bytes": "2097152",
    });
  });

  it("delivers LZ4 batches that kafkajs reads byte for byte with the lz4-napi codec, in partition order", async () => {
    await cluster.createTopic("fluent", 2);
    const records = fluentBitRecords(5000, { seed: 21 });
    await produceWithKcat({ brokers: cluster.bootstrapServers, topic: "fluent", messages: records });

    // Without an LZ4 codec kafkajs cannot read these batches: they really are LZ4-compressed. The codec is
    // replaced by one that refuses, as kafkajs's own placeholder does; with none at all, kafkajs would
    // read the compressed bytes as if they were records.
    CompressionCodecs[CompressionTypes.LZ4] = () => {
      throw new Error("no LZ4 codec in this test");
    };
    const plain = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING }).consumer({
      groupId: "no-codec",
    });
    await plain.connect();
    await plain.subscribe({ topics: ["fluent"], fromBeginning: true });
    // The codec's refusal, not a retriable error a busy broker may answer first (a group coordinator
    // still loading), which kafkajs also reports as a crash before it restarts.
    const crashed = new Promise<Error>((resolve) =>
      plain.on(plain.events.CRASH, ({ payload }) => {
        if (!(payload.error as { retriable?: boolean }).retriable) resolve(payload.error);
      }),
    );
    const readable: number[] = [];
    await plain.run({
      eachBatch: async ({ batch }) => {
        readable.push(batch.messages.length);
      },
    });
    expect((await crashed).message).toBe("no LZ4 codec in this test");
    // librdkafka sends a batch as it is only when compressing would not make it smaller
    // (rdkafka_msgset_writer.c); each of these records alone still shrinks (to at most 88% through
    // lz4-napi), so no batch is readable without the codec. (While this test deleted the codec instead,
    // kafkajs took the bytes of compressed batches for records: one CI run "read" 2 of them, another 18.)
    expect(readable, "batches kafkajs read without an LZ4 codec").toEqual([]);
    await plain.disconnect();

    registerCodecs();
    const consumer = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING }).consumer({
      groupId: "codec",
    });
    const byPartition = new Map<number, Buffer[]>();
    let received = 0;
    await consumer.connect();
    await consumer.subscribe({ topics: ["fluent"], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const list = byPartition.get(partition) ?? [];
        list.push(message.value!);
        byPartition.set(partition, list);
        received++;
      },
    });
    const end = Date.now() + 30_000;
    while (received < records.length && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    await consumer.disconnect();
    expect(received).toBe(records.length);
    // kcat keeps each partition in input order: every partition's messages are a subsequence of the input.
    const expected = records.map((r) => Buffer.from(r));
    for (const messages of byPartition.values()) {
      let cursor = 0;
      for (const message of messages) {
        while (cursor < expected.length && !expected[cursor]!.equals(message)) cursor++;
        expect(cursor, "message found in order").toBeLessThan(expected.length);
        cursor++;
      }
    }
    const all = [...byPartition.values()]
      .flat()
      .map((b) => b.toString())
      .sort();
    expect(all).toEqual([...records].sort());
  }, 60_000);

  it("refuses a message that contains the delimiter", async () => {
    await expect(
      produceWithKcat({ brokers: cluster.bootstrapServers, topic: "fluent", messages: ["a\nb"] }),
    ).rejects.toThrow(/contains the delimiter/);
  });
});
