import { eventOf, SluiceConfigError, type SluiceEvent } from "@sluice/core";
import fc from "fast-check";
import { lastValueFrom, of } from "rxjs";
import { describe, expect, it } from "vitest";
import {
  compileVrl,
  type RemapOptions,
  remap,
  VrlTimestamp,
  vectorKafkaEvent,
  vrl,
} from "../../src/vector/index.js";

type Doc = Record<string, unknown>;

async function run(options: RemapOptions | string, ...values: Doc[]): Promise<SluiceEvent<Doc>[]> {
  const stage = remap(typeof options === "string" ? { source: options } : options);
  return lastValueFrom(of(values.map((v) => eventOf(v))).pipe(stage));
}

async function one(options: RemapOptions | string, value: Doc = {}): Promise<SluiceEvent<Doc>> {
  return (await run(options, value))[0]!;
}

/** The value of one VRL expression, as the document would hold it. */
async function evaluate(expression: string, value: Doc = {}): Promise<unknown> {
  const event = await one(`.result = ${expression}`, value);
  expect(event.failure).toBeUndefined();
  return event.value.result;
}

/** The runtime error a whole program raises (its event rerouted to dead letters). */
async function runtimeError(source: string, value: Doc = {}): Promise<string | undefined> {
  const event = await one({ source, drop_on_error: true, reroute_dropped: true }, value);
  return event.failure?.reason;
}

