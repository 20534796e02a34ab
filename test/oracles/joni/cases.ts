// Generated gsub cases for the joni oracle: Ruby patterns, Ruby replacement strings and the values they run on.
import fc from "fast-check";

/** One mutate gsub, and the values of the field it rewrites. */
export interface GsubCase {
  pattern: string;
  replacement: string;
  inputs: string[];
}

/** The seed's record: Fluent Bit JSON held as a string, whose `@timestamp` the seed's gsub renames. */
export const FLUENT_BIT_RECORD =
  '{"@timestamp":1732492800.5,"log":"GET /@timestamp 200 café 日本 😀","stream":"stdout","kubernetes":{"pod_name":"api-7d9f"}}';

// Characters that exercise Ruby's character semantics: ASCII, Latin with a precomposed and a combining
// accent, Greek, Han, an astral emoji, digits (ASCII and Arabic-Indic), punctuation, line ends.
const TEXT = [
  "a",
  "b",
  "c",
  "x",
  "A",
  "B",
  "Z",
  "é",
  "e\u0301",
  "ß",
  "\u00a0",
  "\u2028",
  "Ω",
  "λ",
  "日",
  "本",
  "😀",
  "𝒳",
  "0",
  "7",
  "٣",
  "_",
  "-",
  ".",
  "@",
  ":",
  ",",
  "{",
  "}",
  '"',
  "/",
  "\\",
  "$",
  " ",
  "\t",
  "\n",
  "\r\n",
];

/** Values: short strings over TEXT (multi-line text included), then the seed's record. */
export const inputs: fc.Arbitrary<string[]> = fc
  .array(
    fc.array(fc.constantFrom(...TEXT), { maxLength: 10 }).map((parts) => parts.join("")),
    {
      minLength: 1,
      maxLength: 3,
    },
  )
  .map((values) => [...values, FLUENT_BIT_RECORD]);

const LITERALS = [
  "a",
  "b",
  "c",
  "x",
  "A",
  "é",
  "ß",
  "Ω",
  "日",
  "😀",
  "0",
  "7",
  "_",
  "@",
  ":",
  ",",
  "-",
  " ",
  '"',
];
const ESCAPED = [
  "\\.",
  "\\-",
  "\\@",
  "\\/",
  "\\{",
  "\\}",
  "\\\\",
  "\\n",
  "\\t",
  "\\$",
  "\\(",
  "\\ ",
  '\\"',
  "\\u00e9",
  "\\x41",
  "\\u{1F600}",
];
const SHORTHANDS = ["\\d", "\\w", "\\s", "\\h", "\\D", "\\W", "\\S", "\\H", "."];
const PROPERTIES = [
  "\\p{L}",
  "\\p{Lu}",
  "\\p{Ll}",
  "\\p{N}",
  "\\p{M}",
  "\\p{Greek}",
  "\\p{Han}",
  "\\p{Alpha}",
  "\\P{L}",
  "\\p{^N}",
];
const POSIX = [
  "alpha",
  "digit",
  "space",
  "upper",
  "lower",
  "punct",
  "alnum",
  "word",
  "xdigit",
  "blank",
  "cntrl",
  "graph",
  "print",
];
const CLASS_ITEMS = [
  "a",
  "b",
  "x",
  "é",
  "Ω",
  "😀",
  "_",
  "@",
  "-",
  ".",
  " ",
  "a-c",
  "0-9",
  "A-Z",
  "\\d",
  "\\w",
  "\\s",
  "\\h",
  "\\p{L}",
  "\\-",
  "\\]",
  ...POSIX.map((name) => `[:${name}:]`),
  "[:^alpha:]",
];
const ANCHORS = ["^", "$", "\\A", "\\z", "\\Z", "\\b", "\\B"];
const NAMES = ["x", "y"];

const cls = fc
  .tuple(fc.boolean(), fc.array(fc.constantFrom(...CLASS_ITEMS), { minLength: 1, maxLength: 3 }))
  .map(([negated, items]) => `[${negated ? "^" : ""}${items.join("")}]`);

