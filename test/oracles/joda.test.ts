// Sluice's date stage judged by Joda-Time driven as Logstash's date filter drives it: generated patterns,
// locales, zones (DST gaps and overlaps), clocks, and UNIX / UNIX_MS / ISO8601 / TAI64N values.
import { SluiceError } from "@sluice/core";
import { resolveZone } from "@sluice/core/time";
import { date } from "@sluice/transforms";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runStage } from "../../packages/transforms/test/run.js";
import {
  type JodaAnswer,
  JodaOracle,
  type JodaRequest,
  type JodaResult,
  jodaOracleBuild,
} from "./joda/client.js";
import { agreeOnGeneratedCases, describeWithOracle } from "./oracle.js";

const build = jodaOracleBuild();

/** Sluice's answer to a request: the date stage over one document per input, its clock set to `now`. */
async function sluice(request: JodaRequest): Promise<JodaAnswer> {
  if (request.now !== undefined) vi.useFakeTimers({ toFake: ["Date"], now: request.now });
  try {
    let stage: ReturnType<typeof date>;
    try {
      stage = date({
        match: ["t", ...request.patterns],
        ...(request.timezone === undefined ? {} : { timezone: request.timezone }),
        ...(request.locale === undefined ? {} : { locale: request.locale }),
      });
    } catch (error) {
      if (error instanceof SluiceError) return { error: error.message };
      throw error;
    }
    const out = await runStage(
      stage,
      request.inputs.map(
        (t, i) => (request.zones ? { t, tz: request.zones[i] } : { t }) as Record<string, unknown>,
      ),
    );
    return {
      results: out.map((event) => {
        const iso = event.value["@timestamp"];
        return typeof iso === "string" ? { ok: iso, millis: Date.parse(iso) } : { failed: true as const };
      }),
    };
  } finally {
    vi.useRealTimers();
  }
}

/** A JavaScript Date's range, which Sluice's timestamps live in: ±8.64e15 ms. */
const MAX_DATE_MILLIS = 8.64e15;

/**
 * Why Sluice deliberately differs from Logstash when `pattern` alone reads `input`, or undefined: the
 * generated comparison skips exactly these, and the pinned tests below show both sides of each.
 */
function deliberate(
  pattern: string,
  input: string | number,
  joda: JodaResult,
  ours: JodaResult,
): string | undefined {
  if ("ok" in joda && Math.abs(joda.millis) > MAX_DATE_MILLIS) return "beyond a Date";
  if (typeof input === "string" && "ok" in ours && !("ok" in joda) && linkInOtherCase(input))
    return "link in another case";
  if (pattern !== "UNIX") return undefined;
  if (typeof input === "number" && !Number.isInteger(input) && "ok" in joda && "ok" in ours)
    return Math.abs(joda.millis - ours.millis) <= 1 ? "UNIX float product" : undefined;
  if (typeof input !== "string") return undefined;
  if (/^-\d+\.\d*[1-9]/.test(input) && "ok" in joda && "ok" in ours) return "UNIX negative fraction";
  if (/^[+-]?\d+\.[+-]?\d{1,3}/.test(input) && !/^[+-]?\d+\.\d+$/.test(input) && "ok" in joda)
    return "UNIX text after the fraction";
  return undefined;
}

/** Zone ids the generated texts use that Node's ICU takes as links (to Asia/Calcutta, America/New_York). */
const LINKS = ["Asia/Kolkata", "US/Eastern"];

/** Whether the text spells one of LINKS in another case (Asia/KOlkata), which Sluice cannot tell from the right one. */
function linkInOtherCase(text: string): boolean {
  return LINKS.some((id) => {
    const at = text.toLowerCase().indexOf(id.toLowerCase());
    return at >= 0 && text.slice(at, at + id.length) !== id;
  });
}

const millisOf = (r: JodaResult) => ("ok" in r ? r.millis : "failed");

const ZONES = [
  "UTC",
  "Europe/Berlin",
  "America/New_York",
  "Australia/Lord_Howe",
  "Asia/Kolkata",
  "America/Sao_Paulo",
  "+05:30",
  "-08:00",
];
// Dutch is pinned apart: its abbreviations differ between the JDK's locale data and Node's.
const LOCALES = ["en", "en-US", "en_GB", "de", "de-DE", "fr", "es", "it", "pt-BR"];

