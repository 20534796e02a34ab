// Every element of Logstash's config grammar parses into the model, with Logstash's own readings.
import { describe, expect, it } from "vitest";
import {
  LogstashConfigError,
  type LsBranch,
  type LsCondition,
  type LsPlugin,
  parseLogstashConfig,
  pluginOptions,
} from "../../src/index.ts";
import { attributes, names, plain } from "./values.ts";

/** The attributes of the only plugin of `filter { x { <body> } }`. */
function attrs(body: string, supportEscapes = false) {
  const parsed = parseLogstashConfig(`filter {\n  x {\n    ${body}\n  }\n}\n`, {
    file: "t.conf",
    supportEscapes,
  });
  return attributes(parsed.sections[0]!.body[0]!);
}

/** The condition of `filter { if <condition> { } }`. */
function condition(text: string): LsCondition {
  const parsed = parseLogstashConfig(`filter { if ${text} { } }`, { file: "c.conf" });
  return (parsed.sections[0]!.body[0] as LsBranch).clauses[0]!.condition;
}

/** A condition as a compact string: fields as written, operators in prefix form. */
function shape(c: LsCondition): string {
  switch (c.kind) {
    case "boolean":
      return `(${c.operator} ${shape(c.left)} ${shape(c.right)})`;
    case "not":
      return `(! ${shape(c.operand)})`;
    case "truthy":
      return c.field.raw;
    case "compare":
      return `(${c.operator} ${c.left.kind === "field" ? c.left.raw : JSON.stringify(c.left.value)} ${c.right.kind === "field" ? c.right.raw : JSON.stringify(c.right.value)})`;
    case "in":
      return `(${c.negated ? "not in" : "in"} ${c.item.kind} ${c.list.kind})`;
    case "regex":
      return `(${c.operator} ${c.field.raw} ${c.pattern.kind === "regexp" ? `/${c.pattern.pattern}/` : JSON.stringify(c.pattern.value)})`;
  }
}

function refusal(text: string, file = "t.conf"): LogstashConfigError {
  try {
    parseLogstashConfig(text, { file });
  } catch (error) {
    expect(error).toBeInstanceOf(LogstashConfigError);
    expect((error as LogstashConfigError).code).toBe("SLUICE_ERR_CONFIG");
    return error as LogstashConfigError;
  }
  throw new Error("the text parsed");
}

describe("sections", () => {
  it("reads input, filter and output sections in order, repeated or absent", () => {
    const parsed = parseLogstashConfig("output { a {} }\ninput { b {} } filter {} input{c{}}", {
      file: "s.conf",
    });
    expect(parsed.sections.map((section) => [section.kind, names(section.body)])).toEqual([
      ["output", ["a"]],
      ["input", ["b"]],
      ["filter", []],
      ["input", ["c"]],
    ]);
    expect(parsed.sections[3]!.position).toEqual({ file: "s.conf", line: 2, column: 26 });
  });

  it("reads an empty text and a text of comments alone", () => {
    expect(parseLogstashConfig("").sections).toEqual([]);
    expect(parseLogstashConfig("  # only a comment, no newline at the end").sections).toEqual([]);
  });
});

describe("strings", () => {
  it("keeps backslashes as written by default (config.support_escapes false)", () => {
    expect(attrs(String.raw`a => "x\"y\tz\\w\q" b => 'it\'s' c => "it's" d => '"q"'`)).toEqual({
      a: String.raw`x\"y\tz\\w\q`,
      b: String.raw`it\'s`,
      c: "it's",
      d: '"q"',
    });
  });

  it("processes escapes with config.support_escapes", () => {
    expect(attrs(String.raw`a => "x\"y\tz\\w\q\n\r\0" b => 'it\'s'`, true)).toEqual({
      a: 'x"y\tz\\w\\q\n\r\0',
      b: "it's",
    });
  });

  it("spans lines and keeps # inside quotes", () => {
    expect(attrs('a => "one\ntwo # not a comment"')).toEqual({ a: "one\ntwo # not a comment" });
  });

  it("keeps the raw text and the position of the opening quote", () => {
    const parsed = parseLogstashConfig("input { x { a => 'v' } }", { file: "q.conf" });
    const value = (parsed.sections[0]!.body[0] as LsPlugin).attributes[0]!.value;
    expect(value).toEqual({
      kind: "string",
      value: "v",
      raw: "'v'",
      position: { file: "q.conf", line: 1, column: 18 },
    });
  });
});

