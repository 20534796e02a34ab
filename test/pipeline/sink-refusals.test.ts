// Whole bulk requests Elasticsearch refuses: for what they hold (413 too large, 400 for the whole body) the
// sink sends them again in halves down to single events and dead-letters the one refused alone, so the
// pipeline commits past it; refused credentials (401) are retried with health down, logged once, and
// recover. The emulator injects the refusals; dead letters go to a second, clean emulator.
import { Client } from "@elastic/elasticsearch";
import type { Logger, Pipeline } from "@sluice/core";
import { parseJson } from "@sluice/transforms";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { type EmulatorHandle, startElasticsearch } from "../harness/elasticsearch/index.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import {
  committedTotal,
  countDocs,
  keptLog,
  runUntilCommitted,
  type Testbed,
  topicPipeline,
  useTestbed,
  waitFor,
  waitForCommits,
} from "./helpers.js";

interface Letter {
  error: { code: string; type: string; reason: string; stage: string };
  kafka: { offset: string };
}

/** Writes `values` (one-line JSON text) to a new one-partition topic, in order. */
async function produce(bed: Testbed, topic: string, values: string[]): Promise<void> {
  await bed.kafka.createTopic(topic, 1);
  await produceWithKcat({ brokers: bed.kafka.bootstrapServers, topic, messages: values });
}

