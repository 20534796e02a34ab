import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { unixMillisToIso, unixSecondsToIso } from "../../src/time/epoch.js";

describe("unixSecondsToIso (UNIX)", () => {
  it("keeps the decimal digits exactly, truncating past milliseconds", () => {
    expect(unixSecondsToIso(1732492800.001)).toBe("2024-11-25T00:00:00.001Z");
    expect(unixSecondsToIso("1732492800.001")).toBe("2024-11-25T00:00:00.001Z");
    expect(unixSecondsToIso(1326149001.132)).toBe("2012-01-09T22:43:21.132Z");
    expect(unixSecondsToIso(1326149001)).toBe("2012-01-09T22:43:21.000Z");
    expect(unixSecondsToIso("1326149001.1329")).toBe("2012-01-09T22:43:21.132Z");
    expect(unixSecondsToIso("1326149001.132987", 6)).toBe("2012-01-09T22:43:21.132987Z");
  });

  it("reads negative values, numbers written with an exponent and a leading plus", () => {
    expect(unixSecondsToIso(-1.5)).toBe("1969-12-31T23:59:58.500Z");
    expect(unixSecondsToIso("-0.001")).toBe("1969-12-31T23:59:59.999Z");
    expect(unixSecondsToIso(1.7e9)).toBe("2023-11-14T22:13:20.000Z");
    expect(unixSecondsToIso("+1700000000")).toBe("2023-11-14T22:13:20.000Z");
  });

  it("refuses, as Logstash's UNIX does, seconds past 2147483647 and strings Java's Long.parseLong refuses", () => {
    // A millisecond value must fall through to UNIX_MS in `match => [t, UNIX, UNIX_MS]`.
    expect(unixSecondsToIso(2147483647)).toBe("2038-01-19T03:14:07.000Z");
    expect(unixSecondsToIso("2147483647.5")).toBe("2038-01-19T03:14:07.500Z");
    for (const v of [2147483648, 1366125117000, "2147483648", "1366125117000", 2147483648.5])
      expect(unixSecondsToIso(v)).toBeUndefined();
    for (const v of ["1.7e9", "1e3", "1.", ".5", "-.5", "1,5"]) expect(unixSecondsToIso(v)).toBeUndefined();
  });

  it("rejects what is not a number, or out of a Date's range, cleanly", () => {
    for (const v of ["", " 1", "1 ", "0x10", "1e400", "abc", "1.2.3", "NaN", "Infinity", null, true, [1], {}])
      expect(unixSecondsToIso(v)).toBeUndefined();
    expect(unixSecondsToIso("-9007199254740993")).toBeUndefined();
    expect(unixSecondsToIso(-(2 ** 60))).toBeUndefined();
    expect(unixSecondsToIso("9".repeat(100_000))).toBeUndefined();
  });

  it("gives the milliseconds of the decimal digits, for any microsecond value (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -4_000_000_000, max: 2_147_483_647 }),
        fc.integer({ min: 0, max: 999_999 }),
        (whole, micros) => {
          const text = `${whole}.${String(micros).padStart(6, "0")}`;
          const number = Number(text);
          // The exact answer, from the integers: floor((whole s + micros µs) / 1 ms).
          const sign = whole < 0 || Object.is(whole, -0) ? -1 : 1;
          const totalMicros = BigInt(whole) * 1_000_000n + BigInt(sign * micros);
          const q = totalMicros / 1000n;
          const millis = totalMicros % 1000n !== 0n && totalMicros < 0n ? q - 1n : q;
          const expected = new Date(Number(millis)).toISOString();
          expect(unixSecondsToIso(text)).toBe(expected);
          expect(unixSecondsToIso(number)).toBe(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("unixMillisToIso (UNIX_MS)", () => {
  it("reads integer milliseconds, numbers and strings", () => {
    expect(unixMillisToIso(1366125117000)).toBe("2013-04-16T15:11:57.000Z");
    expect(unixMillisToIso("1366125117123")).toBe("2013-04-16T15:11:57.123Z");
    expect(unixMillisToIso(-1)).toBe("1969-12-31T23:59:59.999Z");
  });
  it("truncates a fractional number toward zero (Java's longValue) and refuses fractional strings", () => {
    expect(unixMillisToIso(1366125117000.9)).toBe("2013-04-16T15:11:57.000Z");
    expect(unixMillisToIso("1366125117000.5")).toBeUndefined();
    expect(unixMillisToIso("99999999999999999999")).toBeUndefined();
    expect(unixMillisToIso("")).toBeUndefined();
  });
});
