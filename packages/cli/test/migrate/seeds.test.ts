// Both seeds migrate to a Sluice config and to a TypeScript program: topics, groups, stages, targets and
// conditions kept, every warning a comment, no password copied; the stages built back from the specs do
// what the plan's stages do.
import { fileURLToPath } from "node:url";
import { type Batch, eventOf, type SluiceEvent, type Stage } from "@sluice/core";
import { lastValueFrom, type Observable, of } from "rxjs";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { loadLogstash, loadVector, type Plan, planLogstash, planVector } from "../../src/index.ts";
import { migratePlan } from "../../src/migrate/migrate.ts";
import { warningText } from "../../src/migrate/model.ts";
import { buildSpec, conditionOf, expectSpecs } from "./specs.ts";

const seed = (name: string) =>
  fileURLToPath(new URL(`../../../../test/fixtures/seed/${name}`, import.meta.url));
const logstash = () => planLogstash(loadLogstash([seed("logstash-values.yaml")]));
const vector = () => planVector(loadVector(seed("vector-configmap.yaml")));
const LOGSTASH_PASSWORD = "0OWj4D54GTH3xK06f9Gg01Zk";
const VECTOR_PASSWORD = "8QZJ656ax3TXZqQh205l3Ee0";
const ES_PASSWORD_REF = `\${ES_PASSWORD}`;

interface Config {
  kafka: Record<string, unknown>;
  elasticsearch: Record<string, unknown>;
  pipelines: Array<{
    name: string;
    source: Record<string, unknown>;
    stages: Array<Record<string, unknown>>;
    targets: Array<{ name: string; when?: unknown; elasticsearch: Record<string, unknown> }>;
    unrouted: string;
  }>;
}

/** The migrated config, parsed (aliases resolved, as a loader reads it). */
function parsed(text: string): Config {
  const doc = parseDocument(text);
  expect(doc.errors).toEqual([]);
  return doc.toJS() as Config;
}

/** Each warning of the plan is one comment line `# file:line:column: message`. */
function expectWarningComments(plan: Plan, text: string, comment: string): void {
  const lines = text.split("\n").map((line) => line.trim());
  for (const warning of plan.warnings) {
    const found = lines.filter((line) => line.startsWith(comment) && line.endsWith(warningText(warning)));
    expect(found, warning.message).toHaveLength(1);
  }
}

/** Runs stages over Kafka records holding `payloads`, read from `topic`. */
async function run(stages: readonly Stage[], topic: string, payloads: string[]): Promise<SluiceEvent[]> {
  const batch: Batch = payloads.map((payload, i) =>
    eventOf(Buffer.from(payload), { origin: { topic, offset: String(i) } }),
  );
  let stream: Observable<Batch> = of(batch);
  for (const stage of stages) stream = stream.pipe(stage);
  return lastValueFrom(stream);
}

/** What a run leaves of events, without the read time (@timestamp of a plain codec is the time it ran). */
function outcome(events: readonly SluiceEvent[]): unknown[] {
  return events.map((event) => {
    if (!event.ok) return { failed: event.failure?.type };
    const { "@timestamp": _read, ...rest } = event.value as Record<string, unknown>;
    return { value: rest, metadata: event.metadata };
  });
}

const records = [
  JSON.stringify({ "@timestamp": 1732492800.001, log: "saw @timestamp here", kubernetes: { pod_name: "p" } }),
  JSON.stringify({ "@timestamp": "not a time", log: "x" }),
  "not json",
];

