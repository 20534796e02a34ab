import { SluiceConfigError } from "@sluice/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rubyPattern } from "../../src/logstash/mutate/ruby-pattern.js";
import { escapeRegex } from "../../src/logstash/mutate/ruby-regex.js";
import { type MutateOptions, mutate } from "../../src/logstash/mutate.js";
import { runOne } from "../run.js";

type Doc = Record<string, unknown>;

async function value(options: MutateOptions, doc: Doc): Promise<Doc> {
  const e = await runOne(mutate(options), doc);
  expect(e.ok).toBe(true);
  return e.value;
}

/** Each run of consecutive needles, scanned left to right, becomes `<R>`: what `(?:needle)+` does. */
function runsReplaced(text: string, needle: string): string {
  let out = "";
  for (let i = 0; i < text.length; ) {
    if (!text.startsWith(needle, i)) {
      out += text[i++];
      continue;
    }
    while (text.startsWith(needle, i)) i += needle.length;
    out += "<R>";
  }
  return out;
}

/** Runs one record through the stage and returns the output and how long the thread was held. */
async function timed(options: MutateOptions, doc: Doc): Promise<{ out: Doc; ms: number }> {
  const stage = mutate(options);
  const start = performance.now();
  const e = await runOne(stage, doc);
  return { out: e.value, ms: performance.now() - start };
}

// Backtracking needs about 2^n steps on these values: 2^29 already takes V8 seconds to minutes, and
// 2^10000 would never end. A linear engine does either in a few milliseconds; the bound leaves room
// for a loaded machine.
const BOUND_MS = 2000;

