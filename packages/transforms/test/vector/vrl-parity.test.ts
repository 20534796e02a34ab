// Where the differential tests against the vrl crate (test/oracles/vrl-programs.test.ts) found Sluice's
// remap doing otherwise: each case as the crate does it, so it stays fixed; then the deliberate differences.
import { eventOf } from "@sluice/core";
import { lastValueFrom, of } from "rxjs";
import { describe, expect, it } from "vitest";
import { remap } from "../../src/vector/index.js";

type Doc = Record<string, unknown>;

async function output(source: string, value: Doc = {}): Promise<{ value: Doc; failure?: string }> {
  const stage = remap({ source, drop_on_error: true, reroute_dropped: true });
  const [event] = await lastValueFrom(of([eventOf(value)]).pipe(stage));
  return { value: event!.value as Doc, failure: event!.failure?.reason };
}

/** The value `.r` gets, the program having run without error. */
async function result(source: string, value: Doc = {}): Promise<unknown> {
  const out = await output(source, value);
  expect(out.failure).toBeUndefined();
  return out.value.r;
}

function refusal(source: string): string {
  try {
    remap({ source });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("program compiled");
}

describe("remap as the vrl crate: operators", () => {
  it("divides by a constant that is not zero without handling, typed from the divisor alone", async () => {
    expect(await result(".r = 10 / 4")).toBe(2.5);
    // The left side's own failure leaves the division infallible to VRL's checker; it fails at run time.
    expect((await output(".r = (.a / .b) / 2", { a: 1 })).failure).toBe("can't divide type integer by null");
    expect(refusal(".r = 10 / .n")).toMatch(/unhandled fallible assignment/);
  });

  it("adds null to text, repeats text by an integer, orders timestamps and text by code point", async () => {
    expect(await result('.r = ["a" + null, null + "b"]')).toEqual(["a", "b"]);
    expect(await result('.r = ["ab" * 3, 2 * "x", "y" * -1]')).toEqual(["ababab", "xx", ""]);
    expect(await result(".r = t'2024-01-01T00:00:00Z' < t'2024-01-02T00:00:00Z'")).toBe(true);
    // UTF-8 byte order: U+1F600 sorts after U+FB01, though its UTF-16 surrogate sorts before.
    expect(await result('.r = "😀" > "ﬁ"')).toBe(true);
  });

  it("`&&` wants booleans on both sides (null is false); `||` with a left side never null or false ignores the right", async () => {
    expect(await result('.a = true\n.r = (.a && 1) ?? "failed"')).toBe("failed");
    expect(await result(".r = true && null")).toBe(false);
    expect(await result('.r = "a" || parse_json(.x)')).toBe("a");
    expect((await output(".r, .e = .a || (.b + 1)")).value.e).toBe(
      "can't apply an OR to these types - can't add type integer to null",
    );
  });

  it("refuses `!` on anything not known to be a boolean, and fallible arguments however the call is handled", () => {
    expect(refusal(".r = (!.a) ?? false")).toMatch(/`!` expects a boolean/);
    expect(refusal('.r = to_string(parse_json(.x)) ?? "d"')).toMatch(/fallible argument/);
  });

  it("words operator errors as VRL does, with containers' kinds spelled out", async () => {
    expect((await output(".e, .f = .o + 1", { o: { k: 1, "a-b": [true] } })).value.f).toBe(
      'can\'t add type integer to { "a-b": [boolean], k: integer }',
    );
    expect((await output(".e, .f = t'2024-01-01T00:00:00Z' < .s", { s: "x" })).value.f).toBe(
      "expected timestamp, got string",
    );
  });
});

describe("remap as the vrl crate: error handling", () => {
  it("`ok, err = …` is worth the error message when it fails, and a timestamp's default is the epoch", async () => {
    const out = await output('.v = if true { .r, .e = parse_json("{") } else { "" }');
    expect(out.value.v).toBe(out.value.e);
    expect(out.value.v).toMatch(/^function call error for "parse_json" at \(24:39\): unable to parse json/);
    expect((await output('.t, .e = parse_timestamp("x", "%+")')).value.t).toBe("1970-01-01T00:00:00Z");
  });

  it("accepts `!` on an infallible call; to_unix_timestamp is fallible in nanoseconds only", async () => {
    expect(await result('.r = downcase!("X")')).toBe("x");
    expect(refusal(".r = to_unix_timestamp(t'2020-01-01T00:00:00Z', unit: \"nanoseconds\")")).toMatch(
      /unhandled fallible assignment/,
    );
  });

  it("labels an error with every call it passes through, at UTF-8 byte offsets", async () => {
    expect((await output('."é" = 1\n.r = upcase(string!(.a))', { a: 1 })).failure).toBe(
      'function call error for "upcase" at (15:34): function call error for "string" at (22:33): expected string, got integer',
    );
  });
});

describe("remap as the vrl crate: paths and types", () => {
  it("indexes variables with `x[0]`", async () => {
    expect(await result("x = [1, 2]\nx[3] = 5\n.r = [x[1], x]")).toEqual([2, [1, 2, null, 5]]);
  });

  it("refuses to assign below a value known to be no container; reads below one are null", async () => {
    expect(refusal("x = 1\nx.a = 2")).toMatch(/parent path segment rejects this mutation/);
    expect(refusal(".a = 1\n.a.b = 2")).toMatch(/parent path segment rejects this mutation/);
    expect(await result("x = 1\n.r = to_string(x.a)")).toBe("");
  });

  it("del and exists take a path, not a bare variable; after del VRL knows nothing of the path", async () => {
    expect(refusal("x = 1\n.r = del(x)")).toMatch(/`del` expects a path/);
    expect(refusal("x = 1\n.r = exists(x)")).toMatch(/`exists` expects a path/);
    expect(refusal('.a = "x"\ndel(.a)\n.r = upcase(.a)')).toMatch(/unhandled fallible assignment/);
  });
});

describe("remap as the vrl crate: values and what the checker knows", () => {
  it("an object literal keeps the last value of a repeated key", async () => {
    expect(await result('.r = {"b": 1, "a": .x, "b": 2}')).toEqual({ a: null, b: 2 });
  });

  it("an operand is read before what follows it changes the event", async () => {
    expect((await output(".r, .e = (. + del(.a))", { a: 1 })).value.e).toBe(
      "can't add type integer to { a: integer }",
    );
  });

  it("knows the fields of an object literal given to the root, and `. = .` forgets nothing", async () => {
    expect(await result('. = {"a": 1}\n.r = to_string(.b)')).toBe("");
    expect(refusal(".log = null\n. = .\n.log[0] = 1")).toMatch(/parent path segment rejects this mutation/);
  });

  it("a variable assigned below becomes the container its path wants", () => {
    expect(refusal("x = .a\nx.b = 1\nx[0] = 2")).toMatch(/parent path segment rejects this mutation/);
  });

  it("a value read below one known to be no container is undefined: `&&` cannot trust it", () => {
    expect(refusal("x = exists(.a)\nx = (x && x.a)")).toMatch(/unhandled fallible assignment/);
  });
});

describe("remap as the vrl crate: functions", () => {
  it("to_string writes floats without an exponent", async () => {
    expect(await result(".r = [to_string!(.a), to_string!(.b)]", { a: 1e-7, b: 1.5e21 })).toEqual([
      "0.0000001",
      "1500000000000000000000",
    ]);
    expect(await result(".r = to_string(-1.5 * 0)")).toBe("-0");
  });

  it("parse_timestamp names the kind it cannot convert, keeps `%s%.f`'s fraction, checks ranges as it reads", async () => {
    expect((await output('.r, .e = parse_timestamp(.o, "%+")', { o: {} })).value.e).toMatch(
      /unable to convert map value to timestamp$/,
    );
    expect(await result('.r = parse_timestamp!("1792169978.25", "%s%.f")')).toBe("2026-10-16T16:59:38.250Z");
    expect(
      (await output('.r, .e = parse_timestamp("2024-13-01 00:00:00", "%Y-%m-%d %H:%M:%S")')).value.e,
    ).toMatch(/input is out of range$/);
    // A format naming a zone must give an offset, even through %Z, which only skips a name.
    expect(
      (await output('.r, .e = parse_timestamp("2024-11-25 10:20:30", "%Y-%m-%d %H:%M:%S %Z")')).value.e,
    ).toMatch(/input is not enough for unique date and time$/);
  });

  it("parse_timestamp: %s takes no sign, %+ allows whitespace before separators, input quoted as Rust does", async () => {
    expect((await output('.r, .e = parse_timestamp("-9", "%s")')).value.e).toMatch(
      /input contains invalid characters$/,
    );
    expect((await output('.r, .e = parse_timestamp("0\\t", "%+")')).value.e).toMatch(
      /premature end of input$/,
    );
    expect((await output('.r, .e = parse_timestamp(.s, "%+")', { s: "i\u0307" })).value.e).toMatch(
      /Invalid timestamp "i\\u\{307\}"/,
    );
  });

  it("format_timestamp knows %U and %W", async () => {
    expect(await result(".r = format_timestamp!(t'2024-11-25T00:00:00Z', \"%U %W\")")).toBe("47 48");
  });
});

describe("remap differs from the vrl crate on purpose", () => {
  it("refuses an event root that is not an object (the crate alone accepts any root)", async () => {
    // Vector's remap runs on log events, which are objects: the bare crate would make the event `-19`.
    expect(refusal(". = -19")).toMatch(/the event root can only be an object/);
    expect((await output(". = .obj")).failure).toMatch(/the event root can only be an object/);
  });

  it("words parse_json's failures as JSON.parse does, not as serde_json", async () => {
    // The crate says "EOF while parsing an object at line 1 column 1"; the cause is the same.
    expect((await output('.r, .e = parse_json("{")')).value.e).toMatch(
      /^function call error for "parse_json" at \(9:24\): unable to parse json: Expected property name/,
    );
  });

  it("bounds what text repetition may build", async () => {
    // The crate builds a string of any size; one `*` here may not build more than 16 Mi characters.
    expect((await output('.r = "ab" * 10000000')).failure).toMatch(/can't repeat a string to more than/);
  });

  it("keeps no float mark on whole numbers: 1.0 is an integer at run time", async () => {
    // The crate answers true; JavaScript has one number type, so a whole float is an integer here.
    expect(await result(".r = is_float(1.0)")).toBe(false);
  });

  it("names zones for %Z as JavaScript's Intl does (en-US): a numeric offset where it has no name", async () => {
    // chrono-tz prints "IST" for Asia/Kolkata.
    expect(
      await result('.r = format_timestamp!(t\'2024-01-01T00:00:00Z\', "%Z", timezone: "Asia/Kolkata")'),
    ).toBe("+0530");
  });

  it("applies a zone's daylight saving time rules past 2037 (chrono-tz stops at standard time)", async () => {
    // chrono-tz gives "2262-04-12T00:47:16Z" here.
    expect(
      await result('.r = format_timestamp!(t\'2262-04-11T23:47:16Z\', "%FT%TZ", timezone: "Europe/Berlin")'),
    ).toBe("2262-04-12T01:47:16Z");
  });
});
