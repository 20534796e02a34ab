import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type MutateOptions, mutate } from "../../src/logstash/mutate.js";
import { runOne, runStage } from "../run.js";

type Doc = Record<string, unknown>;

async function run(options: MutateOptions, doc: Doc) {
  return runOne(mutate(options), doc);
}
async function value(options: MutateOptions, doc: Doc): Promise<Doc> {
  const e = await run(options, doc);
  expect(e.ok).toBe(true);
  return e.value;
}

describe("mutate: the documented examples", () => {
  it("coerce sets a default on a field that exists but is null (never on a missing one)", async () => {
    const out = await value(
      { coerce: { field1: "Hello", field2: "Bye", field3: 5, field4: false, missing: "x" } },
      { field1: null, field2: null, field3: null, field4: true },
    );
    expect(out).toEqual({ field1: "Hello", field2: "Bye", field3: "5", field4: true });
  });

  it("rename moves a field; a missing one does nothing; names may use %{} references", async () => {
    expect(await value({ rename: { HOSTORIP: "client_ip" } }, { HOSTORIP: "10.0.0.1" })).toEqual({
      client_ip: "10.0.0.1",
    });
    expect(await value({ rename: { nosuchfield: "hello" } }, { a: 1 })).toEqual({ a: 1 });
    expect(await value({ rename: { "field_%{x}": "destination" } }, { field_one: "v", x: "one" })).toEqual({
      x: "one",
      destination: "v",
    });
    expect(await value({ rename: { origin: "field_%{x}" } }, { origin: "v", x: "one" })).toEqual({
      x: "one",
      field_one: "v",
    });
    expect(await value({ rename: { "[a][b]": "[c][d]" } }, { a: { b: 1, k: 2 } })).toEqual({
      a: { k: 2 },
      c: { d: 1 },
    });
  });

  it("rename can nest a field under its own old name, and a dynamic remove_field removes what it names", async () => {
    expect(await value({ rename: { a: "[a][b]" } }, { a: 1 })).toEqual({ a: { b: 1 } });
    expect(await value({ remove_field: ["[%{which}][x]"] }, { which: "o", o: { x: 1, y: 2 } })).toEqual({
      which: "o",
      o: { y: 2 },
    });
  });

  it("update changes only existing fields; replace creates them; both take %{} references", async () => {
    const out = await value(
      {
        update: { nosuchfield: "weee", updateme: "updated" },
        replace: { replaceme: "hello world", newfield: "newnew", message: "%{source_host}: My new message" },
      },
      { updateme: ["who cares"], replaceme: ["who cares"], source_host: "h1", message: "old" },
    );
    expect(out).toEqual({
      updateme: "updated",
      replaceme: "hello world",
      newfield: "newnew",
      source_host: "h1",
      message: "h1: My new message",
    });
  });

  it("the Logstash spec's 'basics' block, given in Logstash's flat-array form", async () => {
    const out = await value(
      {
        lowercase: ["lowerme", "Lowerme", "lowerMe"],
        uppercase: ["upperme", "Upperme", "upperMe"],
        capitalize: ["capitalizeme", "Capitalizeme", "capitalizeMe"],
        convert: ["intme", "integer", "floatme", "float"],
        rename: ["rename1", "rename2"],
        replace: ["replaceme", "hello world", "newfield", "newnew"],
        update: ["nosuchfield", "weee", "updateme", "updated"],
      },
      {
        lowerme: "example",
        upperme: "EXAMPLE",
        capitalizeme: "Example",
        Lowerme: "ExAmPlE",
        Upperme: "ExAmPlE",
        Capitalizeme: "ExAmPlE",
        lowerMe: ["ExAmPlE", "example"],
        upperMe: ["ExAmPlE", "EXAMPLE"],
        capitalizeMe: ["ExAmPlE", "Example"],
        intme: ["1234", "7890.4", "7.9"],
        floatme: ["1234.455"],
        rename1: ["hello world"],
        updateme: ["who cares"],
        replaceme: ["who cares"],
      },
    );
    expect(out).toMatchObject({
      lowerme: "example",
      upperme: "EXAMPLE",
      capitalizeme: "Example",
      Lowerme: "example",
      Upperme: "EXAMPLE",
      Capitalizeme: "Example",
      lowerMe: ["example", "example"],
      upperMe: ["EXAMPLE", "EXAMPLE"],
      capitalizeMe: ["Example", "Example"],
      intme: [1234, 7890, 7],
      floatme: [1234.455],
      rename2: ["hello world"],
      newfield: "newnew",
      updateme: "updated",
      replaceme: "hello world",
    });
    expect(out).not.toHaveProperty("rename1");
    expect(out).not.toHaveProperty("nosuchfield");
  });

  it("changes case of multibyte strings fully, and only string elements of arrays", async () => {
    const out = await value(
      { lowercase: ["lowerme"], uppercase: ["upperme", "mixed"], capitalize: ["capitalizeme", "caps"] },
      {
        lowerme: ["АБВГД\0MMM", "こにちわ", "XyZółć", "NÎcË GÛŸ"],
        upperme: ["аБвгд\0mmm", "こにちわ", "xYzółć", "Nîcë gûÿ"],
        capitalizeme: ["АБВГД\0mmm", "こにちわ", "xyzółć", "nÎcË gÛŸ"],
        mixed: ["a", 2, "C"],
        caps: ["ab", 2, "CDE"],
      },
    );
    expect(out.lowerme).toEqual(["абвгд\0mmm", "こにちわ", "xyzółć", "nîcë gûÿ"]);
    expect(out.upperme).toEqual(["АБВГД\0MMM", "こにちわ", "XYZÓŁĆ", "NÎCË GÛŸ"]);
    expect(out.capitalizeme).toEqual(["Абвгд\0mmm", "こにちわ", "Xyzółć", "Nîcë gûÿ"]);
    expect(out.mixed).toEqual(["A", 2, "C"]);
    expect(out.caps).toEqual(["Ab", 2, "Cde"]);
  });

  it("case operations never create a missing field and leave non-strings alone", async () => {
    for (const op of ["lowercase", "uppercase", "capitalize"] as const) {
      expect(await value({ [op]: ["fake_field", "n"] }, { n: 5 })).toEqual({ n: 5 });
    }
  });

  it("strip removes leading and trailing ASCII whitespace only", async () => {
    const out = await value(
      { strip: ["path", "foo", "bar", "list", "nbsp"] },
      {
        path: " /store.php ",
        foo: "\t/bar.php \n",
        bar: " foo",
        list: [" a ", "b\r\n"],
        nbsp: "\u00a0x\u00a0",
      },
    );
    expect(out).toEqual({
      path: "/store.php",
      foo: "/bar.php",
      bar: "foo",
      list: ["a", "b"],
      nbsp: "\u00a0x\u00a0",
    });
  });

  it("split turns a string into an array (Ruby's split: trailing empties dropped); other types untouched", async () => {
    const split = { split: { field: "," } };
    expect((await value(split, { field: "foo,bar,baz" })).field).toEqual(["foo", "bar", "baz"]);
    expect((await value(split, { field: "foo" })).field).toEqual(["foo"]);
    expect((await value(split, { field: "foo," })).field).toEqual(["foo"]);
    expect((await value(split, { field: ",a,,b,," })).field).toEqual(["", "a", "", "b"]);
    expect((await value(split, { field: "" })).field).toEqual([]);
    expect((await value(split, { field: null })).field).toBeNull();
    expect((await value(split, { field: ["foo", "bar"] })).field).toEqual(["foo", "bar"]);
    expect((await value(split, { field: { foo: "bar,baz" } })).field).toEqual({ foo: "bar,baz" });
    // A single space splits on runs of whitespace, as Ruby's awk-style split.
    expect((await value({ split: { f: " " } }, { f: "  a \t b  c " })).f).toEqual(["a", "b", "c"]);
  });

  it("join joins an array (nested arrays flattened, null as empty) and does nothing on other fields", async () => {
    const out = await value(
      { join: { list: ",", nested: "-", text: "," } },
      { list: ["a", 1, true, null, 1.5], nested: ["a", ["b", ["c"]]], text: "x,y" },
    );
    expect(out).toEqual({ list: "a,1,true,,1.5", nested: "a-b-c", text: "x,y" });
  });

  it("copy deep-copies an existing field over the target; a missing or null source does nothing", async () => {
    const out = await value(
      { copy: { field: "target", list: "[nested][copy]", gone: "x", nil: "y" } },
      { field: { foo: "bar" }, list: ["a"], nil: null, target: "old" },
    );
    expect(out.target).toEqual({ foo: "bar" });
    expect(out.target).not.toBe(out.field);
    expect(out.nested).toEqual({ copy: ["a"] });
    expect(out).not.toHaveProperty("x");
    expect(out).not.toHaveProperty("y");
  });
});