describe("numbers and barewords", () => {
  it("reads integers, negatives, floats and Ruby's octal", () => {
    expect(attrs("a => 1 b => -2 c => 3.25 d => 010 e => -0 f => 2.0")).toEqual({
      a: 1,
      b: -2,
      c: 3.25,
      d: 8,
      e: 0,
      f: 2,
    });
  });

  it("refuses what Ruby's Integer() and Float() refuse", () => {
    expect(refusal("input {\n  x {\n    a => 08\n  }\n}").message).toBe(
      't.conf:3:10: invalid value for Integer(): "08"',
    );
    expect(refusal("input { x { a => 1. } }").message).toBe('t.conf:1:18: invalid value for Float(): "1."');
  });

  it("reads words of two or more characters as barewords; one letter is not a value", () => {
    expect(attrs("a => true b => plain_2 c => _x")).toEqual({ a: "true", b: "plain_2", c: "_x" });
    // `b` is read as a plugin's name, then a `{` is missing.
    expect(refusal("input { x { a => b } }").message).toBe(
      't.conf:1:20: Expected one of [ \\t\\r\\n], "#", "{" but found "}" after input { x { a => b',
    );
  });
});

describe("arrays and hashes", () => {
  it("reads arrays: empty, nested, mixed, across lines with comments", () => {
    expect(
      attrs('a => [] b => [1, "two", three, [4], {"k" => "v"}] c => [\n  "x", # first\n  "y"\n]'),
    ).toEqual({
      a: [],
      b: [1, "two", "three", [4], { k: "v" }],
      c: ["x", "y"],
    });
  });

  it("refuses a trailing comma in an array", () => {
    expect(refusal('input { x { a => ["x",] } }').message).toMatch(/^t\.conf:1:23: Expected one of /);
  });

  it("reads hashes separated by whitespace, on one line or several, with comments between entries", () => {
    expect(
      attrs(
        'a => { "one" => 1 "two" => "2" } b => {} c => {\n  # first\n  key => [1]\n  # between\n  3 => { "n" => "m" }\n}',
      ),
    ).toEqual({ a: { one: 1, two: "2" }, b: {}, c: { key: [1], 3: { n: "m" } } });
  });

  it("refuses commas between hash entries, as Logstash does, and says why", () => {
    const error = refusal('input {\n  x {\n    add_field => { "a" => "b", "c" => "d" }\n  }\n}');
    expect(error.position).toEqual({ file: "t.conf", line: 3, column: 30 });
    expect(error.message).toMatch(/^t\.conf:3:30: Expected one of .*"\}".* but found ","/);
    expect(error.message).toContain("(a Logstash hash takes no commas between its entries)");
    expect(error.expected).toContain('"}"');
  });

  it("refuses duplicate keys in one hash, comparing keys as written", () => {
    expect(refusal('filter {\n  x { a => { "k" => 1 "k" => 2 } }\n}').message).toBe(
      't.conf:2:12: Duplicate keys found in your configuration: ["k"]',
    );
    expect(attrs('a => { "kk" => 1 kk => 2 }')).toEqual({ a: { kk: 2 } });
  });
});

describe("plugins", () => {
  it("reads a plugin as an attribute's value as a codec", () => {
    const parsed = parseLogstashConfig('input { kafka { codec => json { charset => "UTF-8" } } }');
    expect(attributes(parsed.sections[0]!.body[0]!)).toEqual({
      codec: { "codec json": { charset: "UTF-8" } },
    });
  });

  it("keeps a quoted plugin name's quotes (Logstash finds no plugin by it) and strips an attribute's", () => {
    const parsed = parseLogstashConfig(`output { "stdout" { 'codec' => rubydebug "x-y" => 1 } }`);
    const plugin = parsed.sections[0]!.body[0] as LsPlugin;
    expect(plugin.name).toBe('"stdout"');
    expect(plugin.attributes.map((attribute) => attribute.name)).toEqual(["codec", "x-y"]);
  });

  it("keeps repeated attributes in order", () => {
    const parsed = parseLogstashConfig('filter { mutate { add_tag => "a" add_tag => ["b"] } }');
    expect((parsed.sections[0]!.body[0] as LsPlugin).attributes.map((a) => a.name)).toEqual([
      "add_tag",
      "add_tag",
    ]);
  });

  it("needs whitespace between attributes", () => {
    expect(refusal('input { x { a => "1"b => 2 } }').message).toMatch(/^t\.conf:1:21: Expected one of /);
  });
});

