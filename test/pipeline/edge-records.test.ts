// Records at the edges: 2 MB values, empty and null values, keys and headers that are not UTF-8.

import { silentLogger } from "@sluice/core";
import kafkajs from "kafkajs";
import { describe, expect, it } from "vitest";
import { slicePipeline } from "../fixtures/slice-pipeline.js";
import { runsOn } from "../harness/backends.js";
import { fluentBitRecord } from "../harness/kafka/records.js";
import { countDocs, useTestbed, waitForDocs } from "./helpers.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { Kafka, logLevel } = kafkajs;

describe(`edge records ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();

  it("delivers a 2 MB record, dead-letters empty and null values, keeps non-UTF-8 keys and headers", async () => {
    const topic = "edges";
    // A broker takes records up to 1 MB by default; a topic for 2 MB records says so, as in production.
    await bed.kafka.createTopic(topic, 1, 1, { "max.message.bytes": String(4 * 1024 * 1024) });
    const big = JSON.parse(fluentBitRecord(1, { seed: 2 }));
    big.log = "a".repeat(2 * 1024 * 1024 - 2048);
    const bigText = JSON.stringify(big);
    const oddKey = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    const oddHeader = Buffer.from([0xc3, 0x28]);
    const producer = new Kafka({ brokers: bed.kafka.brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { value: "not json", key: oddKey, headers: { trace: oddHeader } },
        { value: bigText },
        { value: "" },
        { value: null, key: "tombstone" },
        { value: fluentBitRecord(3, { seed: 2 }) },
      ],
    });
    await producer.disconnect();

    const pipeline = slicePipeline({
      brokers: bed.kafka.bootstrapServers,
      esUrl: bed.es.url,
      topics: [topic],
      groupId: "edges",
      index: "edges",
      deadLetterIndex: "edges-letters",
      logger: silentLogger(),
    });
    await pipeline.start();
    await waitForDocs(bed.client, "edges", 2);
    await waitForDocs(bed.client, "edges-letters", 3);
    const report = await pipeline.stop();
    expect(report.drained).toBe(true);

    const stored = await bed.client.get<Record<string, unknown>>({ index: "edges", id: `${topic}+0+1` });
    expect((stored._source!.log as string).length).toBe(big.log.length);

    const letters = await bed.client.search<{
      kafka: {
        offset: string;
        key: { data: string; encoding: string } | null;
        headers: Array<{ key: string; value: string; encoding: string }>;
      };
      raw: { bytes: number; data: string; encoding: string };
      error: { code: string };
    }>({ index: "edges-letters" });
    const byOffset = new Map(letters.hits.hits.map((h) => [h._source!.kafka.offset, h._source!]));
    expect(byOffset.get("2")!.raw).toMatchObject({ bytes: 0, data: "", encoding: "utf8" });
    expect(byOffset.get("3")!.raw.bytes).toBe(0);
    expect(byOffset.get("3")!.kafka.key).toEqual({ data: "tombstone", encoding: "utf8" });
    expect(byOffset.get("2")!.error.code).toBe("SLUICE_ERR_PARSE");

    // A key and a header that are not UTF-8 reach the dead letter byte for byte (base64).
    const odd = byOffset.get("0")!;
    expect(odd.kafka.key!.encoding).toBe("base64");
    expect(Buffer.from(odd.kafka.key!.data, "base64").equals(oddKey)).toBe(true);
    const trace = odd.kafka.headers.find((h) => h.key === "trace")!;
    expect(trace.encoding).toBe("base64");
    expect(Buffer.from(trace.value, "base64").equals(oddHeader)).toBe(true);
    expect(await countDocs(bed.client, "edges")).toBe(2);
  }, 120_000);
});