describe("mutate: convert", () => {
  it("to integer: strings (commas as group separators, decimals truncated), booleans, floats", async () => {
    const out = await value(
      { convert: { a: "integer", b: "integer", c: "integer", d: "integer", e: "integer", f: "integer" } },
      {
        a: ["1,000", "1,234,567.8", "123.4"],
        b: [false, true, "0", "1", "2"],
        c: 7.9,
        d: " 42 ",
        e: "1.5e3",
        f: "-0x1A",
      },
    );
    expect(out).toEqual({ a: [1000, 1234567, 123], b: [0, 1, 0, 1, 2], c: 7, d: 42, e: 1500, f: -26 });
  });

  it('to integer reads a leading integer like Ruby\'s to_i ("12abc" is 12, "abc" 0)', async () => {
    const out = await value({ convert: { a: "integer" } }, { a: ["12abc", "abc", "", "-7.9"] });
    expect(out.a).toEqual([12, 0, 0, -7]);
  });

  it("to float: US strings, integers, booleans; nil stays nil", async () => {
    const out = await value(
      { convert: { a: "float", b: "float", c: "float", d: "float", e: "float", f: "float" } },
      { a: ["3141.5926", "3,141.5926", "3,141", "1,234,567.8"], b: 3, c: true, d: false, e: null, f: "1e3" },
    );
    expect(out).toEqual({ a: [3141.5926, 3141.5926, 3141, 1234567.8], b: 3, c: 1, d: 0, e: null, f: 1000 });
  });

  it("integer_eu and float_eu read '.' as the group separator and ',' as the decimal one", async () => {
    const out = await value(
      { convert: { i: "integer_eu", f: "float_eu", g: "float_eu" } },
      { i: ["1.000", "1.234.567,8", "123,4"], f: ["1.000", "1.234.567,8", "123,4", "3141,5926"], g: "3.141" },
    );
    expect(out).toEqual({ i: [1000, 1234567, 123], f: [1000, 1234567.8, 123.4, 3141.5926], g: 3141 });
  });

  it("to string prints numbers and booleans as Ruby does", async () => {
    const out = await value(
      { convert: { a: "string", t: "string", f: "string", small: "string", list: "string" } },
      { a: 1234, t: true, f: false, small: 0.00001, list: [1, 2.5, null] },
    );
    expect(out).toEqual({ a: "1234", t: "true", f: "false", small: "1.0e-05", list: ["1", "2.5", null] });
  });

  it("to boolean: Logstash's spellings either case; anything else passes through unchanged", async () => {
    const fields = {
      true_field: "true",
      false_field: "false",
      true_upper: "True",
      false_upper: "False",
      true_one: "1",
      false_zero: "0",
      true_yes: "yes",
      false_no: "no",
      true_y: "Y",
      false_n: "N",
      wrong_field: "none of the above",
      integer_false: 0,
      integer_true: 1,
      integer_negative: -1,
      integer_wrong: 2,
      float_true: 1.0,
      float_false: 0.0,
      float_negative: -1.0,
      float_wrong: 1.0123,
      float_wrong2: 0.01,
      array: ["1", "0", 0, 1, 2],
      hash: { a: 0 },
    };
    const convert = Object.fromEntries(Object.keys(fields).map((k) => [k, "boolean" as const]));
    const out = await value({ convert }, { ...fields });
    expect(out).toEqual({
      true_field: true,
      false_field: false,
      true_upper: true,
      false_upper: false,
      true_one: true,
      false_zero: false,
      true_yes: true,
      false_no: false,
      true_y: true,
      false_n: false,
      wrong_field: "none of the above",
      integer_false: false,
      integer_true: true,
      integer_negative: -1,
      integer_wrong: 2,
      float_true: true,
      float_false: false,
      float_negative: -1,
      float_wrong: 1.0123,
      float_wrong2: 0.01,
      array: [true, false, false, true, 2],
      hash: { a: 0 },
    });
    expect(await value({ convert: { e: "boolean", t: "boolean" } }, { e: "", t: "T" })).toEqual({
      e: false,
      t: true,
    });
  });

  it("works on nested fields and array elements; leaves hashes and missing fields alone", async () => {
    const out = await value(
      { convert: { "[foo][bar]": "integer", "[list][0]": "integer", hash: "integer", missing: "integer" } },
      { foo: { bar: "1000" }, list: ["100", "200"], hash: { a: "1" } },
    );
    expect(out).toEqual({ foo: { bar: 1000 }, list: [100, "200"], hash: { a: "1" } });
  });

  it("a value that is not a number tags _mutate_error and stops the rest of the block", async () => {
    const e = await run(
      { convert: { n: "float" }, uppercase: ["u"], add_field: { added: "x" }, add_tag: ["done"] },
      { n: "abc", u: "low" },
    );
    expect(e.ok).toBe(true);
    expect(e.value).toEqual({ n: "abc", u: "low", tags: ["_mutate_error"] });
    // BigDecimal refuses text with an "e" that is not a number: integer conversion fails too.
    const i = await run({ convert: { n: "integer" } }, { n: "hello" });
    expect(i.value.tags).toEqual(["_mutate_error"]);
  });
});

