// The bulk API through the official client: per-item results, conflicts, deletes, malformed requests.
import { Client, type errors } from "@elastic/elasticsearch";
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

describe("Elasticsearch emulator: bulk [the Elasticsearch emulator]", () => {
  it("trims the response to what filter_path names, as Logstash's and Sluice's bulk requests ask", async () => {
    const response = await client.bulk({
      filter_path: "errors,items.*.status,items.*.error",
      operations: [
        { create: { _index: "filtered", _id: "a" } },
        { n: 1 },
        { create: { _index: "filtered", _id: "a" } },
        { n: 2 },
      ],
    });
    expect(response).toEqual({
      errors: true,
      items: [
        { create: { status: 201 } },
        {
          create: {
            status: 409,
            error: expect.objectContaining({ type: "version_conflict_engine_exception" }),
          },
        },
      ],
    });
  });

  it("filters an all-accepted response item by item: each keeps its own values", async () => {
    const response = await client.bulk({
      filter_path: "errors,items.*._id,items.*.status",
      operations: [
        { create: { _index: "filtered-alike", _id: "first" } },
        { n: 1 },
        { create: { _index: "filtered-alike", _id: "second" } },
        { n: 2 },
      ],
    });
    expect(response).toEqual({
      errors: false,
      items: [{ create: { _id: "first", status: 201 } }, { create: { _id: "second", status: 201 } }],
    });
  });

  it("filters inside an item's objects too when all items succeeded", async () => {
    const response = await client.bulk({
      filter_path: "items.*._shards.total,items.*.status",
      operations: [
        { index: { _index: "filtered-nested", _id: "a" } },
        { n: 1 },
        { index: { _index: "filtered-nested", _id: "b" } },
        { n: 2 },
      ],
    });
    expect(response).toEqual({
      items: [
        { index: { _shards: { total: expect.any(Number) }, status: 201 } },
        { index: { _shards: { total: expect.any(Number) }, status: 201 } },
      ],
    });
  });

  it("reads each request's body whole, a short one after a long one included", async () => {
    const long = Array.from({ length: 400 }, (_, i) => [
      { create: { _index: "bodies", _id: `long-${i}` } },
      { pad: "x".repeat(2000), i },
    ]).flat();
    expect((await client.bulk({ operations: long })).errors).toBe(false);
    const short = await client.bulk({
      operations: [{ create: { _index: "bodies", _id: "short" } }, { n: 1 }],
    });
    expect(short.errors).toBe(false);
    expect((await client.get({ index: "bodies", id: "short" }))._source).toEqual({ n: 1 });
    expect((await client.get({ index: "bodies", id: "long-399" }))._source).toEqual({
      pad: "x".repeat(2000),
      i: 399,
    });
  });

  it("reports each item in Elasticsearch's shape, errors:true when any failed", async () => {
    const response = await client.bulk({
      operations: [
        { create: { _index: "bulk", _id: "a" } },
        { n: 1 },
        { index: { _index: "bulk", _id: "b" } },
        { n: 2 },
        { create: { _index: "bulk", _id: "a" } },
        { n: 3 },
        { delete: { _index: "bulk", _id: "b" } },
        { delete: { _index: "bulk", _id: "zzz" } },
      ],
    });
    expect(response.errors).toBe(true);
    const [created, indexed, conflict, deleted, missing] = response.items;
    expect(created!.create).toMatchObject({
      _index: "bulk",
      _id: "a",
      result: "created",
      status: 201,
      _version: 1,
    });
    expect(indexed!.index).toMatchObject({ result: "created", status: 201 });
    expect(conflict!.create!.status).toBe(409);
    expect(conflict!.create!.error).toMatchObject({
      type: "version_conflict_engine_exception",
      reason: "[a]: version conflict, document already exists (current version [1])",
    });
    expect(deleted!.delete).toMatchObject({ result: "deleted", status: 200 });
    expect(missing!.delete).toMatchObject({ result: "not_found", status: 404 });
    expect((await client.get({ index: "bulk", id: "a" }))._source).toEqual({ n: 1 });
  });

  it("takes the index from the URL and answers errors:false when all succeed", async () => {
    const response = await client.bulk({
      index: "from-url",
      operations: [{ index: {} }, { x: 1 }, { create: {} }, { x: 2 }],
    });
    expect(response.errors).toBe(false);
    expect(response.items.map((i) => Object.values(i)[0]!._index)).toEqual(["from-url", "from-url"]);
    expect((await client.count({ index: "from-url" })).count).toBe(2);
  });

  it("fails only the item whose document line is not JSON", async () => {
    const response = (await client.transport.request({
      method: "POST",
      path: "/_bulk",
      bulkBody: '{"create":{"_index":"half"}}\n{"ok":true}\n{"create":{"_index":"half"}}\n{"broken":\n',
    })) as { errors: boolean; items: Array<{ create: { status: number; error?: { type: string } } }> };
    expect(response.errors).toBe(true);
    expect(response.items[0]!.create.status).toBe(201);
    expect(response.items[1]!.create.status).toBe(400);
    expect(response.items[1]!.create.error!.type).toBe("document_parsing_exception");
  });

  it("refuses a whole request that is malformed or not newline-terminated", async () => {
    const send = (body: string) =>
      client.transport.request({ method: "POST", path: "/_bulk", bulkBody: body }).catch((e: unknown) => e);
    const bad = (await send('{"explode":{}}\n{}\n')) as errors.ResponseError;
    expect(bad.statusCode).toBe(400);
    expect((bad.body as { error: { type: string } }).error.type).toBe("illegal_argument_exception");
    const unterminated = (await send('{"create":{"_index":"x"}}\n{"a":1}')) as errors.ResponseError;
    expect(unterminated.statusCode).toBe(400);
    expect((unterminated.body as { error: { reason: string } }).error.reason).toMatch(
      /terminated by a newline/,
    );
  });
});