describe(`Elasticsearch sink: whole requests refused ${runsOn({ kafka: true, es: "emulator" })}`, () => {
  const bed = useTestbed({ es: "emulator" });
  let letters: EmulatorHandle;
  let lettersClient: Client;
  beforeAll(async () => {
    letters = await startElasticsearch({ backend: "emulator" });
    lettersClient = new Client({ node: letters.url });
  });
  afterAll(async () => {
    await lettersClient?.close();
    await letters?.stop();
  });
  // A fault a test set ends with it, whether it passed or not.
  afterEach(() => bed.es.faults.clear());

  function pipelineFor(topic: string, logger: Logger = keptLog("warn").logger): Pipeline {
    return topicPipeline(bed, topic, {
      stages: [parseJson()],
      sink: { retry: { initialDelayMs: 50, maxDelayMs: 500 } },
      deadLetterUrl: letters.url,
      logger,
    });
  }

  async function lettersOf(topic: string): Promise<Letter[]> {
    await lettersClient.indices.refresh({ index: `${topic}-letters` });
    const found = await lettersClient.search<Letter>({ index: `${topic}-letters`, size: 100 });
    return found.hits.hits
      .map((h) => h._source!)
      .sort((a, b) => Number(a.kafka.offset) - Number(b.kafka.offset));
  }

  it("413: a request too large is halved down to single events; one too large alone is dead-lettered with the status", async () => {
    const topic = "refused-413";
    const big = new Set([150, 700, 1300]);
    const values = Array.from({ length: 1_500 }, (_, i) =>
      JSON.stringify({ n: i, message: big.has(i) ? "x".repeat(40_000) : `record ${i}` }),
    );
    await produce(bed, topic, values);
    // Every request of more than a few hundred records, and each big record alone, is over the limit.
    bed.es.faults.maxContentLength(32 * 1024);
    await runUntilCommitted(pipelineFor(topic), bed, topic, 1_500, { timeoutMs: 120_000 });
    expect(await countDocs(bed.client, `${topic}-docs`)).toBe(1_497);
    const refused = await lettersOf(topic);
    expect(refused.map((l) => Number(l.kafka.offset))).toEqual([...big]);
    for (const letter of refused)
      expect(letter.error).toMatchObject({
        code: "SLUICE_ERR_REJECTED",
        type: "http_413",
        stage: "elasticsearch",
        reason: expect.stringMatching(/HTTP 413 \(Request Entity Too Large\): its lines are \d+ bytes/),
      });
  }, 180_000);

  it("400 for the whole body: halves down to the one event refused alone, dead-lettered with Elasticsearch's reason", async () => {
    const topic = "refused-400";
    const poisoned = new Set([3, 777, 1998]);
    const values = Array.from({ length: 2_000 }, (_, i) =>
      JSON.stringify({ n: i, message: poisoned.has(i) ? "poison-pill" : `record ${i}` }),
    );
    await produce(bed, topic, values);
    bed.es.faults.refuseBodiesWith("poison-pill");
    await runUntilCommitted(pipelineFor(topic), bed, topic, 2_000, { timeoutMs: 120_000 });
    expect(await countDocs(bed.client, `${topic}-docs`)).toBe(1_997);
    const refused = await lettersOf(topic);
    expect(refused.map((l) => Number(l.kafka.offset))).toEqual([...poisoned]);
    for (const letter of refused)
      expect(letter.error).toMatchObject({
        code: "SLUICE_ERR_REJECTED",
        type: "illegal_argument_exception",
        reason: expect.stringContaining("HTTP 400: Action/metadata line [1] contains an unknown parameter"),
      });
  }, 180_000);

  it("401: retried with health down and the reason, logged once, and delivered once the credentials work", async () => {
    const topic = "refused-401";
    await produce(
      bed,
      topic,
      Array.from({ length: 300 }, (_, i) => JSON.stringify({ n: i })),
    );
    const { logger, entries } = keptLog("warn");
    bed.es.faults.respondWith(401, { paths: /_bulk/ });
    const pipeline = pipelineFor(topic, logger);
    try {
      await pipeline.start();
      const down = await waitFor(
        "the sink's health down",
        () => pipeline.health(),
        (h) => h.status === "down",
        60_000,
      );
      expect(JSON.stringify(down)).toMatch(
        /refused the credentials \(HTTP 401\).*set the sink's auth option/,
      );
      // Several refused attempts, one loud line.
      const requestsAt = bed.es.stats().requests;
      await waitFor(
        "more refused attempts",
        () => bed.es.stats().requests,
        (n) => n >= requestsAt + 5,
        60_000,
      );
      expect(pipeline.health().status).toBe("down");
      const loud = entries().filter((l) =>
        String(l.msg).includes("ELASTICSEARCH REFUSES EVERY BULK REQUEST"),
      );
      expect(loud).toHaveLength(1);
      expect(loud[0]).toMatchObject({ level: 50, status: 401 });
      expect(await committedTotal([bed.kafka.bootstrapServers], topic, topic)).toBe(0);
      bed.es.faults.clear();
      await waitForCommits(bed.kafka.brokers, topic, topic, 300, 60_000);
      expect(pipeline.health().status).toBe("ok");
    } finally {
      bed.es.faults.clear();
      await pipeline.stop();
    }
    expect(await countDocs(bed.client, `${topic}-docs`)).toBe(300);
    expect(await countDocs(lettersClient, `${topic}-letters`)).toBe(0);
  }, 180_000);

  it("403: health down with the reason Elasticsearch gave, and recovery", async () => {
    const topic = "refused-403";
    await produce(
      bed,
      topic,
      Array.from({ length: 100 }, (_, i) => JSON.stringify({ n: i })),
    );
    bed.es.faults.respondWith(403, { paths: /_bulk/ });
    const pipeline = pipelineFor(topic);
    try {
      await pipeline.start();
      const down = await waitFor(
        "the sink's health down",
        () => pipeline.health(),
        (h) => h.status === "down",
        60_000,
      );
      expect(JSON.stringify(down)).toMatch(/HTTP 403.*is unauthorized for user/);
      bed.es.faults.clear();
      await waitForCommits(bed.kafka.brokers, topic, topic, 100, 60_000);
    } finally {
      bed.es.faults.clear();
      await pipeline.stop();
    }
    expect(await countDocs(bed.client, `${topic}-docs`)).toBe(100);
  }, 120_000);
});
