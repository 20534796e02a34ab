// The Elasticsearch sink under what the emulator does on demand: items refused 429, 503 outages, a count of
// gzip requests, refused credentials, and Elasticsearch 7.x's media types.
import { silentLogger } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { slicePipeline } from "../fixtures/slice-pipeline.js";
import { runsOn } from "../harness/backends.js";
import { startElasticsearch } from "../harness/elasticsearch/index.js";
import {
  committedTotal,
  countDocs,
  sourceBytes,
  steadyValue,
  topicOfRecords,
  topicPipeline,
  useTestbed,
  waitFor,
  waitForDocs,
} from "./helpers.js";

describe(`Elasticsearch sink under faults ${runsOn({ kafka: true, es: "emulator" })}`, () => {
  const bed = useTestbed({ es: "emulator" });

  it("with 30% of items refused 429, every record lands exactly once and only those items are resent", async () => {
    const topic = "sink-429";
    await topicOfRecords(bed, topic, 20_000, 21);
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
    await topicOfRecords(bed, topic, 20_000, 22);
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
      const readAt = { events: pipeline.flow.events, bytes: await sourceBytes(pipeline) };
      // Paused: nothing more was read while every bulk request failed (longer than several fetch waits).
      const held = await steadyValue(
        "what the pipeline read",
        async () => ({ events: pipeline.flow.events, bytes: await sourceBytes(pipeline) }),
        { samples: 12, intervalMs: 150 },
      );
      expect(pipeline.flow.paused).toBe(true);
      expect(held).toEqual(readAt);
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
    await topicOfRecords(bed, topic, 2_000, 23);
    const before = bed.es.stats().gzipRequests;
    const pipeline = topicPipeline(bed, topic, { sink: { compression: true } });
    await pipeline.start();
    await waitForDocs(bed.client, `${topic}-docs`, 2_000);
    await pipeline.stop();
    expect(await countDocs(bed.client, `${topic}-docs`)).toBe(2_000);
    expect(bed.es.stats().gzipRequests).toBeGreaterThan(before);
  }, 120_000);

  it("refuses bad credentials at start with a clear error", async () => {
    const secured = await startElasticsearch({
      backend: "emulator",
      auth: { username: "elastic", password: "right" },
    });
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
    await topicOfRecords(bed, topic, 500, 26);
    const es7 = await startElasticsearch({ backend: "emulator", version: "7.17.25" });
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
