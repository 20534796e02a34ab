// Dynamic mapping through the official client: dotted keys, conflicts per item, type checks.
import { Client } from "@elastic/elasticsearch";
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

async function bulkStatuses(index: string, docs: unknown[]) {
  const response = await client.bulk({ operations: docs.flatMap((d) => [{ create: { _index: index } }, d]) });
  return response.items.map((i) => ({ status: i.create!.status, error: i.create!.error }));
}

describe("Elasticsearch emulator: dynamic mapping [the Elasticsearch emulator]", () => {
  it("expands dotted keys into objects and infers types, date detection included", async () => {
    await client.index({
      index: "dyn",
      document: {
        "a.b": 1,
        "@timestamp": "2024-11-25T00:00:00.123Z",
        msg: "hello world",
        ok: true,
        ratio: 0.5,
      },
      refresh: true,
    });
    const mapping = await client.indices.getMapping({ index: "dyn" });
    const props = mapping.dyn!.mappings.properties!;
    expect((props.a as { properties: Record<string, { type: string }> }).properties.b!.type).toBe("long");
    expect(props["@timestamp"]).toMatchObject({ type: "date" });
    expect(props.msg).toMatchObject({
      type: "text",
      fields: { keyword: { type: "keyword", ignore_above: 256 } },
    });
    expect(props.ok).toMatchObject({ type: "boolean" });
    expect(props.ratio).toMatchObject({ type: "float" });
    const hits = await client.search({ index: "dyn", query: { term: { "a.b": 1 } } });
    expect(hits.hits.hits.length).toBe(1);
    expect(hits.hits.hits[0]!._source).toEqual(expect.objectContaining({ "a.b": 1 }));
  });

  it("refuses, per item, a concrete value where an object is mapped and the reverse", async () => {
    const statuses = await bulkStatuses("k8s", [
      { kubernetes: { labels: { app: { name: "x" } } } },
      { kubernetes: { labels: { app: "y" } } },
      { kubernetes: { labels: { "app.name": "z" } } },
      { n: 5 },
      { n: { deep: 1 } },
    ]);
    expect(statuses.map((s) => s.status)).toEqual([201, 400, 201, 201, 400]);
    expect(statuses[1]!.error).toMatchObject({ type: "document_parsing_exception" });
    expect(statuses[1]!.error!.reason).toMatch(
      /object mapping for \[kubernetes\.labels\.app\] tried to parse field \[app\] as object, but found a concrete value/,
    );
    expect(statuses[4]!.error!.reason).toMatch(/failed to parse field \[n\] of type \[long\]/);
    expect((await client.count({ index: "k8s" })).count).toBe(3);
  });

  it("refuses a non-numeric string in a long field but coerces a numeric one", async () => {
    await client.indices.create({ index: "typed", mappings: { properties: { bytes: { type: "long" } } } });
    const statuses = await bulkStatuses("typed", [{ bytes: "42" }, { bytes: "lots" }, { bytes: 7 }]);
    expect(statuses.map((s) => s.status)).toEqual([201, 400, 201]);
    expect(statuses[1]!.error).toMatchObject({ type: "document_parsing_exception" });
    expect(statuses[1]!.error!.reason).toMatch(
      /failed to parse field \[bytes\] of type \[long\].*Preview of field's value: 'lots'/,
    );
  });

  it("applies mappings created by earlier items of the same request to later ones", async () => {
    const statuses = await bulkStatuses("same-request", [
      { when: "2024-11-25T00:00:00Z" },
      { when: "not a date" },
    ]);
    expect(statuses.map((s) => s.status)).toEqual([201, 400]);
  });

  it("maps fields named __proto__, constructor and prototype like any other, polluting nothing", async () => {
    const doc = JSON.parse('{"__proto__":{"a":1},"constructor":{"prototype":{"x":"y"}},"log":"p"}');
    expect(await bulkStatuses("protos", [doc])).toEqual([{ status: 201, error: undefined }]);
    await client.indices.refresh({ index: "protos" });
    const mapping = await client.indices.getMapping({ index: "protos" });
    const properties = mapping.protos!.mappings.properties as Record<string, { properties?: unknown }>;
    expect(Object.hasOwn(properties, "__proto__")).toBe(true);
    expect(properties.constructor).toMatchObject({ properties: { prototype: { properties: { x: {} } } } });
    expect(Object.keys(Object.prototype)).toEqual([]);
    const found = await client.search({
      index: "protos",
      query: { term: { "constructor.prototype.x": "y" } },
    });
    expect(found.hits.hits.length).toBe(1);
  });
});
