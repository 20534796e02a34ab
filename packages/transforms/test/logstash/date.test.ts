import { SluiceConfigError } from "@sluice/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { date } from "../../src/logstash/date.js";
import { runOne, runStage } from "../run.js";

type Doc = Record<string, unknown>;

describe("date (Logstash date filter)", () => {
  it("parses the documented syslog / ISO8601 match list into @timestamp", async () => {
    const stage = date({ match: ["logdate", "MMM dd yyyy HH:mm:ss", "MMM  d yyyy HH:mm:ss", "ISO8601"] });
    const out = await runStage(stage, [
      { logdate: "Aug 13 2010 00:03:44" },
      { logdate: "Apr  7 2013 10:00:00" },
      { logdate: "2011-04-19T03:44:01.103Z" },
    ] as Doc[]);
    expect(out.map((e) => e.value["@timestamp"])).toEqual([
      "2010-08-13T00:03:44.000Z",
      "2013-04-07T10:00:00.000Z",
      "2011-04-19T03:44:01.103Z",
    ]);
    expect(out.every((e) => e.ok && e.value.tags === undefined)).toBe(true);
  });

  it("reads UNIX (float or int seconds, exact decimals), UNIX_MS and TAI64N", async () => {
    const unix = date({ match: ["t", "UNIX"] });
    expect((await runOne(unix, { t: 1326149001.132 } as Doc)).value["@timestamp"]).toBe(
      "2012-01-09T22:43:21.132Z",
    );
    expect((await runOne(unix, { t: 1326149001 } as Doc)).value["@timestamp"]).toBe(
      "2012-01-09T22:43:21.000Z",
    );
    expect((await runOne(unix, { t: 1732492800.001 } as Doc)).value["@timestamp"]).toBe(
      "2024-11-25T00:00:00.001Z",
    );
    expect((await runOne(unix, { t: "1732492800.0019" } as Doc)).value["@timestamp"]).toBe(
      "2024-11-25T00:00:00.001Z",
    );
    const ms = date({ match: ["t", "UNIX_MS"] });
    expect((await runOne(ms, { t: 1366125117000 } as Doc)).value["@timestamp"]).toBe(
      "2013-04-16T15:11:57.000Z",
    );
    const tai = date({ match: ["t", "TAI64N"] });
    expect((await runOne(tai, { t: "@4000000052f88ea32489532c" } as Doc)).value["@timestamp"]).toBe(
      "2014-02-10T08:32:25.612Z",
    );
  });

  it("writes more fraction digits on request", async () => {
    const stage = date({ match: ["t", "ISO8601", "UNIX"], fraction_digits: 6 });
    expect((await runOne(stage, { t: "2024-01-01T00:00:00.123456789Z" } as Doc)).value["@timestamp"]).toBe(
      "2024-01-01T00:00:00.123456Z",
    );
    expect((await runOne(stage, { t: 1732492800.000123 } as Doc)).value["@timestamp"]).toBe(
      "2024-11-25T00:00:00.000123Z",
    );
  });

  it("applies timezone to texts without an offset, and a %{field} timezone per event", async () => {
    const fixed = date({ match: ["t", "yyyy-MM-dd HH:mm:ss"], timezone: "America/Los_Angeles" });
    expect((await runOne(fixed, { t: "2024-01-15 12:00:00" } as Doc)).value["@timestamp"]).toBe(
      "2024-01-15T20:00:00.000Z",
    );
    const dynamic = date({ match: ["t", "yyyy-MM-dd HH:mm:ss", "ISO8601"], timezone: "%{[host][tz]}" });
    const out = await runStage(dynamic, [
      { t: "2024-07-15 12:00:00", host: { tz: "Europe/Paris" } },
      { t: "2024-07-15T12:00:00", host: { tz: "Asia/Tokyo" } },
      { t: "2024-07-15 12:00:00", host: { tz: "Not/AZone" } },
      { t: "2024-07-15 12:00:00" },
    ] as Doc[]);
    expect(out[0]!.value["@timestamp"]).toBe("2024-07-15T10:00:00.000Z");
    expect(out[1]!.value["@timestamp"]).toBe("2024-07-15T03:00:00.000Z");
    expect(out[2]!.value.tags).toEqual(["_dateparsefailure"]);
    expect(out[3]!.value.tags).toEqual(["_dateparsefailure"]);
  });

  it("reads zone ids as Joda's DateTimeZone.forID does: case as spelt, offsets with two-digit hours", async () => {
    const dynamic = date({ match: ["t", "yyyy-MM-dd HH:mm:ss"], timezone: "%{tz}" });
    const zones = [
      "+05:30:00",
      "-0800",
      "Z",
      "UT",
      "US/Eastern",
      "utc",
      "europe/berlin",
      "+5",
      "+24:00",
      "ASIA/KOLKATA",
      "Asia/kolkata",
      "Asia/Kolkata",
    ];
    const out = await runStage(
      dynamic,
      zones.map((tz) => ({ t: "2024-07-15 12:00:00", tz }) as Doc),
    );
    expect(out.map((e) => e.value["@timestamp"] ?? null)).toEqual([
      "2024-07-15T06:30:00.000Z",
      "2024-07-15T20:00:00.000Z",
      "2024-07-15T12:00:00.000Z",
      "2024-07-15T12:00:00.000Z",
      "2024-07-15T16:00:00.000Z",
      null,
      null,
      null,
      null,
      null,
      null,
      "2024-07-15T06:30:00.000Z",
    ]);
    expect(() => date({ match: ["t", "yyyy"], timezone: "utc" })).toThrow(SluiceConfigError);
  });

  it("reads month names in the configured locale", async () => {
    const de = date({ match: ["t", "dd. MMMM yyyy"], locale: "de" });
    expect((await runOne(de, { t: "24. Dezember 2024" } as Doc)).value["@timestamp"]).toBe(
      "2024-12-24T00:00:00.000Z",
    );
    const en = date({ match: ["t", "dd. MMMM yyyy"], locale: "en_US" });
    expect((await runOne(en, { t: "24. Dezember 2024" } as Doc)).value.tags).toEqual(["_dateparsefailure"]);
  });

  it("writes to target (a nested field reference), leaving @timestamp alone", async () => {
    const stage = date({ match: ["[log][time]", "ISO8601"], target: "[event][created]" });
    const e = await runOne(stage, { log: { time: "2024-01-01T00:00:00Z" } } as Doc);
    expect(e.value).toEqual({
      log: { time: "2024-01-01T00:00:00Z" },
      event: { created: "2024-01-01T00:00:00.000Z" },
    });
  });

  it("tags _dateparsefailure (or tag_on_failure) when no pattern matches, keeping the event", async () => {
    const e = await runOne(date({ match: ["t", "ISO8601"] }), { t: "yesterday", tags: ["x"] } as Doc);
    expect(e.ok).toBe(true);
    expect(e.value).toEqual({ t: "yesterday", tags: ["x", "_dateparsefailure"] });
    const custom = await runOne(date({ match: ["t", "ISO8601"], tag_on_failure: ["bad_date"] }), {
      t: "?",
    } as Doc);
    expect(custom.value.tags).toEqual(["bad_date"]);
  });

  it("sends failures to dead letters with on_failure deadLetter", async () => {
    const e = await runOne(date({ match: ["t", "ISO8601"], on_failure: "deadLetter" }), { t: "?" } as Doc);
    expect(e.failure).toMatchObject({ type: "date_parse_failure", stage: "date" });
  });

  it("does nothing when the source is missing or null, as Logstash", async () => {
    const stage = date({ match: ["t", "ISO8601"] });
    expect((await runOne(stage, { other: 1 } as Doc)).value).toEqual({ other: 1 });
    expect((await runOne(stage, { t: null } as Doc)).value).toEqual({ t: null });
  });

  it("fails arrays, objects and booleans, and numbers for text patterns, as Logstash", async () => {
    const stage = date({ match: ["t", "ISO8601", "yyyy"] });
    for (const t of [["2024-01-01T00:00:00Z"], { a: 1 }, true, 2024]) {
      const e = await runOne(stage, { t } as Doc);
      expect(e.value.tags).toEqual(["_dateparsefailure"]);
      expect(e.value["@timestamp"]).toBeUndefined();
    }
  });

  it("fails at construction naming the option", () => {
    const config = (options: unknown) => {
      try {
        date(options as Parameters<typeof date>[0]);
      } catch (error) {
        expect(error).toBeInstanceOf(SluiceConfigError);
        return (error as SluiceConfigError).option;
      }
      return undefined;
    };
    expect(config({})).toBe("match");
    expect(config({ match: ["t"] })).toBe("match");
    expect(config({ match: ["t", "yyyy-MM-ddTHH"] })).toBe("match.1");
    expect(config({ match: ["t", "ISO8601", "yyyy 'x"] })).toBe("match.2");
    expect(config({ match: ["[t", "ISO8601"] })).toBe("match.0");
    expect(config({ match: ["t", "ISO8601"], timezone: "Mars/Olympus" })).toBe("timezone");
    expect(config({ match: ["t", "ISO8601"], locale: "!!" })).toBe("locale");
    expect(config({ match: ["t", "ISO8601"], fraction_digits: 12 })).toBe("fraction_digits");
    expect(config({ match: ["t", "ISO8601"], unknown: 1 })).toBe("unknown");
  });

  it("never throws or pollutes a prototype on hostile values (property)", async () => {
    const stage = date({
      match: ["t", "ISO8601", "UNIX", "UNIX_MS", "TAI64N", "dd/MMM/yyyy:HH:mm:ss Z"],
      target: "[__proto__][polluted]",
    });
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (t) => {
        const e = await runOne(stage, { t } as Doc);
        expect(e.ok).toBe(true);
      }),
      { numRuns: 300 },
    );
    const e = await runOne(stage, { t: "2024-01-01T00:00:00Z" } as Doc);
    expect(({} as Doc).polluted).toBeUndefined();
    expect(Object.hasOwn(e.value, "__proto__")).toBe(true);
  });
});