const quantifier = fc.oneof(
  { weight: 6, arbitrary: fc.constant("") },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.constantFrom("?", "*", "+", "{2}", "{1,2}", "{,2}", "{2,}"),
        // Possessive (`+`) is rare: Sluice refuses it (a pinned case), so it would crowd out the rest.
        fc.constantFrom("", "", "", "", "", "", "", "", "?", "?", "+"),
      )
      .map(([q, mode]) => q + mode),
  },
);

const { pattern: body } = fc.letrec<{ pattern: string; sequence: string; atom: string; group: string }>(
  (tie) => ({
    pattern: fc.array(tie("sequence"), { minLength: 1, maxLength: 2 }).map((branches) => branches.join("|")),
    sequence: fc.array(tie("atom"), { minLength: 1, maxLength: 3 }).map((atoms) => atoms.join("")),
    atom: fc.oneof(
      // Groups nest at most two deep: deeper ones add little and can make Ruby backtrack for seconds.
      { maxDepth: 2, depthIdentifier: "group", withCrossShrink: true },
      fc
        .tuple(
          fc.oneof(
            fc.constantFrom(...LITERALS),
            fc.constantFrom(...ESCAPED),
            fc.constantFrom(...SHORTHANDS),
            fc.constantFrom(...PROPERTIES),
            cls,
          ),
          quantifier,
        )
        .map(([a, q]) => a + q),
      fc.constantFrom(...ANCHORS),
      fc.tuple(tie("group"), quantifier).map(([g, q]) => g + q),
    ),
    group: fc.oneof(
      tie("pattern").map((p) => `(${p})`),
      // Atomic groups and scoped options, which Sluice refuses (pinned cases), one time in twenty.
      fc
        .tuple(fc.integer({ min: 0, max: 19 }), fc.constantFrom(">", "i:", "m:", "x:", "-i:"), tie("pattern"))
        .map(([n, kind, p]) => (n === 0 ? `(?${kind}${p})` : `(${p})`)),
      tie("pattern").map((p) => `(?:${p})`),
      fc.tuple(fc.constantFrom(...NAMES), tie("pattern")).map(([n, p]) => `(?<${n}>${p})`),
      tie("pattern").map((p) => `(?=${p})`),
      tie("pattern").map((p) => `(?!${p})`),
      fc.constantFrom(...LITERALS).map((l) => `(?<=${l})`),
      fc.constantFrom(...LITERALS).map((l) => `(?<!${l})`),
    ),
  }),
);

// A backreference to a group that always takes part before it (see the pinned case for one that may not).
const backreference = fc
  .tuple(fc.constantFrom(["(", "\\1"], ["(?<x>", "\\k<x>"]), body, fc.constantFrom("", "", "-", " ", "\\s"))
  .map(([[open, ref], group, between]) => `${open}${group})${between}${ref}`);

/** Ruby patterns over the syntax Logstash users write, some with a leading option group. */
export const patterns: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom("", "", "", "", "(?i)", "(?m)", "(?x)", "(?mi)"),
    fc.oneof({ weight: 5, arbitrary: body }, { weight: 1, arbitrary: backreference }),
  )
  .map(([options, p]) => options + p);

/** Ruby replacement strings: plain text (with $ and &), every backslash form, unknown and trailing escapes. */
export const replacements: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(
      fc.constantFrom(
        "x",
        "-",
        "<",
        ">",
        " ",
        "é",
        "😀",
        "$",
        "$1",
        "&",
        "$&",
        "\\0",
        "\\&",
        "\\1",
        "\\2",
        "\\9",
        "\\k<x>",
        "\\k<y>",
        "\\`",
        "\\'",
        "\\\\",
        "\\q",
        "\\n",
        "\\$",
      ),
      { maxLength: 5 },
    ),
    // One in ten ends with a lone backslash.
    fc.integer({ min: 0, max: 9 }),
  )
  .map(([parts, end]) => parts.join("") + (end === 0 ? "\\" : ""));

export const gsubCases: fc.Arbitrary<GsubCase> = fc.record({
  pattern: patterns,
  replacement: replacements,
  inputs,
});