/** Instants from 1900 to 2100, and ones within two hours of midnight, where days and offsets turn. */
const instant = fc.oneof(
  fc.integer({ min: -2_208_988_800_000, max: 4_102_444_800_000 }),
  fc
    .tuple(fc.integer({ min: -25_000, max: 47_000 }), fc.integer({ min: -7_200_000, max: 7_200_000 }))
    .map(([day, ms]) => day * 86_400_000 + ms),
);

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });

/** A date-time pattern as people write them: a date, a time, a fraction, an offset or zone, in any order. */
const pattern = fc
  .record({
    weekday: opt(fc.constantFrom("EEE", "EEEE", "E", "e")),
    year: opt(fc.constantFrom("yyyy", "yy", "y", "YYYY", "yyy")),
    month: opt(fc.constantFrom("MM", "M", "MMM", "MMMM")),
    day: opt(fc.constantFrom("dd", "d", "DDD", "D")),
    order: fc.constantFrom("ymd", "dmy", "mdy", "ydm"),
    dateSep: fc.constantFrom("-", "/", ".", " ", ""),
    hour: opt(fc.constantFrom("HH", "H", "hh", "h", "kk", "k", "KK", "K")),
    second: fc.boolean(),
    fraction: opt(fc.constantFrom("S", "SS", "SSS", "SSSSSS", "SSSSSSSSS")),
    fractionSep: fc.constantFrom(".", ","),
    halfday: fc.boolean(),
    zone: opt(fc.constantFrom("Z", "ZZ", "ZZZ", "z", "zzzz")),
    between: fc.constantFrom("'T'", " ", ", ", "' at '"),
  })
  .map((p) => {
    const parts = { y: p.year, m: p.month, d: p.day } as Record<string, string | undefined>;
    const datePart = [...p.order]
      .map((k) => parts[k])
      .filter(Boolean)
      .join(p.dateSep);
    let time = "";
    if (p.hour) {
      time = `${p.hour}:mm`;
      if (p.second) time += ":ss";
      if (p.fraction) time += `${p.fractionSep}${p.fraction}`;
      if (p.halfday) time += " a";
    }
    const pieces = [p.weekday ? `${p.weekday},` : "", datePart, time, p.zone ?? ""].filter((x) => x !== "");
    const text = pieces.join(" ").replace(/^ +| +$/g, "");
    if (datePart && time) return text.replace(`${datePart} ${time}`, `${datePart}${p.between}${time}`);
    return text || "yyyy";
  });

/** What can go wrong in a log line: a character changed, dropped, doubled, text added at either end, case changed. */
function mutate(text: string, how: number, at: number, char: string): string {
  if (text.length === 0) return char;
  const i = at % text.length;
  switch (how) {
    case 0:
      return text.slice(0, i) + char + text.slice(i + 1);
    case 1:
      return text.slice(0, i) + text.slice(i + 1);
    case 2:
      return text.slice(0, i) + text[i] + text.slice(i);
    case 3:
      return `${text}${char}`;
    case 4:
      return ` ${text}`;
    case 5:
      return text.toUpperCase();
    case 6:
      return text.toLowerCase();
    default:
      return text.slice(0, i) + text.charAt(i).toUpperCase() + text.slice(i + 1).toLowerCase();
  }
}
const mutation = fc.tuple(
  fc.integer({ min: 0, max: 7 }),
  fc.nat(),
  fc.constantFrom("0", "9", "1", "3", " ", ":", "-", "+", "Z", "x", "."),
);

/** A year-less pattern's clock: any instant, or one near the turn of a year (where the year guess flips). */
const clock = fc.oneof(
  fc.integer({ min: 946_684_800_000, max: 4_102_444_800_000 }),
  fc
    .tuple(fc.integer({ min: 2001, max: 2099 }), fc.integer({ min: -20 * 3_600_000, max: 20 * 3_600_000 }))
    .map(([year, ms]) => Date.UTC(year, 0, 1) + ms),
);

