// fast-check arbitraries for VRL programs within the subset Sluice's remap compiles, printed as VRL source,
// and for the events they run on (including the shapes Fluent Bit's records take).
import fc from "fast-check";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One generated case: a program and the events it runs on, as the oracle protocol sends them. */
export interface ProgramCase {
  readonly program: string;
  readonly events: Json[];
}

// ---- literals ----

/** A VRL string literal holding exactly `text`. */
export function stringLiteral(text: string): string {
  let out = '"';
  for (const c of text) {
    if (c === '"' || c === "\\") out += `\\${c}`;
    else if (c === "\n") out += "\\n";
    else if (c === "\t") out += "\\t";
    else if (c === "\r") out += "\\r";
    else if (c === "\0") out += "\\0";
    else out += c;
  }
  return `${out}"`;
}

// Characters that exercise escapes, non-ASCII case mapping and multi-byte text.
const TEXT_CHARS = [
  "a",
  "B",
  "z",
  " ",
  "-",
  ":",
  '"',
  "\\",
  "\n",
  "\t",
  "é",
  "ß",
  "Σ",
  "İ",
  "日",
  "😀",
  "0",
  "9",
];

export const text = (maxLength = 8): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...TEXT_CHARS), { maxLength }).map((chars) => chars.join(""));

const int = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -20, max: 20 }) },
  // Bounded so that text repeated by an integer (`"ab" * n`) stays small on both sides.
  { weight: 1, arbitrary: fc.integer({ min: -100_000, max: 100_000 }) },
);

/** A float that is not whole: JSON and JavaScript would read a whole one as an integer. */
const fraction = fc
  .tuple(fc.integer({ min: -4000, max: 4000 }), fc.constantFrom(2, 4, 8, 10, 100))
  .map(([n, d]) => n / d)
  .filter((x) => !Number.isInteger(x));

/** A float literal: digits, a point, digits. */
const floatLiteral = fraction.map((x) => String(x));

const TIMESTAMPS = [
  "2024-11-25T00:00:00Z",
  "2024-11-25T00:00:00.5Z",
  "2021-02-10T23:32:00.123456Z",
  "2021-02-10T23:32:00.123456789+02:00",
  "1970-01-01T00:00:00Z",
  "1969-12-31T23:59:59.999Z",
  "2262-04-11T23:47:16Z",
];

const scalarLiteral: fc.Arbitrary<string> = fc.oneof(
  int.map(String),
  floatLiteral,
  text().map(stringLiteral),
  text(4).map((t) => `s'${t.replaceAll("\\", "")}'`),
  fc.constantFrom("true", "false", "null"),
  fc.constantFrom(...TIMESTAMPS).map((t) => `t'${t}'`),
);

// ---- paths ----

const FIELDS = ["a", "b", "s", "n", "f", "log", "message", "@timestamp", "obj", "arr", "x_1", "kubernetes"];
const QUOTED = ["with space", "dotted.key", "é", "a-b", "1st"];

type Segment = { field: string } | { index: number };

const segment: fc.Arbitrary<Segment> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FIELDS).map((field) => ({ field })) },
  { weight: 1, arbitrary: fc.constantFrom(...QUOTED).map((field) => ({ field })) },
  { weight: 2, arbitrary: fc.constantFrom(0, 1, -1, 3).map((index) => ({ index })) },
);

function printSegments(segments: readonly Segment[]): string {
  let out = "";
  for (const s of segments) {
    if ("index" in s) out += `[${s.index}]`;
    else out += /^[A-Za-z@][A-Za-z0-9_@]*$/.test(s.field) ? `.${s.field}` : `.${stringLiteral(s.field)}`;
  }
  return out;
}

/** An event path: `.`, `.a.b[0]`, `."with space"`, `.@timestamp`. */
export const eventPath: fc.Arbitrary<string> = fc.array(segment, { maxLength: 3 }).map((segments) => {
  const printed = printSegments(segments);
  if (printed === "") return ".";
  return printed.startsWith(".") ? printed : `.${printed}`;
});

/** A path that names a field (never the root), for assignments and del(). */
export const fieldPath: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...FIELDS, ...QUOTED), fc.array(segment, { maxLength: 2 }))
  .map(([first, rest]) => printSegments([{ field: first }, ...rest]));

