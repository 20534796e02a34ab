import { describe, expect, it } from "vitest";
import { json } from "../../src/logstash/json.js";
import { runOne } from "../run.js";

type Doc = Record<string, unknown>;

describe("json (Logstash json filter)", () => {
  it("expands the source's JSON into the event's root, keeping the source field", async () => {
    const e = await runOne(json({ source: "message" }), { message: '{"log":"hi","stream":"stdout"}' } as Doc);
    expect(e.value).toEqual({ message: '{"log":"hi","stream":"stdout"}', log: "hi", stream: "stdout" });
  });

  it("puts the parsed value under target (any JSON value, nested targets created)", async () => {
    const e = await runOne(json({ source: "message", target: "[doc][parsed]" }), { message: "[1,2]" } as Doc);
    expect(e.value).toEqual({ message: "[1,2]", doc: { parsed: [1, 2] } });
  });

  it("tags _jsonparsefailure on invalid JSON and leaves the event otherwise unchanged", async () => {
    const e = await runOne(json({ source: "message" }), { message: "{oops" } as Doc);
    expect(e.ok).toBe(true);
    expect(e.value).toEqual({ message: "{oops", tags: ["_jsonparsefailure"] });
  });

  it("uses tag_on_failure, skip_on_invalid_json, and on_failure deadLetter", async () => {
    const tagged = await runOne(json({ source: "message", tag_on_failure: ["bad", "json"] }), {
      message: "x",
    } as Doc);
    expect(tagged.value.tags).toEqual(["bad", "json"]);
    const skipped = await runOne(json({ source: "message", skip_on_invalid_json: true }), {
      message: "x",
    } as Doc);
    expect(skipped.value).toEqual({ message: "x" });
    const dead = await runOne(json({ source: "message", on_failure: "deadLetter" }), { message: "x" } as Doc);
    expect(dead.failure).toMatchObject({ type: "json_parse_exception", stage: "json" });
  });

  it("does nothing when the source field is missing", async () => {
    const e = await runOne(json({ source: "message" }), { other: 1 } as Doc);
    expect(e.value).toEqual({ other: 1 });
  });

  it("needs a target for JSON that is not an object", async () => {
    const e = await runOne(json({ source: "message" }), { message: "[1]" } as Doc);
    expect(e.value.tags).toEqual(["_jsonparsefailure"]);
  });

  it("takes an ISO-8601 @timestamp from the parsed object as the event time", async () => {
    const e = await runOne(json({ source: "message" }), {
      "@timestamp": "2026-01-01T00:00:00.000Z",
      message: '{"@timestamp":"2024-11-25T00:00:00.123Z","log":"x"}',
    } as Doc);
    expect(e.value["@timestamp"]).toBe("2024-11-25T00:00:00.123Z");
    expect(e.value.tags).toBeUndefined();
  });

  it("refuses Fluent Bit's float @timestamp as Logstash does: now, _@timestamp, _timestampparsefailure", async () => {
    const before = Date.now();
    const e = await runOne(json({ source: "message" }), {
      message: '{"@timestamp":1732492800.123456,"log":"x"}',
    } as Doc);
    expect(e.value["_@timestamp"]).toBe("1732492800.123456");
    expect(e.value.tags).toEqual(["_timestampparsefailure"]);
    expect(Date.parse(e.value["@timestamp"] as string)).toBeGreaterThanOrEqual(before - 1);
    expect(e.value.log).toBe("x");
  });

  it("keeps __proto__ in the parsed JSON a plain key", async () => {
    const e = await runOne(json({ source: "message" }), { message: '{"__proto__":{"polluted":1}}' } as Doc);
    expect(({} as Doc).polluted).toBeUndefined();
    expect(Object.hasOwn(e.value, "__proto__")).toBe(true);
  });

  it("fails construction naming the option", () => {
    expect(() => json({} as never)).toThrow(/json: option `source`/);
    expect(() => json({ source: "a[b]" })).toThrow(/json: option `source`/);
    expect(() => json({ source: "m", tag_on_failure: "x" as never })).toThrow(/tag_on_failure/);
  });
});
