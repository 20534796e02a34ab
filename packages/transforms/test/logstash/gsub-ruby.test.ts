import { describe, expect, it } from "vitest";
import { type MutateOptions, mutate } from "../../src/logstash/mutate.js";
import { runOne } from "../run.js";

// Each case is one that the joni oracle (test/oracles/joni.test.ts) found Sluice getting wrong; the expected
// values are what JRuby's String#gsub gives, as Logstash runs it.

/** The field `m` after one gsub, or "tagged" when the event was tagged _mutate_error. */
async function gsub(pattern: string, replacement: string, m: string): Promise<unknown> {
  const options: MutateOptions = { gsub: [["m", pattern, replacement]] };
  const e = await runOne(mutate(options), { m });
  const doc = e.value as { m: unknown; tags?: string[] };
  return doc.tags?.includes("_mutate_error") ? "tagged" : doc.m;
}

describe("mutate gsub: patterns mean what they mean in Ruby", () => {
  it.each([
    ["\\p{Greek}+", "G", "αβγ abc", "G abc"],
    ["\\p{Alpha}\\p{^N}", "_", "a1bc", "a1_"],
    ["[[:^alpha:]]", "_", "x1y", "x_y"],
    ["(?m)a.b", "X", "a\nb", "X"],
    ["(?x) a \\  b # comment\n | c", "X", "a b\nc", "X\nX"],
    ["(?x)a? ?b", "_", "ab b", "_ _"],
  ])(
    "%j → %j on %j gives %j (properties, negated POSIX classes, leading (?m) and (?x))",
    async (p, r, m, out) => {
      expect(await gsub(p, r, m)).toBe(out);
    },
  );

  it.each([
    ["$", "!", "a\r\nb", "a\r!\nb!"],
    ["^", ">", "a\rb\u2028c\n", ">a\rb\u2028c\n"],
    [".", "_", "\r\u2028", "__"],
    ["\\s", "_", "a\u00a0b\u2028c d", "a\u00a0b\u2028c_d"],
  ])("%j → %j on %j gives %j (lines end at \\n only; \\s is ASCII)", async (p, r, m, out) => {
    expect(await gsub(p, r, m)).toBe(out);
  });

  it.each([
    ["\\b", "|", "café 日本", "|café| |日本|"],
    ["[[:graph:]]", "_", "é😀 \u0301", "__ _"],
    ["\\B", "|", "x😀", "x😀|"],
    ["\\z|x", ">", "a😀", "a😀>"],
    ["\\x4", "_", "\u0004", "_"],
  ])(
    "%j → %j on %j gives %j (Unicode words and graphs; no match inside a surrogate pair)",
    async (p, r, m, out) => {
      expect(await gsub(p, r, m)).toBe(out);
    },
  );

  it.each([
    ["a{2}?", "x", "aaa", "xxax"],
    ["a{2}+", "x", "aaaaa", "xa"],
    ["😀{2}?", "x", "😀a", "x😀xax"],
    ["(?<=a){2}b", "x", "ab", "ax"],
    ["\\Z?", ">", "ab", ">a>b>"],
    ["(?:^|\\S)?", "<\\0>", "ab", "<>a<b><>"],
  ])("%j → %j on %j gives %j (counted, nested and optional quantifiers)", async (p, r, m, out) => {
    expect(await gsub(p, r, m)).toBe(out);
  });

  it("a numbered backreference beside a named group is refused, as Ruby refuses it", () => {
    expect(() => mutate({ gsub: [["m", "(?<x>a)\\1", "_"]] })).toThrow(/gsub\[0\].*use \\k<name>/);
  });
});

describe("mutate gsub: replacements expand as Ruby expands them", () => {
  it.each([
    ["b", "\\k<x>", "abc", "tagged"],
    ["b", "\\k<x", "abc", "tagged"],
    ["c", "\\k<x>", "abd", "abd"],
    ["(b)(?<x>c)", "[\\1\\k<x>]", "abc", "a[c]"],
  ])(
    "%j → %j on %j gives %j (an unknown \\k<name> raises at a match; numbered groups beside named ones are empty)",
    async (p, r, m, out) => {
      expect(await gsub(p, r, m)).toBe(out);
    },
  );
});