export const VARIABLES = ["x", "y"] as const;
const variablePath = fc
  .tuple(fc.constantFrom(...VARIABLES), fc.array(segment, { maxLength: 1 }))
  .map(([name, rest]) => name + printSegments(rest));

// ---- expressions ----

const TIME_FORMATS = [
  "%+",
  "%Y-%m-%d %H:%M:%S",
  "%s",
  "%d/%b/%Y:%H:%M:%S %z",
  "%Y-%m-%dT%H:%M:%S%.fZ",
  "%F %T%.3f",
  "%v",
];
const TIME_TEXTS = [
  "2024-11-25T00:00:00.5Z",
  "2024-11-25 10:20:30",
  "1732492800",
  "25/Nov/2024:10:20:30 +0100",
  "2024-11-25T10:20:30.123456Z",
  "2024-13-01 00:00:00",
  "not a time",
];
const UNITS = ["seconds", "milliseconds", "microseconds", "nanoseconds"];
const TYPE_CHECKS = [
  "is_string",
  "is_object",
  "is_null",
  "is_array",
  "is_boolean",
  "is_integer",
  "is_float",
  "is_timestamp",
];
// `*` is generated apart, by a small integer: text times text times … would grow without bound.
const BINARY = ["+", "-", "/", "<", "<=", ">", ">=", "==", "!=", "&&", "||"];

/** A fallible call, handled one of the ways VRL allows — or, now and then, not handled at all. */
function handled(name: string, args: string, fallback: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(`${name}!(${args})`) },
    { weight: 3, arbitrary: fallback.map((f) => `(${name}(${args}) ?? ${f})`) },
    { weight: 1, arbitrary: fc.constant(`${name}(${args})`) },
  );
}

