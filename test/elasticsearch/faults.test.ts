// Fault injection through the official client: item 429s, whole-request errors, latency, resets, outages.
import { Client, errors } from "@elastic/elasticsearch";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorHandle, startElasticsearch } from "../harness/elasticsearch/index.js";

let es: EmulatorHandle;
let client: Client;

beforeAll(async () => {
  es = await startElasticsearch({ backend: "emulator" });
  client = new Client({ node: es.url, maxRetries: 0, requestTimeout: 5000 });
});
afterEach(() => es.faults.clear());
afterAll(async () => {
  await client.close();
  await es.stop();
});

const docs = (n: number, index: string) =>
  Array.from({ length: n }, (_, i) => [{ create: { _index: index, _id: String(i) } }, { i }]).flat();

describe("Elasticsearch emulator: faults [the Elasticsearch emulator]", () => {
  it("rejects a fraction of bulk items with 429 and stores only the rest", async () => {
    es.faults.rejectItems(0.3, { seed: 1 });
    const response = await client.bulk({ operations: docs(1000, "rejects") });
    const rejected = response.items.filter((i) => i.create!.status === 429);
    expect(response.errors).toBe(true);
    expect(rejected.length).toBeGreaterThan(220);
    expect(rejected.length).toBeLessThan(380);
    expect(rejected[0]!.create!.error!.type).toBe("es_rejected_execution_exception");
    expect((await client.count({ index: "rejects" })).count).toBe(1000 - rejected.length);
  });

  it("answers whole requests 429 or 503 for a count of requests, then recovers", async () => {
    es.faults.respondWith(429, { count: 2 });
    for (let i = 0; i < 2; i++) {
      const error = (await client.info().catch((e: unknown) => e)) as errors.ResponseError;
      expect(error.statusCode).toBe(429);
      expect((error.body as { error: { type: string } }).error.type).toBe("es_rejected_execution_exception");
    }
    expect((await client.info()).tagline).toBeDefined();
    es.faults.respondWith(503, { forMs: 300, paths: /_bulk/ });
    const during = (await client
      .bulk({ operations: docs(1, "down") })
      .catch((e: unknown) => e)) as errors.ResponseError;
    expect(during.statusCode).toBe(503);
    expect((await client.info()).tagline).toBeDefined(); // other paths unaffected
    await new Promise((r) => setTimeout(r, 350));
    expect((await client.bulk({ operations: docs(1, "down") })).errors).toBe(false);
  });

  it("adds latency", async () => {
    es.faults.latency(300);
    const t0 = Date.now();
    await client.info();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it("resets connections without answering", async () => {
    es.faults.resetConnections({ count: 1 });
    const error = await client.info().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errors.ConnectionError);
    expect((await client.info()).tagline).toBeDefined();
  });

  it("goes fully down for a period, then serves again on the same URL with its data", async () => {
    await client.index({ index: "kept", id: "1", document: { a: 1 } });
    es.faults.outage(500);
    await new Promise((r) => setTimeout(r, 50));
    const error = await client.info().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errors.ConnectionError);
    await new Promise((r) => setTimeout(r, 700));
    expect((await client.get({ index: "kept", id: "1" }))._source).toEqual({ a: 1 });
  });

  it("counts requests and items", () => {
    const stats = es.stats();
    // Answered bulk requests: one with 1000 items, one with one item (the 503 never reached the bulk API).
    expect(stats.bulkRequests).toBe(2);
    expect(stats.bulkItems).toBe(1001);
    expect(stats.acceptedItems + stats.rejectedItems).toBe(1001);
    expect(stats.rejectedItems).toBeGreaterThan(220);
  });
});