const jodaCase = fc.record({
  pattern,
  zone: fc.constantFrom(...ZONES),
  // The zone the texts were written in, which ZZZ, Z and z carry: links (US/Eastern) included.
  textZone: fc.constantFrom(...ZONES, "US/Eastern", "Asia/Calcutta", "Etc/GMT-14"),
  locale: opt(fc.constantFrom(...LOCALES)),
  instants: fc.array(instant, { minLength: 3, maxLength: 5 }),
  mutations: fc.array(mutation, { minLength: 2, maxLength: 3 }),
  now: clock,
  // A second pattern tried when the first fails, and a number, which Joda patterns do not read.
  fallback: opt(fc.constantFrom("ISO8601", "UNIX", "UNIX_MS", "TAI64N", "yyyy-MM-dd HH:mm:ss,SSS")),
  number: opt(
    fc.oneof(fc.integer({ min: 0, max: 2_000_000_000 }), fc.double({ min: 0, max: 2e9, noNaN: true })),
  ),
});

/** A zone's offset-change days in a year, found from its offsets at each UTC midnight. */
function transitionDays(zoneId: string, year: number): number[] {
  const zone = resolveZone(zoneId)!;
  const days: number[] = [];
  const start = Date.UTC(year, 0, 1);
  for (let d = 0; d < 366; d++) {
    const at = start + d * 86_400_000;
    if (zone.offsetAt(at) !== zone.offsetAt(at + 86_400_000)) days.push(at + 86_400_000);
  }
  return days;
}

const two = (n: number) => String(n).padStart(2, "0");

/** Wall-clock texts on the days a zone changes its offset, the hours around the change included. */
const dstCase = fc
  .record({
    zone: fc.constantFrom("Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Sao_Paulo"),
    year: fc.integer({ min: 1975, max: 2035 }),
    which: fc.nat(),
    dayShift: fc.integer({ min: -1, max: 0 }),
    times: fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 59 })), {
      minLength: 4,
      maxLength: 8,
    }),
    withYear: fc.boolean(),
    now: clock,
  })
  .map((c) => {
    const days = transitionDays(c.zone, c.year);
    const day = new Date(
      (days[c.which % Math.max(1, days.length)] ?? Date.UTC(c.year, 2, 30)) + c.dayShift * 86_400_000,
    );
    const ymd = `${day.getUTCFullYear()}-${two(day.getUTCMonth() + 1)}-${two(day.getUTCDate())}`;
    const md = `${two(day.getUTCMonth() + 1)}-${two(day.getUTCDate())}`;
    return {
      patterns: [c.withYear ? "yyyy-MM-dd HH:mm:ss" : "MM-dd HH:mm:ss"],
      timezone: c.zone,
      now: c.now,
      inputs: c.times.map(([h, m]) => `${c.withYear ? ymd : md} ${two(h)}:${two(m)}:00`),
    } satisfies JodaRequest;
  });

const digits = (min: number, max: number) =>
  fc.array(fc.constantFrom(..."0123456789"), { minLength: min, maxLength: max }).map((d) => d.join(""));

/** Epoch values as events carry them: JSON numbers and numeric strings, plain or odd. */
const epochValue: fc.Arbitrary<string | number> = fc.oneof(
  fc.integer({ min: -2_000_000_000, max: 2_200_000_000 }),
  fc.double({ min: -2e9, max: 2.2e9, noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -9e15, max: 9e15 }),
  fc.constantFrom(2147483647, 2147483648, 0, -0.5, 1e21, 4102444800000, 8.64e15, 8.64e15 + 2),
  fc
    .tuple(
      fc.constantFrom("", "", "-", "+", " "),
      digits(1, 13),
      fc.option(fc.tuple(fc.constantFrom(".", ","), digits(0, 10)), { nil: undefined }),
      fc.option(fc.constantFrom("e3", "E-2", "e+1", "e0"), { nil: undefined, freq: 4 }),
      fc.constantFrom("", "", "", " ", "x"),
    )
    .map(
      ([sign, whole, frac, exp, tail]) =>
        `${sign}${whole}${frac ? frac[0] + frac[1] : ""}${exp ?? ""}${tail}`,
    ),
  fc.constantFrom("", ".5", "1.", "-1.5", "1.2.3", "0x10", "NaN", "Infinity", "99999999999999999999"),
);

