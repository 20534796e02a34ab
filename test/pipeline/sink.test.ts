// The Elasticsearch sink under refusals, outages and the targets users configure.
import { silentLogger } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { slicePipeline } from "../fixtures/slice-pipeline.js";
import { startElasticsearch } from "../harness/elasticsearch/index.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { committedTotal, countDocs, topicPipeline, useTestbed, waitFor } from "./helpers.js";

describe("Elasticsearch sink", () => {
  const bed = useTestbed();

  async function topicWith(topic: string, count: number, seed: number) {
    await bed.kafka.createTopic(topic, 2);
    await produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      messages: fluentBitRecords(count, { seed }),
    });
  }

  it("with 30% of items refused 429, every record lands exactly once and only those items are resent", async () => {
    const topic = "sink-429";
    await topicWith(topic, 20_000, 21);
    bed.es.faults.rejectItems(0.3, { seed: 7 });
    const before = bed.es.stats();
    const pipeline = topicPipeline(bed, topic);
    try {
      await pipeline.start();
      await waitFor(
        "every record",
        () => committedTotal([bed.kafka.bootstrapServers], topic, topic),
        (n) => n >= 20_000,
        120_000,
      );
    } finally {
      bed.es.faults.clear();
      await pipeline.stop();
    }
    expect(await countDocs(bed.client, `${topic}-docs`)).toBe(20_000);
    expect(await countDocs(bed.client, `${topic}-letters`)).toBe(0);
    const stats = bed.es.stats();
    const rejected = stats.rejectedItems - before.rejectedItems;
    // Each refusal resent alone: the emulator saw the 20k items plus one resend per refusal, no more.
    expect(rejected).toBeGreaterThan(20_000 * 0.3 * 0.9);
    expect(stats.bulkItems - before.bulkItems).toBe(20_000 + rejected);
  }, 180_000);

  it("through 503 outages loses nothing, and the source stays paused while Elasticsearch refuses", async () => {
    const topic = "sink-503";
    await topicWith(topic, 20_000, 22);
    // Backoff capped at 2 s so that recovery is quick once the outage ends.
    const pipeline = topicPipeline(bed, topic, {
      maxInFlightEvents: 2_000,
      sink: { retry: { maxDelayMs: 2_000 } },
    });
    try {
      bed.es.faults.respondWith(503, { paths: /_bulk/ });
      await pipeline.start();
      await waitFor(
        "the source to pause",
        () => pipeline.flow.paused,
        (p) => p === true,
        30_000,
      );
      const readAt = pipeline.flow.events;
      await new Promise((r) => setTimeout(r, 3_000));
      // Paused: nothing more was read while every bulk request failed.
      expect(pipeline.flow.paused).toBe(true);
      expect(pipeline.flow.events).toBe(readAt);
      expect(await countDocs(bed.client, `${topic}-docs`)).toBe(0);
      bed.es.faults.clear();
      await waitFor(
        "every record",
        () => committedTotal([bed.kafka.bootstrapServers], topic, topic),
        (n) => n >= 20_000,
        120_000,
      );
    } finally {
      bed.es.faults.clear();
      await pipeline.stop();
    }
    expect(await countDocs(bed.client, `${topic}-docs`)).toBe(20_000);
  }, 180_000);

  it("sends gzip bodies when compression is on", async () => {
    const topic = "sink-gzip";
    await topicWith(topic, 2_000, 23);
    const before = bed.es.stats().gzipRequests;
    const pipeline = topicPipeline(bed, topic, { sink: { compression: true } });
    await pipeline.start();
    await waitFor(
      "every record",
      () => countDocs(bed.client, `${topic}-docs`),
      (n) => n >= 2_000,
    );
    await pipeline.stop();
    expect(await countDocs(bed.client, `${topic}-docs`)).toBe(2_000);
    if (!bed.es.external) expect(bed.es.stats().gzipRequests).toBeGreaterThan(before);
  }, 120_000);

  it("creates a data stream through its index template and writes to it", async () => {
    const topic = "sink-ds";
    await topicWith(topic, 1_000, 24);
    const pipeline = topicPipeline(bed, topic, {
      index: "logs-sluice-test",
      sink: { dataStream: { template: { name: "sluice-test-logs" } } },
    });
    await pipeline.start();
    await waitFor(
      "every record",
      () => countDocs(bed.client, "logs-sluice-test"),
      (n) => n >= 1_000,
    );
    await pipeline.stop();
    const template = await bed.client.indices.getIndexTemplate({ name: "sluice-test-logs" });
    expect(template.index_templates[0]!.index_template.index_patterns).toEqual(["logs-sluice-test"]);
    const streams = await bed.client.indices.getDataStream({ name: "logs-sluice-test" });
    expect(streams.data_streams.map((d) => d.name)).toEqual(["logs-sluice-test"]);
    expect(await countDocs(bed.client, "logs-sluice-test")).toBe(1_000);
  }, 120_000);

  it("routes by topic map and by a %{field}/%{+date} template", async () => {
    const topic = "sink-route";
    await topicWith(topic, 500, 25);
    const byField = topicPipeline(bed, topic, {
      index: "route-%{[kubernetes][namespace_name]}-%{+yyyy.MM}",
    });
    await byField.start();
    await waitFor(
      "every record",
      () => committedTotal([bed.kafka.bootstrapServers], topic, topic),
      (n) => n >= 500,
    );
    await byField.stop();
    const indices = await bed.client.cat.indices({ index: "route-*", format: "json" });
    const names = indices.map((i) => i.index!).sort();
    expect(names.length).toBeGreaterThan(1);
    for (const name of names) expect(name).toMatch(/^route-[a-z-]+-2024\.11$/);
    expect(indices.reduce((n, i) => n + Number(i["docs.count"]), 0)).toBe(500);
  }, 120_000);

  it("refuses bad credentials at start with a clear error", async () => {
    const secured = await startElasticsearch({ auth: { username: "elastic", password: "right" } });
    try {
      const pipeline = slicePipeline({
        brokers: bed.kafka.bootstrapServers,
        esUrl: secured.url,
        topics: ["unused"],
        groupId: "bad-credentials",
        index: "x",
        logger: silentLogger(),
        sink: { auth: { username: "elastic", password: "wrong" } },
      });
      await expect(pipeline.start()).rejects.toMatchObject({
        code: "SLUICE_ERR_ES_AUTH",
        message: expect.stringMatching(/refused the credentials \(HTTP 401\)/),
      });
    } finally {
      await secured.stop();
    }
  }, 60_000);

  it("writes to Elasticsearch 7.x, which refuses the client's version 8 media types", async () => {
    const topic = "sink-es7";
    await topicWith(topic, 500, 26);
    const es7 = await startElasticsearch({ version: "7.17.25" });
    try {
      const pipeline = topicPipeline(bed, topic, { esUrl: es7.url });
      await pipeline.start();
      await waitFor(
        "every record",
        () => committedTotal([bed.kafka.bootstrapServers], topic, topic),
        (n) => n >= 500,
      );
      await pipeline.stop();
      const { Client } = await import("@elastic/elasticsearch");
      const client = new Client({
        node: es7.url,
        headers: { accept: "application/json", "content-type": "application/json" },
      });
      expect((await client.count({ index: `${topic}-docs` })).count).toBe(500);
      await client.close();
    } finally {
      await es7.stop();
    }
  }, 120_000);
});
