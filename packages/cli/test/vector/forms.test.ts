import { describe, expect, it } from "vitest";
import { config, plan, refusal } from "./helpers.js";

// The same graph as helpers' config({ transforms }), with a remap, in each of Vector's three formats.
const YAML = config({
  transforms: '  last:\n    type: remap\n    inputs: [in]\n    source: ".seen = true"\n',
  sink: "    bulk:\n      index: logs\n",
});

const TOML = `[sources.in]
type = "kafka"
bootstrap_servers = "kafka:9092"
group_id = "g"
topics = ["logs"]

[transforms.last]
type = "remap"
inputs = ["in"]
source = ".seen = true"

[sinks.es]
type = "elasticsearch"
inputs = ["last"]
endpoints = ["http://es:9200"]
bulk.index = "logs"
`;

const JSON_FORM = JSON.stringify(
  {
    sources: { in: { type: "kafka", bootstrap_servers: "kafka:9092", group_id: "g", topics: ["logs"] } },
    transforms: { last: { type: "remap", inputs: ["in"], source: ".seen = true" } },
    sinks: {
      es: { type: "elasticsearch", inputs: ["last"], endpoints: ["http://es:9200"], bulk: { index: "logs" } },
    },
  },
  null,
  2,
);

const shape = (text: string, file: string) =>
  plan(text, file).pipelines.map((p) => ({
    name: p.name,
    source: p.source,
    stages: p.stageTexts,
    targets: p.targets.map((t) => [t.name, t.sink]),
  }));

describe("Vector's YAML, TOML and JSON forms", () => {
  it("plan the same pipeline", () => {
    const yaml = shape(YAML, "vector.yaml");
    expect(yaml[0]!.stages).toEqual(["vectorKafkaEvent (the kafka source's event)", "remap last"]);
    expect(shape(TOML, "vector.toml")).toEqual(yaml);
    expect(shape(JSON_FORM, "vector.json")).toEqual(yaml);
  });

  it("name the line of a refused option in TOML and JSON", () => {
    expect(
      refusal(TOML.replace('bulk.index = "logs"', 'bulk.index = "logs"\ndoc_type = "_doc"'), "vector.toml")
        .message,
    ).toBe('vector.toml:17:1: sink "es" (elasticsearch) option `doc_type` is not supported by Sluice');
    expect(
      refusal(
        JSON_FORM.replace('"type": "file"', "").replace('"type": "kafka"', '"type": "file"'),
        "vector.json",
      ).message,
    ).toBe('vector.json:4:7: source "in" (file) option `type` is "file"; Sluice reads kafka sources only');
  });

  it("refuse a VRL error in TOML at the option's line, with the line inside the program", () => {
    const error = refusal(
      TOML.replace('source = ".seen = true"', 'source = ".seen = md5(.x)"'),
      "vector.toml",
    );
    expect(error.message).toBe(
      'vector.toml:10:1 (transforms.last.source line 1, column 9): transform "last" (remap) option `source`: call to undefined function `md5`',
    );
  });

  it("refuse syntax errors at their line", () => {
    expect(refusal("sources:\n  in: [\n", "vector.yaml").message).toMatch(
      /^vector\.yaml:\d+:\d+: invalid YAML/,
    );
    expect(refusal('[sources.in]\ntype = "kafka\n', "vector.toml").message).toMatch(
      /^vector\.toml:2:\d+: invalid TOML/,
    );
  });
});

describe("a ConfigMap holding TOML", () => {
  it("plans its entry and names refusals by the ConfigMap's own lines", () => {
    const indented = TOML.split("\n")
      .map((line) => (line === "" ? "" : `    ${line}`))
      .join("\n");
    const map = `apiVersion: v1\nkind: ConfigMap\ndata:\n  vector.toml: |\n${indented}`;
    expect(shape(map, "cm.yaml")).toEqual(shape(YAML, "vector.yaml"));
    const error = refusal(map.replace('type = "kafka"', 'type = "file"'), "cm.yaml");
    expect(error.message).toBe(
      'cm.yaml:6:5 (data["vector.toml"]): source "in" (file) option `type` is "file"; Sluice reads kafka sources only',
    );
  });
});