/** Expressions of every kind the subset has; `variables` when x and y are defined. */
export function expression(variables: boolean): fc.Arbitrary<string> {
  return fc.letrec<{ any: string; str: string; ts: string; obj: string; call: string }>((tie) => {
    const any = tie("any");
    const str = tie("str");
    const ts = tie("ts");
    const obj = tie("obj");
    const leaf = fc.oneof(
      { weight: 3, arbitrary: scalarLiteral },
      { weight: 3, arbitrary: eventPath },
      ...(variables ? [{ weight: 2, arbitrary: variablePath }] : []),
    );
    return {
      any: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        { weight: 5, arbitrary: leaf },
        {
          weight: 2,
          arbitrary: fc.tuple(any, fc.constantFrom(...BINARY), any).map(([l, op, r]) => `(${l} ${op} ${r})`),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(any, fc.integer({ min: -2, max: 4 }), fc.boolean())
            .map(([e, n, first]) => (first ? `(${n} * ${e})` : `(${e} * ${n})`)),
        },
        { weight: 1, arbitrary: any.map((e) => `!${e}`) },
        { weight: 1, arbitrary: fc.array(any, { maxLength: 3 }).map((items) => `[${items.join(", ")}]`) },
        { weight: 1, arbitrary: obj },
        { weight: 3, arbitrary: tie("call") },
        { weight: 1, arbitrary: fc.tuple(tie("call"), any).map(([l, r]) => `(${l} ?? ${r})`) },
        { weight: 1, arbitrary: str },
        { weight: 1, arbitrary: ts },
      ),
      str: fc.oneof(
        { depthSize: "small" },
        { weight: 3, arbitrary: text().map(stringLiteral) },
        { weight: 2, arbitrary: fc.constantFrom(".s", ".log", ".message", ".a") },
        { weight: 1, arbitrary: fc.tuple(str, str).map(([l, r]) => `(${l} + ${r})`) },
        { weight: 1, arbitrary: str.map((s) => `upcase(${s})`) },
        { weight: 1, arbitrary: str.map((s) => `downcase(${s})`) },
        { weight: 1, arbitrary: any.chain((v) => handled("to_string", v, fc.constant('"?"'))) },
        { weight: 1, arbitrary: any.chain((v) => handled("string", v, fc.constant('""'))) },
      ),
      ts: fc.oneof(
        { depthSize: "small" },
        { weight: 2, arbitrary: fc.constantFrom(...TIMESTAMPS).map((t) => `t'${t}'`) },
        {
          weight: 2,
          arbitrary: fc
            .tuple(fc.constantFrom(...TIME_TEXTS), fc.constantFrom(...TIME_FORMATS))
            .chain(([t, f]) =>
              handled(
                "parse_timestamp",
                `${stringLiteral(t)}, ${stringLiteral(f)}`,
                fc.constant("t'2000-01-01T00:00:00Z'"),
              ),
            ),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(str, fc.constantFrom(...TIME_FORMATS))
            .chain(([s, f]) =>
              handled(
                "parse_timestamp",
                `${s}, format: ${stringLiteral(f)}`,
                fc.constant("t'2000-01-01T00:00:00Z'"),
              ),
            ),
        },
      ),
      obj: fc.oneof(
        { depthSize: "small" },
        {
          weight: 3,
          // Keys unique: VRL checks a repeated key's earlier values in ways its types do not show.
          arbitrary: fc
            .uniqueArray(fc.tuple(fc.constantFrom(...FIELDS, ...QUOTED), any), {
              maxLength: 3,
              selector: ([k]) => k,
            })
            .map((entries) => `{${entries.map(([k, v]) => `${stringLiteral(k)}: ${v}`).join(", ")}}`),
        },
        { weight: 1, arbitrary: fc.constantFrom(".", ".obj", ".kubernetes") },
        {
          weight: 1,
          arbitrary: fc
            .tuple(obj, obj, fc.constantFrom("", ", true", ", deep: false", ", deep: true"))
            .map(([a, b, deep]) => `merge(${a}, ${b}${deep})`),
        },
      ),
      call: fc.oneof(
        { depthSize: "small" },
        {
          weight: 2,
          arbitrary: fc.tuple(fc.constantFrom(...TYPE_CHECKS), any).map(([f, v]) => `${f}(${v})`),
        },
        { weight: 2, arbitrary: str.chain((s) => handled("parse_json", s, fc.constant("null"))) },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom('"{\\"a\\":1}"', ".log", '"[1,2.5,\\"x\\"]"')
            .chain((s) => handled("parse_json", s, fc.constant("{}"))),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(
              ts,
              fc.constantFrom(...TIME_FORMATS),
              fc.constantFrom("", ', timezone: "UTC"', ', timezone: "Europe/Berlin"'),
            )
            .chain(([t, f, z]) =>
              handled("format_timestamp", `${t}, ${stringLiteral(f)}${z}`, fc.constant('""')),
            ),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(ts, fc.constantFrom("", ...UNITS.map((u) => `, unit: ${stringLiteral(u)}`)))
            .map(([t, u]) => `to_unix_timestamp(${t}${u})`),
        },
        { weight: 1, arbitrary: fieldPath.map((p) => `exists(${p})`) },
        { weight: 1, arbitrary: fieldPath.map((p) => `del(${p})`) },
      ),
    };
  }).any;
}

// ---- statements and programs ----

