// kafkajs's codec table belongs to the process: Sluice's constructors leave it alone, registerCodecs() fills it.
import kafkajs from "kafkajs";
import { afterEach, describe, expect, it } from "vitest";
import { registerCodecs } from "../src/codecs/register.js";
import { kafkaDeadLetters } from "../src/kafka-dead-letters.js";
import { kafkaSource } from "../src/kafka-source.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { CompressionCodecs, CompressionTypes } = kafkajs;

const snapshot = () => ({ ...CompressionCodecs });

describe("kafkajs's codec table", () => {
  const original = snapshot();
  afterEach(() => {
    Object.assign(CompressionCodecs, original);
  });

  it("is left as it was by a Kafka source and Kafka dead letters (gzip, kafkajs's own, by default)", () => {
    kafkaSource({ brokers: "127.0.0.1:9092", topics: ["t"], groupId: "g" });
    kafkaDeadLetters({ brokers: "127.0.0.1:9092", topic: "letters" });
    kafkaDeadLetters({ brokers: "127.0.0.1:9092", topic: "letters", compression: "none" });
    expect(snapshot()).toEqual(original);
    for (const [type, codec] of Object.entries(original))
      expect(CompressionCodecs[Number(type) as keyof typeof CompressionCodecs]).toBe(codec);
  });

  it("refuses dead letters compressed by a codec the table lacks, naming the option and the remedy", () => {
    for (const compression of ["lz4", "snappy", "zstd"] as const)
      expect(() => kafkaDeadLetters({ brokers: "127.0.0.1:9092", topic: "letters", compression })).toThrow(
        new RegExp(`option \`compression\` "${compression}" needs its codec .*registerCodecs\\(\\)`),
      );
    expect(CompressionCodecs[CompressionTypes.LZ4]).toBe(original[CompressionTypes.LZ4]);
  });

  it("registerCodecs() fills the table for the application's own clients, and LZ4 letters then build", () => {
    registerCodecs();
    expect(CompressionCodecs[CompressionTypes.LZ4]).not.toBe(original[CompressionTypes.LZ4]);
    expect(CompressionCodecs[CompressionTypes.GZIP]).toBe(original[CompressionTypes.GZIP]);
    expect(() => CompressionCodecs[CompressionTypes.LZ4]!()).not.toThrow();
    expect(kafkaDeadLetters({ brokers: "127.0.0.1:9092", topic: "letters", compression: "lz4" }).name).toBe(
      "kafka-dead-letters",
    );
  });
});
