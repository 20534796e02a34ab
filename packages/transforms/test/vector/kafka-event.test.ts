import { eventOf, type Origin } from "@sluice/core";
import { lastValueFrom, of } from "rxjs";
import { describe, expect, it } from "vitest";
import { type VectorKafkaEventOptions, VrlTimestamp, vectorKafkaEvent } from "../../src/vector/index.js";

const origin: Partial<Origin> = {
  topic: "logs-shop",
  partition: 3,
  offset: "1200",
  key: Buffer.from("pod-7"),
  headers: {
    trace: Buffer.from("abc"),
    tenant: "t1",
    repeated: [Buffer.from("one"), Buffer.from("two")],
    empty: undefined,
  },
  timestamp: "1732492800123",
};

async function shape(value: Buffer, options?: VectorKafkaEventOptions, from: Partial<Origin> = origin) {
  const [event] = await lastValueFrom(of([eventOf(value, { origin: from })]).pipe(vectorKafkaEvent(options)));
  return event!;
}

describe("vectorKafkaEvent", () => {
  it("builds the legacy-namespace event of Vector's kafka source, keys in its (sorted) order", async () => {
    const payload = '{"log":"hi","@timestamp":1732492800.5}';
    const event = await shape(Buffer.from(payload));
    expect(event.ok).toBe(true);
    const doc = event.value;
    expect(Object.keys(doc)).toEqual([
      "headers",
      "message",
      "message_key",
      "offset",
      "partition",
      "source_type",
      "timestamp",
      "topic",
    ]);
    expect(doc).toMatchObject({
      message: payload,
      message_key: "pod-7",
      topic: "logs-shop",
      partition: 3,
      offset: 1200,
      source_type: "kafka",
      // A header without a value is left out; of a repeated header the last value stays.
      headers: { trace: "abc", tenant: "t1", repeated: "two" },
    });
    expect(doc.timestamp).toBeInstanceOf(VrlTimestamp);
    // Written to JSON as Vector does: RFC 3339 UTC, the Kafka timestamp's milliseconds.
    expect(JSON.parse(JSON.stringify(doc)).timestamp).toBe("2024-11-25T00:00:00.123Z");
  });

  it("writes a null message_key for records without a key, and no timestamp when Kafka has none", async () => {
    const event = await shape(Buffer.from("x"), undefined, { ...origin, key: null, timestamp: "-1" });
    expect(event.value.message_key).toBeNull();
    expect(Object.hasOwn(event.value, "timestamp")).toBe(false);
  });

  it("renames fields with Vector's option names, and leaves one out when given an empty name", async () => {
    const event = await shape(Buffer.from("payload"), {
      key_field: "kafka_key",
      topic_key: "kafka_topic",
      partition_key: "kafka_partition",
      offset_key: "kafka_offset",
      headers_key: "",
    });
    expect(event.value).toMatchObject({
      kafka_key: "pod-7",
      kafka_topic: "logs-shop",
      kafka_partition: 3,
      kafka_offset: 1200,
      message: "payload",
    });
    expect(Object.hasOwn(event.value, "headers")).toBe(false);
  });

  it("replaces invalid UTF-8 with U+FFFD, as Vector writes bytes to JSON", async () => {
    const event = await shape(Buffer.from([0x61, 0xff, 0x62]));
    expect(event.value.message).toBe("a\uFFFDb");
  });

  it("keeps hostile header names as plain own keys", async () => {
    const event = await shape(Buffer.from("x"), undefined, {
      ...origin,
      headers: JSON.parse('{"__proto__":"p","constructor":"c"}') as Origin["headers"],
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const headers = event.value.headers as Record<string, unknown>;
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
    expect(headers.constructor).toBe("c");
    expect(Object.hasOwn(headers, "__proto__")).toBe(true);
    expect(JSON.parse(JSON.stringify(headers))).toEqual(JSON.parse('{"__proto__":"p","constructor":"c"}'));
  });

  it("refuses unknown options and two pieces in one field, at construction", () => {
    expect(() => vectorKafkaEvent({ topic: "x" } as VectorKafkaEventOptions)).toThrow(
      /option `topic` is not a known option/,
    );
    expect(() => vectorKafkaEvent({ topic_key: "partition" })).toThrow(
      /option `topic_key` names the same field as partition_key/,
    );
  });
});