/** Assignments, del(), if/else, abort and bare expressions, as whole programs. */
export function program(): fc.Arbitrary<string> {
  const expr = expression(true);
  const target = fc.oneof(fieldPath, fc.constantFrom(...VARIABLES), variablePath);
  const fallible = fc.oneof(
    expr.map((e) => `parse_json(to_string(${e}) ?? "")`),
    fc.tuple(eventPath, expr).map(([p, e]) => `${p} + ${e}`),
    fc.constantFrom(
      "parse_json(.log)",
      "upcase(.s)",
      "to_string(.a)",
      'parse_timestamp(.message, "%+")',
      "string(.n)",
    ),
  );
  // Mostly conditions VRL's checker knows to be boolean: an `if` on anything else is refused.
  const condition = fc.oneof(
    { weight: 1, arbitrary: expr },
    { weight: 1, arbitrary: fieldPath.map((p) => `exists(${p})`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...TYPE_CHECKS), expr).map(([f, e]) => `${f}(${e})`) },
    { weight: 1, arbitrary: fc.tuple(expr, expr).map(([a, b]) => `${a} == ${b}`) },
    { weight: 1, arbitrary: fc.tuple(eventPath, int).map(([p, n]) => `(${p} > ${n}) ?? false`) },
  );
  const statement = fc.letrec<{ stmt: string; block: string }>((tie) => ({
    stmt: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      { weight: 6, arbitrary: fc.tuple(target, expr).map(([t, e]) => `${t} = ${e}`) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(target, fc.constantFrom("err", ".error"), fallible)
          .map(([t, e, v]) => `${t}, ${e} = ${v}`),
      },
      { weight: 1, arbitrary: fieldPath.map((p) => `del(${p})`) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(condition, tie("block"), fc.option(tie("block")))
          .map(([c, t, o]) => `if ${c} ${t}${o === null ? "" : ` else ${o}`}`),
      },
      { weight: 1, arbitrary: expr },
      { weight: 1, arbitrary: fc.constantFrom("abort", 'abort "stop"') },
      {
        weight: 1,
        arbitrary: fc.oneof(expr, fc.constantFrom("{}", ".obj", '{"a": 1}')).map((e) => `. = ${e}`),
      },
    ),
    block: fc.array(tie("stmt"), { minLength: 1, maxLength: 2 }).map((s) => `{\n${s.join("\n")}\n}`),
  })).stmt;
  // x and y are defined first, so later references to them compile.
  return fc
    .tuple(
      fc.constantFrom(".a", "1", '"y"', ".obj", "{}", "[1, 2]"),
      fc.array(statement, { minLength: 1, maxLength: 5 }),
    )
    .map(([init, body]) => [`x = ${init}`, "y = null", ...body].join("\n"));
}

// ---- events ----

const scalar: fc.Arbitrary<Json> = fc.oneof(int, fraction, text(), fc.boolean(), fc.constant(null));

const json: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 4, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(tie("value"), { maxLength: 3 }) },
    {
      weight: 1,
      arbitrary: fc.dictionary(fc.constantFrom(...FIELDS, ...QUOTED), tie("value"), { maxKeys: 3 }),
    },
  ),
})).value;

/** A record as Fluent Bit sends it: an epoch float `@timestamp`, a `log` line (often JSON), kubernetes metadata. */
export const fluentBitRecord: fc.Arbitrary<Json> = fc.record({
  "@timestamp": fc
    .integer({ min: 1_600_000_000, max: 1_800_000_000 })
    .chain((s) => fc.constantFrom(s + 0.5, s + 0.25, s + 0.125)),
  log: fc.oneof(
    fc.dictionary(fc.constantFrom(...FIELDS), json, { maxKeys: 3 }).map((o) => JSON.stringify(o)),
    json.map((v) => JSON.stringify(v)),
    text(),
    fc.constant("{not json"),
  ),
  stream: fc.constantFrom("stdout", "stderr"),
  kubernetes: fc.record({
    pod_name: text(4),
    labels: fc.dictionary(fc.constantFrom("app", "tier"), text(3), { maxKeys: 2 }),
  }),
});

/** An event: plain objects over the paths the programs use, or a Fluent Bit record. */
export const event: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: fc.dictionary(fc.constantFrom(...FIELDS, ...QUOTED), json, { maxKeys: 5 }) },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        s: text(),
        n: int,
        f: fraction,
        a: json,
        obj: fc.dictionary(fc.constantFrom("a", "b"), scalar),
        arr: fc.array(scalar, { maxLength: 3 }),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 2, arbitrary: fluentBitRecord },
);

export const events: fc.Arbitrary<Json[]> = fc.array(event, { minLength: 1, maxLength: 3 });

/** Cases whose program is one `.result = <expression>` (plus what its fallibility needs). */
export const expressionCase: fc.Arbitrary<ProgramCase> = fc
  .tuple(expression(false), fc.constantFrom("plain", "plain", "plain", "coalesce", "error"), events)
  .map(([e, how, evs]) => ({
    program:
      how === "plain"
        ? `.result = ${e}`
        : how === "coalesce"
          ? `.result = ${e} ?? "fallback"`
          : `.result, .error = ${e}`,
    events: evs,
  }));

