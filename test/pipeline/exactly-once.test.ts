// 100k Fluent Bit records through the slice pipeline land in Elasticsearch exactly once.
import { silentLogger } from "@sluice/core";
import { beforeAll, describe, expect, it } from "vitest";
import { slicePipeline } from "../fixtures/slice-pipeline.js";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { countDocs, useTestbed, waitForCommits, waitForDocs } from "./helpers.js";

const TOPIC = "insight-logs-exactly-once";
const INDEX = "exactly-once";
const RECORDS = 100_000;

describe(`slice pipeline: Kafka → Elasticsearch ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();
  let records: string[];

  beforeAll(async () => {
    // The mock cluster keeps ~5 MB of compressed batches per partition (~19k of these records).
    await bed.kafka.createTopic(TOPIC, 8);
    records = fluentBitRecords(RECORDS, { seed: 7 });
    await produceWithKcat({ brokers: bed.kafka.bootstrapServers, topic: TOPIC, messages: records });
  }, 120_000);

  it("delivers 100k records exactly once, as Fluent Bit's es output would write them, and commits to the end", async () => {
    const pipeline = slicePipeline({
      brokers: bed.kafka.bootstrapServers,
      esUrl: bed.es.url,
      topics: [TOPIC],
      groupId: "exactly-once",
      index: INDEX,
      logger: silentLogger(),
    });
    await pipeline.start();
    await waitForDocs(bed.client, INDEX, RECORDS, 120_000, 500);
    await waitForCommits(bed.kafka.brokers, "exactly-once", TOPIC, RECORDS, 30_000);
    const report = await pipeline.stop();
    expect(report).toEqual({ drained: true, unsettled: 0 });

    expect(await countDocs(bed.client, INDEX)).toBe(RECORDS);
    // Every document is the record it came from, with @timestamp as ISO-8601 milliseconds.
    const { hits } = await bed.client.search<Record<string, unknown>>({
      index: INDEX,
      size: 50,
      query: { match_all: {} },
    });
    expect(hits.hits.length).toBe(50);
    const key = (doc: Record<string, unknown>) => `${doc.time}|${doc.log}`;
    const byContent = new Map(
      records.map((r) => {
        const parsed = JSON.parse(r) as Record<string, unknown>;
        return [key(parsed), parsed];
      }),
    );
    for (const hit of hits.hits) {
      const doc = hit._source!;
      const original = byContent.get(key(doc))!;
      expect(original, `document ${hit._id} matches a produced record`).toBeDefined();
      const micros = Math.round((original["@timestamp"] as number) * 1e6);
      expect(doc["@timestamp"]).toBe(new Date(Math.floor(micros / 1000)).toISOString());
      expect(Object.keys(doc)[0]).toBe("@timestamp");
      expect({ ...doc, "@timestamp": 0 }).toEqual({ ...original, "@timestamp": 0 });
      expect(hit._id).toMatch(new RegExp(`^${TOPIC}\\+\\d\\+\\d+$`));
    }
    expect(await countDocs(bed.client, "sluice-dead-letter")).toBe(0);
  }, 180_000);
});
