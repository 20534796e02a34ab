// The WebAssembly fast path accepts only what the full scan accepts, and does accept records as Fluent Bit
// writes them; the module shipped is the one compact.wat assembles to.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assemble, GENERATED, generated } from "../scripts/compact-wasm.js";
import { CompactJson } from "../src/compact-json/compact-json.js";
import { scanJsonObject } from "../src/json-bytes.js";

const scanner = () => {
  const compact = CompactJson.create();
  if (!compact) throw new Error("WebAssembly is not available in this Node");
  return compact;
};
const bytes = (text: string) => Buffer.from(text, "utf8");
/** The full scan's verdict: acceptable as it is (no line break to replace), or not. */
const fullyAccepted = (b: Buffer, maxDepth = 1000) => {
  const scan = scanJsonObject(b, maxDepth);
  return !scan.problem && !scan.hasLineBreak;
};

const FLUENT_BIT = [
  '{"@timestamp":1732492800.000368,"log":"{\\"level\\":\\"info\\",\\"msg\\":\\"cache miss\\"}\\n","stream":"stdout","time":"2024-11-25T00:00:00.000368352Z","kubernetes":{"pod_name":"insight-agent-3e67d2af9a-e2624","labels":{"app.kubernetes.io/name":"insight-agent"},"annotations":{"prometheus.io/scrape":"true"},"host":"worker-4"}}',
  '{"@timestamp":1732492800.001439,"log":"level=debug msg=\\"upstream user\\" 延迟=42ms\\n","stream":"stderr","n":[1,-2.5e3,0,true,false,null,{},[]],"kubernetes":{"pod_id":"f4a0a0ea-3402-486a-adf7-16fa271bf1d9"}}',
];

describe("CompactJson", () => {
  it("is the module compact.wat assembles to", async () => {
    expect(readFileSync(GENERATED, "utf8")).toBe(generated(await assemble()));
  });

  it("accepts records as Fluent Bit writes them, and none of their truncations", () => {
    const compact = scanner();
    for (const text of FLUENT_BIT) {
      const b = bytes(text);
      expect(compact.accepts(b, 1000)).toBe(true);
      for (let end = 0; end < b.length; end++) expect(compact.accepts(b.subarray(0, end), 1000)).toBe(false);
    }
  });

  it("accepts only what the full scan accepts, on mutated, truncated and nested objects", () => {
    const compact = scanner();
    const mutated = fc
      .tuple(
        fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }),
        fc.nat(),
        fc.constantFrom(...'{}[]:,"\\ 0-.e+tfnxu\u0001\n'.split("")),
        fc.boolean(),
      )
      .map(([obj, at, ch, truncate]) => {
        const text = JSON.stringify(obj);
        const i = at % text.length;
        return truncate ? text.slice(0, i) : text.slice(0, i) + ch + text.slice(i + 1);
      });
    fc.assert(
      fc.property(mutated, fc.integer({ min: 1, max: 6 }), (text, maxDepth) => {
        const b = bytes(text);
        if (compact.accepts(b, maxDepth)) expect(fullyAccepted(b, maxDepth)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it("accepts every object JSON.stringify writes without a \\u escape, within the depth asked", () => {
    const compact = scanner();
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.integer({ min: 1, max: 6 }),
        (obj, maxDepth) => {
          const text = JSON.stringify(obj);
          fc.pre(!text.includes("\\u"));
          const b = bytes(text);
          expect(compact.accepts(b, maxDepth)).toBe(fullyAccepted(b, maxDepth));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("finds a quote, a backslash or a control character at every position of sixteen bytes", () => {
    const compact = scanner();
    const odd: Array<[string, boolean]> = [
      ["\u0001", false],
      ["\u001f", false],
      ["\t", false],
      ['\\"', true],
      ["\\\\", true],
      ["\\n", true],
      ['"', false],
      ["\\", false],
      ["\\u0041", false],
      ["é", true],
      ["\u007f", true],
    ];
    for (const [insert, accepted] of odd)
      for (let at = 0; at <= 40; at++) {
        const text = `{"k":"${"x".repeat(at)}${insert}${"y".repeat(40 - at)}","n":1}`;
        expect(compact.accepts(bytes(text), 1000), `${JSON.stringify(text)}`).toBe(accepted);
      }
  });

  it("takes a record longer than its memory, then a shorter one again", () => {
    const compact = scanner();
    const long = bytes(JSON.stringify({ log: "x".repeat(300_000), n: [1, 2, 3] }));
    expect(compact.accepts(long, 1000)).toBe(true);
    expect(compact.accepts(bytes('{"a":"b"}'), 1000)).toBe(true);
    expect(compact.accepts(bytes('{"a":"b"'), 1000)).toBe(false);
  });

  it("leaves whitespace, depth beyond the limit and lone surrogates to the full scan", () => {
    const compact = scanner();
    expect(compact.accepts(bytes('{"a": 1}'), 1000)).toBe(false);
    expect(compact.accepts(bytes('{"a":{"b":[1]}}'), 3)).toBe(true);
    expect(compact.accepts(bytes('{"a":{"b":[1]}}'), 2)).toBe(false);
    expect(compact.accepts(bytes('{"a":"\\ud83d"}'), 1000)).toBe(false);
    expect(compact.accepts(bytes('{"a":1}{}'), 1000)).toBe(false);
    expect(compact.accepts(bytes("[1]"), 1000)).toBe(false);
    expect(compact.accepts(bytes("{}"), 1000)).toBe(true);
  });
});
