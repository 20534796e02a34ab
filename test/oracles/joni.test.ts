// Logstash's mutate gsub judged by the Ruby it runs on: Sluice's gsub and JRuby's String#gsub (joni) on
// generated patterns, replacements and values, and the cases where Sluice differs on purpose.
import { eventOf } from "@sluice/core";
import { mutate } from "@sluice/transforms";
import { lastValueFrom, of } from "rxjs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { rubyPattern } from "../../packages/transforms/src/logstash/mutate/ruby-pattern.js";
import { rubyRegex } from "../../packages/transforms/src/logstash/mutate/ruby-regex.js";
import { FLUENT_BIT_RECORD, type GsubCase, gsubCases } from "./joni/cases.js";
import { type GsubAnswer, type GsubResult, joniBuild, rubyGsub } from "./joni/client.js";
import { agreeOnGeneratedCases, describeWithOracle, OracleProcess } from "./oracle.js";

const RUNS = 1500;

/** What Sluice's mutate does with one gsub: the pattern refused (with why), or each value's result. */
type SluiceAnswer = { refused: string } | { results: GsubResult[]; engine: "v8" | "re2" };

async function sluiceGsub({ pattern, replacement, inputs }: GsubCase): Promise<SluiceAnswer> {
  let stage: ReturnType<typeof mutate>;
  try {
    stage = mutate({ gsub: [["m", pattern, replacement]] });
  } catch (error) {
    return { refused: (error as Error).message };
  }
  const results: GsubResult[] = [];
  for (const input of inputs) {
    const [event] = await lastValueFrom(of([eventOf<Record<string, unknown>>({ m: input })]).pipe(stage));
    const doc = event!.value as { m: string; tags?: string[] };
    // Logstash tags the event when Ruby raises; the message is not compared, only that it raised.
    results.push(doc.tags?.includes("_mutate_error") ? { raised: "tagged _mutate_error" } : doc.m);
  }
  return { results, engine: engineOf(pattern) };
}

// The stage does not say which engine runs a pattern; the module that picks it does.
const engineOf = (pattern: string) => rubyPattern(pattern).engine;

