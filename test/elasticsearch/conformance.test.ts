// Keeps the emulator honest: each scenario runs on a real Elasticsearch node (the judge) and on the
// emulator, and any difference in what Sluice depends on fails it.
import { randomBytes } from "node:crypto";
import { ErrorCode, eventOf, originId, type SluiceEvent, silentLogger, toDeadLetter } from "@sluice/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendBulk } from "../../packages/sink-elasticsearch/src/bulk-request.js";
import { checkElasticsearch, createClient } from "../../packages/sink-elasticsearch/src/connection.js";
import { ensureDataStreamTemplate } from "../../packages/sink-elasticsearch/src/data-stream.js";
import { ElasticsearchDeadLetters } from "../../packages/sink-elasticsearch/src/elasticsearch-dead-letters.js";
import { type BulkAction, BulkEncoder } from "../../packages/sink-elasticsearch/src/encoder.js";
import { Target } from "../../packages/sink-elasticsearch/src/target.js";
import { elasticsearchBackend, elasticsearchNames } from "../harness/backends.js";
import {
  type ElasticsearchHandle,
  type EmulatorHandle,
  startElasticsearch,
} from "../harness/elasticsearch/index.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import {
  type BulkPair,
  differences,
  indexName,
  type Reply,
  reasonNames,
  requestError,
  Session,
} from "./conformance/session.js";

let judge: ElasticsearchHandle;
let emulator: EmulatorHandle;
/** Names are unique per run, so an external cluster (ES_URL) can judge without clashes. */
const prefix = `conf-${randomBytes(3).toString("hex")}-`;
const FILTER = "errors,items.*.status,items.*.error";
const TIMESTAMP = "2024-11-25T00:00:00.000Z";

beforeAll(async () => {
  [judge, emulator] = await Promise.all([startElasticsearch(), startElasticsearch({ backend: "emulator" })]);
}, 120_000);

afterAll(async () => {
  if (judge?.kind === "external") await removeRunFrom(new Session(judge.url, prefix));
  await Promise.all([judge?.stop(), emulator?.stop()]);
});

/** What this run created on a cluster that outlives it: its data streams, indices and templates. */
async function removeRunFrom(es: Session): Promise<void> {
  const resolved = (await es.send("GET", `/_resolve/index/${prefix}*,.ds-${prefix}*?expand_wildcards=all`))
    .body as { indices?: Array<{ name: string }>; data_streams?: Array<{ name: string }> };
  for (const stream of resolved.data_streams ?? []) await es.send("DELETE", `/_data_stream/${stream.name}`);
  for (const index of resolved.indices ?? []) await es.send("DELETE", `/${index.name}`);
  const templates = (await es.send("GET", `/_index_template/${prefix}*`)).body as {
    index_templates?: Array<{ name: string }>;
  };
  for (const template of templates.index_templates ?? [])
    await es.send("DELETE", `/_index_template/${template.name}`);
}

/**
 * Runs `script` against the judge and the emulator, and fails on every step where the emulator's answer
 * differs from the judge's. Returns the judge's session, for the few facts a test also states.
 */
async function conform(script: (es: Session) => Promise<void>): Promise<Session> {
  const judged = new Session(judge.url, prefix);
  const emulated = new Session(emulator.url, prefix);
  await Promise.all([script(judged), script(emulated)]);
  expect(differences(judged, emulated)).toEqual([]);
  return judged;
}

const create = (index: string, id?: string): BulkPair[0] => ({
  create: { _index: index, ...(id !== undefined ? { _id: id } : {}) },
});
const indexOp = (index: string, id?: string): BulkPair[0] => ({
  index: { _index: index, ...(id !== undefined ? { _id: id } : {}) },
});
const wide = (n: number, name = "f") =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`${name}${i}`, i]));

/** `_resolve/index`'s answer, backing indices' days masked. */
function resolveView(reply: Reply): unknown {
  if (reply.status !== 200) return requestError(reply);
  const body = reply.body as {
    indices: Array<Record<string, unknown>>;
    aliases: unknown[];
    data_streams: Array<{ name: string; backing_indices: string[]; timestamp_field: unknown }>;
  };
  return {
    keys: Object.keys(body).sort(),
    indices: body.indices.map((index) => ({ ...index, name: indexName(index.name) })),
    aliases: body.aliases,
    data_streams: body.data_streams.map((stream) => ({
      ...stream,
      backing_indices: stream.backing_indices.map(indexName),
    })),
  };
}