describe("Elasticsearch emulator: bench mode (accept all) [the Elasticsearch emulator]", () => {
  it("accepts every item without parsing documents and filters the answer as asked", async () => {
    const bench = await startElasticsearch({ backend: "emulator", acceptAll: true });
    const benchClient = new Client({ node: bench.url, maxRetries: 0 });
    try {
      const body = `${[
        '{"create":{"_index":"bench","_id":"a"}}',
        '{"not json',
        '{"index":{"_index":"bench","_id":"b"}}',
        '{"n":2}',
      ].join("\n")}\n`;
      const filtered = await benchClient.transport.request({
        method: "POST",
        path: "/_bulk",
        bulkBody: body,
        querystring: { filter_path: "errors,items.*.status,items.*.error" },
      });
      expect(filtered).toEqual({
        errors: false,
        items: [{ create: { status: 201 } }, { index: { status: 201 } }],
      });
      const whole = (await benchClient.transport.request({
        method: "POST",
        path: "/_bulk",
        bulkBody: body,
      })) as {
        items: Array<Record<string, { _id: string }>>;
      };
      expect(whole.items.map((item) => Object.values(item)[0]!._id)).toEqual(["a", "b"]);
      expect(bench.stats().acceptedItems).toBe(4);
      // An action naming no index takes the URL's; with none at all the whole request is refused (400
      // action_request_validation_exception), as Elasticsearch validates a bulk request before running it.
      const lines = `${['{"create":{"_id":"c"}}', "{}", ' { "index" : { "_index" : "spaced" } }', "{}"].join("\n")}\n`;
      const withDefault = (await benchClient.transport.request({
        method: "POST",
        path: "/fallback/_bulk",
        bulkBody: lines,
      })) as { errors: boolean; items: Array<Record<string, { _index: string; status: number }>> };
      expect(withDefault.errors).toBe(false);
      expect(withDefault.items).toMatchObject([
        { create: { _index: "fallback", _id: "c", status: 201 } },
        { index: { _index: "spaced", status: 201 } },
      ]);
      const noIndex = (await benchClient.transport
        .request({ method: "POST", path: "/_bulk", bulkBody: lines })
        .catch((e: unknown) => e)) as errors.ResponseError;
      expect(noIndex.statusCode).toBe(400);
      expect(noIndex.body).toMatchObject({
        error: {
          type: "action_request_validation_exception",
          reason: "Validation Failed: 1: index is missing;",
        },
      });
    } finally {
      await benchClient.close();
      await bench.stop();
    }
  });
});
