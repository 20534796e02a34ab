import { eventOf, type SluiceEvent } from "@sluice/core";
import { lastValueFrom, of } from "rxjs";
import { describe, expect, it } from "vitest";
import { kafkaMetadata } from "../src/kafka-metadata.js";

type Doc = Record<string, unknown>;

function event(): SluiceEvent<Doc> {
  return eventOf<Doc>(
    { "@timestamp": "2024-11-25T00:00:00.000Z", log: "hi" },
    {
      origin: {
        topic: "insight-logs",
        partition: 3,
        offset: "1041",
        key: Buffer.from([0xff, 0x01]),
        headers: { trace: Buffer.from("abc"), multi: [Buffer.from("x"), "y"] },
        timestamp: "1732492800123",
      },
    },
  );
}

const run = async (options: Parameters<typeof kafkaMetadata>[0]) =>
  (await lastValueFrom(of([event()]).pipe(kafkaMetadata(options))))[0]!.value;

describe("kafkaMetadata", () => {
  it("leaves documents alone by default", async () => {
    expect(await run({})).toEqual({ "@timestamp": "2024-11-25T00:00:00.000Z", log: "hi" });
  });

  it("decorates like Logstash: basic, then extended with headers", async () => {
    const basic = await run({ decorate: "basic", consumerGroup: "sluice" });
    expect(basic.kafka).toEqual({
      topic: "insight-logs",
      consumer_group: "sluice",
      partition: 3,
      offset: 1041,
      key: "/wE=",
      timestamp: 1732492800123,
    });
    const extended = await run({ decorate: "extended", target: "meta" });
    expect((extended.meta as Doc).headers).toEqual({ trace: "abc", multi: ["x", "y"] });
  });

  it("writes Vector's keys where asked", async () => {
    const doc = await run({
      topicKey: "topic",
      partitionKey: "partition",
      offsetKey: "offset",
      keyField: "message_key",
      headersKey: "headers",
      timestampKey: "kafka_time",
    });
    expect(doc).toMatchObject({
      topic: "insight-logs",
      partition: 3,
      offset: 1041,
      message_key: "/wE=",
      headers: { trace: "abc" },
      kafka_time: "2024-11-25T00:00:00.123Z",
    });
  });

  it("fails an event whose value is still bytes instead of losing the fields, and leaves it alone when off", async () => {
    const bytes = () => [eventOf<Doc>(Buffer.from('{"log":"hi"}') as unknown as Doc)];
    const [failed] = await lastValueFrom(of(bytes()).pipe(kafkaMetadata({ decorate: "basic" })));
    expect(failed!.ok).toBe(false);
    expect(failed!.failure).toMatchObject({ type: "not_a_document", stage: "kafkaMetadata" });
    expect(failed!.failure!.reason).toContain("parseJson()");
    const [untouched] = await lastValueFrom(of(bytes()).pipe(kafkaMetadata({})));
    expect(untouched!.ok).toBe(true);
    expect(String(untouched!.value)).toBe('{"log":"hi"}');
  });

  it("refuses a target that would touch a prototype, naming the option", () => {
    expect(() => kafkaMetadata({ decorate: "basic", target: "__proto__" })).toThrow(/option `target`/);
    expect(() => kafkaMetadata({ decorate: "everything" as never })).toThrow(
      /option `decorate` must be one of/,
    );
  });
});
