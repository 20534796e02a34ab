import type { KafkaMessage } from "kafkajs";
import { describe, expect, it } from "vitest";
import { packBatch, transferables, WireBatchReader } from "../../src/worker/wire-batch.js";

function message(
  offset: string,
  value: Buffer | null,
  extra: { key?: Buffer; timestamp?: string; headers?: KafkaMessage["headers"] } = {},
): KafkaMessage {
  return { offset, value, key: null, timestamp: "1732492800123", attributes: 0, headers: {}, ...extra };
}

/** Packs, sends the batch through a real MessageChannel with its buffers transferred, and reads it back. */
async function roundTrip(messages: KafkaMessage[]): Promise<WireBatchReader> {
  const batch = packBatch(3, "insight-logs", 2, "1000", messages);
  const { port1, port2 } = new MessageChannel();
  const received = new Promise<typeof batch>((resolve) => {
    port2.once("message", resolve);
  });
  port1.postMessage(batch, transferables(batch));
  const arrived = await received;
  port1.close();
  port2.close();
  // Transferred, not copied: the sender's buffers are gone.
  expect(batch.values.byteLength).toBe(0);
  expect(arrived).toMatchObject({
    generation: 3,
    topic: "insight-logs",
    partition: 2,
    count: messages.length,
  });
  return new WireBatchReader(arrived);
}

describe("wire batches", () => {
  it("carries each value's bytes, offset and timestamp, a null value as empty and marked a tombstone", async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 0x61);
    const reader = await roundTrip([
      message("41", Buffer.from('{"a":1}')),
      message("42", null),
      message("43", Buffer.alloc(0)),
      message("45", big, { timestamp: "1" }),
    ]);
    expect(reader.value(0).toString()).toBe('{"a":1}');
    expect(reader.value(1).length).toBe(0);
    expect(reader.value(2).length).toBe(0);
    expect(reader.value(3).equals(big)).toBe(true);
    expect([0, 1, 2, 3].map((i) => reader.origin(i).offset)).toEqual(["41", "42", "43", "45"]);
    expect(reader.origin(0)).toEqual({
      topic: "insight-logs",
      partition: 2,
      offset: "41",
      key: null,
      headers: {},
      timestamp: "1732492800123",
    });
    expect(reader.origin(3).timestamp).toBe("1");
    expect([0, 1, 2, 3].map((i) => reader.origin(i).tombstone)).toEqual([
      undefined,
      true,
      undefined,
      undefined,
    ]);
  });

  it("keeps offsets past 2^53 exact, and every value and timestamp after the first such offset", async () => {
    const reader = await roundTrip([
      message("9007199254740991", Buffer.from("w")),
      message("9007199254740993", Buffer.from("x")),
      message("9007199254740994", Buffer.from("yz"), { timestamp: "7" }),
    ]);
    expect([0, 1, 2].map((i) => reader.origin(i).offset)).toEqual([
      "9007199254740991",
      "9007199254740993",
      "9007199254740994",
    ]);
    expect([0, 1, 2].map((i) => reader.value(i).toString())).toEqual(["w", "x", "yz"]);
    expect(reader.origin(2).timestamp).toBe("7");
  });

  it("carries keys and headers that are not UTF-8, byte for byte, and none of a prototype's", async () => {
    const key = Buffer.from([0xff, 0x00, 0xc3]);
    const header = Buffer.from([0x80, 0x81]);
    const reader = await roundTrip([
      message("0", Buffer.from("a"), { key, headers: { trace: header, many: [Buffer.from("1"), "2"] } }),
      message("1", Buffer.from("b")),
      message("2", Buffer.from("c"), { key: Buffer.alloc(0), headers: JSON.parse('{"__proto__":"x"}') }),
    ]);
    const first = reader.origin(0);
    expect(Buffer.isBuffer(first.key)).toBe(true);
    expect(first.key!.equals(key)).toBe(true);
    expect((first.headers.trace as Buffer).equals(header)).toBe(true);
    expect((first.headers.many as Buffer[]).map((b) => b.toString())).toEqual(["1", "2"]);
    expect(reader.origin(1).key).toBeNull();
    expect(reader.origin(1).headers).toEqual({});
    const third = reader.origin(2);
    expect(third.key!.length).toBe(0);
    expect(Object.getPrototypeOf(third.headers)).toBe(Object.prototype);
    expect(Object.keys(third.headers)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