function compileError(source: string): string {
  try {
    remap({ source });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("program compiled");
}

const fluentBitRecord = {
  "@timestamp": 1732492800.5,
  log: "2024-11-25T00:00:00.5Z stdout F GET /health 200",
  stream: "stdout",
  kubernetes: { pod_name: "api-7d9f", namespace_name: "shop", labels: { app: "api" } },
};

describe("remap: the seed's program on a Vector kafka event", () => {
  it("replaces the event by the parsed message and stamps @timestamp with now(), as RFC 3339 UTC", async () => {
    const raw = Buffer.from(JSON.stringify(fluentBitRecord));
    const event = eventOf(raw, {
      origin: { topic: "logs-shop", partition: 3, offset: "1200", timestamp: "1732492800123" },
    });
    const before = Date.now();
    const [out] = await lastValueFrom(
      of([event]).pipe(
        vectorKafkaEvent(),
        remap({ source: ". = parse_json!(string!(.message))\n.@timestamp = now()" }),
      ),
    );
    expect(out!.ok).toBe(true);
    const doc = out!.value as Doc;
    // The Kafka fields are gone: the root was replaced by the parsed record.
    expect(Object.keys(doc).sort()).toEqual(["@timestamp", "kubernetes", "log", "stream"]);
    expect(doc.log).toBe(fluentBitRecord.log);
    expect(doc.kubernetes).toEqual(fluentBitRecord.kubernetes);
    // Fluent Bit's float epoch is overwritten by the processing time, written as Vector's JSON encoder does.
    expect(doc["@timestamp"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z$/);
    const stamped = Date.parse(doc["@timestamp"] as string);
    expect(stamped).toBeGreaterThanOrEqual(before);
    expect(stamped).toBeLessThanOrEqual(Date.now());
  });

  it("passes the original event on unchanged when the message is not JSON (drop_on_error false)", async () => {
    const value = { message: "not json {", topic: "t" };
    const out = await one(". = parse_json!(string!(.message))\n.@timestamp = now()", value);
    expect(out.ok).toBe(true);
    expect(out.value).toEqual({ message: "not json {", topic: "t" });
  });

  it("refuses a text that would build more than 10 000 objects and arrays before parsing it", async () => {
    // The tail is not JSON: had the text been parsed, the error would be the parser's.
    const message = `[${"{},".repeat(10_000)}{}] not json`;
    const reason = await runtimeError(". = parse_json!(string!(.message))", { message });
    expect(reason).toMatch(/more than 10000 objects and arrays$/);
  });

  it("fails when the parsed message is not an object: the root can only be an object", async () => {
    const reason = await runtimeError(". = parse_json!(string!(.message))", { message: "[1,2]" });
    expect(reason).toMatch(/root/);
  });
});

describe("remap: paths and assignment", () => {
  it("reads and writes nested fields, quoted keys, @ fields and indexes (negative from the end)", async () => {
    const out = await one(
      '.b.c = .a[0]\n."dotted.key" = .a[-1]\n.@timestamp = "x"\n.arr[2] = true\n.a[0] = "first"',
      { a: [1, 2, 3] },
    );
    expect(out.value).toEqual({
      a: ["first", 2, 3],
      b: { c: 1 },
      "dotted.key": 3,
      "@timestamp": "x",
      arr: [null, null, true],
    });
  });

  it("reads missing paths as null and assigns through scalars by replacing them", async () => {
    expect(await evaluate(".nope.deeper")).toBeNull();
    const out = await one('.a.b = 1\n.s.x = "y"', { s: "scalar" });
    expect(out.value).toEqual({ a: { b: 1 }, s: { x: "y" } });
  });

  it("has value semantics: a copied object does not change with its source", async () => {
    const out = await one(".b = .a\n.b.x = 2\ny = .a\ny.z = 3\n.c = y", { a: { x: 1 } });
    expect(out.value).toEqual({ a: { x: 1 }, b: { x: 2 }, c: { x: 1, z: 3 } });
  });

  it("supports local variables, if/else, comparisons and boolean operators", async () => {
    const source = `
      level = downcase(string!(.level)) # a comment
      if level == "error" || level == "fatal" {
        .severe = true
      } else if !(level != "warn") && true {
        .severe = "maybe"
      } else {
        .severe = false
      }
    `;
    const [a, b, c] = await run(source, { level: "ERROR" }, { level: "warn" }, { level: "info" });
    expect(a!.value.severe).toBe(true);
    expect(b!.value.severe).toBe("maybe");
    expect(c!.value.severe).toBe(false);
  });

  it("builds object and array literals, with string escapes", async () => {
    expect(await evaluate('{"a": [1, 2.5, "x\\ty\\n\\"q\\"", null, {"b": false}]}')).toEqual({
      a: [1, 2.5, 'x\ty\n"q"', null, { b: false }],
    });
    expect(await evaluate('"\\u{1F600}"')).toBe("😀");
  });

  it("assigns the whole root from an object", async () => {
    const out = await one('. = {"replaced": true}', { a: 1 });
    expect(out.value).toEqual({ replaced: true });
  });
});

describe("remap: documented function examples", () => {
  it("parse_json", async () => {
    expect(await evaluate(`parse_json!(s'{"key": "val"}')`)).toEqual({ key: "val" });
    expect(await evaluate('parse_json!("[true, 0]")')).toEqual([true, 0]);
    expect(await evaluate(`parse_json!(s'"hello"')`)).toBe("hello");
    expect(await evaluate('parse_json!("42")')).toBe(42);
    expect(await evaluate('parse_json!("42.13")')).toBe(42.13);
    expect(await evaluate('parse_json!("false")')).toBe(false);
    expect(await evaluate(`parse_json!(s'{"first_level":{"second_level":"finish"}}', max_depth: 1)`)).toEqual(
      { first_level: '{"second_level":"finish"}' },
    );
    expect(
      await evaluate(`parse_json!(s'[{"top_layer": {"next_layer": ["finish"]}}]', max_depth: 2)`),
    ).toEqual([{ top_layer: '{"next_layer":["finish"]}' }]);
    // The error names the call and its byte span, as Vector prints it.
    expect(await runtimeError('parse_json!("{ INVALID }")')).toMatch(
      /^function call error for "parse_json" at \(0:26\): unable to parse json: /,
    );
    expect(await runtimeError(`parse_json!(s'{"a":1}', max_depth: 129)`)).toBe(
      'function call error for "parse_json" at (0:39): max_depth value should be greater than 0 and less than 128, got 129',
    );
  });

  it("string and to_string", async () => {
    expect(await evaluate("string!(.message)", { message: '{"field": "value"}' })).toBe('{"field": "value"}');
    expect(await runtimeError("string!(42)")).toBe(
      'function call error for "string" at (0:11): expected string, got integer',
    );
    expect(await evaluate("to_string(52)")).toBe("52");
    expect(await evaluate("to_string(true)")).toBe("true");
    expect(await evaluate("to_string(null)")).toBe("");
    expect(await evaluate("to_string(t'2020-01-01T00:00:00Z')")).toBe("2020-01-01T00:00:00Z");
    expect(await evaluate('to_string(.x) ?? "fallback"', { x: { an: "object" } })).toBe("fallback");
  });

  it("upcase, downcase and the is_* checks", async () => {
    expect(await evaluate('upcase("Hello, World!")')).toBe("HELLO, WORLD!");
    expect(await evaluate('downcase("Hello, World!")')).toBe("hello, world!");
    expect(await evaluate('is_string("foobar")')).toBe(true);
    expect(await evaluate("is_string([1, 2, 3])")).toBe(false);
    expect(await evaluate('is_object({"foo": "bar"})')).toBe(true);
    expect(await evaluate('is_object("foo")')).toBe(false);
    expect(await evaluate("is_null(null)")).toBe(true);
    expect(await evaluate('is_null("a string")')).toBe(false);
  });

  it("merge (shallow by default, deep on request)", async () => {
    expect(await evaluate('merge({ "a": 1, "b": 2 }, { "b": 3, "c": 4 })')).toEqual({ a: 1, b: 3, c: 4 });
    const to = '{"key1": "val1", "child": {"grandchild1": "val1"}}';
    const from = '{"key2": "val2", "child": {"grandchild2": true}}';
    expect(await evaluate(`merge(${to}, ${from})`)).toEqual({
      key1: "val1",
      key2: "val2",
      child: { grandchild2: true },
    });
    expect(await evaluate(`merge(${to}, ${from}, deep: true)`)).toEqual({
      key1: "val1",
      key2: "val2",
      child: { grandchild1: "val1", grandchild2: true },
    });
    const out = await one('. = merge(., {"added": 1}, deep: true)', { kept: { x: 1 } });
    expect(out.value).toEqual({ kept: { x: 1 }, added: 1 });
  });

  it("del and exists", async () => {
    const out = await one(
      ".moved = del(.field1)\n.gone = del(.missing)\n.had = exists(.moved)\n.has = exists(.field1)",
      {
        field1: 1,
        field2: 2,
      },
    );
    expect(out.value).toEqual({ field2: 2, moved: 1, gone: null, had: true, has: false });
    expect(await evaluate("exists(.a[1])", { a: [1, 2] })).toBe(true);
    expect(await evaluate("exists(.a[2])", { a: [1, 2] })).toBe(false);
  });

  it("to_unix_timestamp", async () => {
    expect(await evaluate("to_unix_timestamp(t'2000-01-01T00:00:00Z')")).toBe(946684800);
    expect(await evaluate(`to_unix_timestamp(t'2010-01-01T00:00:00Z', unit: "milliseconds")`)).toBe(
      1262304000000,
    );
    expect(await evaluate(`to_unix_timestamp(t'2010-01-01T00:00:00Z', unit: "microseconds")`)).toBe(
      1262304000000000,
    );
    // Only nanoseconds can overflow a 64-bit integer, so only that unit is fallible (vrl 0.38).
    expect(await evaluate(`to_unix_timestamp!(t'2020-01-01T00:00:00Z', unit: "nanoseconds")`)).toBe(
      1577836800000000000,
    );
    expect(compileError(`.t = to_unix_timestamp(t'2020-01-01T00:00:00Z', unit: "nanoseconds")`)).toMatch(
      /unhandled fallible/,
    );
    expect(await evaluate(`to_unix_timestamp!(t'2020-01-01T00:00:00Z', unit: "seconds")`)).toBe(1577836800);
    expect(compileError('.t = to_unix_timestamp(now(), unit: "days")')).toMatch(/invalid enum variant/);
  });

  it("format_timestamp", async () => {
    expect(await evaluate(`format_timestamp!(t'2021-02-10T23:32:00+00:00', format: "%d %B %Y %H:%M")`)).toBe(
      "10 February 2021 23:32",
    );
    expect(
      await evaluate(
        `format_timestamp!(t'2021-02-10T23:32:00+00:00', format: "%d %B %Y %H:%M", timezone: "Europe/Berlin")`,
      ),
    ).toBe("11 February 2021 00:32");
    expect(await evaluate(`format_timestamp!(t'1970-01-01T00:00:10Z', format: "%s")`)).toBe("10");
    expect(await evaluate(`format_timestamp!(t'1970-01-01T00:00:10Z', format: "%+")`)).toBe(
      "1970-01-01T00:00:10+00:00",
    );
    expect(
      await evaluate(`format_timestamp!(t'1970-01-01T00:00:10Z', format: "%+", timezone: "Europe/Berlin")`),
    ).toBe("1970-01-01T01:00:10+01:00");
    expect(
      await evaluate(`format_timestamp!(t'2024-11-25T00:00:00.123456Z', format: "%F %T%.f %j %e %b")`),
    ).toBe("2024-11-25 00:00:00.123456 330 25 Nov");
    expect(await runtimeError(`format_timestamp!(t'1970-01-01T00:00:10Z', format: "%Q INVALID")`)).toMatch(
      /: invalid format$/,
    );
    expect(
      await runtimeError(`format_timestamp!(t'1970-01-01T00:00:10Z', format: "%+", timezone: "llocal")`),
    ).toMatch(/: unable to parse timezone: llocal$/);
  });

  it("parse_timestamp", async () => {
    expect(await evaluate(`parse_timestamp!("10-Oct-2020 16:00+00:00", format: "%v %R %:z")`)).toBe(
      "2020-10-10T16:00:00Z",
    );
    expect(
      await evaluate(
        `parse_timestamp!("16/10/2019 12:00:00", format: "%d/%m/%Y %H:%M:%S", timezone: "Asia/Taipei")`,
      ),
    ).toBe("2019-10-16T04:00:00Z");
    expect(
      await evaluate(`parse_timestamp!("16/10/2019:12:00:00 +0000", format: "%d/%m/%Y:%H:%M:%S %z")`),
    ).toBe("2019-10-16T12:00:00Z");
    expect(
      await evaluate(
        `parse_timestamp!("31/12/2019:12:00:00", format: "%d/%m/%Y:%H:%M:%S", timezone: "Europe/Paris")`,
      ),
    ).toBe("2019-12-31T11:00:00Z");
    expect(
      await runtimeError(
        `parse_timestamp!("16/10/2019:12:00:00", format: "%d/%m/%Y:%H:%M:%S", timezone: "Europe/Pariss")`,
      ),
    ).toMatch(/: unable to parse timezone: Europe\/Pariss$/);
    expect(await runtimeError(`parse_timestamp!("yesterday", format: "%F")`)).toMatch(
      /: Invalid timestamp "yesterday": input contains invalid characters$/,
    );
    // More specifiers, and a timezone taken from the remap's option when the format has no offset.
    expect(await evaluate(`parse_timestamp!("1732492800", format: "%s")`)).toBe("2024-11-25T00:00:00Z");
    expect(
      await evaluate(`parse_timestamp!("2024-330 01:02:03.5 CET +01:00", format: "%Y-%j %T%.f %Z %:z")`),
    ).toBe("2024-11-25T00:02:03.500Z");
    expect(await evaluate(`parse_timestamp!("2024-11-25T01:00:00.123456789+01:00", format: "%+")`)).toBe(
      "2024-11-25T00:00:00.123456789Z",
    );
    expect(
      await evaluate(
        `parse_timestamp!("Nov  5 2024 10:00:00", format: "%b %e %Y %H:%M:%S", timezone: "UTC")`,
      ),
    ).toBe("2024-11-05T10:00:00Z");
    const zoned = await one({
      source: `.t = parse_timestamp!("2024-07-01 12:00:00", format: "%F %T")`,
      timezone: "America/New_York",
    });
    expect(zoned.value.t).toBe("2024-07-01T16:00:00Z");
  });

  it("writes timestamps with 0, 3, 6 or 9 fraction digits (chrono's AutoSi), in UTC", async () => {
    const source = `
      .a = t'2024-11-25T00:00:00Z'
      .b = t'2024-11-25T00:00:00.120Z'
      .c = t'2024-11-25T00:00:00.123456Z'
      .d = t'2024-11-25T00:00:00.000000001Z'
      .e = [t'2024-11-25T02:00:00+02:00']
      .f = {"nested": t'2024-11-25T00:00:00.5Z'}`;
    expect((await one(source)).value).toEqual({
      a: "2024-11-25T00:00:00Z",
      b: "2024-11-25T00:00:00.120Z",
      c: "2024-11-25T00:00:00.123456Z",
      d: "2024-11-25T00:00:00.000000001Z",
      e: ["2024-11-25T00:00:00Z"],
      f: { nested: "2024-11-25T00:00:00.500Z" },
    });
  });

  it("writes a timestamp copied from a literal as text too, in a program that never calls now()", async () => {
    // Timestamp tracking is decided from the parsed program, where a timestamp literal counts.
    const source = ".a = t'2024-11-25T00:00:00Z'\n.b = .a\n.c = [.a]";
    const out = await one(source);
    expect(out.value).toEqual({
      a: "2024-11-25T00:00:00Z",
      b: "2024-11-25T00:00:00Z",
      c: ["2024-11-25T00:00:00Z"],
    });
    expect(JSON.stringify(out.value)).toBe(
      '{"a":"2024-11-25T00:00:00Z","b":"2024-11-25T00:00:00Z","c":["2024-11-25T00:00:00Z"]}',
    );
    for (const value of Object.values(out.value)) expect(value).not.toBeInstanceOf(VrlTimestamp);
  });

  it("now() is a timestamp the program can use before it is written", async () => {
    const out = await one(".t = now()\n.is = is_timestamp(.t)\n.secs = to_unix_timestamp(now())");
    expect(out.value.is).toBe(true);
    expect(Math.abs((out.value.secs as number) - Date.now() / 1000)).toBeLessThan(5);
  });
});

describe("remap: error handling forms", () => {
  it("`value, err =` gives the value and null, or the kind's default and the error message", async () => {
    const [good, bad] = await run(
      ".parsed, .err = parse_json(.message)\nx, e = parse_json(.message)\n.x = x\n.e = e",
      { message: '{"a":1}' },
      { message: "oops" },
    );
    expect(good!.value).toMatchObject({ parsed: { a: 1 }, err: null, x: { a: 1 }, e: null });
    expect(bad!.value.parsed).toBeNull();
    expect(bad!.value.err).toMatch(
      /^function call error for "parse_json" at \(\d+:\d+\): unable to parse json: /,
    );
    expect(bad!.value.e).toMatch(
      /^function call error for "parse_json" at \(44:64\): unable to parse json: /,
    );
    const text = await one("s, err = string(.n)\n.s = s\n.err = err", { n: 5 });
    expect(text.value).toMatchObject({
      s: "",
      err: 'function call error for "string" at (9:19): expected string, got integer',
    });
  });

  it("`??` takes the right side when the left fails", async () => {
    expect(await evaluate('parse_json(.m) ?? {"raw": .m}', { m: "nope" })).toEqual({ raw: "nope" });
    expect(await evaluate('parse_json(.m) ?? "unused"', { m: "[1]" })).toEqual([1]);
    expect(await evaluate('parse_json(.m) ?? parse_json(.n) ?? "last"', { m: "x", n: "y" })).toBe("last");
  });

  it("undoes partial changes when a later statement fails (drop_on_error false)", async () => {
    const out = await one(".a = 1\ndel(.keep)\n.b = parse_json!(.message)\n.c = 3", {
      message: "bad",
      keep: { x: 1 },
    });
    expect(out.ok).toBe(true);
    expect(out.value).toEqual({ message: "bad", keep: { x: 1 } });
  });

  it("drop_on_error drops failed events, counted as dropped; reroute_dropped sends them to dead letters", async () => {
    const source = ".a = 1\n. = parse_json!(string!(.message))";
    const values = [{ message: '{"ok":true}' }, { message: "bad" }];
    const dropped = await run({ source, drop_on_error: true }, ...values);
    expect(dropped[0]!.value).toEqual({ ok: true });
    expect(dropped[1]!.dropped).toBe(true);
    expect(dropped[1]!.failure).toBeUndefined();
    const rerouted = await run({ source, drop_on_error: true, reroute_dropped: true }, ...values);
    expect(rerouted[0]!.ok).toBe(true);
    expect(rerouted[1]!.failure).toMatchObject({
      type: "vrl_runtime_error",
      code: "SLUICE_ERR_TRANSFORM",
      stage: "remap",
    });
    expect(rerouted[1]!.failure!.reason).toMatch(
      /^function call error for "parse_json" at \(11:41\): unable to parse json/,
    );
  });

  it("abort drops the event by default (drop_on_abort), or passes the original on when it is false", async () => {
    const source = '.seen = true\nif .type != "ok" { abort }\n.processed = true';
    const [ok, aborted] = await run(source, { type: "ok" }, { type: "unknown" });
    expect(ok!.value).toEqual({ type: "ok", seen: true, processed: true });
    expect(aborted!.dropped).toBe(true);
    const [kept] = await run({ source, drop_on_abort: false }, { type: "unknown" });
    expect(kept!.ok).toBe(true);
    expect(kept!.value).toEqual({ type: "unknown" });
    const [rerouted] = await run({ source, reroute_dropped: true }, { type: "unknown" });
    expect(rerouted!.failure).toMatchObject({ type: "vrl_abort", reason: "aborted" });
  });
});

describe("remap: compile errors name `source` and the line:column", () => {
  it("refuses syntax errors", () => {
    expect(compileError(".a = 1\n.b = (2")).toMatch(
      /^remap: option `source` has an error at 2:8: syntax error/,
    );
    expect(compileError('.a = "unterminated')).toMatch(/at 1:6: unterminated string literal/);
  });

  it("refuses unknown functions and bad arguments", () => {
    expect(compileError(".a = 1\n.b = parse_keyvalue(.message)")).toMatch(
      /at 2:6: call to undefined function `parse_keyvalue`/,
    );
    expect(compileError(".a = parse_timestamp!(.t)")).toMatch(/at 1:6: required argument `format`/);
    expect(compileError(".a = parse_json!(.m, pretty: true)")).toMatch(/unknown function argument `pretty`/);
    expect(compileError(".a = upcase(1)")).toMatch(/at 1:13: invalid argument type/);
  });

  it("refuses unhandled fallible calls, and handling where nothing can fail", async () => {
    expect(compileError(". = parse_json(.message)")).toMatch(/at 1:5: unhandled fallible assignment/);
    expect(compileError("x = 1\n  upcase(.message)")).toMatch(/at 2:3: unhandled fallible expression/);
    // `!` on an infallible call is only a warning in VRL: the program compiles.
    expect(await evaluate('downcase!("X")')).toBe("x");
    expect(compileError('.a, .err = downcase("X")')).toMatch(/unnecessary error assignment/);
    expect(compileError('.a = upcase("x") ?? "y"')).toMatch(/unnecessary error coalescing/);
    expect(compileError("if .flag { .a = 1 }")).toMatch(/at 1:4: if-statement predicate must be a boolean/);
    expect(compileError(". = 1")).toMatch(/root can only be an object/);
    expect(compileError(".a = y")).toMatch(/undefined variable `y`/);
  });

  it("never crashes on arbitrary program text: it compiles or fails with a config error", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc
            .array(
              fc.constantFrom(
                ".",
                "a",
                "(",
                ")",
                "{",
                "}",
                "[",
                "]",
                '"',
                "!",
                "=",
                ",",
                "?",
                " ",
                "\n",
                "1",
                "if",
                "t'",
                "s'",
                "parse_json",
                ":",
              ),
              { maxLength: 40 },
            )
            .map((parts) => parts.join("")),
        ),
        (source) => {
          try {
            remap({ source });
          } catch (error) {
            expect(error).toBeInstanceOf(SluiceConfigError);
          }
        },
      ),
      { numRuns: 2000 },
    );
    expect(compileError(`.a = ${"(".repeat(100_000)}1${")".repeat(100_000)}`)).toMatch(/nested too deeply/);
    expect(compileError(`.a = 1${" + 1".repeat(100_000)}`)).toMatch(/nested too deeply/);
    expect(compileError(`.a = ${"!".repeat(100_000)}true`)).toMatch(/nested too deeply/);
    expect(() => remap({ source: `.a = 1${" + 1".repeat(200)}` })).not.toThrow();
  });

  it("snapshots the event only when a failure can follow a change", () => {
    expect(compileVrl(". = parse_json!(string!(.message))\n.@timestamp = now()").needsSnapshot).toBe(false);
    expect(compileVrl(".a = 1\n.b = parse_json!(.message)").needsSnapshot).toBe(true);
    expect(compileVrl(".a = 1\nif .a == 1 { abort }").needsSnapshot).toBe(true);
    expect(compileVrl("x = parse_json!(.m)\n.a = x").needsSnapshot).toBe(false);
  });

  it("knows the kinds a program assigned: a field set to a string needs no handling", () => {
    expect(() => remap({ source: '.a = "x"\n.b = upcase(.a)' })).not.toThrow();
    expect(() => remap({ source: ".a = 1\n.b = upcase(.a)" })).toThrow(/invalid argument type/);
    expect(() => remap({ source: '.a = "x"\n.b, err = upcase(.a)' })).toThrow(/unnecessary error assignment/);
  });
});