/** Why Sluice refuses a pattern Ruby runs, on purpose: each is pinned by a test below. */
const DELIBERATE_REFUSALS = [
  /possessive quantifiers are not supported|group \(\?> is not supported/,
  /group \(\?[imx-]/,
  /must run on the linear-time engine/,
  /Duplicate capture group name/,
];

/** The cases where Ruby's answer is a defect of Logstash's JRuby that Sluice does not copy (pinned below). */
function jrubyDefect(c: GsubCase, ruby: GsubAnswer, input?: string): boolean {
  // JRuby 9.4 misreads the name in \P{…}.
  if ("error" in ruby)
    return c.pattern.includes("\\P{") && /^offset|invalid character property name/.test(ruby.error);
  // joni can miss \z and \Z at the end of a value ending in a multi-byte character.
  if (input !== undefined && /[^\0-\x7f]$/u.test(input) && /\\[zZ]/.test(c.pattern)) return true;
  return false;
}

/** Values where Sluice differs on purpose for this pattern (pinned below), left out of the comparison. */
function deliberateDifference(c: GsubCase, engine: "v8" | "re2", input: string): boolean {
  // On RE2, \b and \B know ASCII word characters only, and ^ matches after a final \n.
  if (engine === "re2" && /\\[bB]/.test(c.pattern) && /[^\0-\x7f]/u.test(input)) return true;
  if (engine === "re2" && c.pattern.includes("^") && input.endsWith("\n")) return true;
  // Under (?i) Ruby folds ß to ss and st to ﬆ; V8 folds one character to one.
  if (/^\(\?[mx]*i/.test(c.pattern) && /ß|ss|st|ﬀ|ff|fi|fl/i.test(c.pattern + input)) return true;
  return repeatsEmptyGroup(c.pattern);
}

// A group that can match nothing, repeated: Ruby takes an empty pass through it, JavaScript the next branch.
function repeatsEmptyGroup(pattern: string): boolean {
  const opens: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") i++;
    else if (c === "[") i = classEnd(pattern, i);
    else if (c === "(") opens.push(i);
    else if (c === ")") {
      const open = opens.pop();
      if (
        open !== undefined &&
        /^[*+{]/.test(pattern.slice(i + 1)) &&
        matchesEmpty(pattern.slice(open, i + 1))
      )
        return true;
    }
  }
  return false;
}

// Whether the group matches nothing somewhere in a text with every kind of boundary the cases have.
function matchesEmpty(group: string): boolean {
  try {
    for (const match of "a1 _é\n-日😀\n".matchAll(rubyRegex(group))) if (match[0] === "") return true;
    return false;
  } catch {
    return true;
  }
}

// The end of the Ruby class opened at `open`: a `]` first in it is literal, [:name:] and escapes are inside.
function classEnd(pattern: string, open: number): number {
  let i = open + 1;
  if (pattern[i] === "^") i++;
  if (pattern[i] === "]") i++;
  for (; i < pattern.length; i++) {
    if (pattern[i] === "\\") i++;
    else if (pattern.startsWith("[:", i)) i = pattern.indexOf(":]", i) + 1;
    else if (pattern[i] === "]") return i;
  }
  return pattern.length;
}

describeWithOracle("joni", joniBuild(), () => {
  let oracle: OracleProcess;
  beforeAll(() => {
    const build = joniBuild();
    if (!build.present) throw new Error(build.missing);
    oracle = new OracleProcess("joni", build.command, build.args);
  });
  afterAll(() => oracle?.close());

  it("the seed's gsub: @timestamp becomes _@timestamp in Fluent Bit JSON, as Ruby does it", async () => {
    const c = { pattern: "@timestamp", replacement: "_@timestamp", inputs: [FLUENT_BIT_RECORD] };
    const ruby = await rubyGsub(oracle, c);
    expect(await sluiceGsub(c)).toEqual({ ...ruby, engine: "v8" });
    expect(ruby).toEqual({ results: [FLUENT_BIT_RECORD.replaceAll("@timestamp", "_@timestamp")] });
  });

  it(`${RUNS} generated patterns, replacements and values: same result as Ruby's gsub, or both refuse`, async () => {
    await agreeOnGeneratedCases(gsubCases, RUNS, async (c) => {
      const ruby = await rubyGsub(oracle, c);
      // A pattern Ruby backtracks on for seconds says nothing about Sluice, which never backtracks so.
      if ("timeout" in ruby) return;
      const sluice = await sluiceGsub(c);
      if ("error" in ruby) {
        if ("refused" in sluice || jrubyDefect(c, ruby)) return;
        throw new Error(`Ruby refuses the pattern (${ruby.error}), Sluice runs it`);
      }
      if ("refused" in sluice) {
        if (DELIBERATE_REFUSALS.some((reason) => reason.test(sluice.refused))) return;
        throw new Error(`Sluice refuses a pattern Ruby runs: ${sluice.refused}`);
      }
      c.inputs.forEach((input, i) => {
        if (deliberateDifference(c, sluice.engine, input) || jrubyDefect(c, ruby, input)) return;
        const sluiceResult = sluice.results[i];
        const rubyResult = ruby.results[i];
        const same =
          typeof rubyResult === "string" ? sluiceResult === rubyResult : typeof sluiceResult === "object";
        if (!same)
          throw new Error(
            `on ${JSON.stringify(input)}: Ruby gives ${JSON.stringify(rubyResult)}, Sluice ${JSON.stringify(sluiceResult)}`,
          );
      });
    });
  }, 120_000);

  // The pinned differences: each asks Ruby, asserts what it does and what Sluice does instead, and says why.
  const pinned = async (c: GsubCase) => ({ ruby: await rubyGsub(oracle, c), sluice: await sluiceGsub(c) });

  it("pinned: possessive quantifiers and atomic groups run in Ruby, Sluice refuses them", async () => {
    // Neither V8 nor RE2 has them, and without them the pattern would match something else.
    for (const pattern of ["a++b", "(?>a|ab)c"]) {
      const { ruby, sluice } = await pinned({ pattern, replacement: "x", inputs: ["aab", "abc"] });
      expect(ruby).toHaveProperty("results");
      expect(sluice).toMatchObject({ refused: expect.stringMatching(DELIBERATE_REFUSALS[0]!) });
    }
  });

  it("pinned: options inside a pattern ((?i:…), (?m:…), (?x:…), (?-i)) run in Ruby, Sluice refuses them", async () => {
    // Node 20's V8 has no inline modifiers; only a leading (?imx) applies to the whole pattern.
    const { ruby, sluice } = await pinned({ pattern: "a(?i:b)", replacement: "x", inputs: ["aB"] });
    expect(ruby).toEqual({ results: ["x"] });
    expect(sluice).toMatchObject({ refused: expect.stringMatching(DELIBERATE_REFUSALS[1]!) });
  });

  it("pinned: a repeating pattern with a backreference or lookahead runs in Ruby, Sluice refuses it", async () => {
    // A safety limit: such a pattern needs backtracking, which one record could make run for minutes.
    const { ruby, sluice } = await pinned({
      pattern: "(\\w+) \\1",
      replacement: "\\1",
      inputs: ["go go now"],
    });
    expect(ruby).toEqual({ results: ["go now"] });
    expect(sluice).toMatchObject({ refused: expect.stringMatching(DELIBERATE_REFUSALS[2]!) });
  });

  it("pinned: Ruby allows two groups of one name, Sluice refuses the pattern", async () => {
    // V8 (Node 20) refuses duplicate group names, and renaming them would change what \k<name> means.
    const { ruby, sluice } = await pinned({
      pattern: "(?<d>a)|(?<d>b)",
      replacement: "<\\k<d>>",
      inputs: ["ab"],
    });
    expect(ruby).toEqual({ results: ["<a><b>"] });
    expect(sluice).toMatchObject({ refused: expect.stringMatching(DELIBERATE_REFUSALS[3]!) });
  });

  it("pinned: a backreference to a group that took no part fails in Ruby, matches empty in Sluice", async () => {
    // JavaScript defines it so, and no JavaScript pattern can tell an unset group from an empty one.
    const { ruby, sluice } = await pinned({ pattern: "(a)?b\\1", replacement: "x", inputs: ["b"] });
    expect(ruby).toEqual({ results: ["b"] });
    expect(sluice).toEqual({ results: ["x"], engine: "v8" });
  });

  it("pinned: \\b and \\B know every script's letters in Ruby, only ASCII ones in a repeating pattern (RE2)", async () => {
    // RE2's word boundary is ASCII; a repeating pattern must run on RE2 (the safety limit).
    const { ruby, sluice } = await pinned({ pattern: "\\b\\w+", replacement: "<\\0>", inputs: ["éa b"] });
    expect(ruby).toEqual({ results: ["éa <b>"] });
    expect(sluice).toEqual({ results: ["é<a> <b>"], engine: "re2" });
  });

  it("pinned: under (?i) Ruby matches ß against ss and st against \\p{L} (ﬆ), Sluice does not", async () => {
    // V8 folds one character to one character; Ruby's multi-character folds have no JavaScript form.
    const { ruby, sluice } = await pinned({ pattern: "(?i)ss", replacement: "x", inputs: ["ß"] });
    expect(ruby).toEqual({ results: ["x"] });
    expect(sluice).toEqual({ results: ["ß"], engine: "v8" });
    const letters = await pinned({ pattern: "(?i)\\p{L}\\h", replacement: "<\\0>", inputs: ["timestamp"] });
    expect(letters.ruby).toEqual({ results: ["ti<me><sta>mp"] });
    expect(letters.sluice).toEqual({ results: ["ti<me>s<ta>mp"], engine: "v8" });
  });

  it("pinned: a repeated group whose first branch matches nothing: Ruby takes that empty pass, Sluice the next branch", async () => {
    // JavaScript refuses an empty pass through a group past its minimum count; Sluice rewrites only X?, as (?:X|).
    const { ruby, sluice } = await pinned({
      pattern: "(?:^|\\S){1,2}",
      replacement: "<\\0>",
      inputs: ["ab"],
    });
    expect(ruby).toEqual({ results: ["<>a<b>"] });
    expect(sluice).toEqual({ results: ["<a><b>"], engine: "v8" });
  });

  it("pinned: Logstash's JRuby refuses \\P{…} (it misreads the name), Sluice runs it as Ruby defines it", async () => {
    // A JRuby defect: \p{^…}, the same class, works in both, and Sluice keeps \P{…}'s documented meaning.
    const { ruby, sluice } = await pinned({ pattern: "\\P{L}", replacement: "_", inputs: ["a1"] });
    expect(ruby).toMatchObject({ error: expect.stringMatching(/^offset/) });
    expect(await rubyGsub(oracle, { pattern: "\\p{^L}", replacement: "_", inputs: ["a1"] })).toEqual({
      results: ["a_"],
    });
    expect(sluice).toEqual({ results: ["a_"], engine: "v8" });
  });

  it("pinned: joni misses \\z after an optional part when the value ends in a multi-byte character, Sluice does not", async () => {
    // A joni defect: x?\z and x\z|\z match at the end of any value, as \z alone does in joni too.
    for (const pattern of ["x?\\z", "x\\z|\\z"]) {
      const { ruby, sluice } = await pinned({ pattern, replacement: ">", inputs: ["aé", "ab"] });
      expect(ruby).toEqual({ results: ["aé", "ab>"] });
      expect(sluice).toEqual({ results: ["aé>", "ab>"], engine: "v8" });
    }
  });

  it("pinned: in a repeating pattern (RE2) ^ matches after a final \\n, where Ruby's does not", async () => {
    // RE2's multi-line ^ does, and it has no lookahead to say "not at the end"; the safety limit puts it there.
    const { ruby, sluice } = await pinned({ pattern: "^x*", replacement: "<>", inputs: ["a\n"] });
    expect(ruby).toEqual({ results: ["<>a\n"] });
    expect(sluice).toEqual({ results: ["<>a\n<>"], engine: "re2" });
  });
});
