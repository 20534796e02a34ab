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

  it("bounds what a record it has to parse may build: maxContainers and maxValues", async () => {
    // replaceDots makes the stage parse the record; `[{},{},…]` takes far more heap than its bytes.
    const many = (n: number, item: string) => Array.from({ length: n }, () => item).join(",");
    const stage = () => fluentBitToElasticsearch({ replaceDots: true, maxContainers: 100, maxValues: 200 });
    const containers = await runOne(stage(), Buffer.from(`{"@timestamp":1.5,"ab":[${many(100, "{}")}]}`));
    expect(containers.failure).toMatchObject({ type: "size_limit_exceeded", code: "SLUICE_ERR_PARSE" });
    expect(containers.failure?.reason).toMatch(/maxContainers/);
    const values = await runOne(stage(), Buffer.from(`{"@timestamp":1.5,"ab":[${many(200, "1")}]}`));
    expect(values.failure?.reason).toMatch(/maxValues/);
    const fits = await runOne(stage(), Buffer.from(`{"@timestamp":1.5,"ab":[${many(90, "{}")}]}`));
    expect(fits.failure).toBeUndefined();
    expect(JSON.parse(String(fits.value)).ab).toHaveLength(90);
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

  it("replaces dots in keys when asked (replace_dots), the plugin's timestamp converted and first", async () => {
    const dotted = await runOne(fluentBitToElasticsearch({ replaceDots: true }), Buffer.from(record));
    expect(JSON.parse(dotted.value.toString()).kubernetes.labels).toEqual({ "app_kubernetes_io/name": "gw" });
    expect(dotted.value.toString()).toMatch(/^\{"@timestamp":"2024-11-25T00:00:00\.001Z","log":/);
  });

  // Fluent Bit's JSON writer keeps the last occurrence of a key: a record that had its own @timestamp
  // reaches Kafka with that one alone, where the record had it, and the es output writes it unchanged.
  // So the expected document of each record below is its own bytes.
  describe("a record that carries its own @timestamp is written as it is", () => {
    const own = [
      ["a string, not first", '{"log":"x","@timestamp":"2024-06-10T06:13:20Z","stream":"stdout"}'],
      ["a number, not first", '{"log":"x","@timestamp":1718000000.5,"stream":"stdout"}'],
      ["a number, last", '{"log":"x","stream":"stdout","@timestamp":1718000000}'],
      ["a string, first", '{"@timestamp":"2024-06-10T06:13:20.123456Z","log":"x"}'],
      [
        "an object, after nested objects",
        '{"kubernetes":{"labels":{"@timestamp":"l"}},"@timestamp":{"s":1},"log":"x"}',
      ],
      ["null", '{"log":"x","@timestamp":null}'],
      ["a boolean, first", '{"@timestamp":true,"log":"x"}'],
      [
        "after strings that hold the key and escaped quotes",
        '{"log":"\\"@timestamp\\":1,\\\\","@timestamp":"s"}',
      ],
      ["a key written with an escape", '{"log":"x","\\u0040timestamp":"s"}'],
      ["with spaces between tokens", '{ "log": "x", "@timestamp": 1718000000.5 }'],
    ] as const;
    it.each(own)("%s", async (_, text) => {
      const e = await runOne(fluentBitToElasticsearch(), Buffer.from(text));
      expect(e.ok).toBe(true);
      expect(e.value.toString()).toBe(text);
    });

    it("also with nine digits asked (time_key_nanos), which only the plugin's timestamp takes", async () => {
      const text = '{"log":"x","@timestamp":1718000000.001}';
      const e = await runOne(fluentBitToElasticsearch({ nanos: true }), Buffer.from(text));
      expect(e.value.toString()).toBe(text);
    });

    it("with replace_dots: only the keys change, in their places", async () => {
      const text = '{"log":"x","k8s.pod":"p","@timestamp":"2024-06-10T06:13:20Z","n":{"a.b":1}}';
      const e = await runOne(fluentBitToElasticsearch({ replaceDots: true }), Buffer.from(text));
      expect(e.value.toString()).toBe(
        '{"log":"x","k8s_pod":"p","@timestamp":"2024-06-10T06:13:20Z","n":{"a_b":1}}',
      );
    });

    it("with line breaks between tokens: on one line (the bulk body's), keys in their places", async () => {
      const e = await runOne(fluentBitToElasticsearch(), Buffer.from('{"log":"x",\n"@timestamp":"s"}'));
      expect(e.value.toString()).toBe('{"log":"x","@timestamp":"s"}');
    });

    it("a @timestamp only inside an object is not the record's own: the plugin's is converted", async () => {
      const text = '{"@timestamp":1718000000.001,"event":{"@timestamp":1e-06}}';
      expect((await runOne(fluentBitToElasticsearch(), Buffer.from(text))).value.toString()).toBe(
        '{"@timestamp":"2024-06-10T06:13:20.001Z","event":{"@timestamp":1e-06}}',
      );
    });

    it("cannot be told from the plugin's when it is a number and the record's first key: converted", async () => {
      // Fluent Bit's es output would write `1718000000.5` here, but the Kafka value has the same bytes
      // as that of a record without a timestamp of its own whose event time is 1718000000.5.
      const e = await runOne(
        fluentBitToElasticsearch(),
        Buffer.from('{"@timestamp":1718000000.5,"log":"x"}'),
      );
      expect(e.value.toString()).toBe('{"@timestamp":"2024-06-10T06:13:20.500Z","log":"x"}');
    });
  });

  // Every form `%.1f` / `%.16g` gives the plugin's timestamp, and what the es output writes for it: the
  // event time's milliseconds truncated (or its nine digits), which the decimal text carries.
  describe.each([
    ["1718000000.0", "2024-06-10T06:13:20.000Z", "2024-06-10T06:13:20.000000000Z"],
    ["1718000000", "2024-06-10T06:13:20.000Z", "2024-06-10T06:13:20.000000000Z"],
    ["1718000000.001", "2024-06-10T06:13:20.001Z", "2024-06-10T06:13:20.001000000Z"],
    ["1718000000.999999", "2024-06-10T06:13:20.999Z", "2024-06-10T06:13:20.999999000Z"],
    ["1e-06", "1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00.000001000Z"],
    ["1e-09", "1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00.000000001Z"],
    ["1.5e-05", "1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00.000015000Z"],
    ["0.9999999", "1970-01-01T00:00:00.999Z", "1970-01-01T00:00:00.999999900Z"],
  ])("the plugin's timestamp printed %s", (text, millis, nanos) => {
    it("is written as the es output writes it, first; the same number as a record's own is kept", async () => {
      const plugin = Buffer.from(`{"@timestamp":${text},"log":"x"}`);
      const own = Buffer.from(`{"log":"x","@timestamp":${text}}`);
      const out = await runStage(fluentBitToElasticsearch(), [plugin, own]);
      expect(out.map((e) => e.value.toString())).toEqual([
        `{"@timestamp":"${millis}","log":"x"}`,
        own.toString(),
      ]);
      const withNanos = await runOne(fluentBitToElasticsearch({ nanos: true }), plugin);
      expect(withNanos.value.toString()).toBe(`{"@timestamp":"${nanos}","log":"x"}`);
    });

    it("spaced out or across lines, it is still the plugin's", async () => {
      const out = await runStage(fluentBitToElasticsearch(), [
        Buffer.from(`{ "@timestamp" : ${text} , "log" : "x" }`),
        Buffer.from(`{"@timestamp":${text},\n"log":"x"}`),
      ]);
      expect(out.map((e) => e.value.toString())).toEqual([
        `{"@timestamp":"${millis}","log":"x"}`,
        `{"@timestamp":"${millis}","log":"x"}`,
      ]);
    });
  });

  it("reads exponent forms on their digits, not through a float", () => {
    expect(epochTextToIso("1.718000000001e9")).toBe("2024-06-10T06:13:20.001Z");
    expect(epochTextToIso("17180000000019999e-7", 9)).toBe("2024-06-10T06:13:20.001999900Z");
    expect(epochTextToIso("1.000000000000001e-05", 9)).toBe("1970-01-01T00:00:00.000010000Z");
    expect(epochTextToIso("0.0e999999")).toBe("1970-01-01T00:00:00.000Z");
    expect(epochTextToIso("1e999999")).toBeUndefined();
    expect(epochTextToIso("1e-999999")).toBe("1970-01-01T00:00:00.000Z");
    expect(epochTextToIso(`1${"0".repeat(100_000)}`)).toBeUndefined();
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
      '{"log":"its own","@timestamp":"2024-06-10T06:13:20Z"}',
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
