// Refresh, count, search (match_all, term, match, bool, size, sort) and _cat/indices through the client.
import { Client, type errors } from "@elastic/elasticsearch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorHandle, startElasticsearch } from "../harness/elasticsearch/index.js";

let es: EmulatorHandle;
let client: Client;

beforeAll(async () => {
  es = await startElasticsearch({ backend: "emulator" });
  client = new Client({ node: es.url, maxRetries: 0 });
  await client.bulk({
    operations: [
      ["1", "error", 500, "disk full on node-1"],
      ["2", "info", 200, "request served"],
      ["3", "error", 502, "upstream Timeout"],
      ["4", "warn", 429, "slow down"],
    ].flatMap(([id, level, code, msg]) => [{ create: { _index: "events", _id: id } }, { level, code, msg }]),
  });
});
afterAll(async () => {
  await client.close();
  await es.stop();
});

describe("Elasticsearch emulator: search [the Elasticsearch emulator]", () => {
  it("refreshes and counts", async () => {
    expect((await client.indices.refresh({ index: "events" }))._shards!.failed).toBe(0);
    expect((await client.count({ index: "events" })).count).toBe(4);
    expect(
      (await client.count({ index: "events", query: { term: { "level.keyword": "error" } } })).count,
    ).toBe(2);
  });

  it("searches with term on keyword and long fields, match on text, bool, size and sort", async () => {
    const ids = async (body: Parameters<Client["search"]>[0]) =>
      (await client.search({ index: "events", ...body })).hits.hits.map((h) => h._id);
    expect(await ids({ query: { match_all: {} }, sort: [{ code: "asc" }] })).toEqual(["2", "4", "1", "3"]);
    expect(await ids({ query: { term: { code: 502 } } })).toEqual(["3"]);
    expect(await ids({ query: { term: { "level.keyword": { value: "warn" } } } })).toEqual(["4"]);
    expect(await ids({ query: { match: { msg: "timeout" } } })).toEqual(["3"]);
    expect(await ids({ query: { term: { msg: "Timeout" } } })).toEqual([]); // text is analysed: tokens are lowercase
    expect(
      await ids({
        query: {
          bool: { filter: [{ term: { "level.keyword": "error" } }], must_not: [{ term: { code: 500 } }] },
        },
      }),
    ).toEqual(["3"]);
    expect(await ids({ size: 2, sort: [{ code: "desc" }] })).toEqual(["3", "1"]);
    const total = await client.search({ index: "events", size: 0 });
    expect(total.hits.total).toEqual({ value: 4, relation: "eq" });
  });

  it("refuses to sort on a text field and to search a missing index, as Elasticsearch does", async () => {
    const sortText = await client
      .search({ index: "events", sort: [{ msg: "asc" }] })
      .catch((e: unknown) => e);
    expect((sortText as errors.ResponseError).statusCode).toBe(400);
    const missing = await client.search({ index: "nope" }).catch((e: unknown) => e);
    expect((missing as errors.ResponseError).statusCode).toBe(404);
  });

  it("lists indices with _cat/indices?format=json", async () => {
    const rows = await client.cat.indices({ format: "json" });
    const events = rows.find((r) => r.index === "events");
    expect(events).toMatchObject({ status: "open", "docs.count": "4" });
  });
});