describe("remap: hostile input", () => {
  it("refuses deeply nested JSON without overflowing the stack", async () => {
    const deep = `${"[".repeat(200_000)}${"]".repeat(200_000)}`;
    const out = await one(". = parse_json!(string!(.message))", { message: deep });
    expect(out.ok).toBe(true);
    expect(out.value).toEqual({ message: deep });
    const reason = await runtimeError(".x = parse_json!(.message, max_depth: 3)", { message: deep });
    expect(reason).toMatch(/unable to read json: recursion limit exceeded at line 1 column 129/);
    expect(await evaluate(`parse_json(.m) ?? "deep"`, { m: `{"a":${deep}}` })).toBe("deep");
  });

  it("keeps __proto__ and constructor as plain own keys everywhere", async () => {
    const out = await one(
      `. = parse_json!(.message)
      .__proto__.polluted = true
      ."constructor" = {"prototype": {"polluted": true}}
      .lit = {"__proto__": {"polluted": true}}
      .merged = merge(.lit, {"__proto__": {"x": 1}}, deep: true)
      .read = .toString`,
      { message: '{"__proto__":{"polluted":true},"a":1}' },
    );
    expect(({} as Doc).polluted).toBeUndefined();
    expect((Object.prototype as Doc).polluted).toBeUndefined();
    const doc = out.value;
    expect(Object.hasOwn(doc, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(Object.hasOwn(doc.lit as Doc, "__proto__")).toBe(true);
    expect(Object.getOwnPropertyDescriptor(doc.merged, "__proto__")?.value).toEqual({ polluted: true, x: 1 });
    expect(doc.read).toBeNull();
    expect(JSON.parse(JSON.stringify(doc))).toMatchObject({
      a: 1,
      constructor: { prototype: { polluted: true } },
    });
  });

  it("handles huge strings", async () => {
    const big = "x".repeat(20_000_000);
    const out = await one(".up = upcase(string!(.m))\n.parsed = parse_json!(.json)", {
      m: big,
      json: JSON.stringify({ big }),
    });
    expect((out.value.up as string).length).toBe(20_000_000);
    expect((out.value.parsed as Doc).big).toBe(big);
  });

  it("any JSON object survives the seed's parse, and no message crashes the stage", async () => {
    const stage = remap({ source: ". = parse_json!(string!(.message))" });
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string(), fc.jsonValue()), async (object) => {
        const text = JSON.stringify(object);
        const [out] = await lastValueFrom(of([eventOf({ message: text })]).pipe(stage));
        expect(out!.ok).toBe(true);
        expect(out!.value).toEqual(JSON.parse(text));
      }),
      { numRuns: 200 },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.jsonValue()), async (message) => {
        const [out] = await lastValueFrom(of([eventOf({ message } as Doc)]).pipe(stage));
        expect(out!.failure).toBeUndefined();
        expect(({} as Doc).polluted).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});

describe("vrl: the functions as plain JavaScript", () => {
  it("parses, formats and converts timestamps", () => {
    const ts = vrl.parseTimestamp("2024-11-25T00:00:00.123456Z", "%+");
    expect(ts).toBeInstanceOf(VrlTimestamp);
    expect(ts.toString()).toBe("2024-11-25T00:00:00.123456Z");
    expect(vrl.toUnixTimestamp(ts, "milliseconds")).toBe(1732492800123);
    expect(vrl.toUnixTimestamp(ts, "microseconds")).toBe(1732492800123456);
    expect(vrl.formatTimestamp(ts, "%d/%m/%Y %H:%M", "Asia/Taipei")).toBe("25/11/2024 08:00");
    expect(vrl.parseJson('{"a":[1]}')).toEqual({ a: [1] });
    expect(() => vrl.parseJson("{")).toThrow(/^unable to parse json: /);
    expect(vrl.toString(vrl.timestamp(0))).toBe("1970-01-01T00:00:00Z");
    expect(vrl.merge({ a: { b: 1 } }, { a: { c: 2 } }, true)).toEqual({ a: { b: 1, c: 2 } });
  });
});

describe("remap: logical operators", () => {
  it("`||` gives the left side unless it is null or false; `&&` needs a boolean on the left", async () => {
    expect(await evaluate('.missing || "default"')).toBe("default");
    expect(await evaluate('.present || "default"', { present: "here" })).toBe("here");
    expect(await evaluate("false || true")).toBe(true);
    expect(await evaluate("true && false")).toBe(false);
    expect(await evaluate("null && true")).toBe(false);
    // A left side VRL cannot prove a boolean makes `&&` fallible, not refused.
    expect(compileError('.a = "x" && true')).toMatch(/at 1:6: unhandled fallible assignment/);
    expect(await evaluate('("x" && true) ?? "failed"')).toBe("failed");
    expect(compileError(".a = .flag && true")).toMatch(/at 1:6: unhandled fallible assignment/);
  });
});

// Examples from the vrl crate's own function documentation that Sluice once ran differently.
describe("remap: the vrl crate's function examples", () => {
  it("knows the fields of an object literal assigned to the event: string(.message) needs no handling", async () => {
    const out = await one('. = { "message": "{\\"field\\": \\"value\\"}" }\n.result = string(.message)');
    expect(out.value).toEqual({ message: '{"field": "value"}', result: '{"field": "value"}' });
    expect(() => remap({ source: '. = { "a": { "b": 1 } }\n.c = upcase(.a.b)' })).toThrow(
      /invalid argument type/,
    );
  });

  it("accepts `!` on a call that cannot fail (Vector only warns)", async () => {
    expect(await evaluate('downcase!("X")')).toBe("x");
    const out = await one(".gone = del!(.a)\n.there = exists!(.gone)", { a: 1 });
    expect(out.value).toEqual({ gone: 1, there: true });
  });

  it("del with compact removes the containers the deletion leaves empty, up to the root", async () => {
    const base = '.a = { "foo": { "nested": true }, "bar": 10 }\n.b = [[1]]\n';
    expect((await one(`${base}del(.a.foo.nested, true)\ndel(.b[0][0], compact: true)`)).value).toEqual({
      a: { bar: 10 },
    });
    expect((await one(`${base}del(.a.foo.nested, false)\ndel(.b[0][0])`)).value).toEqual({
      a: { foo: {}, bar: 10 },
      b: [[]],
    });
    expect(compileError('del(.a, "yes")')).toMatch(/`compact` of `del` expects boolean/);
    // The containers above may be gone: their kinds are no longer known.
    expect(compileError('.a = {"b": {"c": 1}}\ndel(.a.b.c, true)\n.d = merge(.a, {})')).toMatch(
      /invalid argument type|unhandled fallible/,
    );
  });
});
