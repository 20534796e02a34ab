import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { JsonBytes } from "@sluice/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { epochSecondsToIso } from "../../src/epoch-to-iso.js";
import { epochTextToIso, fluentBitToElasticsearch } from "../../src/fluent-bit/to-elasticsearch.js";
import { runOne, runStage } from "../run.js";

const record =
  '{"@timestamp":1732492800.001,"log":"GET /healthz 200 \\"@timestamp\\"\\n","stream":"stdout",' +
  '"time":"2024-11-25T00:00:00.001234567Z","trace":12345678901234567890,"ratio":1.50,' +
  '"kubernetes":{"pod_name":"gw-0","labels":{"app.kubernetes.io/name":"gw"}}}';

describe("fluentBitToElasticsearch", () => {
  it("converts any epoch text in the record's bytes exactly as the decimal conversion does", async () => {
    const epochText = fc.oneof(
      fc
        .tuple(fc.nat({ max: 253_402_300_799 }), fc.option(fc.stringMatching(/^[0-9]{1,9}$/)))
        .map(([s, f]) => (f === null ? String(s) : `${s}.${f}`)),
      fc.double({ min: -1e10, max: 2.5e11, noNaN: true }).map(String),
    );
    await fc.assert(
      fc.asyncProperty(epochText, async (text) => {
        const out = await runStage(fluentBitToElasticsearch(), [
          Buffer.from(`{"@timestamp":${text},"log":"x"}`),
        ]);
        const expected = epochTextToIso(text);
        if (expected === undefined) expect(out[0]!.ok).toBe(false);
        else expect(out[0]!.value.toString()).toBe(`{"@timestamp":"${expected}","log":"x"}`);
      }),
      { numRuns: 500 },
    );
  });

  it("leaves the document as JsonBytes that write exactly their own extent, wherever they go", async () => {
    // An epoch shorter than the ISO text (the record's bytes are written over where the head goes) and
    // one longer (they are not).
    for (const epoch of ["1732492800.001", "1732492800.00100000000000000000000000000"]) {
      const e = await runOne(fluentBitToElasticsearch(), Buffer.from(`{"@timestamp":${epoch},"log":"x"}`));
      const doc = e.value as unknown as JsonBytes;
      expect(doc).toBeInstanceOf(JsonBytes);
      const expected = '{"@timestamp":"2024-11-25T00:00:00.001Z","log":"x"}';
      expect(doc.byteLength).toBe(expected.length);
      const target = Buffer.alloc(expected.length + 20, 0x2e);
      expect(doc.writeTo(target, 7)).toBe(7 + expected.length);
      expect(target.toString()).toBe(`.......${expected}.............`);
      expect(doc.toBuffer().toString()).toBe(expected);
      expect(JSON.stringify({ doc })).toBe(`{"doc":${expected}}`);
      // The record itself is untouched: dead letters carry its bytes.
      expect(e.raw.toString()).toBe(`{"@timestamp":${epoch},"log":"x"}`);
    }
  });

  it("writes the es output's @timestamp and keeps every other byte as Fluent Bit wrote it", async () => {
    const e = await runOne(fluentBitToElasticsearch(), Buffer.from(record));
    const expected = record.replace("1732492800.001", '"2024-11-25T00:00:00.001Z"');
    expect(e.value.toString()).toBe(expected);
    // A number beyond 2^53 and a trailing zero survive: the document was never re-serialized.
    expect(e.value.toString()).toContain('"trace":12345678901234567890,"ratio":1.50');
  });

  it("truncates to milliseconds, or writes nine digits with nanos (time_key_nanos)", async () => {
    const raw = Buffer.from('{"@timestamp":1732492800.999999,"log":"x"}');
    expect((await runOne(fluentBitToElasticsearch(), raw)).value.toString()).toBe(
      '{"@timestamp":"2024-11-25T00:00:00.999Z","log":"x"}',
    );
    expect((await runOne(fluentBitToElasticsearch({ nanos: true }), raw)).value.toString()).toBe(
      '{"@timestamp":"2024-11-25T00:00:00.999999000Z","log":"x"}',
    );
    const whole = Buffer.from('{"@timestamp":1732492800.0}');
    expect((await runOne(fluentBitToElasticsearch(), whole)).value.toString()).toBe(
      '{"@timestamp":"2024-11-25T00:00:00.000Z"}',
    );
  });

  it("moves a timestamp found elsewhere to the front, and replaces dots in keys when asked", async () => {
    const late = Buffer.from('{"log":"x","@timestamp":1732492800.5}');
    expect((await runOne(fluentBitToElasticsearch(), late)).value.toString()).toBe(
      '{"@timestamp":"2024-11-25T00:00:00.500Z","log":"x"}',
    );
    const dotted = await runOne(fluentBitToElasticsearch({ replaceDots: true }), Buffer.from(record));
    expect(JSON.parse(dotted.value.toString()).kubernetes.labels).toEqual({ "app_kubernetes_io/name": "gw" });
  });

  it("keeps a record's own string timestamp (Fluent Bit wrote two keys; JSON keeps the later)", async () => {
    const twice = Buffer.from('{"@timestamp":1732492800.5,"log":"x","@timestamp":"2024-01-01T00:00:00Z"}');
    const e = await runOne(fluentBitToElasticsearch(), twice);
    expect(JSON.parse(e.value.toString())["@timestamp"]).toBe("2024-01-01T00:00:00Z");
  });

  it("sends what is not a Fluent Bit record to dead letters, each with its reason", async () => {
    const deep = `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`;
    const out = await runStage(fluentBitToElasticsearch(), [
      Buffer.from("{not json"),
      Buffer.from([0x7b, 0xff, 0x7d]),
      Buffer.from("[1]"),
      Buffer.from('{"log":"no time"}'),
      Buffer.from(deep),
      Buffer.from('{"@timestamp":1.5,"log":"lone \\ud800 surrogate"}'),
      Buffer.from('{"@timestamp":1e300}'),
      Buffer.from('{"@timestamp":1.5,"log":"a pair \\ud83d\\ude00 and an escaped \\\\ud800"}'),
    ]);
    expect(out.map((e) => e.failure?.type)).toEqual([
      "json_parse_exception",
      "invalid_utf8",
      "json_not_object",
      "timestamp_missing",
      "depth_limit_exceeded",
      "invalid_unicode",
      "timestamp_parse_exception",
      undefined,
    ]);
  });

  it("property: converting the decimal text equals converting exact integers, and the float path", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 0, max: 8_000_000_000 }),
        fc.integer({ min: 0, max: 999_999 }),
        (negative, seconds, micros) => {
          // As Fluent Bit prints it: six decimals at most, trailing zeros dropped, `.0` when whole.
          const fraction = String(micros).padStart(6, "0").replace(/0+$/, "");
          const text = `${negative ? "-" : ""}${seconds}.${fraction || "0"}`;
          const totalMicros = (BigInt(seconds) * 1_000_000n + BigInt(micros)) * (negative ? -1n : 1n);
          const millis = Number(
            totalMicros / 1000n - (totalMicros < 0n && totalMicros % 1000n !== 0n ? 1n : 0n),
          );
          const exact = new Date(millis).toISOString();
          expect(epochTextToIso(text)).toBe(exact);
          if (Math.abs(seconds) < 1e10) expect(epochSecondsToIso(Number(text))).toBe(exact);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("gives the same documents and failures without WebAssembly (node --jitless), from the full scan alone", () => {
    const records = [
      record,
      '{"@timestamp":1732492800.000368,"log":"{\\"level\\":\\"info\\"}\\n","stream":"stdout","kubernetes":{"labels":{}}}',
      '{ "@timestamp": 1732492800.5, "log": "spaced out" }',
      '{"@timestamp":1732492800.5,"log":"caf\\u00e9 \\ud83d\\ude00"}',
      '{"@timestamp":1732492800.5,"log":"a raw\nline break"}',
      '{"@timestamp":1732492800.5,"log":"truncat',
      '{"@timestamp":1732492800.5,"log":nope}',
      '{"@timestamp":1732492800.5,"log":"lone \\ud800 surrogate"}',
      '{"@timestamp":1732492800.5,"log":"bell \u0007 inside"}',
      `{"@timestamp":1732492800.5,"deep":${"[".repeat(1200)}${"]".repeat(1200)}}`,
      '[{"@timestamp":1732492800.5}]',
      '{"log":"no timestamp"}',
      "",
    ];
    const run = (nodeArgs: string[]) =>
      JSON.parse(
        execFileSync(
          process.execPath,
          [
            ...nodeArgs,
            "--conditions=source",
            "--import",
            "tsx",
            fileURLToPath(new URL("./preset-outcomes.ts", import.meta.url)),
          ],
          {
            // The repository's root, where tsx is installed.
            cwd: fileURLToPath(new URL("../../../../", import.meta.url)),
            input: JSON.stringify(records),
            encoding: "utf8",
            stdio: ["pipe", "pipe", "pipe"],
          },
        ),
      ) as { webAssembly: boolean; outcomes: Array<{ doc?: string; failure?: unknown }> };
    const here = run([]);
    const jitless = run(["--jitless"]);
    expect(here.webAssembly).toBe(true);
    expect(jitless.webAssembly).toBe(false);
    expect(jitless.outcomes).toEqual(here.outcomes);
    // Both kinds of outcome are there: documents for the acceptable records, failures for the rest.
    expect(here.outcomes.filter((o) => o.doc !== undefined).length).toBeGreaterThanOrEqual(4);
    expect(here.outcomes.filter((o) => o.failure !== undefined).length).toBeGreaterThanOrEqual(4);
    expect(here.outcomes[2]!.doc).toBe('{"@timestamp":"2024-11-25T00:00:00.500Z","log":"spaced out"}');
  });
});
