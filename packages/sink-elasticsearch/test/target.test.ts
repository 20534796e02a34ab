// Where an event goes, and what is said when it cannot go anywhere: every refusal is a SluiceError with
// SLUICE_ERR_ES_TARGET and its own type; the options that shape it are checked at construction.
import { ErrorCode, eventOf, SluiceError } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { elasticsearchSink } from "../src/elasticsearch-sink.js";
import { Target } from "../src/target.js";

const node = "http://127.0.0.1:9200";

function thrown(fn: () => unknown): SluiceError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SluiceError);
    return error as SluiceError;
  }
  throw new Error("nothing was thrown");
}

describe("sink target", () => {
  it("refuses an event whose index template does not resolve, naming the reference (no literal %{ name)", () => {
    const target = new Target("elasticsearchSink", "logs-%{[app]}-%{[env]}", "origin");
    expect(target.resolve(eventOf({ app: "web", env: "prod" })).index).toBe('"logs-web-prod"');
    const error = thrown(() => target.resolve(eventOf({ app: "web" })));
    expect(error.code).toBe(ErrorCode.ES_TARGET);
    expect(error.name).toBe("index_template_unresolved");
    expect(error.message).toContain("%{[env]}");
    expect(error.message).toContain("templateFallbackIndex");
  });

  it("refuses a date template without a usable @timestamp, and formats one with it", () => {
    const target = new Target("elasticsearchSink", "logs-%{+yyyy.MM.dd}", "origin");
    expect(target.resolve(eventOf({ "@timestamp": "2024-06-10T08:00:00Z" })).index).toBe('"logs-2024.06.10"');
    expect(thrown(() => target.resolve(eventOf({ message: "x" }))).name).toBe("index_template_unresolved");
  });

  it("sends an event whose template does not resolve to templateFallbackIndex when given", () => {
    const target = new Target("elasticsearchSink", "logs-%{[app]}", "origin", "logs-unrouted");
    expect(target.resolve(eventOf({ message: "x" })).index).toBe('"logs-unrouted"');
    expect(target.resolve(eventOf({ app: "db" })).index).toBe('"logs-db"');
  });

  it("throws SluiceErrors with a code for a topic without index, an unusable _id field, a missing key", () => {
    const byTopic = new Target("elasticsearchSink", { topics: { a: "index-a" } }, "origin");
    const noIndex = thrown(() => byTopic.resolve(eventOf({}, { origin: { topic: "b" } })));
    expect(noIndex).toMatchObject({ code: ErrorCode.ES_TARGET, name: "no_index_for_topic" });
    const byField = new Target("elasticsearchSink", "x", { field: "[id]" });
    const noId = thrown(() => byField.resolve(eventOf({ other: 1 })));
    expect(noId).toMatchObject({ code: ErrorCode.ES_TARGET, name: "id_field_unusable" });
    const byKey = new Target("elasticsearchSink", "x", "key");
    expect(thrown(() => byKey.resolve(eventOf({})))).toMatchObject({ name: "id_key_missing" });
    expect(byKey.resolve(eventOf({}, { origin: { key: Buffer.from("user-7") } })).id).toBe(',"_id":"user-7"');
  });
});

describe("sink target options", () => {
  const configError = (options: Record<string, unknown>) =>
    thrown(() => elasticsearchSink({ node, index: "x", ...options } as never));

  it("validates templateFallbackIndex: a plain, valid name, for a template index only", () => {
    expect(configError({ index: "a-%{[b]}", templateFallbackIndex: "c-%{[d]}" })).toMatchObject({
      code: ErrorCode.CONFIG,
      option: "templateFallbackIndex",
    });
    expect(configError({ index: "a-%{[b]}", templateFallbackIndex: "Upper" }).message).toContain("lowercase");
    expect(configError({ index: "plain", templateFallbackIndex: "other" }).message).toContain(
      "applies only to an index template",
    );
    expect(() =>
      elasticsearchSink({ node, index: "a-%{[b]}", templateFallbackIndex: "a-none" }),
    ).not.toThrow();
  });

  it('refuses nullValues "delete" without id "key", and for a data stream', () => {
    expect(configError({ nullValues: "delete" })).toMatchObject({ option: "nullValues" });
    expect(
      configError({ nullValues: "delete", id: "key", dataStream: true, action: "create" }),
    ).toMatchObject({
      option: "nullValues",
    });
    expect(() => elasticsearchSink({ node, index: "x", id: "key", nullValues: "delete" })).not.toThrow();
    expect(configError({ nullValues: "drop" })).toMatchObject({ code: ErrorCode.CONFIG });
  });

  it("is named elasticsearch unless given a name (a fan-out's targets each have theirs), never an empty one", () => {
    expect(elasticsearchSink({ node, index: "x" }).name).toBe("elasticsearch");
    expect(elasticsearchSink({ node, index: "x", name: "archive" }).name).toBe("archive");
    expect(configError({ name: "" })).toMatchObject({ code: ErrorCode.CONFIG, option: "name" });
  });

  it("refuses a data stream template for an index function without index_patterns, at construction", () => {
    const error = configError({ index: () => "x", dataStream: { template: { name: "t" } } });
    expect(error).toMatchObject({ code: ErrorCode.CONFIG, option: "dataStream.template.body" });
  });
});
