import { instantToIso } from "@sluice/core/time";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileIso8601Parser } from "../../src/time/iso8601.js";

const parser = compileIso8601Parser();
const iso = (text: string, p = parser, digits = 3) => {
  const instant = p(text);
  return instant === undefined ? undefined : instantToIso(instant, digits);
};

describe("ISO8601 (Logstash's CasualISO8601Parser)", () => {
  it("reads Joda's ISO date-times", () => {
    expect(iso("2011-04-19T03:44:01.103Z")).toBe("2011-04-19T03:44:01.103Z");
    expect(iso("2011-04-19T03:44:01.103+02:00")).toBe("2011-04-19T01:44:01.103Z");
    expect(iso("2011-04-19T03:44:01-0530")).toBe("2011-04-19T09:14:01.000Z");
    expect(iso("2011-04-19T03:44:01+01")).toBe("2011-04-19T02:44:01.000Z");
    expect(iso("2011-04-19")).toBe("2011-04-19T00:00:00.000Z");
    expect(iso("2011-04")).toBe("2011-04-01T00:00:00.000Z");
    expect(iso("2011-04-19T03:44")).toBe("2011-04-19T03:44:00.000Z");
    expect(iso("2011-04-19T03,5Z")).toBe("2011-04-19T03:30:00.000Z");
    expect(iso("2011-110T00:00Z")).toBe("2011-04-20T00:00:00.000Z");
    expect(iso("2024-01-01T00:00:00.123456789Z", parser, 9)).toBe("2024-01-01T00:00:00.123456789Z");
  });

  it("reads a lower-case z and t, as Joda matches them ignoring case", () => {
    expect(iso("2011-04-19T03:44:01.103z")).toBe("2011-04-19T03:44:01.103Z");
    expect(iso("0000T00:00z")).toBe("0000-01-01T00:00:00.000Z");
    expect(iso("2011-04-19t03:44")).toBe("2011-04-19T03:44:00.000Z");
  });

  it("reads ISO week dates (yyyy-Www[-e]) as Joda's parser does, Monday when no day is given", () => {
    expect(iso("2024-W01")).toBe("2024-01-01T00:00:00.000Z");
    expect(iso("2024-W01-7")).toBe("2024-01-07T00:00:00.000Z");
    expect(iso("2026-W01")).toBe("2025-12-29T00:00:00.000Z");
    expect(iso("2020-W53")).toBe("2020-12-28T00:00:00.000Z");
    expect(iso("2024-W01T10:00Z")).toBe("2024-01-01T10:00:00.000Z");
    for (const t of ["2024-W53", "2024-W00", "2024-W01-8", "2024-W011", "2024W01"])
      expect(parser(t)).toBeUndefined();
  });

  it("reads a fraction of an hour or minute as Joda computes it, digit by digit", () => {
    // 0.000086 min is 5.16 ms; Joda truncates each digit's share, giving 4 ms.
    expect(iso("0000T00:00.000086")).toBe("0000-01-01T00:00:00.004Z");
    expect(iso("2011-04-19T03,5Z")).toBe("2011-04-19T03:30:00.000Z");
    expect(iso("2011-04-19T03:44.123456789Z")).toBe("2011-04-19T03:44:07.407Z");
  });

  it("refuses day 000 of a year, as Joda does", () => {
    expect(parser("0000-000")).toBeUndefined();
    expect(parser("2024-000T00:00Z")).toBeUndefined();
    expect(iso("2024-001")).toBe("2024-01-01T00:00:00.000Z");
  });

  it("reads the space-separated forms Logstash adds, which need milliseconds", () => {
    expect(iso("2011-04-19 03:44:01.103")).toBe("2011-04-19T03:44:01.103Z");
    expect(iso("2011-04-19 03:44:01,103")).toBe("2011-04-19T03:44:01.103Z");
    expect(iso("2011-04-19 03:44:01.103+0100")).toBe("2011-04-19T02:44:01.103Z");
    expect(iso("2011-04-19 03:44:01,103-01:00")).toBe("2011-04-19T04:44:01.103Z");
    expect(iso("2011-04-19 03:44:01")).toBeUndefined();
  });

  it("reads texts without an offset in the configured zone", () => {
    const berlin = compileIso8601Parser({ timeZone: "Europe/Berlin" });
    expect(iso("2024-07-01T12:00:00", berlin)).toBe("2024-07-01T10:00:00.000Z");
    expect(iso("2024-07-01 12:00:00.000", berlin)).toBe("2024-07-01T10:00:00.000Z");
    expect(iso("2024-07-01T12:00:00Z", berlin)).toBe("2024-07-01T12:00:00.000Z");
  });

  it("refuses what is not ISO 8601", () => {
    for (const t of [
      "",
      "T",
      "2011-04-19Z",
      "2011-02-30",
      "2011-04-19T25:00",
      "2011-04-19T03:44:01.Z",
      "2011-04-19x",
      "Apr 19 2011",
      "2011-04-19T03:44:01+2400",
    ])
      expect(parser(t)).toBeUndefined();
  });

  it("agrees with Date.parse at millisecond precision on what both accept (property)", () => {
    const offset = fc.oneof(
      fc.constant("Z"),
      fc
        .tuple(fc.constantFrom("+", "-"), fc.integer({ min: 0, max: 14 }), fc.constantFrom(0, 15, 30, 45))
        .map(([s, h, m]) => `${s}${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`),
    );
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("0001-01-01T00:00:00Z"),
          max: new Date("9999-12-31T23:59:59Z"),
          noInvalidDate: true,
        }),
        offset,
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        (d, zone, precision, dateOnly) => {
          const full = d.toISOString(); // yyyy-MM-ddTHH:mm:ss.SSSZ
          const text = dateOnly
            ? full.slice(0, 10)
            : `${full.slice(0, precision === 0 ? 19 : 20 + precision)}${zone}`;
          const expected = Date.parse(text);
          if (Number.isNaN(expected)) return;
          expect(parser(text)?.millis).toBe(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