describe("mutate: gsub", () => {
  it("replaces every match in a string, in each string of an array, and leaves other values alone", async () => {
    const out = await value(
      {
        gsub: [
          ["unicorns", "but extinct", "and common"],
          ["list", "extinct", "common"],
          ["colors", "\\d$", "blue"],
          ["n", "1", "2"],
          ["mixed", "a", "b"],
        ],
      },
      {
        unicorns: "Magnificient, but extinct, animals",
        list: ["Magnificient extinct animals", "Other extinct ideas"],
        colors: "red3",
        n: 1,
        mixed: ["aa", 1, null, { a: "a" }],
      },
    );
    expect(out).toEqual({
      unicorns: "Magnificient, and common, animals",
      list: ["Magnificient common animals", "Other common ideas"],
      colors: "redblue",
      n: 1,
      mixed: ["bb", 1, null, { a: "a" }],
    });
  });

  it("takes Logstash's flat list too, and the documented character-class example", async () => {
    const out = await value(
      { gsub: ["fieldname", "/", "_", "fieldname2", "[\\\\?#-]", "."] },
      { fieldname: "a/b/c", fieldname2: "a\\b?c#d-e" },
    );
    expect(out).toEqual({ fieldname: "a_b_c", fieldname2: "a.b.c.d.e" });
  });

  it("rewrites @timestamp inside a Fluent Bit record held as a string (the seed's gsub)", async () => {
    const message = '{"@timestamp":1732492800.5,"log":"GET /@timestamp 200","stream":"stdout"}';
    const out = await value({ gsub: [["message", "@timestamp", "_@timestamp"]] }, { message });
    expect(out.message).toBe('{"_@timestamp":1732492800.5,"log":"GET /_@timestamp 200","stream":"stdout"}');
    expect(JSON.parse(out.message as string)["_@timestamp"]).toBe(1732492800.5);
  });

  it("translates Ruby replacement syntax: \\1, \\k<name>, \\0; a $ is plain text", async () => {
    const out = await value(
      {
        gsub: [
          ["a", "(\\w+)@(\\w+)", "\\2 at \\1"],
          ["b", "(?<user>\\w+)@", "\\k<user>$1 "],
          ["c", "o", "[\\0]"],
          ["d", "x", "$$&\\\\"],
          ["e", "(a)", "\\10"],
        ],
      },
      { a: "joe@example", b: "joe@example", c: "foo", d: "x", e: "a" },
    );
    expect(out).toEqual({ a: "example at joe", b: "joe$1 example", c: "f[o][o]", d: "$$&\\", e: "a0" });
  });

  it("Ruby's ^ and $ match at every line; \\A and \\z only at the ends", async () => {
    const out = await value(
      {
        gsub: [
          ["m", "^x", "y"],
          ["n", "\\Ax", "y"],
          ["h", "\\h+", "#"],
        ],
      },
      { m: "x1\nx2", n: "x1\nx2", h: "ix=beef;" },
    );
    expect(out).toEqual({ m: "y1\ny2", n: "y1\nx2", h: "ix=#;" });
  });

  it("matches characters as Ruby does: . takes a whole emoji, POSIX classes know Unicode, braces and \\@ are literal", async () => {
    const out = await value(
      {
        gsub: [
          ["dot", "^.", "_"],
          ["posix", "[[:alpha:]]+", "W"],
          ["brace", "{x}", "y"],
          ["at", "\\@\\-", "#"],
          ["range", "a{,2}b", "X"],
        ],
      },
      { dot: "😀x", posix: "héllo, wörld 42", brace: "a{x}b", at: "me@-you", range: "aaab" },
    );
    expect(out).toEqual({ dot: "_x", posix: "W, W 42", brace: "ayb", at: "me#you", range: "aX" });
  });

  it("references in the pattern and replacement are filled per event; field values match literally", async () => {
    const out = await value(
      {
        gsub: [
          ["unicorns", "of type %{unicorn_type}", "green"],
          ["unicorns2", "of type %{unicorn_color}", "%{unicorn_color} and green"],
          ["arr", "of type %{color}", "blue and green"],
          ["dots", "%{dot}", "!"],
        ],
      },
      {
        unicorns: "Unicorns of type blue are common",
        unicorn_type: "blue",
        unicorns2: "Unicorns of type blue are common",
        unicorn_color: "blue",
        arr: ["Unicorns of type blue are found in Alaska", "Unicorns of type blue are extinct"],
        color: "blue",
        dots: "a.b",
        dot: ".",
      },
    );
    expect(out.unicorns).toBe("Unicorns green are common");
    expect(out.unicorns2).toBe("Unicorns blue and green are common");
    expect(out.arr).toEqual([
      "Unicorns blue and green are found in Alaska",
      "Unicorns blue and green are extinct",
    ]);
    expect(out.dots).toBe("a!b");
  });

  it("a bad regex fails construction naming gsub[i]; so does a gsub that is not triples", () => {
    expect(() =>
      mutate({
        gsub: [
          ["a", "b", "c"],
          ["m", "(unclosed", "x"],
        ],
      }),
    ).toThrow(/mutate: option `gsub\[1\]`/);
    expect(() => mutate({ gsub: [["m", "a++", "x"]] })).toThrow(/gsub\[0\]/);
    expect(() => mutate({ gsub: ["message", "toreplace"] })).toThrow(/option `gsub`/);
  });
});