describe(`conformance [${elasticsearchNames.emulator} judged by ${elasticsearchNames[elasticsearchBackend()]}]`, () => {
  it("create of an existing _id is a 409 version conflict; index of it a 200 update", async () => {
    const judged = await conform(async (es) => {
      const ix = es.name("versions");
      await es.bulk("create a", [[create(ix, "a"), { n: 1 }]]);
      await es.bulk("create a again, index a, create b twice", [
        [create(ix, "a"), { n: 2 }],
        [indexOp(ix, "a"), { n: 3 }],
        [create(ix, "b"), { n: 4 }],
        [create(ix, "b"), { n: 5 }],
      ]);
      // The document is parsed before its _id is looked up: one that does not parse is a 400, not a 409.
      await es.bulk("create a again with a document that does not parse", [
        [create(ix, "a"), { n: { deep: 1 } }],
      ]);
      await es.request("PUT _create/a", "PUT", `/${ix}/_create/a`, { body: { n: 6 } });
      await es.request("PUT _doc/a", "PUT", `/${ix}/_doc/a`, {
        body: { n: 7 },
        view: (r) => ({ status: r.status, result: (r.body as { result: string }).result }),
      });
      await es.source("a as stored", ix, "a");
      await es.source("b as stored", ix, "b");
      await es.count("count", ix);
    });
    expect(judged.view("create a again, index a, create b twice")).toMatchObject({ errors: true });
    expect(judged.items("create a again, index a, create b twice", 4)).toMatchObject([
      { op: "create", status: 409, error: { type: "version_conflict_engine_exception" } },
      { op: "index", status: 200, result: "updated" },
      { status: 201 },
      { status: 409 },
    ]);
    expect(judged.items("create a again with a document that does not parse", 1)).toMatchObject([
      { status: 400, error: { type: "document_parsing_exception" } },
    ]);
  });

  it("dynamic mapping conflicts: dotted keys against objects and type conflicts, in one document and across", async () => {
    const cases: Array<[string, unknown[]]> = [
      ["a dotted key after a long", [{ f1: 1 }, '{"f1.b":2}']],
      ["a concrete value after an object", [{ f2: { b: 1 } }, { f2: 1 }]],
      ["a long and a dotted key in one document", ['{"f3":1,"f3.b":2}']],
      ["a dotted key and a long in one document", ['{"f4.b":2,"f4":1}']],
      ["an object after a long", [{ f5: 5 }, { f5: { deep: 1 } }]],
      ["a string after an object", [{ f6: { x: 1 } }, { f6: "s" }]],
      ["an object after a string", [{ f7: "s" }, { f7: { y: 1 } }]],
      ["a string and a long in one array", [{ f8: ["x", 1] }]],
      ["a long and a float in one array", ['{"f9":[1,1.5]}']],
      ["a long and an object in one array", [{ f10: [1, { b: 2 }] }]],
      ["text after a date", [{ f11: "2024-11-25T00:00:00Z" }, { f11: "not a date" }]],
      ["a dotted key after a boolean", [{ f12: true }, '{"f12.b":1}']],
      ["a deeper dotted key after a long inside an object", [{ f13: { b: 1 } }, '{"f13.b.c.d":1}']],
    ];
    const judged = await conform(async (es) => {
      const ix = es.name("dynamic");
      for (const [label, docs] of cases)
        await es.bulk(
          label,
          docs.map((doc) => [create(ix), doc]),
        );
      await es.bulk("a long, in a request of its own", [[create(ix), { g1: 1 }]]);
      await es.bulk("then a dotted key, in another", [[create(ix), '{"g1.b":2}']]);
      await es.bulk("an object, in a request of its own", [[create(ix), { g2: { b: 1 } }]]);
      await es.bulk("then a string, in another", [[create(ix), { g2: "s" }]]);
      await es.mapping("mapping", ix);
      await es.count("count", ix);
    });
    expect(judged.items("a dotted key after a long", 2)).toMatchObject([
      { status: 201 },
      { status: 400, error: { type: "document_parsing_exception", reason: ["f1", "long"] } },
    ]);
    expect(judged.items("a long and a dotted key in one document", 1)).toMatchObject([
      { status: 400, error: { type: "illegal_argument_exception" } },
    ]);
  });

  it("duplicate JSON keys in one document, and documents that are not JSON objects", async () => {
    const judged = await conform(async (es) => {
      const ix = es.name("duplicates");
      await es.bulk("duplicate keys and bad documents", [
        [create(ix, "top"), '{"a":1,"a":2}'],
        [create(ix, "nested"), '{"o":{"x":1,"x":"y"}}'],
        [create(ix, "in-array"), '{"l":[{"k":1,"k":1}]}'],
        [create(ix, "case"), '{"a":1,"A":2}'],
        [create(ix, "unterminated"), '{"a":'],
        [create(ix, "array"), "[1,2]"],
        [create(ix, "string"), '"text"'],
        [create(ix, "null"), "null"],
      ]);
      await es.request("PUT _doc with duplicate keys", "PUT", `/${ix}/_doc/single`, {
        body: '{"a":1,"a":2}',
      });
      for (const id of ["top", "case", "single"]) await es.source(`${id} as stored`, ix, id);
      await es.mapping("mapping", ix);
    });
    expect(judged.items("duplicate keys and bad documents", 4)).toMatchObject([
      { status: 400, error: { type: "document_parsing_exception", reason: ["a"] } },
      { status: 400 },
      { status: 400 },
      { status: 201 },
    ]);
  });

  it("index.mapping.total_fields.limit: in one document, across documents, and a small limit", async () => {
    const judged = await conform(async (es) => {
      const one = es.name("limit-one");
      await es.bulk("1001 fields in one document", [[create(one), wide(1001)]]);
      await es.bulk("1000 fields in one document", [[create(one), wide(1000)]]);
      await es.bulk("one field more", [[create(one), { extra: 1 }]]);
      const across = es.name("limit-across");
      await es.bulk("600 fields, then 600 others", [
        [create(across), wide(600, "a")],
        [create(across), wide(600, "b")],
      ]);
      const ten = es.name("limit-ten");
      await es.request("an index limited to 10 fields", "PUT", `/${ten}`, {
        body: { settings: { "index.mapping.total_fields.limit": 10 } },
      });
      await es.bulk("8 fields, 11 more, an object, a text field (2: text and keyword)", [
        [create(ten), wide(8)],
        [create(ten), wide(11, "b")],
        [create(ten), { o: { x: 1 } }],
        [create(ten), { o: { x: 1 }, s: "str" }],
        [create(ten), { o: { x: 2 } }],
      ]);
      const three = es.name("limit-three");
      await es.request("an index limited to 3 fields, set as nested settings", "PUT", `/${three}`, {
        body: { settings: { index: { mapping: { total_fields: { limit: "3" } } } } },
      });
      await es.bulk("a dotted key's object counts", [
        [create(three), '{"a.b":1,"c":1,"d":1}'],
        [create(three), '{"a.b":1,"c":1}'],
        [create(three), { e: "text and its keyword" }],
      ]);
      for (const ix of [one, across, ten, three]) await es.count(`${ix} count`, ix);
      for (const ix of [ten, three]) await es.mapping(`${ix} mapping`, ix);
    });
    expect(judged.items("1001 fields in one document", 1)).toMatchObject([
      {
        status: 400,
        error: {
          type: "document_parsing_exception",
          reason: ["1000", "1001"],
          caused_by: { type: "illegal_argument_exception" },
        },
      },
    ]);
  });

  it("field names: empty, only dots, leading and trailing dots, a.b with an empty part", async () => {
    const names = ["", ".", "..", ".a", "a.", "a..b", "..a", " ", "a. ", " .a", "x.y."];
    const judged = await conform(async (es) => {
      const ix = es.name("field-names");
      await es.bulk(
        "one document per name",
        names.map((name, i) => [create(ix, `n${i}`), { [name]: 1 }]),
        { exact: true },
      );
      await es.bulk(
        "names inside an object",
        [
          [create(ix, "inner-empty"), { x: { "": 1 } }],
          [create(ix, "inner-dots"), { x: { "a..b": 1 } }],
        ],
        { exact: true },
      );
      await es.source("a. as stored", ix, "n4");
      await es.mapping("mapping", ix);
    });
    expect(judged.items("one document per name", 5)).toMatchObject([
      { status: 400, error: { type: "document_parsing_exception" } },
      { status: 400 },
      { status: 400 },
      { status: 400 },
      { status: 201 },
    ]);
  });

  it("long strings: ignore_above under dynamic mapping, immense keyword terms refused", async () => {
    const judged = await conform(async (es) => {
      const ix = es.name("long-strings");
      await es.bulk("40 000 bytes under dynamic mapping", [
        [create(ix, "ascii"), { m: "x".repeat(40_000) }],
        [create(ix, "multibyte"), { m: "é".repeat(20_000) }],
        [create(ix, "short"), { m: "short" }],
      ]);
      await es.source("the ascii one as stored", ix, "ascii");
      await es.source("the multibyte one as stored", ix, "multibyte");
      await es.count("documents with m", ix, { exists: { field: "m" } });
      await es.count("documents with m.keyword indexed", ix, { exists: { field: "m.keyword" } });
      await es.mapping("dynamic mapping", ix);
      const keywords = es.name("long-keywords");
      await es.request("keyword mappings", "PUT", `/${keywords}`, {
        body: {
          mappings: {
            properties: {
              k: { type: "keyword" },
              capped: { type: "keyword", ignore_above: 10 },
              t: { type: "text", fields: { raw: { type: "keyword" } } },
            },
          },
        },
      });
      await es.bulk("terms over and at 32766 bytes", [
        [create(keywords, "over"), { k: "y".repeat(32_767) }],
        [create(keywords, "at"), { k: "y".repeat(32_766) }],
        [create(keywords, "multibyte-over"), { k: "é".repeat(16_384) }],
        [create(keywords, "capped"), { capped: "z".repeat(33_000) }],
        [create(keywords, "capped-array"), { capped: ["short", "z".repeat(11)] }],
        [create(keywords, "multi-field"), { t: "w".repeat(33_000) }],
      ]);
      await es.count("documents with capped indexed", keywords, { exists: { field: "capped" } });
      await es.count("capped: short", keywords, { term: { capped: "short" } });
    });
    expect(judged.items("terms over and at 32766 bytes", 2)).toMatchObject([
      {
        status: 400,
        error: { type: "document_parsing_exception", caused_by: { type: "illegal_argument_exception" } },
      },
      { status: 201 },
    ]);
    expect(judged.view("documents with m.keyword indexed")).toEqual({ count: 1 });
  });

  it("numbers: a long beyond its range, float and double edges, an integer beyond 2^31", async () => {
    const judged = await conform(async (es) => {
      const ix = es.name("numbers");
      await es.bulk("a long field, then values at and beyond its range", [
        [create(ix, "first"), '{"n":1}'],
        [create(ix, "2^64"), '{"n":18446744073709551616}'],
        [create(ix, "2^63"), '{"n":9223372036854775808}'],
        [create(ix, "2^63-1"), '{"n":9223372036854775807}'],
        [create(ix, "-2^63-1"), '{"n":-9223372036854775809}'],
        [create(ix, "1e300"), '{"n":1e300}'],
        [create(ix, "1.5"), '{"n":1.5}'],
        [create(ix, "string"), '{"n":"12"}'],
        [create(ix, "string-2^63"), '{"n":"9223372036854775808"}'],
        [create(ix, "empty-string"), '{"n":""}'],
        [create(ix, "padded-string"), '{"n":" 12"}'],
        [create(ix, "true"), '{"n":true}'],
        [create(ix, "new-field-2^64"), '{"fresh":18446744073709551616}'],
      ]);
      await es.bulk("a float field, then values beyond a float", [
        [create(ix, "float"), '{"f":1.5}'],
        [create(ix, "1e39"), '{"f":1e39}'],
        [create(ix, "3.4e38"), '{"f":3.4e38}'],
        [create(ix, "-1e39"), '{"f":-1e39}'],
        [create(ix, "string-1e39"), '{"f":"1e39"}'],
        [create(ix, "new-field-1e309"), '{"g":1e309}'],
        [create(ix, "1.0"), '{"h":1.0}'],
        [create(ix, "-0"), '{"z":-0}'],
      ]);
      const typed = es.name("typed-numbers");
      await es.request("integer, short and double fields", "PUT", `/${typed}`, {
        body: {
          mappings: { properties: { i: { type: "integer" }, s: { type: "short" }, d: { type: "double" } } },
        },
      });
      await es.bulk("an integer beyond 2^31, a short beyond 2^15, a double beyond its range", [
        [create(typed, "2^31-1"), '{"i":2147483647}'],
        [create(typed, "2^31"), '{"i":2147483648}'],
        [create(typed, "3e9"), '{"i":3e9}'],
        [create(typed, "string-3e9"), '{"i":"3000000000"}'],
        [create(typed, "1.7"), '{"i":1.7}'],
        [create(typed, "not-a-number"), '{"i":"x"}'],
        [create(typed, "short-40000"), '{"s":40000}'],
        [create(typed, "short-string-40000"), '{"s":"40000"}'],
        [create(typed, "1e308"), '{"d":1e308}'],
        [create(typed, "1e309"), '{"d":1e309}'],
      ]);
      await es.source("2^63-1 as stored", ix, "2^63-1");
      await es.source("1.5 as stored", ix, "1.5");
      await es.mapping("dynamic number mappings", ix);
    });
    expect(judged.items("a long field, then values at and beyond its range", 4)).toMatchObject([
      { status: 201 },
      { status: 400, error: { type: "document_parsing_exception", reason: ["n", "long"] } },
      { status: 400 },
      { status: 201 },
    ]);
    expect(
      judged.items("an integer beyond 2^31, a short beyond 2^15, a double beyond its range", 2),
    ).toMatchObject([{ status: 201 }, { status: 400, error: { reason: ["i", "integer"] } }]);
  });

  it("an _id over 512 bytes (not characters) refuses the whole request", async () => {
    const bytes512 = "é".repeat(256);
    const bytes514 = "é".repeat(257);
    const judged = await conform(async (es) => {
      const ix = es.name("ids");
      await es.bulk("an _id of 512 bytes in 256 characters", [[create(ix, bytes512), { a: 1 }]]);
      await es.bulk(
        "an _id of 514 bytes in 257 characters, after a valid item",
        [
          [create(ix, "valid"), { a: 1 }],
          [create(ix, bytes514), { a: 1 }],
        ],
        { exact: true },
      );
      await es.bulk("an ASCII _id of 512 bytes", [[create(ix, "x".repeat(512)), { a: 1 }]]);
      await es.bulk("an ASCII _id of 513 bytes", [[create(ix, "x".repeat(513)), { a: 1 }]], { exact: true });
      await es.bulk("an empty _id", [
        [create(ix, ""), { a: 1 }],
        [indexOp(ix, ""), { a: 1 }],
      ]);
      await es.request(
        "PUT _doc with an _id of 514 bytes",
        "PUT",
        `/${ix}/_doc/${encodeURIComponent(bytes514)}`,
        {
          body: { a: 1 },
          exact: true,
        },
      );
      await es.source("the 512-byte _id", ix, bytes512);
      await es.source("the valid item of the refused request", ix, "valid");
      await es.count("count", ix);
    });
    expect(judged.view("an _id of 514 bytes in 257 characters, after a valid item")).toMatchObject({
      status: 400,
      error: { type: "action_request_validation_exception" },
    });
  });

  it("data streams: template, create only, @timestamp required, _resolve/index, rollover", async () => {
    const judged = await conform(async (es) => {
      const template = es.name("ds-template");
      const stream = es.name("ds-app");
      await es.request("the template is missing", "HEAD", `/_index_template/${template}`);
      await es.request("put the template", "PUT", `/_index_template/${template}`, {
        body: { index_patterns: [es.name("ds-*")], data_stream: {}, priority: 500 },
        view: (r) => ({ status: r.status, body: r.body }),
      });
      await es.request("the template exists", "HEAD", `/_index_template/${template}`);
      await es.request("get the template", "GET", `/_index_template/${template}`, {
        view: (r) => ({ status: r.status, body: r.body }),
      });
      await es.bulk("writes to a new data stream", [
        [create(stream, "1"), { "@timestamp": TIMESTAMP, m: 1 }],
        [indexOp(stream, "2"), { "@timestamp": TIMESTAMP, m: 2 }],
        [create(stream, "3"), { m: 3 }],
        [create(stream, "1"), { "@timestamp": TIMESTAMP, m: 4 }],
        [create(stream), { "@timestamp": "nope" }],
        [create(stream), { "@timestamp": 1732492800000 }],
        [create(stream, "null"), { "@timestamp": null }],
      ]);
      await es.request("an index its pattern matches: refused", "PUT", `/${es.name("ds-plain")}`, {
        body: {},
      });
      const plain = es.name("plain-index");
      await es.request("a plain index", "PUT", `/${plain}`, { body: {} });
      await es.request("resolve the stream", "GET", `/_resolve/index/${stream}`, { view: resolveView });
      await es.request("resolve a wildcard", "GET", `/_resolve/index/${es.name("ds-*")}`, {
        view: resolveView,
      });
      await es.request("resolve the backing indices", "GET", `/_resolve/index/.ds-${es.name("ds-*")}`, {
        view: resolveView,
      });
      await es.request("resolve a missing name", "GET", `/_resolve/index/${es.name("ds-none")}`, {
        view: resolveView,
      });
      await es.request("roll the stream over", "POST", `/${stream}/_rollover`, {
        view: (r) => {
          if (r.status !== 200) return requestError(r);
          const body = r.body as Record<string, unknown>;
          return { ...body, old_index: indexName(body.old_index), new_index: indexName(body.new_index) };
        },
      });
      await es.request("resolve after the rollover", "GET", `/_resolve/index/${stream}`, {
        view: resolveView,
      });
      await es.bulk("the same _id after the rollover", [
        [create(stream, "1"), { "@timestamp": TIMESTAMP, m: 5 }],
      ]);
      await es.count("documents across backing indices", stream);
      await es.request("GET _doc through a data stream", "GET", `/${stream}/_doc/1`);
      await es.request("roll over a concrete index", "POST", `/${plain}/_rollover`);
      await es.request("roll over nothing", "POST", `/${es.name("ds-nothing")}/_rollover`);
    });
    expect(judged.items("writes to a new data stream", 4)).toMatchObject([
      { status: 201, _index: `.ds-${prefix}ds-app-<day>-000001` },
      { status: 400, error: { type: "illegal_argument_exception" } },
      { status: 400, error: { type: "document_parsing_exception", reason: ["@timestamp"] } },
      { status: 409 },
    ]);
    expect(judged.view("resolve after the rollover")).toMatchObject({
      data_streams: [
        {
          name: `${prefix}ds-app`,
          backing_indices: [`.ds-${prefix}ds-app-<day>-000001`, `.ds-${prefix}ds-app-<day>-000002`],
        },
      ],
    });
  });

  it("rollover aliases: writes to the write index, the same _id again after a rollover, implicit and explicit", async () => {
    const judged = await conform(async (es) => {
      const explicit = es.name("alias-explicit");
      const implicit = es.name("alias-implicit");
      await es.request("an index with a write alias", "PUT", `/${explicit}-000001`, {
        body: { aliases: { [explicit]: { is_write_index: true } } },
      });
      await es.request("an index with its only alias", "PUT", `/${implicit}-000001`, {
        body: { aliases: { [implicit]: {} } },
      });
      for (const alias of [explicit, implicit]) {
        await es.bulk(`writes through ${alias}`, [[create(alias, "1"), { m: 1 }]]);
        await es.request(`roll ${alias} over`, "POST", `/${alias}/_rollover`, {
          view: (r) => ({ status: r.status, body: r.body }),
        });
        await es.request(`resolve ${alias} after the rollover`, "GET", `/_resolve/index/${alias}`, {
          view: resolveView,
        });
        await es.bulk(`the same _id through ${alias} after the rollover`, [[create(alias, "1"), { m: 2 }]]);
        await es.count(`documents under ${alias}`, alias);
      }
      await es.request("roll over an index whose name has no number", "PUT", `/${es.name("unnumbered")}`, {
        body: { aliases: { [es.name("unnumbered-alias")]: { is_write_index: true } } },
      });
      await es.request("the rollover refused", "POST", `/${es.name("unnumbered-alias")}/_rollover`);
    });
    const explicit = `${prefix}alias-explicit`;
    expect(judged.view(`roll ${explicit} over`)).toMatchObject({
      status: 200,
      body: { old_index: `${explicit}-000001`, new_index: `${explicit}-000002`, rolled_over: true },
    });
    expect(judged.items(`the same _id through ${explicit} after the rollover`, 1)).toMatchObject([
      { status: 201, _index: `${explicit}-000002` },
    ]);
  });

  it("filter_path=errors,items.*.status,items.*.error: all accepted, mixed, all refused", async () => {
    const judged = await conform(async (es) => {
      const ix = es.name("filtered");
      await es.bulk(
        "all accepted",
        [
          [create(ix, "1"), { a: 1 }],
          [create(ix, "2"), { a: 2 }],
        ],
        { filterPath: FILTER },
      );
      await es.bulk(
        "mixed",
        [
          [create(ix, "1"), { a: 1 }],
          [create(ix, "3"), { a: 3 }],
          [create(ix, "4"), { a: { b: 1 } }],
        ],
        { filterPath: FILTER },
      );
      await es.bulk(
        "all refused",
        [
          [create(ix, "1"), { a: 1 }],
          [create(ix, "2"), { a: 2 }],
        ],
        { filterPath: FILTER },
      );
      await es.bulk("errors alone, all accepted", [[create(ix, "5"), { a: 5 }]], { filterPath: "errors" });
      await es.bulk("items' errors alone, all accepted", [[create(ix, "6"), { a: 6 }]], {
        filterPath: "items.*.error",
      });
      await es.bulk("a whole request refused, filtered", [], {
        filterPath: FILTER,
        raw: `{"create":{"_index":"${ix}"}}\n{"a":1}`,
      });
    });
    expect(judged.view("all accepted")).toEqual({
      status: 200,
      keys: ["errors", "items"],
      errors: false,
      items: [
        { op: "create", keys: ["status"], status: 201 },
        { op: "create", keys: ["status"], status: 201 },
      ],
    });
  });

  it("gzip request bodies to _bulk are read as the plain ones", async () => {
    const judged = await conform(async (es) => {
      const ix = es.name("gzip");
      const pairs = (first: number): BulkPair[] => [
        [create(ix, `${first}`), { a: "é ü", n: 1 }],
        [create(ix, `${first + 1}`), { a: "text", n: "x" }],
        [create(ix, `${first}`), { a: "again", n: 2 }],
      ];
      await es.bulk("gzip, filtered", pairs(1), { gzip: true, filterPath: FILTER });
      await es.bulk("plain, filtered", pairs(10), { filterPath: FILTER });
      await es.bulk("gzip, whole", pairs(20), { gzip: true });
      await es.request("PUT _doc, gzip", "PUT", `/${ix}/_doc/single`, { body: { c: "ü" }, gzip: true });
      // Elasticsearch's HTTP layer drops the connection; a body shorter than a gzip header is no body.
      await es.request("a body that says gzip and is not", "POST", "/_bulk", {
        body: `{"create":{"_index":"${ix}"}}\n{"a":1}\n`,
        headers: { "content-encoding": "gzip" },
      });
      await es.request("8 bytes that say gzip", "POST", "/_bulk", {
        body: "not gzip",
        headers: { "content-encoding": "gzip" },
      });
      for (const id of ["1", "10", "20", "single"]) await es.source(`${id} as stored`, ix, id);
      await es.count("count", ix);
    });
    const statuses = (label: string) =>
      judged.items(label, 3).map((item) => (item as { status: number }).status);
    expect(statuses("gzip, filtered")).toEqual([201, 400, 409]);
    expect(statuses("plain, filtered")).toEqual(statuses("gzip, filtered"));
  });

  it("GET / and HEAD /: the product header, version.number as Sluice parses it", async () => {
    const judged = await conform(async (es) => {
      await es.request("HEAD /", "HEAD", "/", {
        view: (r) => ({ status: r.status, product: r.headers.get("x-elastic-product") }),
      });
      await es.request("GET /", "GET", "/", {
        view: (r) => {
          const body = r.body as { version: Record<string, unknown>; tagline: string };
          const number = String(body.version.number);
          return {
            status: r.status,
            product: r.headers.get("x-elastic-product"),
            keys: Object.keys(body).sort(),
            versionKeys: Object.keys(body.version).sort(),
            semver: /^\d+\.\d+\.\d+$/.test(number),
            majorAtLeast7: Number(number.split(".")[0]) >= 7,
            tagline: body.tagline,
          };
        },
      });
    });
    expect(judged.view("GET /")).toMatchObject({
      status: 200,
      product: "Elasticsearch",
      semver: true,
      majorAtLeast7: true,
    });
  });

  it("a missing index: _count and _search 404 unless ignore_unavailable; wildcards unless allow_no_indices=false", async () => {
    const judged = await conform(async (es) => {
      const missing = es.name("missing");
      const present = es.name("present");
      await es.request("create an index", "PUT", `/${present}`, { body: {} });
      const counted = (r: Reply) =>
        r.status === 200 ? { status: r.status, count: (r.body as { count: number }).count } : requestError(r);
      const searched = (r: Reply) => {
        if (r.status !== 200) return requestError(r);
        const body = r.body as { hits: { total: unknown; max_score: unknown; hits: unknown[] } };
        return {
          status: r.status,
          total: body.hits.total,
          max_score: body.hits.max_score,
          hits: body.hits.hits,
        };
      };
      await es.request("HEAD a missing index", "HEAD", `/${missing}`);
      await es.request("HEAD an index", "HEAD", `/${present}`);
      await es.request("_count", "GET", `/${missing}/_count`, { view: counted });
      await es.request("_count, ignore_unavailable", "GET", `/${missing}/_count?ignore_unavailable=true`, {
        view: counted,
      });
      await es.request("_search", "POST", `/${missing}/_search`, { body: {}, view: searched });
      await es.request("_search, ignore_unavailable", "POST", `/${missing}/_search?ignore_unavailable=true`, {
        body: {},
        view: searched,
      });
      await es.request("_search of an empty index", "POST", `/${present}/_search`, {
        body: {},
        view: searched,
      });
      await es.request("_search, a wildcard matching nothing", "POST", `/${missing}*/_search`, {
        body: {},
        view: searched,
      });
      await es.request(
        "_count, a wildcard matching nothing, allow_no_indices=false",
        "GET",
        `/${missing}*/_count?allow_no_indices=false`,
        {
          view: counted,
        },
      );
      await es.request("_count, one present and one missing", "GET", `/${present},${missing}/_count`, {
        view: counted,
      });
    });
    expect(judged.view("_count")).toMatchObject({
      status: 404,
      error: { type: "index_not_found_exception" },
    });
    expect(judged.view("_count, ignore_unavailable")).toEqual({ status: 200, count: 0 });
  });

  it("bulk requests refused whole, and items refused before any _id is made", async () => {
    const judged = await conform(async (es) => {
      const ix = es.name("malformed");
      const raw = (label: string, body: string, index?: string) =>
        es.bulk(label, [], { raw: body, exact: true, ...(index ? { index } : {}) });
      await raw("an empty body", "");
      await raw("only newlines", "\n\n");
      await raw("no final newline", `{"create":{"_index":"${ix}"}}\n{"a":1}`);
      await raw("an unknown action", '{"explode":{}}\n{}\n');
      await raw("an unknown parameter", `{"create":{"_index":"${ix}","_unknown":1}}\n{"a":1}\n`);
      await raw("a delete without _id", `{"delete":{"_index":"${ix}"}}\n`);
      await raw("no index anywhere", '{"create":{}}\n{"a":1}\n');
      await raw("an action without its document", `{"create":{"_index":"${ix}","_id":"x"}}\n`);
      await raw("an index from the URL", '{"create":{"_id":"u"}}\n{"a":1}\n', ix);
      await raw(
        "an invalid index name beside a valid item",
        `{"create":{"_index":"UPPER"}}\n{"a":1}\n{"create":{"_index":"${ix}","_id":"ok"}}\n{"a":1}\n`,
      );
      await raw(
        "_id as a number, and null",
        `{"create":{"_index":"${ix}","_id":7}}\n{"a":1}\n{"create":{"_index":"${ix}","_id":null}}\n{"a":1}\n`,
      );
      await raw(
        "index with op_type create",
        `{"index":{"_index":"${ix}","_id":"7","op_type":"create"}}\n{"a":1}\n`,
      );
      await es.count("count", ix);
    });
    expect(judged.view("a delete without _id")).toMatchObject({
      status: 400,
      error: { type: "action_request_validation_exception" },
    });
    // The invalid index refuses its own item only; it gets no generated _id.
    expect(judged.items("an invalid index name beside a valid item", 2)).toMatchObject([
      { status: 400, _id: null, error: { type: "invalid_index_name_exception" } },
      { status: 201 },
    ]);
  });

  it("Sluice's own calls: the health check, the data stream template, sendBulk (plain and gzip), dead letters", async () => {
    const judged = await conform(async (es) => {
      const client = createClient("conformance", { node: es.url });
      const gzipClient = createClient("conformance", { node: es.url, compression: true });
      try {
        es.record(
          "checkElasticsearch",
          /^\d+\.\d+\.\d+$/.test(await checkElasticsearch(client, es.url, "x")),
        );
        const template = es.name("sluice-template");
        const stream = es.name("sluice-ds");
        for (const attempt of ["first", "second"])
          es.record(
            `ensureDataStreamTemplate, ${attempt}`,
            await ensureDataStreamTemplate(client, template, [stream]),
          );
        const index = es.name("sluice-index");
        const rejected: SluiceEvent[] = [];
        // Twice: the second time, what was created is a 409, which the sink counts as delivered.
        for (const [label, target, action, via] of [
          ["create to an index", index, "create", client],
          ["create to an index, gzip", es.name("sluice-gzip"), "create", gzipClient],
          ["create to a data stream", stream, "create", client],
          ["index to a data stream", stream, "index", client],
        ] as const)
          for (const attempt of ["first", "again"]) {
            const events = sinkEvents();
            const outcome = await sendBulk(via, events, encode(events, target, action), action, "sink");
            es.record(`sendBulk ${label}, ${attempt}`, {
              delivered: outcome.delivered.map((e) => e.origin.offset),
              retry: outcome.retry,
              rejected: outcome.rejected.map((e) => ({
                offset: e.origin.offset,
                code: e.failure?.code,
                type: e.failure?.type,
                reason: reasonNames(e.failure?.reason ?? ""),
              })),
            });
            if (attempt === "first" && target === index) rejected.push(...outcome.rejected);
          }
        const lettersIndex = es.name("dead-letters");
        const deadLetters = new ElasticsearchDeadLetters({
          node: es.url,
          index: lettersIndex,
          compression: true,
        });
        await deadLetters.connect({ logger: silentLogger(), pipeline: "conformance" });
        const letters = rejected.map((event) => toDeadLetter(event, "conformance", new Date(TIMESTAMP)));
        for (const attempt of ["first", "again"])
          es.record(
            `dead letters written, ${attempt}`,
            await deadLetters.write(letters).then(
              () => "written",
              (error: Error) => reasonNames(error.message),
            ),
          );
        await deadLetters.close();
        for (const letter of letters)
          await es.request(
            `dead letter ${letter.origin.offset} as stored`,
            "GET",
            `/${lettersIndex}/_doc/${encodeURIComponent(originId(letter.origin))}`,
            { view: letterView },
          );
      } finally {
        await Promise.all([client.close(), gzipClient.close()]);
      }
    });
    expect(judged.view("sendBulk create to an index, again")).toMatchObject({
      delivered: ["0", "4"],
      rejected: [
        { offset: "1", code: ErrorCode.REJECTED, type: "document_parsing_exception" },
        { offset: "2" },
        { offset: "3" },
      ],
    });
    expect(judged.view("dead letters written, again")).toBe("written");
  });

  it("the Fluent Bit records the pipeline tests send are accepted and mapped alike", async () => {
    const records = fluentBitRecords(400, { seed: 5 });
    await conform(async (es) => {
      const ix = es.name("fluent-bit");
      const pairs: BulkPair[] = records.map((record, i) => [create(ix, `fluent-bit+0+${i}`), record]);
      await es.bulk("the records", pairs, { filterPath: FILTER });
      await es.bulk("the records again", pairs, { filterPath: FILTER });
      await es.count("count", ix);
      await es.mapping("mapping", ix);
      await es.source("the first as stored", ix, "fluent-bit+0+0");
    });
  });
});

