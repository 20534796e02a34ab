import { instantToIso } from "@sluice/core/time";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sprintf } from "../../src/fields/index.js";
import { compileJodaParser, formatJoda, JodaPatternError } from "../../src/time/joda.js";

const parse = (pattern: string, text: string, options = {}) => {
  const instant = compileJodaParser(pattern, options)(text);
  return instant === undefined ? undefined : instantToIso(instant);
};

describe("compileJodaParser", () => {
  it("reads the patterns of Logstash's date filter documentation", () => {
    expect(parse("MMM dd yyyy HH:mm:ss", "Aug 13 2010 00:03:44")).toBe("2010-08-13T00:03:44.000Z");
    expect(parse("MMM  d yyyy HH:mm:ss", "Apr  7 2013 10:00:00")).toBe("2013-04-07T10:00:00.000Z");
    // Syslog pads single-digit days with a space: "MMM dd" does not read them, hence the second pattern.
    expect(parse("MMM dd yyyy HH:mm:ss", "Apr  7 2013 10:00:00")).toBeUndefined();
    expect(parse("yyyy-MM-dd'T'HH:mm:ss", "2015-01-01T01:12:23")).toBe("2015-01-01T01:12:23.000Z");
    expect(parse("dd/MMM/yyyy:HH:mm:ss Z", "10/Oct/2000:13:55:36 -0700")).toBe("2000-10-10T20:55:36.000Z");
  });

  it("reads numbers as Joda does: up to two digits whatever the count, years fixed-width before a number", () => {
    expect(parse("dd/MM/yyyy", "5/1/2024")).toBe("2024-01-05T00:00:00.000Z");
    expect(parse("d/M/yyyy", "05/01/2024")).toBe("2024-01-05T00:00:00.000Z");
    expect(parse("yyyyMMddHHmmss", "20240105103000")).toBe("2024-01-05T10:30:00.000Z");
    expect(parse("dd/MM/yyyy", "123/01/2024")).toBeUndefined();
    expect(parse("yyyy-MM-dd", "2024-02-30")).toBeUndefined();
    expect(parse("yyyy-MM-dd", "2024-13-01")).toBeUndefined();
    expect(parse("HH:mm:ss", "24:00:00")).toBeUndefined();
    expect(parse("HH:mm:ss", "10:00:60")).toBeUndefined();
  });

  it("requires the whole text to match", () => {
    expect(parse("yyyy-MM-dd", "2024-01-05 ")).toBeUndefined();
    expect(parse("yyyy-MM-dd", " 2024-01-05")).toBeUndefined();
    expect(parse("yyyy-MM-dd", "")).toBeUndefined();
  });

  it("reads month and day names as written, in lower or in upper case, long or short, by locale", () => {
    expect(parse("dd MMM yyyy", "24 DECEMBER 2024")).toBe("2024-12-24T00:00:00.000Z");
    expect(parse("dd MMMM yyyy", "24 dec 2024")).toBe("2024-12-24T00:00:00.000Z");
    expect(parse("dd MMM yyyy", "24 Dez. 2024", { locale: "de" })).toBe("2024-12-24T00:00:00.000Z");
    expect(parse("dd MMMM yyyy", "24 Dezember 2024", { locale: "de" })).toBe("2024-12-24T00:00:00.000Z");
    expect(parse("dd MMMM yyyy", "24 Dezember 2024", { locale: "de_DE" })).toBe("2024-12-24T00:00:00.000Z");
    expect(parse("dd MMM yyyy", "24 Dez 2024")).toBeUndefined();
    expect(parse("EEE, dd MMM yyyy", "Tue, 24 Dec 2024")).toBe("2024-12-24T00:00:00.000Z");
    expect(parse("EEEE dd MMM yyyy", "Dienstag 24 Dez. 2024", { locale: "de" })).toBe(
      "2024-12-24T00:00:00.000Z",
    );
    expect(parse("EEE dd MMM yyyy", "Xyz 24 Dec 2024")).toBeUndefined();
    // Joda's text fields know each name as written, lower-cased and upper-cased: no other mix.
    expect(parse("dd MMMM yyyy", "24 DeZember 2024", { locale: "de" })).toBeUndefined();
    expect(parse("dd MMMM yyyy", "24 DEZEMBER 2024", { locale: "de" })).toBe("2024-12-24T00:00:00.000Z");
    expect(parse("dd MMM yyyy", "24 dEC 2024")).toBeUndefined();
  });

  it("reads only the names Joda's locale data has: the forms used inside a date, no numerals, no other spellings", () => {
    expect(parse("dd MMM yyyy", "24 Dez 2024", { locale: "de" })).toBeUndefined();
    expect(parse("EEE dd MMM yyyy", "Di. 24 Dez. 2024", { locale: "de" })).toBe("2024-12-24T00:00:00.000Z");
    expect(parse("EEE dd MMM yyyy", "Di 24 Dez. 2024", { locale: "de" })).toBeUndefined();
    expect(parse("dd MMM yyyy", "24 12 2024")).toBeUndefined();
    expect(parse("EEE dd MMM yyyy", "2 24 Dec 2024")).toBeUndefined();
    expect(parse("hh a yyyy", "01 a.m. 2024")).toBeUndefined();
    // The JDK's Spanish AM has a no-break space; ICU's newer data a narrow one, which Joda does not read.
    expect(parse("hh a yyyy", "01 a.\u00a0m. 2024", { locale: "es" })).toBe("2024-01-01T01:00:00.000Z");
    expect(parse("hh a yyyy", "01 am 2024", { locale: "es" })).toBeUndefined();
    expect(formatJoda(Date.UTC(2024, 11, 24), "EEE dd MMM", "UTC", "de")).toBe("Di. 24 Dez.");
  });

  it("reads 12-hour clocks with AM/PM", () => {
    expect(parse("yyyy-MM-dd hh:mm a", "2024-01-01 12:30 AM")).toBe("2024-01-01T00:30:00.000Z");
    expect(parse("yyyy-MM-dd hh:mm a", "2024-01-01 12:30 PM")).toBe("2024-01-01T12:30:00.000Z");
    expect(parse("yyyy-MM-dd h:mm a", "2024-01-01 1:30 pm")).toBe("2024-01-01T13:30:00.000Z");
    expect(parse("yyyy-MM-dd hh:mm a", "2024-01-01 13:30 PM")).toBeUndefined();
    // An hour of the day (H) wins over AM/PM, as Joda sets AM/PM first.
    expect(parse("yyyy-MM-dd HH:mm a", "2024-01-01 03:30 PM")).toBe("2024-01-01T03:30:00.000Z");
    expect(parse("yyyy-MM-dd HH:mm a", "2024-01-01 15:30 AM")).toBe("2024-01-01T15:30:00.000Z");
    expect(parse("yyyy-MM-dd a", "2024-01-01 PM")).toBe("2024-01-01T12:00:00.000Z");
  });

  it("reads fractions up to nine digits and keeps them", () => {
    const nine = compileJodaParser("yyyy-MM-dd HH:mm:ss.SSSSSSSSS")("2024-01-01 00:00:00.123456789");
    expect(nine && instantToIso(nine, 9)).toBe("2024-01-01T00:00:00.123456789Z");
    expect(parse("yyyy-MM-dd HH:mm:ss.SSS", "2024-01-01 00:00:00.5")).toBe("2024-01-01T00:00:00.500Z");
  });

  it("reads no more fraction digits than the pattern has S letters, as Joda", () => {
    expect(parse("yyyy-MM-dd HH:mm:ss.SSS", "2024-01-01 00:00:00.123999")).toBeUndefined();
    expect(parse("HH:mm.S", "00:00.00")).toBeUndefined();
    expect(parse("yyyy-MM-dd HH:mm:ss.SSSSSS", "2024-01-01 00:00:00.123999")).toBe(
      "2024-01-01T00:00:00.123Z",
    );
  });

  it("reads offsets (Z, ZZ, leniently), zone ids (ZZZ) and Joda's zone abbreviations (z)", () => {
    expect(parse("yyyy-MM-dd HH:mm Z", "2024-07-01 12:00 +0100")).toBe("2024-07-01T11:00:00.000Z");
    expect(parse("yyyy-MM-dd HH:mm Z", "2024-07-01 12:00 +01:00")).toBe("2024-07-01T11:00:00.000Z");
    expect(parse("yyyy-MM-dd HH:mm ZZ", "2024-07-01 12:00 -05:30")).toBe("2024-07-01T17:30:00.000Z");
    expect(parse("yyyy-MM-dd HH:mm ZZ", "2024-07-01 12:00 Z")).toBe("2024-07-01T12:00:00.000Z");
    expect(parse("yyyy-MM-dd HH:mm ZZZ", "2024-07-01 12:00 Europe/Berlin")).toBe("2024-07-01T10:00:00.000Z");
    expect(parse("yyyy-MM-dd HH:mm ZZZ", "2024-01-01 12:00 America/Los_Angeles")).toBe(
      "2024-01-01T20:00:00.000Z",
    );
    expect(parse("yyyy-MM-dd HH:mm ZZZ", "2024-01-01 12:00 Mars/Olympus")).toBeUndefined();
    expect(parse("yyyy-MM-dd HH:mm z", "2024-07-01 12:00 UTC")).toBe("2024-07-01T12:00:00.000Z");
    expect(parse("yyyy-MM-dd HH:mm z", "2024-07-01 12:00 PDT")).toBe("2024-07-01T19:00:00.000Z");
    // An offset in the text wins over the configured zone.
    expect(parse("yyyy-MM-dd HH:mm Z", "2024-07-01 12:00 +0000", { timeZone: "Asia/Tokyo" })).toBe(
      "2024-07-01T12:00:00.000Z",
    );
  });

  it("reads local times in the configured zone, DST-correct, with Joda's gap and overlap rules", () => {
    const berlin = { timeZone: "Europe/Berlin" };
    expect(parse("yyyy-MM-dd HH:mm", "2024-01-15 12:00", berlin)).toBe("2024-01-15T11:00:00.000Z");
    expect(parse("yyyy-MM-dd HH:mm", "2024-07-15 12:00", berlin)).toBe("2024-07-15T10:00:00.000Z");
    // 2024-03-31 02:30 does not exist in Berlin: Joda throws IllegalInstantException, so no match.
    expect(parse("yyyy-MM-dd HH:mm", "2024-03-31 02:30", berlin)).toBeUndefined();
    expect(parse("yyyy-MM-dd HH:mm", "2024-03-31 03:00", berlin)).toBe("2024-03-31T01:00:00.000Z");
    // 2024-10-27 02:30 happens twice: Joda takes the earlier instant (still summer time, +02:00).
    expect(parse("yyyy-MM-dd HH:mm", "2024-10-27 02:30", berlin)).toBe("2024-10-27T00:30:00.000Z");
    expect(parse("yyyy-MM-dd HH:mm", "2024-10-27 03:30", berlin)).toBe("2024-10-27T02:30:00.000Z");
    expect(parse("yyyy-MM-dd HH:mm", "2024-11-03 01:30", { timeZone: "America/New_York" })).toBe(
      "2024-11-03T05:30:00.000Z",
    );
    expect(parse("yyyy-MM-dd HH:mm", "2024-07-01 12:00", { timeZone: "+05:30" })).toBe(
      "2024-07-01T06:30:00.000Z",
    );
  });

  it("guesses the year of year-less patterns as Logstash does around New Year", () => {
    const at = (iso: string) => ({ now: () => Date.parse(iso) });
    expect(parse("MMM dd HH:mm:ss", "Apr 17 09:32:01", at("2025-06-01T00:00:00Z"))).toBe(
      "2025-04-17T09:32:01.000Z",
    );
    // A December line read in January is last year's; a January line read in December next year's.
    expect(parse("MMM dd HH:mm:ss", "Dec 31 23:59:59", at("2025-01-01T00:00:05Z"))).toBe(
      "2024-12-31T23:59:59.000Z",
    );
    expect(parse("MMM dd HH:mm:ss", "Jan 01 00:00:01", at("2025-12-31T23:59:59Z"))).toBe(
      "2026-01-01T00:00:01.000Z",
    );
    expect(parse("MMM dd HH:mm:ss", "Dec 01 00:00:00", at("2025-12-31T00:00:00Z"))).toBe(
      "2025-12-01T00:00:00.000Z",
    );
    // Parsed in a leap year, then moved: 29 February becomes the 28th in a common year.
    expect(parse("MMM dd", "Feb 29", at("2025-03-01T00:00:00Z"))).toBe("2025-02-28T00:00:00.000Z");
  });

  it("reads a year-less text in Joda's year 2000, then moves it to the UTC clock's year as Joda's setter does", () => {
    const at = (iso: string, timeZone: string) => ({ now: () => Date.parse(iso), timeZone });
    // 26 March 2000 02:30 was in Berlin's DST gap: Logstash fails it, whatever the current year.
    expect(
      parse("MMM dd HH:mm:ss", "Mar 26 02:30:00", at("2026-06-01T00:00:00Z", "Europe/Berlin")),
    ).toBeUndefined();
    // Valid in 2000, in 2072's gap: moved forward by the gap, as Joda's lenient year setter does.
    expect(parse("MM-dd HH:mm:ss", "03-27 02:00:00", at("2072-01-05T00:00:00Z", "Europe/Berlin"))).toBe(
      "2072-03-27T01:00:00.000Z",
    );
    // West of Greenwich, a time right after the gap keeps the new offset.
    expect(parse("MM-dd HH:mm:ss", "03-09 03:00:00", at("2064-01-01T00:00:00Z", "America/New_York"))).toBe(
      "2064-03-09T07:00:00.000Z",
    );
    // The clock's year is UTC's (Logstash runs in the JVM's zone, UTC for Sluice), not the pattern zone's.
    expect(parse("MMM dd HH:mm", "Jun 01 12:00", at("2025-12-31T23:00:00Z", "Asia/Kolkata"))).toBe(
      "2025-06-01T06:30:00.000Z",
    );
  });

  it("reads a zone id (ZZZ) only as one: no offsets, no UT", () => {
    expect(parse("yyyy ZZZ", "2024 US/Eastern")).toBe("2024-01-01T05:00:00.000Z");
    expect(parse("yyyy ZZZ", "2024 Etc/GMT-14")).toBe("2023-12-31T10:00:00.000Z");
    expect(parse("yyyy ZZZ", "2024 UT")).toBeUndefined();
    expect(parse("yyyy ZZZ", "2024 +05:30")).toBeUndefined();
    // Without a year, Joda moves the instant to the clock's year in the parser's zone, not the text's.
    expect(parse("ZZZ", "Asia/Calcutta", { now: () => Date.parse("2026-06-01T00:00:00Z") })).toBe(
      "2026-12-31T18:30:00.000Z",
    );
  });

  it("takes a zone name (z) as the zone Joda maps it to, not a fixed offset", () => {
    expect(parse("yyyy-MM-dd HH:mm z", "2024-01-15 12:00 EDT")).toBe("2024-01-15T17:00:00.000Z");
    expect(parse("yyyy-MM-dd HH:mm z", "2024-07-15 12:00 PST")).toBe("2024-07-15T19:00:00.000Z");
    expect(parse("yyyy z", "0969 EST")).toBe("0969-01-01T04:56:02.000Z");
  });

  it("reads Y as Joda's year of the era: no sign, no year 0", () => {
    expect(parse("YYYY-MM-dd", "2024-01-05")).toBe("2024-01-05T00:00:00.000Z");
    expect(parse("YYYY", "+970")).toBeUndefined();
    expect(parse("YYYY-dd", "-018-10")).toBeUndefined();
    expect(parse("YYYY", "0000")).toBeUndefined();
    expect(parse("yyyy", "-018")).toBe("-000018-01-01T00:00:00.000Z");
  });

  it("moves the date to the weekday read, within its Monday-to-Sunday week, as Joda's parser does", () => {
    expect(parse("EEE yyyy-MM-dd", "Mon 2024-01-03")).toBe("2024-01-01T00:00:00.000Z");
    expect(parse("EEE yyyy-MM-dd", "Wed 2024-01-03")).toBe("2024-01-03T00:00:00.000Z");
    expect(parse("e yyyy-MM-dd", "7 2024-01-03")).toBe("2024-01-07T00:00:00.000Z");
    // Joda sets its fields twice: the year again after the weekday moved the date into another year.
    expect(parse("EEE yyyy", "Mon 2000")).toBe("2000-12-25T00:00:00.000Z");
    expect(parse("EEE MM", "Mon 03", { now: () => Date.parse("2026-06-01T00:00:00Z") })).toBe(
      "2026-03-27T00:00:00.000Z",
    );
  });

  it("reads a day of the year (D), which a day of the month then overrides within its month", () => {
    expect(parse("yyyy DDD", "2024 060")).toBe("2024-02-29T00:00:00.000Z");
    expect(parse("yyyy D", "2023 365")).toBe("2023-12-31T00:00:00.000Z");
    expect(parse("yyyy D", "2023 366")).toBeUndefined();
    expect(parse("yyyy-MM-dd D", "2024-01-01 60")).toBe("2024-02-01T00:00:00.000Z");
  });

  it("matches quoted literals ignoring case, as Joda does", () => {
    expect(parse("yyyy-MM-dd'T'HH:mm", "2024-01-01t10:00")).toBe("2024-01-01T10:00:00.000Z");
    expect(parse("yyyy-MM-dd' at 'HH:mm", "2024-01-01 AT 10:00")).toBe("2024-01-01T10:00:00.000Z");
  });

  it("takes a y in quoted text as a year, as Logstash's test on the pattern does: Joda's default year 2000", () => {
    expect(parse("MM-dd 'day'", "06-01 day", { now: () => Date.parse("2026-06-01T00:00:00Z") })).toBe(
      "2000-06-01T00:00:00.000Z",
    );
  });

  it("resolves two-digit years into the century window Joda uses (80 years back, 20 ahead)", () => {
    const now = { now: () => Date.parse("2026-06-01T00:00:00Z") };
    expect(parse("yy-MM-dd", "24-01-05", now)).toBe("2024-01-05T00:00:00.000Z");
    expect(parse("yy-MM-dd", "45-01-05", now)).toBe("2045-01-05T00:00:00.000Z");
    expect(parse("yy-MM-dd", "46-01-05", now)).toBe("1946-01-05T00:00:00.000Z");
    // Lenient, as Joda: more digits are a full year.
    expect(parse("yy-MM-dd", "2024-01-05", now)).toBe("2024-01-05T00:00:00.000Z");
    // A sign makes it a full year, as Joda's lenient two-digit parser reads it.
    expect(parse("yy-MM-dd", "+66-01-03", now)).toBe("0066-01-03T00:00:00.000Z");
    expect(parse("yy-MM-dd", "-66-01-03", now)).toBe("-000066-01-03T00:00:00.000Z");
  });

  it("refuses bad patterns, zones and locales when compiled", () => {
    expect(() => compileJodaParser("yyyy-MM-ddTHH:mm")).toThrow(JodaPatternError);
    expect(() => compileJodaParser("yyyy 'unclosed")).toThrow(JodaPatternError);
    expect(() => compileJodaParser("")).toThrow(JodaPatternError);
    expect(() => compileJodaParser("yyyy-ww")).toThrow(/not supported/);
    expect(() => compileJodaParser("yyyy", { timeZone: "Mars/Olympus" })).toThrow(/unknown time zone/);
    expect(() => compileJodaParser("yyyy", { locale: "not a locale!" })).toThrow(/unknown locale/);
    for (const options of [{ timeZone: "Mars/Olympus" }, { locale: "not a locale!" }])
      expect(() => compileJodaParser("yyyy", options)).toThrow(
        expect.objectContaining({ code: "SLUICE_ERR_CONFIG" }),
      );
  });

  it("survives hostile text without throwing", () => {
    const parsers = ["yyyy-MM-dd HH:mm:ss.SSS Z", "MMM dd HH:mm:ss ZZZ", "EEE hh a z"].map((p) =>
      compileJodaParser(p),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        for (const p of parsers) p(text);
      }),
    );
    expect(parsers[0]!(`2024-01-01 00:00:00.${"9".repeat(100_000)} Z`)).toBeUndefined();
  });
});