describe("mutate: merge", () => {
  const merge = { merge: { list: "foo" } };
  it.each([
    [{ foo: "bar" }, ["bar"], "bar"],
    [{ foo: "bar", list: [] }, ["bar"], "bar"],
    [{ foo: "bar", list: ["baz"] }, ["baz", "bar"], "bar"],
    [{ foo: ["bar"], list: ["baz"] }, ["baz", "bar"], ["bar"]],
    [{ foo: [], list: ["baz"] }, ["baz"], []],
    [{ foo: ["bar"], list: "baz" }, ["baz", "bar"], ["bar"]],
    [{ foo: "bar", list: "baz" }, ["baz", "bar"], "bar"],
  ])("%j → list %j", async (doc, list, foo) => {
    const out = await value(merge, doc as Doc);
    expect(out.list).toEqual(list);
    expect(out.foo).toEqual(foo);
  });

  it("merges hash into hash, and skips a hash with an array", async () => {
    const out = await value(
      { merge: { h: "g", arr: "g2" } },
      { h: { a: 1, b: 1 }, g: { b: 2, c: 3 }, arr: [1], g2: { x: 1 } },
    );
    expect(out.h).toEqual({ a: 1, b: 2, c: 3 });
    expect(out.arr).toEqual([1]);
  });

  it("takes several added fields for one destination", async () => {
    expect((await value({ merge: { list: ["a", "b"] } }, { list: [0], a: 1, b: [2, 3] })).list).toEqual([
      0, 1, 2, 3,
    ]);
  });
});

