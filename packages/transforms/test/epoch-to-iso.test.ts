import { eventOf } from "@sluice/core";
import fc from "fast-check";
import { lastValueFrom, of } from "rxjs";
import { describe, expect, it } from "vitest";
import { epochSecondsToIso, epochToIso } from "../src/epoch-to-iso.js";
import type { JsonObject } from "../src/parse-json.js";

const event = (value: JsonObject) => eventOf(value);

describe("epochSecondsToIso", () => {
  it("converts Fluent Bit's six-decimal epoch seconds without floating-point error", () => {
    expect(epochSecondsToIso(1732492800.001)).toBe("2024-11-25T00:00:00.001Z");
    expect(epochSecondsToIso(1732492800.123456)).toBe("2024-11-25T00:00:00.123Z");
    expect(epochSecondsToIso(1732492800.999999)).toBe("2024-11-25T00:00:00.999Z");
    expect(epochSecondsToIso(1732492800.5)).toBe("2024-11-25T00:00:00.500Z");
    expect(epochSecondsToIso(1732492800.0)).toBe("2024-11-25T00:00:00.000Z");
    expect(epochSecondsToIso(0)).toBe("1970-01-01T00:00:00.000Z");
  });

  it("truncates to milliseconds for every microsecond value Fluent Bit can print (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_102_444_800 }),
        fc.integer({ min: 0, max: 999_999 }),
        (s, us) => {
          // %.16g of the double: what Fluent Bit's kafka output prints, parsed back by JSON.parse.
          const printed = Number(`${s}.${String(us).padStart(6, "0")}`);
          const expected = new Date(s * 1000 + Math.floor(us / 1000)).toISOString();
          expect(epochSecondsToIso(printed)).toBe(expected);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it("truncates the decimal text where it has more than six decimals (near the epoch), as the es output does", () => {
    // Fluent Bit prints %.16g: before 2001 that leaves seven or more decimals, e.g. 999 999 900 ns
    // into the epoch's first second is 0.9999999, which the es output writes as .999.
    expect(epochSecondsToIso(0.9999999)).toBe("1970-01-01T00:00:00.999Z");
    expect(epochSecondsToIso(999999999.0009999)).toBe("2001-09-09T01:46:39.000Z");
    expect(epochSecondsToIso(1e-6)).toBe("1970-01-01T00:00:00.000Z");
    expect(epochSecondsToIso(1e-9)).toBe("1970-01-01T00:00:00.000Z");
    expect(epochSecondsToIso(1718000000)).toBe("2024-06-10T06:13:20.000Z");
  });

  it("gives the es output's milliseconds where %.16g keeps every nanosecond (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 20 }),
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: 0, max: 999 }),
        (s, ms, below) => {
          // An event time just below a millisecond boundary, as Fluent Bit's kafka output prints it:
          // up to seven integer digits leave %.16g nine decimals, so the text holds the nanoseconds.
          const nanos = Math.max(0, ms * 1_000_000 - below);
          const printed = (s + nanos / 1e9).toPrecision(16);
          // What the es output writes: the event time's milliseconds, truncated.
          const expected = new Date(s * 1000 + Math.floor(nanos / 1_000_000)).toISOString();
          expect(epochSecondsToIso(Number(printed))).toBe(expected);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it("refuses values a Date cannot hold", () => {
    expect(epochSecondsToIso(1e300)).toBeUndefined();
    expect(epochSecondsToIso(Number.NaN)).toBeUndefined();
  });
});

describe("epochToIso stage", () => {
  it("rewrites the field in place, keeping it first", async () => {
    const doc = { "@timestamp": 1732492800.001, log: "x", stream: "stdout" };
    const [out] = await lastValueFrom(of([event(doc)]).pipe(epochToIso()));
    expect(Object.keys(out!.value)).toEqual(["@timestamp", "log", "stream"]);
    expect(out!.value["@timestamp"]).toBe("2024-11-25T00:00:00.001Z");
  });

  it("fails events whose field is missing or not a number, alone", async () => {
    const batch = [
      event({ "@timestamp": "2024-11-25", log: "a" }),
      event({ log: "b" }),
      event({ "@timestamp": 1, log: "c" }),
    ];
    const out = await lastValueFrom(of(batch).pipe(epochToIso()));
    expect(out[0]!.failure).toMatchObject({ type: "timestamp_parse_exception", stage: "epochToIso" });
    expect(out[0]!.failure!.reason).toBe("field [@timestamp] is a string, not epoch seconds");
    expect(out[1]!.failure!.reason).toBe("field [@timestamp] is missing, not epoch seconds");
    expect(out[2]!.ok).toBe(true);
  });

  it("names a bad option", () => {
    expect(() => epochToIso({ field: "" })).toThrow(/epochToIso: option `field`/);
  });
});