export const programCase: fc.Arbitrary<ProgramCase> = fc
  .tuple(program(), events)
  .map(([p, evs]) => ({ program: p, events: evs }));

// ---- focused cases ----

/** Operands whose kind the checker knows exactly, or not at all (`.a`). */
const typedOperand = fc.oneof(
  int.map(String),
  floatLiteral,
  text(3).map(stringLiteral),
  fc.constantFrom(
    "true",
    "false",
    "null",
    ".a",
    ".s",
    "t'2024-11-25T00:00:00Z'",
    '{"k": 1}',
    "[1]",
    "x",
    "0",
    "0.0",
  ),
);

const FALLIBILITY_TEMPLATES: ReadonlyArray<(a: string, b: string) => string> = [
  (a) => `.result = upcase(${a})`,
  (a) => `.result = upcase!(${a})`,
  (a) => `.result = upcase(${a}) ?? "d"`,
  (a, b) => `.result = ${a} + ${b}`,
  (a, b) => `.result = (${a} + ${b}) ?? 0`,
  (a, b) => `.result = ${a} - ${b}`,
  (a, b) => `.result = ${a} * ${b}`,
  (a, b) => `.result = ${a} / ${b}`,
  (a, b) => `.result = (${a} / ${b}) ?? -1`,
  (a, b) => `.result = ${a} < ${b}`,
  (a, b) => `.result = ${a} >= ${b}`,
  (a, b) => `.result = ${a} == ${b}`,
  (a) => `.result = !${a}`,
  (a) => `.result = if ${a} { 1 } else { 2 }`,
  (a, b) => `.result = ${a} && ${b}`,
  (a, b) => `.result = ${a} || ${b}`,
  (a) => `.result = to_unix_timestamp(${a})`,
  (a) => `.result = format_timestamp!(${a}, "%F")`,
  (a, b) => `.result = merge(${a}, ${b})`,
  (a) => `.result = string(${a})`,
  (a) => `.result = string!(${a})`,
  (a) => `.result = to_string(${a})`,
  (a) => `.result = to_string!(${a})`,
  (a) => `.result = parse_json(${a})`,
  (a) => `.result = parse_json!(${a})`,
  (a) => `.result, .error = parse_json(${a})`,
  (a) => `.result, .error = upcase(${a})`,
  (a) => `.result, .error = ${a}`,
  (a) => `.result = ${a} ?? "unneeded"`,
  (a) => `.result = is_string(${a})`,
  (a) => `. = ${a}`,
  (a) => `.result = undefined_function(${a})`,
  (a) => `.result = upcase(value: ${a})`,
  (a) => `.result = upcase(${a}, ${a})`,
  (a) => `.result = to_unix_timestamp(${a}, unit: "days")`,
  (a) => `.result = del(${a})`,
  (a) => `.result = exists(${a})`,
];

/**
 * Programs at the edge of what compiles: handled and unhandled fallible calls, `!` on infallible ones,
 * unnecessary `??` and `, err =`, type errors, unknown functions and arguments.
 */
export const fallibilityCase: fc.Arbitrary<ProgramCase> = fc
  .tuple(
    fc.constantFrom(...FALLIBILITY_TEMPLATES),
    typedOperand,
    typedOperand,
    fc.constantFrom("", '.s = "known"\n', "x = .a\n", 'x = "s"\n'),
    events,
  )
  .map(([template, a, b, prelude, evs]) => ({
    // x is defined when a prelude defines it; otherwise its use is an undefined variable.
    program: `${prelude}${template(a, b)}`,
    events: evs,
  }));

const longText = fc
  .array(fc.constantFrom(...TEXT_CHARS, "A", "ǅ", "ﬁ", "ΐ", "ẞ", "ı"), { maxLength: 16 })
  .map((c) => c.join(""));