describe("mutate: common options and order", () => {
  it("applies the operations in Logstash's order, whatever order the options are written in", async () => {
    // Written backwards: copy first, coerce last. Logstash still runs coerce → … → copy.
    const out = await value(
      {
        copy: { f: "copied" },
        merge: { m: "f" },
        join: { f: "+" },
        split: { f: "," },
        strip: ["f"],
        lowercase: ["f"],
        capitalize: ["f"],
        uppercase: ["f"],
        gsub: [["f", "1", "one"]],
        convert: { f: "string" },
        replace: { r: "%{f}" },
        update: { f: "%{f},2 " },
        rename: { orig: "f" },
        coerce: { orig: "1" },
      },
      { orig: null },
    );
    // coerce "1"; rename orig→f; update "1,2 "; replace r="1,2 "; convert no-op; gsub "one,2 ";
    // upper "ONE,2 "; capitalize "One,2 "; lower "one,2 "; strip; split ["one","2"]; join "one+2";
    // merge m=["one+2"]; copy.
    expect(out).toEqual({ f: "one+2", r: "1,2 ", m: ["one+2"], copied: "one+2" });
  });

  it("converts before gsub", async () => {
    const out = await value({ gsub: [["n", "2", "X"]], convert: { n: "string" } }, { n: 12 });
    expect(out.n).toBe("1X");
  });

  it("add_field sees the renamed field; remove_field runs after add_field; tags last", async () => {
    const out = await value(
      {
        remove_field: ["tmp", "[nested][drop]"],
        add_tag: ["tag_%{host}", "plain"],
        add_field: { tmp: "x", "from_%{host}": "%{[nested][keep]}", shortHostname: "%{[hostname][0]}" },
        rename: { HOST: "host" },
        split: { hostname: "." },
        remove_tag: ["old"],
      },
      { HOST: "web1", hostname: "web1.example.com", nested: { keep: "k", drop: 1 }, tags: ["old"] },
    );
    expect(out).toEqual({
      host: "web1",
      hostname: ["web1", "example", "com"],
      nested: { keep: "k" },
      from_web1: "k",
      shortHostname: "web1",
      tags: ["tag_web1", "plain"],
    });
  });

  it("add_field on an existing field makes it an array and appends; several values are all added", async () => {
    const out = await value(
      { add_field: { a: "new", b: ["x", "y"], c: "z", d: "w" } },
      { a: "old", c: ["p"], d: null },
    );
    expect(out).toEqual({ a: ["old", "new"], b: ["x", "y"], c: ["p", "z"], d: ["w"] });
  });

  it("add_field onto a hash appends to its [key, value] pairs, as Ruby's Array() makes them", async () => {
    expect((await value({ add_field: { h: "v" } }, { h: { a: 1 } })).h).toEqual([["a", 1], "v"]);
  });

  it("coerce values take %{} references; tag_on_failure may list several tags", async () => {
    expect(await value({ coerce: { f: "from %{src}" } }, { f: null, src: "s" })).toEqual({
      f: "from s",
      src: "s",
    });
    const e = await run({ tag_on_failure: ["a", "b"], convert: { n: "float" } }, { n: "x", tags: ["a"] });
    expect(e.value.tags).toEqual(["a", "b"]);
  });

  it("add_tag appends (duplicates too, a string tags becomes an array); remove_tag drops every copy", async () => {
    expect((await value({ add_tag: ["a", "b", "a"] }, { tags: "x" })).tags).toEqual(["x", "a", "b", "a"]);
    expect((await value({ remove_tag: ["a"] }, { tags: ["a", "b", "a"] })).tags).toEqual(["b"]);
    expect((await value({ remove_tag: ["a"] }, { tags: "a" })).tags).toEqual([]);
    expect(await value({ remove_tag: ["a"] }, {})).toEqual({});
  });

  it("leaves %{} references to missing fields as written", async () => {
    const out = await value({ add_field: { f: "%{nope}" }, replace: { r: "a %{nope} b" } }, {});
    expect(out).toEqual({ f: "%{nope}", r: "a %{nope} b" });
  });

  it("tag_on_failure, and an interpolated field name that is not a reference, tag the event", async () => {
    const e = await run({ add_field: { "[[][[[[]%{m}": "nope" } }, { m: "x" });
    expect(e.value.tags).toEqual(["_mutate_error"]);
    const custom = await run({ tag_on_failure: "my_custom_tag", replace: { "[a][b]": "x" } }, { a: "str" });
    expect(custom.value).toEqual({ a: "str", tags: ["my_custom_tag"] });
  });

  it("strip on an array holding a non-string fails like Ruby's NoMethodError", async () => {
    const e = await run({ strip: ["list"] }, { list: [" a ", 1] });
    expect(e.value.tags).toEqual(["_mutate_error"]);
  });

  it("on_failure deadLetter sends a failing event to dead letters; the others go on", async () => {
    const out = await runStage(mutate({ convert: { n: "float" }, on_failure: "deadLetter" }), [
      { n: "1.5" },
      { n: "x" },
    ] as Doc[]);
    expect(out[0]!.value).toEqual({ n: 1.5 });
    expect(out[1]!.failure).toMatchObject({
      type: "convert_error",
      stage: "mutate",
      code: "SLUICE_ERR_TRANSFORM",
    });
  });
});

