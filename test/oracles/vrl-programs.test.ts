// Generated VRL programs run through Sluice's remap compiler and the real `vrl` crate: both refuse to compile,
// or every event comes out the same with the same last value, or both fail the same way.
import type fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { agreeOnGeneratedCases, describeWithOracle } from "./oracle.js";
import { startVrlOracle, type VrlOracle, vrlOracleBuild } from "./vrl/client.js";
import { difference, type OracleAnswer, outcomeClass, pinnedDivergence } from "./vrl/compare.js";
import {
  expressionCase,
  fallibilityCase,
  type ProgramCase,
  programCase,
  stringCase,
  timestampJsonCase,
} from "./vrl/generators.js";
import { sluiceOutcome } from "./vrl/sluice-outcome.js";

const build = vrlOracleBuild();

describeWithOracle("vrl", build, () => {
  let oracle: VrlOracle;
  beforeAll(() => {
    oracle = startVrlOracle(build);
  });
  afterAll(() => oracle?.close());

  /**
   * Runs `runs` cases through both sides; returns how many ended each way, so a property can insist that
   * its generator still reaches the run time (a generator that only makes refused programs proves little).
   */
  async function agree(cases: fc.Arbitrary<ProgramCase>, runs: number): Promise<Map<string, number>> {
    const seen = new Map<string, number>();
    await agreeOnGeneratedCases(cases, runs, async ({ program, events }) => {
      const answer: OracleAnswer = await oracle.run(program, events, "UTC");
      const outcome = sluiceOutcome(program, events as Record<string, unknown>[], "UTC");
      const pinned = pinnedDivergence(program, answer, outcome);
      const problem = pinned ? undefined : difference(answer, outcome);
      if (problem) throw new Error(problem);
      const key = pinned ? "pinned" : outcomeClass(outcome) === "compile error" ? "refused" : "ran";
      seen.set(key, (seen.get(key) ?? 0) + 1);
    });
    return seen;
  }

  it("the deliberate differences (packages/transforms/test/vector/vrl-parity.test.ts) still hold on both sides", async () => {
    const both = async (program: string, event: Record<string, unknown> = {}) => ({
      vrl: await oracle.run(program, [event], "UTC"),
      sluice: sluiceOutcome(program, [event], "UTC"),
    });
    const only = (answer: unknown) => (answer as { results: Array<Record<string, unknown>> }).results[0]!;
    // The crate accepts any root; Sluice's remap runs on objects.
    const root = await both(". = -19");
    expect(only(root.vrl).event).toBe(-19);
    expect(root.sluice).toMatchObject({
      compile: "error",
      message: expect.stringMatching(/root can only be an object/),
    });
    // parse_json's detail: serde_json's words against JSON.parse's.
    const json = await both('.r, .e = parse_json("{")');
    expect(String(only(json.vrl).value)).toMatch(/unable to parse json: EOF while parsing an object/);
    expect(String(only(json.sluice).value)).toMatch(/unable to parse json: Expected property name/);
    // Text repetition: the crate builds what it is asked; Sluice stops at 16 Mi characters.
    const repeat = await both('.r = "ab" * 9000000');
    expect((only(repeat.vrl).value as string).length).toBe(18_000_000);
    expect(only(repeat.sluice)).toMatchObject({
      error: "runtime",
      message: expect.stringMatching(/can't repeat a string/),
    });
    // Whole floats are integers to JavaScript.
    const float = await both(".r = is_float(1.0)");
    expect([only(float.vrl).value, only(float.sluice).value]).toEqual([true, false]);
    // %Z: chrono-tz's abbreviation against Intl's (en-US), which has none for Asia/Kolkata.
    const zone = await both(
      '.r = format_timestamp!(t\'2024-01-01T00:00:00Z\', "%Z", timezone: "Asia/Kolkata")',
    );
    expect([only(zone.vrl).value, only(zone.sluice).value]).toEqual(["IST", "+0530"]);
    // Past 2037 chrono-tz keeps standard time; Intl keeps applying the zone's daylight saving rules.
    const far = await both(
      '.r = format_timestamp!(t\'2262-04-11T23:47:16Z\', "%FT%TZ", timezone: "Europe/Berlin")',
    );
    expect([only(far.vrl).value, only(far.sluice).value]).toEqual([
      "2262-04-12T00:47:16Z",
      "2262-04-12T01:47:16Z",
    ]);
    // The crate's lexer refuses some bracketed expressions followed by a quoted literal; Sluice reads them.
    const lexer = await both('.a = [(. || .)]\nx = "s"');
    expect(lexer.vrl).toMatchObject({
      compile: "error",
      message: expect.stringMatching(/Expected characters at end of string literal/),
    });
    expect(lexer.sluice).toMatchObject({ results: [{ value: "s" }] });
    // The crate knows the elements of a literal held in a variable; Sluice's checker only its kind.
    const literal = await both('x = [1, 2]\n.r = parse_json(to_string(x[0]) ?? "")');
    expect(literal.vrl).toMatchObject({ compile: "error", message: expect.stringMatching(/E651/) });
    expect(literal.sluice).toMatchObject({
      compile: "error",
      message: expect.stringMatching(/unhandled fallible/),
    });
  });

  it("4000 generated expressions: same result as the vrl crate", async () => {
    const seen = await agree(expressionCase, 4000);
    expect(seen.get("ran") ?? 0).toBeGreaterThan(1000);
  });

  it("3000 generated programs (assignments, del, if/else, abort, variables): same result as the vrl crate", async () => {
    const seen = await agree(programCase, 3000);
    expect(seen.get("ran") ?? 0).toBeGreaterThan(600);
  });

  it("3000 generated fallibility and type-error cases: both refuse or both run alike", async () => {
    const seen = await agree(fallibilityCase, 3000);
    expect(seen.get("ran") ?? 0).toBeGreaterThan(600);
    expect(seen.get("refused") ?? 0).toBeGreaterThan(600);
  });

  it("2000 generated string-function cases: same result as the vrl crate", async () => {
    const seen = await agree(stringCase, 2000);
    expect(seen.get("ran") ?? 0).toBeGreaterThan(1000);
  });

  it("3000 generated timestamp and parse_json cases on Fluent Bit records: same result as the vrl crate", async () => {
    const seen = await agree(timestampJsonCase, 3000);
    expect(seen.get("ran") ?? 0).toBeGreaterThan(1500);
  });
});
