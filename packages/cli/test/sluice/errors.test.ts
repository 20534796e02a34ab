import { describe, expect, it } from "vitest";
import { loadSluiceConfig } from "../../src/sluice/load.js";
import { config, refusal } from "./helpers.js";

/** The message loading `text` is refused with, the temporary directory taken out. */
async function message(text: string): Promise<string> {
  return (await refusal(text)).message;
}

describe("a config Sluice cannot load is refused at its file, line:column and option path", () => {
  it("a file that cannot be read, invalid YAML, a file that is not a table", async () => {
    await expect(loadSluiceConfig("/nonexistent/sluice.yaml")).rejects.toThrow(
      "/nonexistent/sluice.yaml:1:1: cannot be read (ENOENT)",
    );
    expect(await message("pipelines: [\n  - a: b\n")).toBe(
      "sluice.yaml:2:3: invalid YAML: Block collections are not allowed within flow collections",
    );
    expect(await message("- a\n- b\n")).toBe("sluice.yaml:1:1: a Sluice config must be a table of options");
  });

  it("an unknown option, at its key, with the options known there", async () => {
    const { error, message } = await refusal(config({ top: "metrics: {}" }));
    expect(message).toBe(
      "sluice.yaml:5:1 metrics: is not a known option (known: kafka, elasticsearch, pipelines, deadLetters, flow, http, logging)",
    );
    expect(error.code).toBe("SLUICE_ERR_CONFIG");
    expect(error.option).toBe("metrics");
    expect(error.position).toMatchObject({ line: 5, column: 1 });
  });

  it("a wrong type, a missing option, an alternative none of whose forms fits", async () => {
    expect(await message(config({ top: "http: { port: nine }" }))).toBe(
      "sluice.yaml:5:9 http.port: must be integer",
    );
    expect(
      await message("pipelines:\n  - name: x\n    source: { topics: [a], groupId: g, brokers: k }\n"),
    ).toBe("sluice.yaml:2:5 pipelines[0].targets: is required");
    expect(await message(config({ top: "deadLetters: { auth: { username: u } }" }))).toBe(
      "sluice.yaml:5:16 deadLetters.auth: must be one of: { username, password }; { apiKey }; { bearer }",
    );
    expect(
      await message(
        config().replace("groupId: sluice-logs", "groupId: sluice-logs\n      startFrom: newest"),
      ),
    ).toBe(
      'sluice.yaml:10:7 pipelines[0].source.startFrom: must be one of: "earliest", "latest"; { timestamp }',
    );
    expect(await message(config().replace("index: logs", "index: { topic: {} }"))).toBe(
      "sluice.yaml:13:11 pipelines[0].targets[0].elasticsearch.index: must be one of: string; { topics }",
    );
    expect(await message(config({ target: "        when: 3" }))).toBe(
      "sluice.yaml:12:9 pipelines[0].targets[0].when: must be one of: string; { vrl }; { logstash }",
    );
  });

  it("what may come from kafka: or elasticsearch: is required once they are merged", async () => {
    expect(await message(config().replace("kafka:\n  brokers: localhost:9092\n", ""))).toBe(
      "sluice.yaml:5:5 pipelines[0].source.brokers: is required (in the pipeline's source or in `kafka:`)",
    );
    expect(await message(config().replace("      topics: [logs]\n", ""))).toBe(
      "sluice.yaml:7:5 pipelines[0].source.topics: is required (or give `topicPattern`)",
    );
    expect(await message(config().replace("elasticsearch:\n  node: http://localhost:9200\n", ""))).toBe(
      "sluice.yaml:10:9 pipelines[0].targets[0].elasticsearch.node: is required (in the target or in `elasticsearch:`)",
    );
  });

  it("the sink's own checks: its required index, options that contradict each other; names used twice", async () => {
    expect(await message(config().replace("          index: logs", "          action: create"))).toBe(
      "sluice.yaml:12:9 pipelines[0].targets[0].elasticsearch.index: is required",
    );
    const dataStream = config().replace(
      "index: logs",
      "index: logs\n          dataStream: true\n          action: index",
    );
    expect(await message(dataStream)).toBe(
      'sluice.yaml:15:11 pipelines[0].targets[0].elasticsearch.action: must be "create" for a data stream',
    );
    const twoPipelines = `${config()}\n  - name: logs\n    source: { topics: [a], groupId: g }\n    targets: [ { name: es, elasticsearch: { index: x } } ]\n`;
    expect(await message(twoPipelines)).toBe(
      "sluice.yaml:14:5 pipelines[1].name: is the name of another pipeline",
    );
    expect(await message(`${config()}\n      - name: es\n        elasticsearch: { index: x }\n`)).toBe(
      "sluice.yaml:14:9 pipelines[0].targets[1].name: is the name of another target of this pipeline",
    );
  });

  it("a stage Sluice does not know, an entry with two stages, then without when", async () => {
    expect(await message(config({ stages: "      - mutat: {}" }))).toMatch(
      /^sluice\.yaml:11:9 pipelines\[0\]\.stages\[0\]\.mutat: is not a stage Sluice knows \(known: plain, .*mutate, .*, stage, when\)$/,
    );
    expect(await message(config({ stages: "      - mutate: {}\n        json: { source: m }" }))).toBe(
      "sluice.yaml:11:9 pipelines[0].stages[0]: must have one key, a stage's name (or `when` with `then` and `else`)",
    );
    expect(await message(config({ stages: "      - then: []" }))).toBe(
      "sluice.yaml:11:9 pipelines[0].stages[0].then: goes with `when`: a when block has when, then and else",
    );
    expect(
      await message(config({ stages: "      - when: '.a == 1'\n        then: []\n        mutate: {}" })),
    ).toBe(
      "sluice.yaml:13:9 pipelines[0].stages[0].mutate: cannot be beside `when`: a when block has when, then and else",
    );
  });

  it("a stage's options, checked by the schema the stage itself validates them with", async () => {
    expect(await message(config({ stages: "      - json: {}" }))).toBe(
      "sluice.yaml:11:9 pipelines[0].stages[0].json.source: is required",
    );
    expect(await message(config({ stages: "      - mutate: { add_feild: { a: b } }" }))).toMatch(
      /^sluice\.yaml:11:19 pipelines\[0\]\.stages\[0\]\.mutate\.add_feild: is not a known option \(known: .*add_field, /,
    );
    expect(await message(config({ stages: "      - date: { match: [ts] }" }))).toBe(
      "sluice.yaml:11:17 pipelines[0].stages[0].date.match: must NOT have fewer than 2 items",
    );
  });

  it("a VRL program or condition that does not compile, at the line and column inside it", async () => {
    const block = config({
      stages: "      - remap:\n          source: |\n            .a = 1\n            .b = nope(.a)",
    });
    expect(await message(block)).toBe(
      "sluice.yaml:14:18 pipelines[0].stages[0].remap.source: VRL: call to undefined function `nope`",
    );
    expect(await message(config({ stages: "      - remap: { source: '.b = nope(.a)' }" }))).toBe(
      "sluice.yaml:11:32 pipelines[0].stages[0].remap.source: VRL: call to undefined function `nope`",
    );
    // An escaped string does not map column for column: the position is its start, the text's own line beside.
    expect(
      await message(config({ stages: '      - remap:\n          source: ".a = 1\\n.b = nope(.a)"' })),
    ).toBe(
      "sluice.yaml:12:19 (line 2, column 6) pipelines[0].stages[0].remap.source: VRL: call to undefined function `nope`",
    );
    expect(await message(config({ target: "        when: '.a = = 1'" }))).toBe(
      "sluice.yaml:12:19 pipelines[0].targets[0].when: VRL condition: syntax error: expected `)`, found `=`",
    );
    expect(await message(config({ stages: "      - filter: { condition: '.a ==' }" }))).toMatch(
      /^sluice\.yaml:11:31 pipelines\[0\]\.stages\[0\]\.filter\.condition: VRL condition: syntax error/,
    );
  });

  it("a Logstash condition that does not parse, is more than one condition, or is one Sluice does not run", async () => {
    expect(await message(config({ target: `        when: { logstash: '[a] === "x"' }` }))).toMatch(
      /^sluice\.yaml:12:34 pipelines\[0\]\.targets\[0\]\.when\.logstash: Expected one of .* but found "=" after \[a\] ==$/,
    );
    expect(
      await message(
        config({ target: "        when: { logstash: '[a] { } } output { stdout {} } filter { if [b]' }" }),
      ),
    ).toBe(
      "sluice.yaml:12:28 pipelines[0].targets[0].when.logstash: must be one Logstash condition, as written after `if`",
    );
    expect(await message(config({ target: "        when: { logstash: '[a] < 3' }" }))).toBe(
      "sluice.yaml:12:28 pipelines[0].targets[0].when.logstash: condition: Sluice does not run the comparison `<`; write it with ==, !=, in, not in, =~, !~, and, or, !",
    );
  });
});