/** ISO-8601 texts in the forms Joda's parser and the casual fallbacks read, and near misses. */
const isoText = fc
  .record({
    sign: fc.constantFrom("", "", "", "-", "+"),
    year: fc.integer({ min: 0, max: 12000 }),
    date: fc.constantFrom("y", "ym", "ymd", "ymd", "ymd", "yd", "yw", "ywd", "md"),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    ordinal: fc.integer({ min: 0, max: 367 }),
    week: fc.integer({ min: 0, max: 54 }),
    weekday: fc.integer({ min: 0, max: 8 }),
    sep: fc.constantFrom("T", "T", " ", "t", ""),
    time: fc.constantFrom("", "h", "hm", "hms", "hms", "hms"),
    hour: fc.integer({ min: 0, max: 25 }),
    minute: fc.integer({ min: 0, max: 60 }),
    second: fc.integer({ min: 0, max: 60 }),
    fraction: fc.option(fc.tuple(fc.constantFrom(".", ","), digits(1, 10)), { nil: undefined }),
    offset: fc.constantFrom(
      "",
      "Z",
      "+01",
      "-0530",
      "+05:30",
      "-08:00",
      "+24:00",
      "+0100",
      "z",
      " UTC",
      "+1",
    ),
  })
  .map((r) => {
    const y = `${r.sign}${String(r.year).padStart(4, "0")}`;
    let text: string;
    switch (r.date) {
      case "y":
        text = y;
        break;
      case "ym":
        text = `${y}-${two(r.month)}`;
        break;
      case "yd":
        text = `${y}-${String(r.ordinal).padStart(3, "0")}`;
        break;
      case "yw":
        text = `${y}-W${two(r.week)}`;
        break;
      case "ywd":
        text = `${y}-W${two(r.week)}-${r.weekday}`;
        break;
      case "md":
        text = `${two(r.month)}-${two(r.day)}`;
        break;
      default:
        text = `${y}-${two(r.month)}-${two(r.day)}`;
    }
    if (r.time) {
      let time = two(r.hour);
      if (r.time.includes("m")) time += `:${two(r.minute)}`;
      if (r.time.includes("s")) time += `:${two(r.second)}`;
      if (r.fraction) time += r.fraction[0] + r.fraction[1];
      text += `${r.sep}${time}${r.offset}`;
    }
    return text;
  });

const isoCase = fc.record({
  zone: opt(fc.constantFrom(...ZONES)),
  inputs: fc.array(
    fc.oneof(
      { weight: 6, arbitrary: isoText },
      { weight: 2, arbitrary: fc.tuple(isoText, mutation).map(([t, [how, at, c]]) => mutate(t, how, at, c)) },
      { weight: 1, arbitrary: instant.map((ms) => new Date(ms).toISOString()) },
    ),
    { minLength: 4, maxLength: 8 },
  ),
});

const hex = (min: number, max: number) =>
  fc
    .array(fc.constantFrom(..."0123456789abcdefABCDEF"), { minLength: min, maxLength: max })
    .map((d) => d.join(""));

const taiValue: fc.Arbitrary<string | number> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.constantFrom("@", "@", ""),
        fc.constantFrom("4000000", "4000000", "7fffffff", "0000000", "c000000"),
        hex(17, 17),
      )
      .map((p) => p.join("")),
  },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom("@", ""), hex(20, 28)).map((p) => p.join("")) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("@", ""), hex(24, 24), fc.constantFrom(" ", "Z", "0", "\n"))
      .map((p) => p.join("")),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom("@", "", "@-000000052f88ea32489532c", "@+000000052f88ea32489532c"),
  },
  { weight: 1, arbitrary: fc.integer() },
);

