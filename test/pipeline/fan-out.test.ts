// Fan-out on real Kafka: one pipeline writing every record to two Elasticsearch clusters, one of them down
// for a while, commits a record only once both accepted it, and every record ends in both, once.
import { Client } from "@elastic/elasticsearch";
import { createPipeline, fanOut, silentLogger } from "@sluice/core";
import { elasticsearchDeadLetters, elasticsearchSink } from "@sluice/sink-elasticsearch";
import { kafkaSource } from "@sluice/source-kafka";
import { epochToIso, parseJson } from "@sluice/transforms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { type EmulatorHandle, startElasticsearch } from "../harness/elasticsearch/index.js";
import {
  committedTotal,
  countDocs,
  sourceBytes,
  steadyValue,
  topicOfRecords,
  useTestbed,
  waitFor,
} from "./helpers.js";

describe(`fan-out to two Elasticsearch clusters ${runsOn({ kafka: true, es: true })} and the emulator`, () => {
  const bed = useTestbed();
  let second: EmulatorHandle;
  let secondClient: Client;
  beforeAll(async () => {
    second = await startElasticsearch({ backend: "emulator" });
    secondClient = new Client({ node: second.url });
  });
  afterAll(async () => {
    await secondClient?.close();
    await second?.stop();
  });

  it("commits a record only after both sinks accepted it; with one down for a while, each record ends in both once", async () => {
    const topic = "fan-out";
    const total = 20_000;
    await topicOfRecords(bed, topic, total, 29);
    const index = `${topic}-docs`;
    const pipeline = createPipeline({
      name: "fan-out",
      source: kafkaSource({
        brokers: bed.kafka.bootstrapServers,
        topics: [topic],
        groupId: topic,
        // Small fetches, so that a pause holds the source well before it has read the whole topic.
        maxBytesPerPartition: 64 * 1024,
        maxBytes: 128 * 1024,
      }),
      stages: [parseJson(), epochToIso()],
      sink: fanOut({
        targets: [
          { name: "primary", sink: elasticsearchSink({ node: bed.es.url, index }) },
          {
            name: "secondary",
            // Backoff capped at 1 s so that the secondary catches up soon after it is back.
            sink: elasticsearchSink({ node: second.url, index, retry: { maxDelayMs: 1_000 } }),
          },
        ],
      }),
      deadLetters: elasticsearchDeadLetters({ node: bed.es.url, index: `${topic}-letters` }),
      flow: { maxInFlightEvents: 1_000 },
      commitIntervalMs: 200,
      logger: silentLogger(),
    });
    const commits = () => committedTotal([bed.kafka.bootstrapServers], topic, topic);
    try {
      await pipeline.start();
      // The secondary goes down: every request to it is reset without an answer until clear().
      second.faults.resetConnections();
      await waitFor(
        "the source to pause",
        () => pipeline.flow.paused,
        (paused) => paused,
        60_000,
      );
      const held = await steadyValue(
        "the pipeline and the primary while the secondary is down",
        async () => ({
          read: await sourceBytes(pipeline),
          inFlight: pipeline.flow.events,
          primary: await countDocs(bed.client, index),
          // Counted inside the emulator: its HTTP answers nothing while it is down.
          secondary: second.stats().acceptedItems,
          committed: await commits(),
        }),
        { samples: 10, intervalMs: 200 },
      );
      // The down secondary holds the source back before it has read the topic, and every record read is
      // in flight: on the primary, yet not committed past what the secondary accepted.
      expect(held.inFlight).toBeLessThan(total);
      expect(held.primary).toBe(held.committed + held.inFlight);
      expect(held.primary).toBeGreaterThan(held.secondary);
      expect(held.committed).toBeLessThanOrEqual(held.secondary);
      expect(pipeline.flow.paused).toBe(true);
      // /health names the target that holds the pipeline back.
      expect(pipeline.health()).toMatchObject({
        status: "degraded",
        detail: {
          sink: {
            status: "degraded",
            detail: {
              targets: {
                primary: { status: "ok" },
                secondary: {
                  status: "degraded",
                  detail: { lastError: expect.stringMatching(/ECONNRESET|socket/i) },
                },
              },
            },
          },
        },
      });

      second.faults.clear();
      await waitFor("every record committed", commits, (n) => n === total, 120_000);
    } finally {
      second.faults.clear();
      await pipeline.stop();
    }
    expect(await countDocs(bed.client, index)).toBe(total);
    expect(await countDocs(secondClient, index)).toBe(total);
    expect(await countDocs(bed.client, `${topic}-letters`)).toBe(0);
    // Once each on the primary: it was up throughout, so no record was indexed there twice.
    const stats = await bed.client.indices.stats({ index, metric: "indexing" });
    expect(stats._all.primaries?.indexing?.index_total).toBe(total);
  }, 240_000);
});