/** A stored dead letter; the reason Elasticsearch gave is reduced to its names, as everywhere else. */
function letterView(reply: Reply): unknown {
  if (reply.status !== 200) return requestError(reply);
  const source = (reply.body as { _source: { error: { reason: string } } })._source;
  return { ...source, error: { ...source.error, reason: reasonNames(source.error.reason) } };
}

/** Records as the sink gets them: JSON bytes from Kafka, a few Elasticsearch refuses. */
function sinkEvents(): SluiceEvent[] {
  const docs = [
    `{"@timestamp":"${TIMESTAMP}","msg":"a","n":1}`,
    `{"@timestamp":"${TIMESTAMP}","msg":"b","n":"not a number"}`,
    `{"@timestamp":"${TIMESTAMP}","msg":"c","n":{"deep":1}}`,
    `{"@timestamp":"${TIMESTAMP}","msg":"d","msg":"twice"}`,
    `{"@timestamp":"${TIMESTAMP}","msg":"e","n":2,"kubernetes.labels.app":"web"}`,
  ];
  return docs.map((doc, i) => {
    const raw = Buffer.from(doc);
    return eventOf(raw, {
      raw,
      origin: {
        topic: "conformance",
        partition: 0,
        offset: String(i),
        headers: { "trace.id": "abc", "content-type": Buffer.from("application/json") },
      },
    });
  });
}

/** The events' bulk body, as the sink's encoder writes it (`_id` `<topic>+<partition>+<offset>`). */
function encode(events: SluiceEvent[], index: string, action: BulkAction): Buffer {
  const encoder = new BulkEncoder(action, new Target("conformance", index, "origin"));
  return Buffer.concat(events.map((event) => encoder.encode(event).lines));
}
