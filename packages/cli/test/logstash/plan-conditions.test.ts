// Conditions compile to predicates with Logstash's semantics, outputs in branches become exclusive targets,
// and filters inside branches run only on the events their clause takes.
import { eventOf, type SluiceEvent } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { planLogstash } from "../../src/index.ts";
import { configOf, planOf, runStages } from "./plan-helpers.ts";

const output = (condition: string) =>
  `input { kafka {} } output { if ${condition} { elasticsearch { index => "x" } } }`;

/** The predicate of `if <condition>`, applied to a document. */
function holds(condition: string, doc: Record<string, unknown>): boolean {
  const when = planOf(output(condition)).pipelines[0]!.targets[0]!.when!;
  return when(eventOf(doc));
}

describe("comparisons", () => {
  it("== and != compare with Ruby's equality; a missing field is nil", () => {
    expect(holds('[a] == "x"', { a: "x" })).toBe(true);
    expect(holds('[a] == "x"', {})).toBe(false);
    expect(holds('[a] != "x"', {})).toBe(true);
    expect(holds("[a] == 1", { a: 1.0 })).toBe(true);
    expect(holds('[a] == "1"', { a: 1 })).toBe(false);
    expect(holds("[a] == [b]", {})).toBe(true);
    expect(holds("[a] == [b]", { a: [1, { c: "d" }], b: [1, { c: "d" }] })).toBe(true);
    expect(holds('[a][b] == "y"', { a: { b: "y" } })).toBe(true);
    expect(holds('[a][1] == "y"', { a: ["x", "y"] })).toBe(true);
  });

  it("in tests an array's members or a string's substrings; a missing list holds nothing", () => {
    expect(holds('[a] in ["x", "y"]', { a: "y" })).toBe(true);
    expect(holds('[a] in ["x", "y"]', {})).toBe(false);
    expect(holds('"b" in [tags]', { tags: ["a", "b"] })).toBe(true);
    expect(holds('"ell" in [msg]', { msg: "hello" })).toBe(true);
    expect(holds('"b" in [tags]', {})).toBe(false);
    expect(holds('"b" not in [tags]', {})).toBe(true);
    expect(holds('"b" not in [tags]', { tags: ["b"] })).toBe(false);
  });

  it("=~ matches strings only, with Ruby's anchors; !~ holds for a missing field", () => {
    expect(holds("[m] =~ /^err/", { m: "ok\nerror" })).toBe(true);
    expect(holds("[m] =~ /\\Aerr/", { m: "ok\nerror" })).toBe(false);
    expect(holds("[m] =~ /ok\\z/", { m: "ok\n" })).toBe(false);
    expect(holds("[m] =~ /ok\\Z/", { m: "ok\n" })).toBe(true);
    expect(holds('[m] =~ "e.r"', { m: "error" })).toBe(true);
    expect(holds("[m] =~ /1/", { m: 1 })).toBe(false);
    expect(holds("[m] !~ /x/", {})).toBe(true);
    expect(holds("[m] !~ /x/", { m: "x" })).toBe(false);
  });

  it("and, or, ! and a bare field read as Logstash reads them", () => {
    expect(holds('[a] == "x" and [b] == "y"', { a: "x", b: "y" })).toBe(true);
    expect(holds('[a] == "x" and [b] == "y"', { a: "x" })).toBe(false);
    expect(holds('[a] == "x" or [b] == "y"', { b: "y" })).toBe(true);
    expect(holds('!([a] == "x")', {})).toBe(true);
    expect(holds("[a]", { a: 0 })).toBe(true);
    expect(holds("[a]", { a: "" })).toBe(true);
    expect(holds("[a]", { a: false })).toBe(false);
    expect(holds("[a]", { a: null })).toBe(false);
    expect(holds("![a]", {})).toBe(true);
  });

  it("reads [@metadata][kafka] that decorate_events sets", async () => {
    const plan = planOf(`input { kafka { decorate_events => true group_id => "g" } }
      output { if [@metadata][kafka][topic] == "logs" and [@metadata][kafka][consumer_group] == "g" { elasticsearch { index => "x" } } }`);
    const pipeline = plan.pipelines[0]!;
    const [fromLogs] = await runStages(pipeline.stages, ["a"], "logs");
    const [fromOther] = await runStages(pipeline.stages, ["a"], "other");
    expect(pipeline.targets[0]!.when!(fromLogs!)).toBe(true);
    expect(pipeline.targets[0]!.when!(fromOther!)).toBe(false);
    expect(fromLogs!.value).not.toHaveProperty("@metadata");
  });
});

