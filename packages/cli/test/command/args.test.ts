// The command line: one config in one form, flags over the environment, mistakes named with the flag.
import { describe, expect, it } from "vitest";
import { parseCommandLine } from "../../src/command/args.js";
import type { Plan } from "../../src/plan.js";
import { applyOverrides } from "../../src/run/overrides.js";

describe("sluice command line", () => {
  it("reads the config in each form, the addresses from flags before the environment", () => {
    expect(parseCommandLine(["run", "sluice.yaml"], {}).input).toEqual({
      form: "sluice",
      file: "sluice.yaml",
    });
    expect(parseCommandLine(["check", "--logstash", "a.conf", "b.conf"], {}).input).toEqual({
      form: "logstash",
      files: ["a.conf", "b.conf"],
    });
    expect(parseCommandLine(["migrate", "--vector", "v.toml", "--ts"], {})).toMatchObject({
      command: "migrate",
      input: { form: "vector", file: "v.toml" },
      ts: true,
    });
    const env = { KAFKA_BROKERS: "env:9092", ES_URL: "http://env:9200", SLUICE_EXIT_WHEN_IDLE_MS: "5000" };
    expect(parseCommandLine(["run", "s.yaml"], env)).toMatchObject({
      kafkaBrokers: "env:9092",
      esUrl: "http://env:9200",
      exitWhenIdleMs: 5000,
    });
    expect(
      parseCommandLine(
        ["run", "s.yaml", "--kafka-brokers", "flag:9092", "--es-url", "https://flag:9200"],
        env,
      ),
    ).toMatchObject({ kafkaBrokers: "flag:9092", esUrl: "https://flag:9200" });
    expect(parseCommandLine([], {}).command).toBe("help");
  });

  it("refuses two configs, none, an unknown flag and bad numbers, naming what to change", () => {
    const refused =
      (argv: string[], env: NodeJS.ProcessEnv = {}) =>
      () =>
        parseCommandLine(argv, env);
    expect(refused(["run"])).toThrow(/exactly one config/);
    expect(refused(["run", "a.yaml", "--vector", "v.yaml"])).toThrow(/exactly one config/);
    expect(refused(["run", "a.yaml", "b.yaml"])).toThrow(/one Sluice config file; unexpected b\.yaml/);
    expect(refused(["start", "a.yaml"])).toThrow(/unknown command "start"/);
    expect(refused(["run", "a.yaml", "--nope"])).toThrow(/--nope/);
    expect(refused(["run", "a.yaml", "--http-port", "70000"])).toThrow(/--http-port is "70000"/);
    expect(refused(["run", "a.yaml"], { SLUICE_EXIT_WHEN_IDLE_MS: "soon" })).toThrow(/--exit-when-idle-ms/);
    expect(refused(["run", "a.yaml", "--es-url", "es:9200"])).toThrow(
      /--es-url .* an http:\/\/ or https:\/\/ URL/,
    );
    expect(refused(["run"])).toThrow(expect.objectContaining({ code: "SLUICE_ERR_CONFIG" }));
  });
});

describe("applyOverrides", () => {
  const plan: Plan = {
    form: "logstash",
    warnings: [],
    pipelines: [
      {
        name: "main",
        source: { brokers: ["prod:9092"], topics: ["t"], groupId: "g" },
        stages: [],
        stageTexts: [],
        unrouted: "drop",
        targets: [
          {
            name: "a",
            sink: { node: "https://prod:9200", auth: { username: "u", password: "p" }, index: "x" },
          },
          { name: "b", sink: { node: ["https://p1:9200", "https://p2:9200"], index: "y" } },
        ],
      },
    ],
    deadLetters: { sink: { node: "https://dl:9200", index: "dl" } },
  };

  it("replaces every Kafka address and Elasticsearch node, dead letters included, and keeps the rest", () => {
    const moved = applyOverrides(plan, { kafkaBrokers: "a:1, b:2", esUrl: "http://local:9200" });
    expect(moved.pipelines[0]!.source).toEqual({ brokers: ["a:1", "b:2"], topics: ["t"], groupId: "g" });
    expect(moved.pipelines[0]!.targets.map((t) => t.sink.node)).toEqual([
      "http://local:9200",
      "http://local:9200",
    ]);
    expect(moved.pipelines[0]!.targets[0]!.sink.auth).toEqual({ username: "u", password: "p" });
    expect(moved.deadLetters?.sink).toEqual({ node: "http://local:9200", index: "dl" });
    expect(plan.pipelines[0]!.source.brokers).toEqual(["prod:9092"]);
    expect(applyOverrides(plan, {})).toBe(plan);
  });
});
