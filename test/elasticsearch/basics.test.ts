// The emulator through the official client: info, indices, templates, data streams, single documents.
import { Client, errors } from "@elastic/elasticsearch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorHandle, startElasticsearch } from "../harness/elasticsearch/index.js";

let es: EmulatorHandle;
let client: Client;

beforeAll(async () => {
  es = await startElasticsearch({ backend: "emulator" });
  client = new Client({ node: es.url, maxRetries: 0 });
});
afterAll(async () => {
  await client.close();
  await es.stop();
});

async function statusOf(p: Promise<unknown>): Promise<{ status: number; type?: string; reason?: string }> {
  try {
    await p;
    return { status: 200 };
  } catch (error) {
    if (!(error instanceof errors.ResponseError)) throw error;
    const body = error.body as { error?: { type?: string; reason?: string } };
    return { status: error.statusCode ?? 0, type: body?.error?.type, reason: body?.error?.reason };
  }
}

describe("Elasticsearch emulator: basics [the Elasticsearch emulator]", () => {
  it("answers GET / with version info and the product header the client insists on", async () => {
    const info = await client.info();
    expect(info.version.number).toMatch(/^8\./);
    expect(info.tagline).toBe("You Know, for Search");
    const raw = await fetch(es.url);
    expect(raw.headers.get("x-elastic-product")).toBe("Elasticsearch");
  });

  it("creates, checks and deletes indices, refusing duplicates and bad names", async () => {
    expect(await client.indices.exists({ index: "books" })).toBe(false);
    await client.indices.create({ index: "books", mappings: { properties: { pages: { type: "long" } } } });
    expect(await client.indices.exists({ index: "books" })).toBe(true);
    expect(await statusOf(client.indices.create({ index: "books" }))).toMatchObject({
      status: 400,
      type: "resource_already_exists_exception",
    });
    expect(await statusOf(client.indices.create({ index: "Books" }))).toMatchObject({
      status: 400,
      type: "invalid_index_name_exception",
    });
    await client.indices.delete({ index: "books" });
    expect(await client.indices.exists({ index: "books" })).toBe(false);
    expect(await statusOf(client.indices.delete({ index: "books" }))).toMatchObject({
      status: 404,
      type: "index_not_found_exception",
    });
  });

  it("creates a data stream on first write to a name its template matches; it takes only create with @timestamp", async () => {
    await client.indices.putIndexTemplate({
      name: "logs-template",
      index_patterns: ["logs-*-*"],
      data_stream: {},
      priority: 200,
      template: { mappings: { properties: { message: { type: "text" } } } },
    });
    const first = await client.bulk({
      operations: [
        { create: { _index: "logs-app-default" } },
        { "@timestamp": "2024-11-25T00:00:00.000Z", message: "hi" },
      ],
    });
    expect(first.errors).toBe(false);
    expect(first.items[0]!.create!._index).toMatch(/^\.ds-logs-app-default-\d{4}\.\d{2}\.\d{2}-000001$/);
    const streams = await client.indices.getDataStream({ name: "logs-app-default" });
    expect(streams.data_streams[0]).toMatchObject({
      name: "logs-app-default",
      timestamp_field: { name: "@timestamp" },
    });

    const wrong = await client.bulk({
      operations: [
        { index: { _index: "logs-app-default" } },
        { "@timestamp": "2024-11-25T00:00:00.000Z", message: "index op" },
        { create: { _index: "logs-app-default" } },
        { message: "no timestamp" },
      ],
    });
    expect(wrong.errors).toBe(true);
    expect(wrong.items[0]!.index!.status).toBe(400);
    expect(wrong.items[0]!.index!.error!.reason).toMatch(/only write ops with an op_type of create/);
    expect(wrong.items[1]!.create!.status).toBe(400);
    expect(wrong.items[1]!.create!.error!.reason).toMatch(
      /data stream timestamp field \[@timestamp\] is missing/,
    );

    await client.indices.createDataStream({ name: "logs-web-default" });
    expect((await client.indices.getDataStream({ name: "logs-web-default" })).data_streams.length).toBe(1);
    expect(await statusOf(client.indices.createDataStream({ name: "metrics-x" }))).toMatchObject({
      status: 400,
      type: "index_template_missing_exception",
    });
  });

  it("writes, reads, conflicts and deletes single documents", async () => {
    await client.index({ index: "docs", id: "1", document: { a: 1 } });
    expect((await client.get({ index: "docs", id: "1" }))._source).toEqual({ a: 1 });
    const again = await client.index({ index: "docs", id: "1", document: { a: 2 } });
    expect(again.result).toBe("updated");
    expect(again._version).toBe(2);
    expect(await statusOf(client.create({ index: "docs", id: "1", document: { a: 3 } }))).toMatchObject({
      status: 409,
      type: "version_conflict_engine_exception",
    });
    const auto = await client.index({ index: "docs", document: { b: 1 } });
    expect(auto._id.length).toBeGreaterThan(10);
    await client.delete({ index: "docs", id: "1" });
    expect(await statusOf(client.get({ index: "docs", id: "1" }))).toMatchObject({ status: 404 });
  });

  it("answers unknown endpoints with an Elasticsearch-shaped error, not a crash", async () => {
    const response = await fetch(`${es.url}/_nope/x`, { method: "POST" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe(
      "illegal_argument_exception",
    );
    expect((await client.info()).cluster_name).toBe("sluice");
  });
});