describe("sluice migrate on the seed's Logstash Helm values", () => {
  const plan = logstash();

  it("keeps a spec for every stage and a condition for every guarded target", () => {
    expectSpecs(plan);
  });

  it("prints a config with the seed's topics, group, stages, targets and conditions", () => {
    const text = migratePlan(plan);
    const config = parsed(text);
    expect(config.kafka).toEqual({ brokers: ["172.30.120.189:32082"] });
    expect(config.elasticsearch).toEqual({
      node: "https://172.30.120.201:32427",
      auth: { username: "elastic", password: ES_PASSWORD_REF },
      tls: { rejectUnauthorized: false },
    });
    const topics = ["insight-event", "insight-gw-skoala", "insight-logs"];
    expect(
      config.pipelines.map((p) => [p.name, p.source.topics, p.source.groupId, p.source.startFrom]),
    ).toEqual(topics.map((topic, i) => [`main.kafka-${i + 1}`, [topic], "logstash", "latest"]));
    for (const [i, pipeline] of config.pipelines.entries()) {
      expect(pipeline.stages.map((stage) => Object.keys(stage)[0])).toEqual([
        "plain",
        "mutate",
        "mutate",
        "logstashDecorateEvents",
        ...Array(3).fill(["mutate", "json", "logstashDate", "mutate"]).flat(),
        "logstashDataStreamSync",
      ]);
      expect(pipeline.stages[2]).toEqual({
        mutate: { add_field: { kafka_topic: topics[i] }, name: "kafka" },
      });
      expect(pipeline.stages[4]).toEqual({ mutate: { gsub: ["message", "@timestamp", "_@timestamp"] } });
      expect(pipeline.stages[6]).toEqual({
        logstashDate: {
          match: ["_@timestamp", "UNIX"],
          remove_field: ["_@timestamp"],
          remove_tag: ["_timestampparsefailure"],
        },
      });
      expect(pipeline.targets.map((t) => [t.name, t.when, t.elasticsearch])).toEqual(
        topics.map((topic, j) => [
          `elasticsearch-${j + 1}`,
          { logstash: `[kafka_topic] == "${topic}"` },
          {
            index: "%{[data_stream][type]}-%{[data_stream][dataset]}-%{[data_stream][namespace]}",
            dataStream: true,
            action: "create",
            id: "origin",
          },
        ]),
      );
      expect(pipeline.unrouted).toBe("drop");
    }
  });

  it("writes every warning as a comment, and the password as an ES_PASSWORD reference listed in the header", () => {
    const text = migratePlan(plan);
    expect(plan.warnings.length).toBeGreaterThan(0);
    expectWarningComments(plan, text, "#");
    expect(text).not.toContain(LOGSTASH_PASSWORD);
    expect(text).toMatch(/^# {3}ES_PASSWORD: elasticsearch\.auth\.password$/m);
  });

  it("puts a warning beside the stage it concerns", () => {
    const lines = migratePlan(plan).split("\n");
    const gsub = lines.findIndex((line) => line.includes("mutate gsub rewrites"));
    expect(lines[gsub + 1]).toMatch(/^\s+- mutate: \{ gsub: \[ message, "@timestamp", _@timestamp \] \}$/);
  });

  it("builds, from the specs alone, stages that make the documents the plan's stages make", async () => {
    for (const pipeline of plan.pipelines) {
      const topic = pipeline.source.topics as string[];
      const planned = outcome(await run(pipeline.stages, topic[0]!, records));
      const rebuilt = outcome(await run(pipeline.stageSpecs!.map(buildSpec), topic[0]!, records));
      expect(rebuilt).toEqual(planned);
      expect(planned.map((o) => Object.keys(o as object)[0])).toEqual(["value", "value", "failed"]);
    }
  });
});

describe("sluice migrate on the seed's Vector ConfigMap", () => {
  const plan = vector();

  it("keeps a spec for every stage", () => {
    expectSpecs(plan);
  });

  it("prints a config with the seed's topics, group, remaps and sinks, skoala's records to two targets", () => {
    const text = migratePlan(plan);
    const config = parsed(text);
    expect(config.kafka).toEqual({ brokers: ["insight-kafka.insight-system.svc.cluster.local:9092"] });
    expect(config.elasticsearch).toEqual({
      node: "https://mcamel-common-es-cluster-es-http.mcamel-system:9200",
      auth: { username: "elastic", password: ES_PASSWORD_REF },
      tls: { rejectUnauthorized: false },
    });
    expect(config.pipelines.map((p) => [p.name, p.source.topics, p.source.groupId])).toEqual([
      ["insight_logs_kafka", ["insight-logs"], "consumer-group-insight"],
      ["insight_event_kafka", ["insight-event"], "consumer-group-insight"],
      ["insight_gw_skoala_kafka", ["insight-gw-skoala"], "consumer-group-insight"],
    ]);
    for (const pipeline of config.pipelines) {
      expect(pipeline.stages).toHaveLength(2);
      expect(pipeline.stages[0]).toEqual({ vectorKafkaEvent: {} });
      const remap = pipeline.stages[1]!.remap as { source: string };
      expect(remap.source).toContain(". = parse_json!(string!(.message))");
      expect(remap.source).toContain(".@timestamp = now()");
    }
    expect(config.pipelines.map((p) => p.targets.map((t) => [t.name, t.elasticsearch.index]))).toEqual([
      [["insight_es_logs", "insight-es-k8s-logs-alias-1418"]],
      [["insight_es_event", "insight-es-k8s-event-logs-alias-1418"]],
      [
        ["insight_es_event", "insight-es-k8s-event-logs-alias-1418"],
        ["insight_es_gw_skoala", "skoala-gw-alias-1418"],
      ],
    ]);
  });

  it("writes every warning as a comment, and no password", () => {
    const text = migratePlan(plan);
    expectWarningComments(plan, text, "#");
    expect(text).not.toContain(VECTOR_PASSWORD);
    expect(text).toContain(`password: "${ES_PASSWORD_REF}"`);
  });

  it("builds, from the specs alone, stages that make the documents the plan's stages make", async () => {
    for (const pipeline of plan.pipelines) {
      const planned = outcome(await run(pipeline.stages, "t", records));
      const rebuilt = outcome(await run(pipeline.stageSpecs!.map(buildSpec), "t", records));
      expect(rebuilt).toEqual(planned);
    }
  });
});

describe("sluice migrate --ts on both seeds", () => {
  for (const [name, plan, password] of [
    ["logstash", logstash(), LOGSTASH_PASSWORD],
    ["vector", vector(), VECTOR_PASSWORD],
  ] as const) {
    it(`${name}: every warning a comment, the password read from the environment`, () => {
      const text = migratePlan(plan, { ts: true });
      expectWarningComments(plan, text, "//");
      expect(text).not.toContain(password);
      expect(text).toContain('password: env("ES_PASSWORD")');
      expect(text).toContain("createPipeline({");
      expect(text).toContain("runUntilSignal(pipeline)");
    });
  }

  it("decides with the targets' conditions as the plan does", () => {
    const target = logstash().pipelines[0]!.targets[0]!;
    const when = conditionOf(target.whenSpec!);
    const event = (topic: string) => eventOf<unknown>({ kafka_topic: topic });
    expect(when(event("insight-event"))).toBe(true);
    expect(when(event("insight-logs"))).toBe(false);
    for (const topic of ["insight-event", "insight-logs"])
      expect(when(event(topic))).toBe(target.when!(event(topic)));
  });
});
