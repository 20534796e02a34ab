import { eventOf, SluiceConfigError } from "@sluice/core";
import fc from "fast-check";
import { lastValueFrom, of } from "rxjs";
import { describe, expect, it } from "vitest";
import { fluentBitRecords } from "../../../test/harness/kafka/records.js";
import { JSON_LIMIT_DEFAULTS, jsonLimitProblem } from "../src/json-limits.js";
import { json } from "../src/logstash/json.js";
import { type ParseJsonOptions, parseJson } from "../src/parse-json.js";
import { runOne } from "./run.js";

async function parse(options: ParseJsonOptions, ...texts: string[]) {
  return lastValueFrom(of(texts.map((t) => eventOf(Buffer.from(t)))).pipe(parseJson(options)));
}

/** `[{},{},…]` of about `bytes` bytes: ~20 times its size in heap once parsed. */
function emptyObjects(bytes: number): string {
  return `[${Array.from({ length: Math.floor(bytes / 3) }, () => "{}").join(",")}]`;
}

// A tail JSON.parse refuses: had the record been parsed first, its failure would be a syntax error.
const BROKEN_TAIL = ",}oops";

describe("parseJson: what a record parses into is bounded before it is parsed", () => {
  it("refuses a 2 MB [{},{},…] record unparsed, a PARSE dead letter naming maxContainers", async () => {
    const hostile = emptyObjects(2 * 1024 * 1024);
    const [whole, broken, inObject] = await parse(
      {},
      hostile,
      hostile + BROKEN_TAIL,
      `{"a":${hostile}${BROKEN_TAIL}`,
    );
    for (const e of [whole!, broken!, inObject!]) {
      expect(e.ok).toBe(false);
      expect(e.failure).toMatchObject({
        code: "SLUICE_ERR_PARSE",
        type: "size_limit_exceeded",
        reason: "record holds more than 10000 objects and arrays (maxContainers)",
      });
    }
  });

  it("refuses more values than maxValues, and nesting deeper than maxDepth, before parsing", async () => {
    const numbers = `{"a":[${Array.from({ length: 100_000 }, () => "1").join(",")}]`;
    const deep = `${"[".repeat(1001)}${BROKEN_TAIL}`;
    const [values, depth] = await parse({}, `${numbers}${BROKEN_TAIL}`, deep);
    expect(values!.failure).toMatchObject({
      code: "SLUICE_ERR_PARSE",
      type: "size_limit_exceeded",
      reason: "record holds more than 100000 values (maxValues)",
    });
    expect(depth!.failure).toMatchObject({
      code: "SLUICE_ERR_PARSE",
      type: "depth_limit_exceeded",
      reason: "record is nested deeper than 1000 levels (maxDepth)",
    });
    // Raised limits let the same records through.
    const [raised] = await parse({ maxValues: 200_000 }, `${numbers}}`);
    expect(raised!.ok).toBe(true);
    expect((raised!.value.a as number[]).length).toBe(100_000);
  });

  it("passes normal Fluent Bit records, small and large, under the default limits", async () => {
    const records = [...fluentBitRecords(200), ...fluentBitRecords(20, { recordBytes: 64 * 1024, seed: 2 })];
    const out = await parse({}, ...records);
    expect(out.every((e) => e.ok)).toBe(true);
    expect(out.map((e) => e.value)).toEqual(records.map((r) => JSON.parse(r)));
  });

  it("validates the limits at construction, naming the option", () => {
    expect(() => parseJson({ maxContainers: 0 })).toThrow(SluiceConfigError);
    expect(() => parseJson({ maxContainers: 0 })).toThrow(/maxContainers/);
    expect(() => parseJson({ maxValues: 1.5 })).toThrow(/maxValues/);
    expect(() => json({ source: "m", max_depth: 0 })).toThrow(/max_depth/);
  });
});

describe("json (Logstash): the same limits on the source's text", () => {
  it("fails an event past max_depth or max_containers without parsing it: tag, or a dead letter with the reason", async () => {
    const deep = `${"[".repeat(1001)}${BROKEN_TAIL}`;
    const tagged = await runOne(json({ source: "message" }), { message: deep });
    expect(tagged.ok).toBe(true);
    expect(tagged.value.tags).toEqual(["_jsonparsefailure"]);
    const dead = await runOne(json({ source: "message", on_failure: "deadLetter" }), { message: deep });
    expect(dead.failure).toMatchObject({
      type: "depth_limit_exceeded",
      reason: "record is nested deeper than 1000 levels (max_depth)",
    });
    const wide = await runOne(
      json({ source: "message", target: "t", on_failure: "deadLetter", max_depth: 5 }),
      {
        message: `{"a":${emptyObjects(64 * 1024)}}`,
      },
    );
    expect(wide.failure).toMatchObject({ type: "size_limit_exceeded", reason: /\(max_containers\)/ });
    const fine = await runOne(json({ source: "message", max_depth: 3 }), { message: '{"a":{"b":[1]}}' });
    expect(fine.value).toMatchObject({ a: { b: [1] } });
  });
});

describe("jsonLimitProblem counts what JSON.parse builds (property)", () => {
  /** Containers and values of a parsed JSON value, counted on the value itself. */
  function counts(v: unknown, depth = 1): { containers: number; values: number; depth: number } {
    if (v === null || typeof v !== "object") return { containers: 0, values: 1, depth: 0 };
    const children = Array.isArray(v) ? v : Object.values(v);
    const out = { containers: 1, values: 1, depth };
    for (const child of children) {
      const c = counts(child, depth + 1);
      out.containers += c.containers;
      out.values += c.values;
      out.depth = Math.max(out.depth, c.depth);
    }
    return out;
  }

  it("a limit equal to the count passes and one below it is refused, whatever the spacing", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 1, "\t"), (value, space) => {
        const text = JSON.stringify(value, null, space);
        const c = counts(value);
        const exact = {
          maxDepth: Math.max(1, c.depth),
          maxContainers: Math.max(1, c.containers),
          maxValues: c.values,
        };
        expect(jsonLimitProblem(text, exact)).toBeUndefined();
        if (c.depth > 1)
          expect(jsonLimitProblem(text, { ...exact, maxDepth: c.depth - 1 })?.type).toBe(
            "depth_limit_exceeded",
          );
        if (c.containers > 1)
          expect(jsonLimitProblem(text, { ...exact, maxContainers: c.containers - 1 })?.reason).toMatch(
            /maxContainers/,
          );
        if (c.values > 1)
          expect(jsonLimitProblem(text, { ...exact, maxValues: c.values - 1 })?.reason).toMatch(/maxValues/);
        expect(jsonLimitProblem(text, JSON_LIMIT_DEFAULTS)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });
});