describe("mutate: configuration", () => {
  it("fails construction naming the option", () => {
    expect(() => mutate({ convert: { message: "int" as never } })).toThrow(
      /option `convert.message` must be one of/,
    );
    expect(() => mutate({ convert: ["message", "int"] })).toThrow(/convert.message/);
    expect(() => mutate({ rename: ["a"] })).toThrow(/option `rename` must list key, value pairs/);
    expect(() => mutate({ uppercase: ["a[b]"] })).toThrow(/option `uppercase`/);
    expect(() => mutate({ bogus: 1 } as never)).toThrow(/option `bogus` is not a known option/);
    expect(() => mutate({ on_failure: "drop" as never })).toThrow(/on_failure/);
  });
});

describe("mutate: hostile input", () => {
  it("interpolated names resolving to __proto__, constructor or prototype stay own keys", async () => {
    const e = await run(
      {
        rename: { src: "%{k}" },
        add_field: { "[%{k}][polluted]": "yes", "[%{c}][prototype][polluted]": "yes" },
        add_tag: ["%{k}"],
        copy: { src2: "[prototype][x]" },
      },
      { src: { polluted: "yes" }, k: "__proto__", c: "constructor", src2: 1 },
    );
    expect(e.value.tags).toEqual(["__proto__"]);
    expect(e.value.prototype).toEqual({ x: 1 });
    expect(({} as Doc).polluted).toBeUndefined();
    expect((Object.prototype as Doc).polluted).toBeUndefined();
    expect(Object.hasOwn(e.value, "__proto__")).toBe(true);
    expect(Object.hasOwn(e.value, "constructor")).toBe(true);
    expect(Object.getPrototypeOf(e.value)).toBe(Object.prototype);
  });

  it("merge and copy of objects holding __proto__ keep it an own key", async () => {
    const src = JSON.parse('{"__proto__":{"polluted":1},"a":1}') as Doc;
    const out = await value({ merge: { dest: "src" }, copy: { src: "cp" } }, { src, dest: {} });
    expect(({} as Doc).polluted).toBeUndefined();
    expect(Object.hasOwn(out.dest as Doc, "__proto__")).toBe(true);
    expect(Object.hasOwn(out.cp as Doc, "__proto__")).toBe(true);
  });

  it("deeply nested arrays fail the event instead of overflowing the stack", async () => {
    let deep: unknown = "x";
    for (let i = 0; i < 1500; i++) deep = [deep];
    const e = await run({ join: { d: "," } }, { d: deep });
    expect(e.value.tags).toEqual(["_mutate_error"]);
  });

  it("never throws through the stream, whatever the document (property)", async () => {
    const stage = mutate({
      convert: { a: "integer", b: "float_eu", c: "boolean" },
      gsub: [
        ["a", "\\d", "#"],
        ["s", "(x)", "\\1\\1"],
      ],
      uppercase: ["s"],
      strip: ["b"],
      split: { s: "," },
      join: { c: "-" },
      merge: { a: "s" },
      copy: { c: "d" },
      add_field: { "%{s}": "%{a}" },
      remove_field: ["%{b}"],
    });
    await fc.assert(
      fc.asyncProperty(
        fc.record({ a: fc.jsonValue(), b: fc.jsonValue(), c: fc.jsonValue(), s: fc.jsonValue() }),
        async (doc) => {
          const e = await runOne(stage, structuredClone(doc) as Doc);
          expect(e.failure).toBeUndefined();
          expect(({} as Doc).polluted).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a literal pattern and a replacement without backslashes act as split/join, $ included (property)", async () => {
    const rubyEscape = (t: string) => t.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 4 }),
        fc.string().filter((r) => !r.includes("\\")),
        fc.array(fc.string({ maxLength: 6 }), { maxLength: 5 }),
        async (needle, replacement, pieces) => {
          const text = pieces.join(needle);
          const out = await value({ gsub: [["m", rubyEscape(needle), replacement]] }, { m: text });
          expect(out.m).toBe(text.split(needle).join(replacement));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("converts any finite number's text back to that number (property)", async () => {
    const stage = mutate({ convert: { n: "float" } });
    await fc.assert(
      fc.asyncProperty(
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
        async (x) => {
          const e = await runOne(stage, { n: String(x) } as Doc);
          expect(e.value.n).toBe(x);
        },
      ),
    );
  });

  it("converts any integer text to the number it spells (property)", async () => {
    const stage = mutate({ convert: { n: "integer" } });
    await fc.assert(
      fc.asyncProperty(fc.integer(), async (n) => {
        const e = await runOne(stage, { n: n.toLocaleString("en-US") } as Doc);
        expect(e.value.n).toBe(n);
      }),
    );
  });
});