describe("conditionals", () => {
  it("reads if / else if / else, nested, with positions", () => {
    const text = [
      "output {",
      '  if [a] == "x" {',
      "    one {}",
      "  } else if [b][c] != 2 {",
      "    if [d] { two {} }",
      "  } else {",
      "    three {}",
      "  }",
      "  four {}",
      "}",
    ].join("\n");
    const body = parseLogstashConfig(text, { file: "o.conf" }).sections[0]!.body;
    expect(names(body)).toEqual(["if", "four"]);
    const branch = body[0] as LsBranch;
    expect(
      branch.clauses.map((clause) => [clause.kind, shape(clause.condition), clause.position.line]),
    ).toEqual([
      ["if", '(== [a] "x")', 2],
      ["else if", "(!= [b][c] 2)", 4],
    ]);
    expect(branch.clauses[1]!.position).toEqual({ file: "o.conf", line: 4, column: 5 });
    expect(names(branch.otherwise!.body)).toEqual(["three"]);
    expect(branch.otherwise!.position).toEqual({ file: "o.conf", line: 6, column: 5 });
    const nested = branch.clauses[1]!.body[0] as LsBranch;
    expect(shape(nested.clauses[0]!.condition)).toBe("[d]");
    expect(names(nested.clauses[0]!.body)).toEqual(["two"]);
  });

  it("reads every comparison operator", () => {
    for (const op of ["==", "!=", "<", ">", "<=", ">="]) {
      expect(shape(condition(`[a]${op}1`))).toBe(`(${op} [a] 1)`);
    }
    expect(shape(condition('"x" == [a]'))).toBe('(== "x" [a])');
  });

  it("reads field references of several parts", () => {
    const c = condition("[kafka][topic name] == 'x'");
    expect(c).toMatchObject({
      left: { kind: "field", raw: "[kafka][topic name]", path: ["kafka", "topic name"] },
    });
  });

  it("reads =~ and !~ with regexps and strings", () => {
    expect(shape(condition("[a] =~ /^x\\/y$/"))).toBe("(=~ [a] /^x\\/y$/)");
    expect(shape(condition('[a] !~ "^x"'))).toBe('(!~ [a] "^x")');
  });

  it("reads in and not in, with arrays, fields and strings", () => {
    expect(shape(condition('[a] in ["x", "y"]'))).toBe("(in field array)");
    expect(shape(condition('[a] not  in ["x", "y"]'))).toBe("(not in field array)");
    expect(shape(condition('"err" in [message]'))).toBe("(in string field)");
    expect(shape(condition('[a] in "text"'))).toBe("(in field string)");
  });

  it('reads ["x"], one plain item, as Logstash does: a field reference', () => {
    expect(condition('[a] in ["x"]')).toMatchObject({ list: { kind: "field", path: ['"x"'] } });
  });

  it("reads !, parentheses and every boolean operator", () => {
    expect(shape(condition("![a]"))).toBe("(! [a])");
    expect(shape(condition('!([a] == "x")'))).toBe('(! (== [a] "x"))');
    for (const op of ["and", "or", "xor", "nand"])
      expect(shape(condition(`[a] ${op} [b]`))).toBe(`(${op} [a] [b])`);
    expect(shape(condition("([a] or [b]) and ![c]"))).toBe("(and (or [a] [b]) (! [c]))");
  });

  it("groups and/or chains as Logstash's compiler does, which is not the usual precedence", () => {
    expect(shape(condition("[a] or [b] and [c]"))).toBe("(or [a] (and [b] [c]))");
    expect(shape(condition("[a] and [b] or [c]"))).toBe("(or (and [a] [b]) [c])");
    expect(shape(condition("[a] or [b] and [c] and [d] or [e]"))).toBe(
      "(or [a] (and [b] (or (and [c] [d]) [e])))",
    );
  });

  it("refuses xor and nand in a chain, as Logstash's compiler does", () => {
    const error = refusal("filter {\n  if [a] and [b] xor [c] { }\n}");
    expect(error.message).toMatch(/^t\.conf:2:18: Logstash cannot compile `xor` in a chain/);
  });

  it("refuses what the grammar takes but Logstash cannot compile", () => {
    expect(refusal('filter { if "x" { } }').message).toBe(
      "t.conf:1:13: Logstash cannot use a bare string as a condition (only a field reference tests truthiness)",
    );
    expect(refusal("filter { if [a] == size([b]) { } }").message).toBe(
      "t.conf:1:20: Logstash does not implement method calls in conditions",
    );
    expect(refusal('filter { if "x" =~ /y/ { } }').message).toBe(
      "t.conf:1:13: Logstash matches `=~` only against a field reference",
    );
    expect(refusal("filter { if [a] == [1, 2] { } }").message).toMatch(
      /^t\.conf:1:13: Logstash compares only strings, numbers and field references, not an array/,
    );
  });

  it("takes a plugin named like a keyword when no condition follows", () => {
    expect(names(parseLogstashConfig("filter { if { } }").sections[0]!.body)).toEqual(["if"]);
    expect((parseLogstashConfig("filter { if { } }").sections[0]!.body[0] as LsPlugin).kind).toBe("plugin");
  });
});