describe("formatJoda", () => {
  const t = Date.UTC(2024, 11, 24, 13, 5, 6, 789);
  it("formats as Joda prints, for sprintf's %{+pattern}", () => {
    expect(formatJoda(t, "yyyy.MM.dd")).toBe("2024.12.24");
    expect(formatJoda(t, "yyyy-MM-dd'T'HH:mm:ss.SSSZ")).toBe("2024-12-24T13:05:06.789+0000");
    expect(formatJoda(t, "yyyy-MM-dd'T'HH:mm:ss.SSSZZ")).toBe("2024-12-24T13:05:06.789+00:00");
    expect(formatJoda(t, "EEE, d MMM yy hh:mm a")).toBe("Tue, 24 Dec 24 01:05 PM");
    expect(formatJoda(t, "EEEE MMMM")).toBe("Tuesday December");
    expect(formatJoda(t, "SSSSSS")).toBe("789000");
    expect(formatJoda(t, "ZZZ z")).toBe("UTC UTC");
    expect(formatJoda(t, "dd MMMM yyyy HH:mm ZZ", "Europe/Berlin", "de")).toBe(
      "24 Dezember 2024 14:05 +01:00",
    );
    expect(formatJoda(Date.UTC(2024, 6, 1, 12), "HH:mm Z", "America/New_York")).toBe("08:00 -0400");
  });

  it("serves as sprintf's date formatter", () => {
    const index = sprintf("logs-%{+YYYY.MM.dd}-%{+MMM}", (m, p) => formatJoda(m, p));
    expect(index({ "@timestamp": "2024-12-24T13:05:06.789Z" })).toBe("logs-2024.12.24-Dec");
  });

  it("round-trips: what it formats, the same pattern parses back", () => {
    const patterns = [
      "yyyy-MM-dd'T'HH:mm:ss.SSSZ",
      "dd/MMM/yyyy:HH:mm:ss.SSS Z",
      "EEE MMM dd HH:mm:ss.SSS yyyy ZZ",
      "yyyy-MM-dd hh:mm:ss.SSS a ZZZ",
      "EEEE, d MMMM yyyy HH:mm:ss.SSS z",
      "yyyyMMddHHmmssSSS",
    ];
    const zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "+05:45"];
    const locales = ["en", "de", "fr"];
    fc.assert(
      fc.property(
        // From 1970: older local mean times have offsets in seconds, which Z and ZZ do not print.
        fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) }),
        fc.constantFrom(...patterns),
        fc.constantFrom(...zones),
        fc.constantFrom(...locales),
        (millis, pattern, zone, locale) => {
          const text = formatJoda(millis, pattern, zone, locale);
          // `z` prints names like "GMT+1" that Joda cannot parse back; it reads UTC/GMT and US names.
          if (pattern.endsWith(" z") && zone !== "UTC") return;
          // ZZZ prints a fixed zone's offset, which Joda does not read as a zone id.
          if (pattern.endsWith("ZZZ") && zone.startsWith("+")) return;
          const parsed = compileJodaParser(pattern, { timeZone: zone, locale })(text);
          expect(parsed?.millis).toBe(millis);
        },
      ),
      { numRuns: 500 },
    );
  });
});