describe("outputs in branches", () => {
  const plan = planOf(`input { kafka {} }
    output {
      if [level] == "error" { elasticsearch { index => "errors" } }
      else if [level] == "warn" { elasticsearch { index => "warnings" } }
      else { elasticsearch { index => "rest" } }
      elasticsearch { index => "all" }
    }`);
  const targets = plan.pipelines[0]!.targets;
  const takers = (doc: Record<string, unknown>) =>
    targets.filter((t) => t.when === undefined || t.when(eventOf(doc))).map((t) => t.sink.index);

  it("become targets whose when excludes the earlier clauses", () => {
    expect(takers({ level: "error" })).toEqual(["errors", "all"]);
    expect(takers({ level: "warn" })).toEqual(["warnings", "all"]);
    expect(takers({})).toEqual(["rest", "all"]);
    expect(targets.map((t) => t.whenText)).toEqual([
      '[level] == "error"',
      '!([level] == "error") and [level] == "warn"',
      '!([level] == "error") and !([level] == "warn")',
      undefined,
    ]);
  });
});

describe("filters in branches", () => {
  it("run only on the events their clause takes, in batch order", async () => {
    const plan = planOf(`input { kafka { codec => json } }
      filter {
        if [kind] == "a" { mutate { add_field => { "branch" => "a" } } }
        else if [kind] =~ /^b/ { mutate { add_tag => ["b"] } }
        else { mutate { add_field => { "branch" => "other" } } }
      }
      output { elasticsearch { index => "x" } }`);
    const events: SluiceEvent[] = await runStages(plan.pipelines[0]!.stages, [
      { kind: "a" },
      { kind: "bee" },
      { kind: "c" },
      { kind: "a" },
    ]);
    expect(events.map((e) => e.value)).toEqual([
      expect.objectContaining({ kind: "a", branch: "a" }),
      expect.objectContaining({ kind: "bee", tags: ["b"] }),
      expect.objectContaining({ kind: "c", branch: "other" }),
      expect.objectContaining({ kind: "a", branch: "a" }),
    ]);
    expect(events[1]!.value).not.toHaveProperty("branch");
    expect(plan.pipelines[0]!.stageTexts).toEqual([
      "codec json (event.original)",
      'if [kind] == "a"',
      '  mutate {"add_field":["branch","a"]}',
      "else if [kind] =~ /^b/",
      '  mutate {"add_tag":["b"]}',
      "else",
      '  mutate {"add_field":["branch","other"]}',
    ]);
  });
});

describe("nested branches and several pipelines", () => {
  it("an output in a nested branch needs every enclosing clause", () => {
    const plan = planOf(`input { kafka {} } output {
      if [a] == "1" { if [b] == "2" { elasticsearch { index => "ab" } } else { elasticsearch { index => "a" } } } }`);
    const [ab, a] = plan.pipelines[0]!.targets;
    expect(ab!.whenText).toBe('[a] == "1" and [b] == "2"');
    expect(a!.whenText).toBe('[a] == "1" and !([b] == "2")');
    expect([ab!.when!(eventOf({ a: "1", b: "2" })), a!.when!(eventOf({ a: "1", b: "2" }))]).toEqual([
      true,
      false,
    ]);
    expect([ab!.when!(eventOf({ b: "2" })), a!.when!(eventOf({ b: "2" }))]).toEqual([false, false]);
    expect(a!.when!(eventOf({ a: "1" }))).toBe(true);
  });

  it("each pipeline of a pipelines.yml plans on its own, named by its id", () => {
    const one = configOf(`input { kafka { topics => ["x"] } } ${'output { elasticsearch { index => "x" } }'}`)
      .pipelines[0]!;
    const two = configOf(
      `input { kafka { topics => ["y"] id => "in-y" } kafka { topics => ["z"] } } output { elasticsearch { index => "y" } }`,
    ).pipelines[0]!;
    const plan = planLogstash({
      form: "pipelines.yml",
      pipelines: [
        { ...one, id: "ones" },
        { ...two, id: "twos" },
      ],
    });
    expect(plan.pipelines.map((p) => [p.name, p.source.topics])).toEqual([
      ["ones", ["x"]],
      ["twos.in-y", ["y"]],
      ["twos.kafka-2", ["z"]],
    ]);
  });
});