describe("comments", () => {
  it("are allowed between any tokens and at the end without a newline", () => {
    const text =
      "# head\ninput # a\n{ # b\n  x # c\n  { # d\n    a # e\n    => # f\n    1 # g\n  } # h\n} # tail";
    expect(attributes(parseLogstashConfig(text).sections[0]!.body[0]!)).toEqual({ a: 1 });
  });
});

describe("syntax errors", () => {
  it("name file:line:column, what Logstash's grammar expected there, and what came before", () => {
    const missing = refusal("input {\n  stdin {}\n", "m.conf");
    expect(missing.position).toEqual({ file: "m.conf", line: 3, column: 1 });
    expect(missing.message).toBe(
      'm.conf:3:1: Expected one of [ \\t\\r\\n], "#", "if", [A-Za-z0-9_-], "\\"", "\'", "}" but found the end of the text after input { stdin {}',
    );
    const section = refusal("inputs {}", "s.conf");
    expect(section.message).toBe(
      's.conf:1:6: Expected one of [ \\t\\r\\n], "#", "{" but found "s" after input',
    );
    expect(section.expected).toEqual(["[ \\t\\r\\n]", '"#"', '"{"']);
  });

  it("point at the end for an unterminated string", () => {
    const error = refusal('filter {\n  x { a => "open\n  }\n}\n', "u.conf");
    expect(error.position).toEqual({ file: "u.conf", line: 5, column: 1 });
    expect(error.expected).toEqual(['"\\""']);
  });

  it("point where an operator Logstash does not know stops matching", () => {
    // `==` matches, then no value starts with the third `=`.
    const error = refusal('output {\n  if [a] === "x" { y {} }\n}', "o.conf");
    expect(error.position).toEqual({ file: "o.conf", line: 2, column: 12 });
  });
});

describe("pluginOptions", () => {
  const options = (body: string) => {
    const parsed = parseLogstashConfig(`filter {\n  x {\n    ${body}\n  }\n}\n`, { file: "p.conf" });
    const merged = pluginOptions(parsed.sections[0]!.body[0] as LsPlugin);
    return Object.fromEntries([...merged].map(([name, attribute]) => [name, plain(attribute.value)]));
  };

  it("merges a repeated name as Logstash's compiler does", () => {
    expect(options('add_field => { "a" => "1" } add_field => { "b" => "2" "a" => "3" }')).toEqual({
      add_field: { a: ["1", "3"], b: "2" },
    });
    expect(options('m => { "k" => ["x"] } m => { "k" => ["x", "y"] }')).toEqual({ m: { k: ["x", "y"] } });
    expect(options('add_tag => ["a"] add_tag => "b" add_tag => ["c", "a"]')).toEqual({
      add_tag: ["a", "b", "c", "a"],
    });
    expect(options('id => "a" id => "b"')).toEqual({ id: ["a", "b"] });
    expect(options('id => "aa" id => aa')).toEqual({ id: "aa" });
  });

  it("keeps the first attribute's position", () => {
    const parsed = parseLogstashConfig('filter { x { a => "1"\n a => "2" } }', { file: "p.conf" });
    expect(pluginOptions(parsed.sections[0]!.body[0] as LsPlugin).get("a")!.position).toEqual({
      file: "p.conf",
      line: 1,
      column: 14,
    });
  });

  it("refuses a hash repeated with a value that is not a hash, where Logstash fails", () => {
    const parsed = parseLogstashConfig('filter {\n  x {\n    a => { "k" => 1 }\n    a => "v"\n  }\n}', {
      file: "p.conf",
    });
    expect(() => pluginOptions(parsed.sections[0]!.body[0] as LsPlugin)).toThrow(
      "p.conf:4:5: Logstash cannot merge `a`: it was a hash first, and this value is not one",
    );
  });
});