/** String functions and operators on text with escapes and characters whose case mapping is not 1:1. */
export const stringCase: fc.Arbitrary<ProgramCase> = fc
  .tuple(
    fc.oneof(
      longText.map(stringLiteral),
      fc.constantFrom("string!(.s)", "string!(.log)", '(string(.n) ?? "n")'),
    ),
    fc.oneof(longText.map(stringLiteral), fc.constantFrom("string!(.s)", "string!(.message)")),
    fc.constantFrom(
      (a: string) => `upcase(${a})`,
      (a: string) => `downcase(${a})`,
      (a: string, b: string) => `${a} + ${b}`,
      (a: string, b: string) => `${a} < ${b}`,
      (a: string, b: string) => `${a} >= ${b}`,
      (a: string, b: string) => `${a} == ${b}`,
      (a: string) => `[upcase(${a}), downcase(${a})]`,
      (a: string) => `{"up": upcase(${a})}`,
      (_a: string) => "to_string!(.f)",
      (_a: string) => "to_string!(.n)",
      (_a: string) => "to_string!(.a)",
      (_a: string) => 'string(.a) ?? "not a string"',
      (_a: string) => 'upcase(.s) ?? "not a string"',
    ),
    fc.array(
      fc.record({
        s: longText,
        message: longText,
        log: longText,
        n: int,
        f: fc.oneof(fraction, fc.constantFrom(1e-7, 1.5e21, 0.1, 123456789.125)),
        a: scalar,
      }),
      { minLength: 1, maxLength: 3 },
    ),
  )
  .map(([a, b, template, evs]) => ({ program: `.result = ${template(a, b)}`, events: evs }));

/** parse_json on Fluent Bit's `log` lines and generated JSON text; parse_timestamp, format_timestamp, to_unix_timestamp. */
export const timestampJsonCase: fc.Arbitrary<ProgramCase> = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(
        ".result = parse_json!(.log)",
        ".result = parse_json(.log) ?? .log",
        ". = parse_json!(string!(.log))",
        ".result, .error = parse_json(string!(.log), max_depth: 1)",
        ".result = parse_json!(string!(.log), max_depth: 2)",
        '.result = parse_json(.log, max_depth: 0) ?? "bad depth"',
        '.result = to_unix_timestamp(parse_timestamp!(to_string!(.@timestamp), "%s"))',
        '.result = format_timestamp!(parse_timestamp!(to_string!(.@timestamp), "%s%.f"), "%+")',
        ".result = .@timestamp * 1000",
      ),
      fc
        .tuple(
          fc.oneof(fc.constantFrom(...TIME_TEXTS), text(6)),
          fc.constantFrom(...TIME_FORMATS, "%Y", "%H:%M", "%Y-%m-%d %H:%M:%S %Z", "%Q"),
          fc.constantFrom(
            "",
            ', timezone: "UTC"',
            ', timezone: "America/New_York"',
            ', timezone: "Nowhere/City"',
          ),
        )
        .map(
          ([t, f, z]) => `.result, .error = parse_timestamp(${stringLiteral(t)}, ${stringLiteral(f)}${z})`,
        ),
      fc
        .tuple(
          fc.constantFrom(...TIMESTAMPS),
          fc.constantFrom(
            ...TIME_FORMATS,
            "%a %b %e %H:%M:%S %Y",
            "%j %U %W",
            "%3f|%6f|%9f",
            "%s%.3f",
            "%:z %Z",
            "%x %X",
            "%",
          ),
          fc.constantFrom("", ', timezone: "UTC"', ', timezone: "Asia/Kolkata"'),
        )
        .map(([t, f, z]) => `.result, .error = format_timestamp(t'${t}', ${stringLiteral(f)}${z})`),
      fc
        .tuple(fc.constantFrom(...TIMESTAMPS), fc.constantFrom(...UNITS))
        .map(([t, u]) => `.result = to_unix_timestamp(t'${t}', unit: "${u}")`),
      fc
        .tuple(
          fc.constantFrom(...TIMESTAMPS),
          fc.constantFrom(...TIMESTAMPS),
          fc.constantFrom("==", "!=", "<", ">="),
        )
        .map(([a, b, op]) => `.result = t'${a}' ${op} t'${b}'`),
      fc.constantFrom(...TIMESTAMPS).map((t) => `.result = t'${t}'\n.copy = [.result, {"at": .result}]`),
    ),
    fc.array(fluentBitRecord, { minLength: 1, maxLength: 3 }),
  )
  .map(([program, evs]) => ({ program, events: evs }));
