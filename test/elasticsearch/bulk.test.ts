// The bulk API through the official client: per-item results, conflicts, deletes, malformed requests.
import { Client, type errors } from "@elastic/elasticsearch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ElasticsearchHandle, startElasticsearch } from "../harness/elasticsearch/index.js";

let es: ElasticsearchHandle;
let client: Client;

beforeAll(async () => {
  es = await startElasticsearch();
  client = new Client({ node: es.url, maxRetries: 0 });
});
afterAll(async () => {
  await client.close();
  await es.stop();
});

describe("Elasticsearch emulator: bulk", () => {
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
