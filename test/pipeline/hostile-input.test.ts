// Hostile records (prototype keys, deep nesting, huge strings, bad encodings) never crash the pipeline.
import { epochToIso, fluentBitToElasticsearch, parseJson } from "@sluice/transforms";
import { describe, expect, it } from "vitest";
import type { SlicePipelineOptions } from "../fixtures/slice-pipeline.js";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { countDocs, topicPipeline, useTestbed, waitFor } from "./helpers.js";

interface Letter {
  error: { type: string; stage: string };
  kafka: { offset: string };
  raw: { data: string; encoding: string };
}

const hostile = {
  proto:
    '{"@timestamp":1732492800.5,"log":"proto","__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}',
  deep: `{"@timestamp":1732492800.5,"log":${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}}`,
  huge: JSON.stringify({ "@timestamp": 1732492800.5, log: "x".repeat(1_900_000) }),
  invalidUtf8: Buffer.concat([
    Buffer.from('{"@timestamp":1732492800.5,"log":"'),
    Buffer.from([0xc3, 0x28]),
    Buffer.from('"}'),
  ]),
  loneSurrogate: '{"@timestamp":1732492800.5,"log":"half an emoji \\ud83d"}',
};

describe(`hostile input ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();

  async function drain(topic: string, stages: SlicePipelineOptions["stages"]) {
    await bed.kafka.createTopic(topic, 1);
    const good = fluentBitRecords(100, { seed: 11 });
    const messages = [
      ...good.slice(0, 50),
      hostile.proto,
      hostile.deep,
      hostile.huge,
      hostile.invalidUtf8,
      hostile.loneSurrogate,
      ...good.slice(50),
    ];
    await produceWithKcat({ brokers: bed.kafka.bootstrapServers, topic, messages });
    const pipeline = topicPipeline(bed, topic, stages ? { stages } : {});
    await pipeline.start();
    await waitFor(
      "every record settled",
      async () =>
        (await countDocs(bed.client, `${topic}-docs`)) + (await countDocs(bed.client, `${topic}-letters`)),
      (n) => n >= 105,
      90_000,
    );
    await pipeline.stop();
    const letters = await bed.client.search<Letter>({ index: `${topic}-letters`, size: 20 });
    const byOffset = new Map(letters.hits.hits.map((h) => [h._source!.kafka.offset, h._source!]));
    return { byOffset, docs: await countDocs(bed.client, `${topic}-docs`) };
  }

  it("through the Fluent Bit preset: bad records to dead letters with their bytes, the rest delivered", async () => {
    const { byOffset, docs } = await drain("hostile-preset", [fluentBitToElasticsearch()]);
    // 100 good records, the prototype-key record and the 1.9 MB line are documents.
    expect(docs).toBe(102);
    expect(byOffset.get("51")!.error.type).toBe("depth_limit_exceeded");
    expect(byOffset.get("53")!.error.type).toBe("invalid_utf8");
    expect(byOffset.get("54")!.error.type).toBe("invalid_unicode");
    expect(byOffset.get("53")!.raw.encoding).toBe("base64");
    expect(Buffer.from(byOffset.get("53")!.raw.data, "base64").equals(hostile.invalidUtf8)).toBe(true);
    expect(byOffset.size).toBe(3);
    const proto = await bed.client.search<Record<string, unknown>>({
      index: "hostile-preset-docs",
      query: { term: { log: "proto" } },
    });
    const source = proto.hits.hits[0]!._source!;
    expect(Object.hasOwn(source, "__proto__")).toBe(true);
    expect(source["@timestamp"]).toBe("2024-11-25T00:00:00.500Z");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 150_000);

  it("through object stages: a document too deep to write back goes to dead letters from the sink", async () => {
    // parseJson is told to accept any depth (and its 20 000 objects), so the deep record reaches the sink,
    // which cannot encode it.
    const { byOffset, docs } = await drain("hostile-objects", [
      parseJson({ maxDepth: 100_000, maxContainers: 100_000 }),
      epochToIso(),
    ]);
    expect(docs).toBe(102);
    expect(byOffset.get("51")!.error).toMatchObject({ type: "RangeError", stage: "elasticsearch" });
    expect(byOffset.get("53")!.error.type).toBe("invalid_utf8");
    expect(byOffset.get("54")!.error.type).toBe("invalid_unicode");
  }, 150_000);
});
