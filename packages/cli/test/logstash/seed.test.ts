// The seed's Helm values (three Logstash pipeline files) load as Logstash runs them: one pipeline `main`.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type LsBranch, type LsPlugin, loadLogstash } from "../../src/index.ts";
import { attributes, names } from "./values.ts";

const file = fileURLToPath(new URL("../../../../test/fixtures/seed/logstash-values.yaml", import.meta.url));
const entry = (name: string) => `logstashPipeline["${name}"]`;

describe("the seed's logstash-values.yaml", () => {
  const config = loadLogstash([file]);
  const main = config.pipelines[0]!;

  it("is one pipeline, main, made of the three files in name order", () => {
    expect(config.form).toBe("helm-values");
    expect(config.pipelines.map((pipeline) => pipeline.id)).toEqual(["main"]);
    expect(main.texts.map((text) => text.source)).toEqual([
      `${file} ${entry("insight-event.conf")}`,
      `${file} ${entry("insight-gw-skoala.conf")}`,
      `${file} ${entry("insight-logs.conf")}`,
    ]);
    expect(main.notices).toEqual([]);
  });

  it("has the three kafka inputs, with the options as written", () => {
    expect(names(main.inputs)).toEqual(["kafka", "kafka", "kafka"]);
    expect(main.inputs.map((input) => attributes(input).topics)).toEqual([
      ["insight-event"],
      ["insight-gw-skoala"],
      ["insight-logs"],
    ]);
    expect(attributes(main.inputs[0]!)).toEqual({
      add_field: { kafka_topic: "insight-event" },
      topics: ["insight-event"],
      bootstrap_servers: "172.30.120.189:32082",
      enable_auto_commit: "true",
      consumer_threads: 1,
      decorate_events: "true",
      codec: "plain",
    });
    const kafka = main.inputs[0] as LsPlugin;
    expect(kafka.attributes.map((attribute) => attribute.value.kind)).toEqual([
      "hash",
      "array",
      "string",
      "bareword",
      "number",
      "bareword",
      "string",
    ]);
  });

  it("chains every file's filters, in file order", () => {
    expect(names(main.filters)).toEqual(Array(3).fill(["mutate", "json", "date", "mutate"]).flat());
    expect(attributes(main.filters[0]!)).toEqual({ gsub: ["message", "@timestamp", "_@timestamp"] });
    expect(attributes(main.filters[2]!)).toEqual({
      match: ["_@timestamp", "UNIX"],
      remove_field: "_@timestamp",
      remove_tag: "_timestampparsefailure",
    });
    expect(attributes(main.filters[3]!)).toEqual({ remove_field: ["event", "message"] });
  });

  it("has three outputs, each an elasticsearch guarded by its topic", () => {
    expect(main.outputs.map((output) => output.kind)).toEqual(["branch", "branch", "branch"]);
    const topics = ["insight-event", "insight-gw-skoala", "insight-logs"];
    main.outputs.forEach((output, i) => {
      const branch = output as LsBranch;
      expect(branch.clauses).toHaveLength(1);
      expect(branch.otherwise).toBeUndefined();
      const [clause] = branch.clauses;
      expect(clause!.condition).toMatchObject({
        kind: "compare",
        operator: "==",
        left: { kind: "field", path: ["kafka_topic"], raw: "[kafka_topic]" },
        right: { kind: "string", value: topics[i] },
      });
      expect(names(clause!.body)).toEqual(["elasticsearch"]);
      expect(attributes(clause!.body[0]!)).toEqual({
        hosts: ["https://172.30.120.201:32427"],
        user: "elastic",
        ssl: "true",
        password: "0OWj4D54GTH3xK06f9Gg01Zk",
        ssl_certificate_verification: "false",
        data_stream_dataset: "insight-es-k8s-logs-alias",
        data_stream: "true",
      });
    });
  });

  it("places every node at its line and column in the values file", () => {
    const at = (line: number, column: number, name: string) => ({ file, line, column, entry: entry(name) });
    expect(main.texts[0]!.sections.map((section) => [section.kind, section.position])).toEqual([
      ["input", at(15, 5, "insight-event.conf")],
      ["filter", at(26, 5, "insight-event.conf")],
      ["output", at(40, 5, "insight-event.conf")],
    ]);
    expect(main.inputs.map((input) => input.position)).toEqual([
      at(16, 7, "insight-event.conf"),
      at(55, 7, "insight-gw-skoala.conf"),
      at(94, 7, "insight-logs.conf"),
    ]);
    const kafka = main.inputs[0] as LsPlugin;
    // After a comment holding Chinese text, columns still count characters.
    expect(kafka.attributes[2]!.value.position).toEqual(at(19, 30, "insight-event.conf"));
    expect(kafka.attributes[3]!.position).toEqual(at(20, 9, "insight-event.conf"));
    expect(main.filters[5]!.position).toEqual(at(69, 7, "insight-gw-skoala.conf"));
    const skoala = main.outputs[1] as LsBranch;
    expect(skoala.position).toEqual(at(80, 7, "insight-gw-skoala.conf"));
    expect(skoala.clauses[0]!.condition.position).toEqual(at(80, 10, "insight-gw-skoala.conf"));
    expect(skoala.clauses[0]!.body[0]!.position).toEqual(at(81, 9, "insight-gw-skoala.conf"));
    const logs = main.outputs[2] as LsBranch;
    const password = (logs.clauses[0]!.body[0] as LsPlugin).attributes[3]!;
    expect([password.name, password.position]).toEqual(["password", at(124, 11, "insight-logs.conf")]);
  });
});
