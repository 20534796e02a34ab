// The seed's Logstash pipeline and Vector aggregator rebuilt from Sluice stages produce what those tools
// document, differences from Fluent Bit's own documents included.
import { silentLogger } from "@sluice/core";
import { beforeAll, describe, expect, it } from "vitest";
import { logstashParityPipeline } from "../../examples/logstash-parity/pipeline.js";
import { vectorParityPipelines } from "../../examples/vector-parity/pipeline.js";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { esOutputTimestamp, fluentBitRecords } from "../harness/kafka/records.js";
import { countDocs, useTestbed, waitFor } from "../pipeline/helpers.js";

const COUNTS = { "insight-logs": 600, "insight-event": 300, "insight-gw-skoala": 200 } as const;
type Topic = keyof typeof COUNTS;
type Doc = Record<string, unknown>;

async function all(bed: ReturnType<typeof useTestbed>, index: string): Promise<Doc[]> {
  await bed.client.indices.refresh({ index });
  const found = await bed.client.search<Doc>({ index, size: 10_000 });
  return found.hits.hits.map((h) => h._source!);
}

describe(`parity examples ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();
  const records = {} as Record<Topic, string[]>;

  beforeAll(async () => {
    for (const [i, [topic, count]] of Object.entries(COUNTS).entries()) {
      records[topic as Topic] = fluentBitRecords(count, { seed: 500 + i });
      await bed.kafka.createTopic(topic, 2);
      await produceWithKcat({
        brokers: bed.kafka.bootstrapServers,
        topic,
        messages: records[topic as Topic],
      });
    }
  }, 60_000);

  describe("logstash-parity", () => {
    let docs: Doc[] = [];
    beforeAll(async () => {
      const pipeline = logstashParityPipeline({
        brokers: bed.kafka.bootstrapServers,
        elasticsearch: { node: bed.es.url },
        logger: silentLogger(),
      });
      await pipeline.start();
      try {
        await waitFor(
          "every record",
          () => countDocs(bed.client, "logs-insight-default"),
          (n) => n >= 1100,
          90_000,
          250,
        );
      } finally {
        await pipeline.stop();
      }
      docs = await all(bed, "logs-insight-default");
    }, 120_000);

    it("writes every record to the data stream logs-insight-default, as data_stream => true does", async () => {
      expect(docs).toHaveLength(1100);
      // _resolve/index, not GET _data_stream: the latter is in a module not published to Maven Central.
      const resolved = await bed.client.indices.resolveIndex({ name: "logs-insight-default" });
      expect(resolved.data_streams.map((s) => s.name)).toEqual(["logs-insight-default"]);
      expect(resolved.indices).toEqual([]);
    });

    it("builds each document as kafka input → gsub → json → date UNIX → remove_field → data_stream fields", () => {
      const byTime = new Map(docs.map((d) => [d.time, d]));
      for (const topic of Object.keys(COUNTS) as Topic[])
        for (const record of records[topic].slice(0, 100)) {
          const parsed = JSON.parse(record) as Doc;
          const doc = byTime.get(parsed.time)!;
          const { "@timestamp": _, ...rest } = parsed;
          expect(doc).toEqual({
            ...rest,
            // The gsub ran on the whole raw string: "@timestamp" inside the log text was rewritten too.
            log: (parsed.log as string).replaceAll("@timestamp", "_@timestamp"),
            // date { match => ["_@timestamp", "UNIX"] }: milliseconds, truncated.
            "@timestamp": esOutputTimestamp(record),
            "@version": "1",
            kafka_topic: topic,
            data_stream: { type: "logs", dataset: "insight", namespace: "default" },
          });
        }
      // Some log lines carry JSON with its own "@timestamp": Logstash's way changes them.
      expect(docs.some((d) => (d.log as string).includes('"_@timestamp"'))).toBe(true);
    });
  });

  describe("vector-parity", () => {
    const docs = {} as Record<string, Doc[]>;
    let before = 0;
    let after = 0;
    beforeAll(async () => {
      before = Date.now();
      const pipelines = vectorParityPipelines({
        brokers: bed.kafka.bootstrapServers,
        elasticsearch: { node: bed.es.url },
        logger: silentLogger(),
      });
      for (const p of pipelines) await p.start();
      try {
        await waitFor(
          "every record, skoala's twice",
          async () =>
            (await countDocs(bed.client, "insight-es-k8s-logs-alias")) +
            (await countDocs(bed.client, "insight-es-k8s-event-logs-alias")) +
            (await countDocs(bed.client, "skoala-gw-alias")),
          (n) => n >= 1300,
          90_000,
          250,
        );
      } finally {
        for (const p of pipelines) await p.stop();
      }
      after = Date.now();
      for (const index of ["insight-es-k8s-logs-alias", "insight-es-k8s-event-logs-alias", "skoala-gw-alias"])
        docs[index] = await all(bed, index);
    }, 120_000);

    it("feeds insight-gw-skoala into two sinks, as the seed's config does", () => {
      expect(docs["insight-es-k8s-logs-alias"]).toHaveLength(600 + 200);
      expect(docs["insight-es-k8s-event-logs-alias"]).toHaveLength(300);
      expect(docs["skoala-gw-alias"]).toHaveLength(200);
    });

    it("replaces the event with the parsed record and its time with the ingest time (now())", () => {
      const byTime = new Map(docs["insight-es-k8s-event-logs-alias"]!.map((d) => [d.time, d]));
      for (const record of records["insight-event"]) {
        const parsed = JSON.parse(record) as Doc;
        const doc = byTime.get(parsed.time)!;
        const { "@timestamp": stamp, ...rest } = doc;
        const { "@timestamp": _, ...expected } = parsed;
        // Everything Fluent Bit wrote, log text untouched, and none of the kafka source's fields.
        expect(rest).toEqual(expected);
        // RFC 3339 UTC as Vector encodes timestamps, between the pipelines' start and stop.
        expect(stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z$/);
        const millis = Date.parse(stamp as string);
        expect(millis).toBeGreaterThanOrEqual(before - 1);
        expect(millis).toBeLessThanOrEqual(after + 1);
        expect(stamp).not.toBe(esOutputTimestamp(record));
      }
    });
  });
});
