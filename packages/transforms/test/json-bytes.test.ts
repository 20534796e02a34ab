// The byte scanner agrees with JSON.parse on what is a JSON object, and adds the depth and surrogate checks.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scanJsonObject, WordView } from "../src/json-bytes.js";

const scan = (text: string, maxDepth = 1000) => scanJsonObject(Buffer.from(text, "utf8"), maxDepth);

/** What JSON.parse says: an object, another value, or not JSON. */
function parseVerdict(text: string): "object" | "other" | "invalid" {
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === "object" && !Array.isArray(v) ? "object" : "other";
  } catch {
    return "invalid";
  }
}

/** No lone surrogate: such a string does not survive a round trip through UTF-8. */
const wellFormed = (s: string) => Buffer.from(s, "utf8").toString("utf8") === s;

describe("scanJsonObject", () => {
  it("accepts every object JSON.stringify writes (no lone surrogates)", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const text = JSON.stringify(obj);
        fc.pre(
          wellFormed(text) &&
            !/\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f]/i.test(text),
        );
        expect(scan(text).problem).toBeUndefined();
        expect(scan(JSON.stringify(obj, null, 2)).hasLineBreak).toBe(text !== "{}");
      }),
      { numRuns: 500 },
    );
  });

  it("refuses what JSON.parse refuses, on mutated and truncated objects", () => {
    const mutated = fc
      .tuple(
        fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }),
        fc.nat(),
        fc.constantFrom(...'{}[]:,"\\ 0-.e+tfnx\u0001'.split("")),
        fc.boolean(),
      )
      .map(([obj, at, ch, truncate]) => {
        const text = JSON.stringify(obj);
        const i = at % text.length;
        return truncate ? text.slice(0, i) : text.slice(0, i) + ch + text.slice(i + 1);
      });
    fc.assert(
      fc.property(mutated, (text) => {
        fc.pre(wellFormed(text));
        const verdict = parseVerdict(text);
        const result = scan(text);
        if (verdict === "invalid") expect(result.problem?.type).toBeDefined();
        if (verdict === "other") expect(result.problem?.type).toBe("json_not_object");
        if (verdict === "object" && result.problem) expect(result.problem.type).toBe("invalid_unicode");
      }),
      { numRuns: 2000 },
    );
  });

  it("finds a quote, a backslash or a control character at any byte of a string, at any alignment", () => {
    // A record's bytes are read four at a time where they are word-aligned in their buffer: every
    // position of the odd byte, and every start of the record within one buffer, as a batch's records lie.
    const words = new WordView();
    const odd = ["\u0001", "\u001f", '\\"', "\\\\", '"', "\\", "é", "\u007f"];
    for (const insert of odd)
      for (let at = 0; at <= 24; at++) {
        const text = `{"k":"${"x".repeat(at)}${insert}${"y".repeat(24 - at)}","n":1}`;
        const bytes = Buffer.from(text, "utf8");
        for (let start = 0; start < 4; start++) {
          const buffer = Buffer.alloc(bytes.length + 8, 0x20);
          bytes.copy(buffer, start);
          const record = buffer.subarray(start, start + bytes.length);
          const scanned = scanJsonObject(record, 1000, undefined, words).problem ? "invalid" : "object";
          expect(scanned, `${JSON.stringify(text)} at ${start}`).toBe(parseVerdict(text));
        }
      }
  });

  it("finds lone surrogate escapes and lets pairs and escaped backslashes through", () => {
    expect(scan('{"a":"\\ud83d"}').problem?.type).toBe("invalid_unicode");
    expect(scan('{"a":"\\ude00x"}').problem?.type).toBe("invalid_unicode");
    // A high half followed by anything but its low half: a plain byte, another escape.
    expect(scan('{"a":"\\ud83dx\\ude00"}').problem?.type).toBe("invalid_unicode");
    expect(scan('{"a":"\\ud83d\\n\\ude00"}').problem?.type).toBe("invalid_unicode");
    expect(scan('{"a":"\\ud83d\\ude00"}').problem).toBeUndefined();
    expect(scan('{"a":"\\\\ud83d"}').problem).toBeUndefined();
  });

  it("refuses nesting deeper than asked without recursion", () => {
    const deep = `{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    expect(scan(deep, 1000).problem?.type).toBe("depth_limit_exceeded");
    expect(scan('{"a":{"b":[1]}}', 3).problem).toBeUndefined();
    expect(scan('{"a":{"b":[1]}}', 2).problem?.type).toBe("depth_limit_exceeded");
  });

  it("reports line breaks between tokens, which would split a bulk line", () => {
    expect(scan('{"a":1,\n"b":[ \r\n ]}')).toEqual({ hasLineBreak: true });
    expect(scan('{"a":"x\\ny"}')).toEqual({ hasLineBreak: false });
  });
});