describe("mutate gsub: no record can hold the thread (ReDoS)", () => {
  it("^(\\w+\\s?)*$ on a 29-character and a 10 000-character value finishes within the bound", async () => {
    const options: MutateOptions = { gsub: [["m", "^(\\w+\\s?)*$", "whole"]] };
    for (const length of [29, 10_000]) {
      const hostile = `${"a".repeat(length)}!`;
      const { out, ms } = await timed(options, { m: hostile });
      expect(out.m).toBe(hostile);
      expect(ms).toBeLessThan(BOUND_MS);
    }
    expect((await value(options, { m: "two words" })).m).toBe("whole");
  }, 120_000);

  it("(a|%{[f]})*$ with the record's own f = a finishes within the bound", async () => {
    const options: MutateOptions = { gsub: [["m", "(a|%{[f]})*$", "<\\0>"]] };
    for (const length of [29, 10_000]) {
      const hostile = `${"a".repeat(length)}!`;
      const { out, ms } = await timed(options, { m: hostile, f: "a" });
      // Ruby's gsub: the empty match at the end only (each run of a's is cut by the `!`).
      expect(out.m).toBe(`${hostile}<>`);
      expect(ms).toBeLessThan(BOUND_MS);
    }
    expect((await value(options, { m: "xaa", f: "a" })).m).toBe("x<aa><>");
  }, 120_000);

  it("caps what a record's own values add to a pattern, so they cannot make its search quadratic", async () => {
    const options: MutateOptions = { gsub: [["m", "(a|%{[f]})*$", "x"]], on_failure: "deadLetter" };
    const long = "a".repeat(257);
    const refused = await runOne(mutate(options), { m: "aaa", f: long });
    expect(refused.failure).toMatchObject({
      type: "gsub_error",
      reason: "gsub[0]: the event's values add 257 characters to the pattern, over 256",
    });
    const tagged = await runOne(mutate({ gsub: [["m", "%{[f]}%{[g]}", "x"]] }), {
      m: "a-b",
      f: "-".repeat(200),
      g: "a".repeat(57),
    });
    expect(tagged.value.tags).toEqual(["_mutate_error"]);
    // Escapes do not count: 256 dots are 256 characters of the value.
    const dots = await value(
      { gsub: [["m", "%{[f]}", "x"]] },
      { m: `a${".".repeat(256)}b`, f: ".".repeat(256) },
    );
    expect(dots.m).toBe("axb");
    const within = await value(
      { gsub: [["m", "(%{[f]})+", "x"]] },
      { m: `${"ab".repeat(64)}c`, f: "ab".repeat(64) },
    );
    expect(within.m).toBe("xc");
  });

  it("runs a pattern on V8 only when it cannot repeat (few ways per position), else on RE2", () => {
    const engines = Object.fromEntries(
      [
        "@timestamp",
        "\\.",
        "(a|b)(c|d)x?",
        "\\Ax\\z",
        "a{2,3}",
        "\\d+",
        "a*",
        "x{2,}",
        "(a|b|c|d){4}",
        "a{0,300}",
      ].map((p) => [p, rubyPattern(p).engine]),
    );
    expect(engines).toEqual({
      "@timestamp": "v8",
      "\\.": "v8",
      "(a|b)(c|d)x?": "v8",
      "\\Ax\\z": "v8",
      "a{2,3}": "v8",
      "\\d+": "re2",
      "a*": "re2",
      "x{2,}": "re2",
      "(a|b|c|d){4}": "v8",
      "a{0,300}": "re2",
    });
  });

  it("refuses a repeating pattern that needs backtracking, naming the option and the reason", () => {
    const refused: Array<[string, RegExp]> = [
      ["(\\w+) \\1", /backreference \\1 needs backtracking/],
      ["(?<w>\\w+) \\k<w>", /backreference \\k needs backtracking/],
      ["(?=a)\\w+", /lookahead \(\?= needs backtracking/],
      ["\\s+\\Z", /\\Z needs lookahead/],
    ];
    for (const [pattern, reason] of refused) {
      const build = () =>
        mutate({
          gsub: [
            ["ok", "a", "b"],
            ["m", pattern, "x"],
          ],
        });
      expect(build).toThrow(SluiceConfigError);
      expect(build).toThrow(/mutate: option `gsub\[1\]` has an invalid regex/);
      expect(build).toThrow(reason);
    }
  });

  it("keeps backtracking-only features where the pattern cannot repeat, and lookbehind everywhere", async () => {
    const out = await value(
      {
        gsub: [
          ["backref", "(a)\\1", "X"],
          ["ahead", "a(?=b)", "X"],
          ["endz", "x\\Z", "X"],
          ["behind", "(?<=\\d)[a-z]+", "#"],
          ["notbehind", "(?<!x)y+", "#"],
        ],
      },
      { backref: "aab", ahead: "ab ac", endz: "ax\n", behind: "1abc x", notbehind: "xyy yy" },
    );
    expect(out).toEqual({ backref: "Xb", ahead: "Xb ac", endz: "aX\n", behind: "1# x", notbehind: "xy# #" });
  });

  it("Ruby syntax keeps its meaning on the linear-time engine", async () => {
    const out = await value(
      {
        gsub: [
          ["named", "(?<user>\\w+)@(\\w+)", "\\k<user> at \\2"],
          ["anchors", "\\A\\w+|\\w+\\z", "_"],
          ["hex", "\\h+", "#"],
          ["space", "\\s+", "_"],
          ["unicode", "[[:alpha:]]+\\u00e9?", "W"],
          ["control", "\\cA+\\e*", "C"],
          ["icase", "(?i)ab+", "x"],
          ["lines", "^\\w+$", "L"],
          ["emoji", ".+", "."],
        ],
      },
      {
        named: "joe@example",
        anchors: "one two\nthree",
        hex: "ix=beef;",
        space: "a \u000b\tb\u00a0c",
        unicode: "héllo wörld",
        control: "\u0001\u0001\u001b",
        icase: "ABbB",
        lines: "ab\ncd",
        emoji: "😀x",
      },
    );
    expect(out).toEqual({
      // Beside a named group Ruby's plain groups do not capture: \2 is empty.
      named: "joe at ",
      anchors: "_ two\n_",
      hex: "ix=#;",
      // Ruby's \s is ASCII, with \v: the no-break space stays.
      space: "a_b\u00a0c",
      unicode: "W W",
      control: "C",
      icase: "x",
      lines: "L\nL",
      emoji: ".",
    });
  });
});

describe("mutate gsub: field values interpolated into a pattern match literally", () => {
  it("escapeRegex escapes - and every other ASCII punctuation character", () => {
    expect(escapeRegex("a-b")).toBe("a\\-b");
    for (const c of "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") expect(escapeRegex(c)).toBe(`\\${c}`);
    expect(escapeRegex("az09 é\n")).toBe("az09 é\n");
  });

  it("a value in a character class is a set of characters, - and ^ included", async () => {
    const out = await value({ gsub: [["m", "[%{[f]}]", "_"]] }, { m: "a-z^b", f: "a-z^" });
    expect(out.m).toBe("____b");
  });

  it("any string interpolated matches itself literally, on either engine (property)", async () => {
    const literal = mutate({ gsub: [["m", "%{[f]}", "<R>"]] });
    const repeated = mutate({ gsub: [["m", "(?:%{[f]})+", "<R>"]] });
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: "binary", minLength: 1, maxLength: 8 }),
        fc.array(fc.string({ unit: "binary", maxLength: 6 }), { minLength: 2, maxLength: 4 }),
        async (needle, pieces) => {
          const text = pieces.join(needle);
          const plain = await runOne(literal, { m: text, f: needle });
          expect(plain.value.m).toBe(text.split(needle).join("<R>"));
          const many = await runOne(repeated, { m: text + needle, f: needle });
          expect(many.value.m).toBe(runsReplaced(text + needle, needle));
        },
      ),
      { numRuns: 300 },
    );
  });
});