describeWithOracle("joda", build, () => {
  let oracle: JodaOracle;
  beforeAll(() => {
    if (build.present) oracle = new JodaOracle(build);
  });
  afterAll(async () => {
    await oracle?.close();
  });

  /** Both engines' results for one input read by one pattern alone. */
  async function readAlone(request: JodaRequest, pattern: string, input: string | number) {
    const zones = request.zones && [request.zones[request.inputs.indexOf(input)]!];
    const alone = { ...request, patterns: [pattern], inputs: [input], ...(zones ? { zones } : {}) };
    const [joda, ours] = [await oracle.ask(alone), await sluice(alone)];
    if ("error" in joda || "error" in ours) return undefined;
    return { joda: joda.results[0]!, ours: ours.results[0]! };
  }

  /**
   * Same instant or both fail per input; both refuse or both accept the configuration. A disagreement
   * passes only when it is a pinned one: the first pattern that reads the value in either engine shows
   * it when tried alone, the patterns before it failing in both.
   */
  async function agree(request: JodaRequest): Promise<void> {
    const [theirs, ours] = [await oracle.ask(request), await sluice(request)];
    const context = `request ${JSON.stringify(request)}\njoda:   ${JSON.stringify(theirs)}\nsluice: ${JSON.stringify(ours)}`;
    if ("error" in theirs || "error" in ours) {
      expect("error" in ours, `one refuses the configuration, the other does not\n${context}`).toBe(
        "error" in theirs,
      );
      return;
    }
    for (const [i, input] of request.inputs.entries()) {
      const j = theirs.results[i]!;
      const s = ours.results[i]!;
      if (millisOf(j) === millisOf(s)) continue;
      let pinned = false;
      for (const pattern of request.patterns) {
        const alone = await readAlone(request, pattern, input);
        if (alone === undefined) break;
        pinned = deliberate(pattern, input, alone.joda, alone.ours) !== undefined;
        if (pinned || "ok" in alone.joda || "ok" in alone.ours) break;
      }
      if (!pinned)
        expect(millisOf(s), `input ${JSON.stringify(input)} disagrees\n${context}`).toEqual(millisOf(j));
    }
  }

  it("1200 generated patterns, zones, locales and clocks: same instant as Joda, or both fail", async () => {
    await agreeOnGeneratedCases(jodaCase, 1200, async (c) => {
      const options = { timezone: c.zone, ...(c.locale === undefined ? {} : { locale: c.locale }) };
      const printed = await oracle.print(c.pattern, c.instants, { ...options, timezone: c.textZone });
      const texts = "printed" in printed ? printed.printed : c.instants.map(String);
      const inputs: Array<string | number> = [
        ...texts,
        ...c.mutations.map(([how, at, char], i) => mutate(texts[i % texts.length]!, how, at, char)),
      ];
      if (c.number !== undefined) inputs.push(c.number);
      const patterns = c.fallback === undefined ? [c.pattern] : [c.pattern, c.fallback];
      await agree({ patterns, ...options, now: c.now, inputs });
    });
  });

  it("600 generated wall-clock times on DST change days: same instant as Joda, or both fail", async () => {
    await agreeOnGeneratedCases(dstCase, 600, agree);
  });

  it("500 generated texts read in each event's own zone (timezone %{tz}): same instant as Joda, or both fail", async () => {
    const zoneIds = [
      ...ZONES,
      "US/Eastern",
      "Asia/Calcutta",
      "Etc/GMT+5",
      "GMT",
      "Z",
      "UT",
      "utc",
      "europe/berlin",
      "+05",
      "-0800",
      "+5",
      "+05:30:00",
      "Mars/Olympus",
      "",
    ];
    const dynamicCase = fc.record({
      pattern: fc.constantFrom(
        "yyyy-MM-dd HH:mm:ss",
        "MMM dd HH:mm:ss",
        "dd/MMM/yyyy:HH:mm:ss Z",
        "yyyy-MM-dd'T'HH:mm ZZZ",
      ),
      instants: fc.array(instant, { minLength: 2, maxLength: 5 }),
      zones: fc.array(fc.constantFrom(...zoneIds), { minLength: 5, maxLength: 5 }),
      now: clock,
    });
    await agreeOnGeneratedCases(dynamicCase, 500, async (c) => {
      const printed = await oracle.print(c.pattern, c.instants, { timezone: "Europe/Berlin" });
      const inputs = "printed" in printed ? printed.printed : c.instants.map(String);
      await agree({
        patterns: [c.pattern],
        timezone: "%{tz}",
        now: c.now,
        inputs,
        zones: inputs.map((_, i) => c.zones[i % c.zones.length]!),
      });
    });
  });

  it("800 generated UNIX and UNIX_MS values: same instant as Joda's date filter, or both fail", async () => {
    const unixCase = fc.record({
      patterns: fc.constantFrom<string[]>(["UNIX"], ["UNIX_MS"], ["UNIX", "UNIX_MS"]),
      inputs: fc.array(epochValue, { minLength: 4, maxLength: 8 }),
    });
    await agreeOnGeneratedCases(unixCase, 800, agree);
  });

  it("800 generated ISO8601 texts in zones: same instant as Joda, or both fail", async () => {
    await agreeOnGeneratedCases(isoCase, 800, (c) =>
      agree({
        patterns: ["ISO8601"],
        ...(c.zone === undefined ? {} : { timezone: c.zone }),
        inputs: c.inputs,
      }),
    );
  });

  it("400 generated TAI64N labels: same instant as Logstash's reading, or both fail", async () => {
    await agreeOnGeneratedCases(fc.array(taiValue, { minLength: 4, maxLength: 8 }), 400, (inputs) =>
      agree({ patterns: ["TAI64N"], inputs }),
    );
  });

  /** Both sides of one input: Joda's answer and Sluice's. */
  async function both(request: JodaRequest): Promise<[JodaResult[] | string, JodaResult[] | string]> {
    const side = (a: JodaAnswer) => ("error" in a ? a.error : a.results);
    return [side(await oracle.ask(request)), side(await sluice(request))];
  }
  const failed = { failed: true };
  const at = (iso: string) => ({ ok: iso, millis: Date.parse(iso) });

  describe("deliberate divergences, pinned", () => {
    it("week-year and era letters (x, w, G, C): Joda reads them, Sluice refuses the pattern when configured", async () => {
      // Logstash's year test looks for y/Y only, so an x-only pattern's year is replaced by the clock's:
      // a silently wrong date, where a refusal at start-up is loud.
      for (const pattern of ["xxxx-'W'ww", "yyyy-'W'ww", "G yyyy-MM-dd", "C yyyy-MM-dd"]) {
        const [joda, ours] = await both({ patterns: [pattern], inputs: ["2024-W05"] });
        expect(Array.isArray(joda), pattern).toBe(true);
        expect(ours).toMatch(/not supported/);
      }
    });

    it("instants beyond a JavaScript Date (±8.64e15 ms): Joda dates them, Sluice fails them", async () => {
      // Sluice's timestamps are JavaScript Dates; years past 275760 are no log timestamps.
      const [joda, ours] = await both({
        patterns: ["UNIX_MS"],
        inputs: [8640000000000001, "-8640000000000001"],
      });
      expect(joda).toEqual([
        { ok: "+275760-09-13T00:00:00.001Z", millis: 8640000000000001 },
        { ok: "-271821-04-19T23:59:59.999Z", millis: -8640000000000001 },
      ]);
      expect(ours).toEqual([failed, failed]);
    });

    it("UNIX with a fraction as a JSON number: Logstash multiplies the double, Sluice reads its decimal digits", async () => {
      // (long)(1.005 * 1000) is 1004 in binary floating point; the value written says 1.005 s.
      const [joda, ours] = await both({ patterns: ["UNIX"], inputs: [1.005, -1.0005] });
      expect(joda).toEqual([at("1970-01-01T00:00:01.004Z"), at("1969-12-31T23:59:59.000Z")]);
      expect(ours).toEqual([at("1970-01-01T00:00:01.005Z"), at("1969-12-31T23:59:58.999Z")]);
    });

    it("UNIX negative seconds with a fraction in a string: Logstash adds the fraction, Sluice subtracts it", async () => {
      // Logstash computes -1.5 as -1 s + 500 ms; the value written is a second and a half before 1970.
      const [joda, ours] = await both({ patterns: ["UNIX"], inputs: ["-1.5", "-0.25"] });
      expect(joda).toEqual([at("1969-12-31T23:59:59.500Z"), at("1970-01-01T00:00:00.250Z")]);
      expect(ours).toEqual([at("1969-12-31T23:59:58.500Z"), at("1969-12-31T23:59:59.750Z")]);
    });

    it("UNIX strings with text after three fraction digits: Logstash ignores it, Sluice refuses the value", async () => {
      // Logstash reads `1.234e3` as 1.234 s, dropping the exponent: a refusal beats a date off by 1000x.
      const [joda, ours] = await both({ patterns: ["UNIX"], inputs: ["1.234e3", "1.2345x", "1.-5"] });
      expect(joda).toEqual([
        at("1970-01-01T00:00:01.234Z"),
        at("1970-01-01T00:00:01.234Z"),
        at("1970-01-01T00:00:00.950Z"),
      ]);
      expect(ours).toEqual([failed, failed, failed]);
    });

    it("Dutch month abbreviations: the JDK's (jan.) and Node's (jan) locale data differ", async () => {
      // Sluice's names come from Node's ICU; carrying the JDK's tables would be a second locale database.
      const [joda, ours] = await both({
        patterns: ["dd MMM yyyy"],
        locale: "nl",
        inputs: ["24 jan. 2024", "24 jan 2024"],
      });
      expect(joda).toEqual([at("2024-01-24T00:00:00.000Z"), failed]);
      expect(ours).toEqual([failed, at("2024-01-24T00:00:00.000Z")]);
    });

    it("legacy zone ids that the tz database has since made links (CET, EST): the two databases' histories differ", async () => {
      // Zones come from Node's ICU; Joda-Time bundles an older tz database, where CET is a zone of its own.
      const request = {
        patterns: ["yyyy-MM-dd HH:mm:ss"],
        timezone: "CET",
        inputs: ["1936-04-19 01:00:00", "2024-07-01 12:00:00"],
      };
      const [joda, ours] = await both(request);
      expect(joda).toEqual([at("1936-04-19T00:00:00.000Z"), at("2024-07-01T10:00:00.000Z")]);
      expect(ours).toEqual([at("1936-04-19T01:00:00.000Z"), at("2024-07-01T10:00:00.000Z")]);
    });

    it("a link id in another case (Asia/KOlkata): Joda refuses it, Sluice reads it", async () => {
      // Node's ICU matches ids ignoring case and has no list of how links are spelt; all-lower and
      // all-upper spellings are refused, mixed ones read.
      const [joda, ours] = await both({
        patterns: ["yyyy ZZZ"],
        inputs: ["2024 Asia/KOlkata", "2024 ASIA/KOLKATA"],
      });
      expect(joda).toEqual([failed, failed]);
      expect(ours).toEqual([at("2023-12-31T18:30:00.000Z"), failed]);
    });

    it("ISO8601 with a %{field} timezone: Logstash refuses to start, Sluice reads each event in its zone", async () => {
      // Logstash's ISO8601 parser looks the template itself up as a zone id; Sluice treats it as for Joda patterns.
      const request = {
        patterns: ["ISO8601"],
        timezone: "%{tz}",
        inputs: ["2024-07-01T12:00"],
        zones: ["Europe/Berlin"],
      };
      const [joda, ours] = await both(request);
      expect(joda).toMatch(/not recognised/);
      expect(ours).toEqual([at("2024-07-01T10:00:00.000Z")]);
    });

    it("TAI64N labels shorter than 24 hex digits: Logstash's filter throws (not a parse failure), Sluice tags", async () => {
      // An exception other than IllegalArgumentException escapes Logstash's filter; failing the value is the filter's intent.
      const [joda, ours] = await both({ patterns: ["TAI64N"], inputs: ["@4000"] });
      expect(joda).toEqual([{ failed: true, escaped: "StringIndexOutOfBoundsException" }]);
      expect(ours).toEqual([failed]);
    });
  });
});
