import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadVector } from "../../src/vector/load.js";
import { planVector } from "../../src/vector/plan.js";
import { run } from "./helpers.js";

const SEED = new URL("../../../../test/fixtures/seed/vector-configmap.yaml", import.meta.url).pathname;
const seed = () => planVector(loadVector(SEED));
const lineOf = (text: string) =>
  readFileSync(SEED, "utf8")
    .split("\n")
    .findIndex((line) => line.includes(text)) + 1;

describe("the seed's Vector ConfigMap", () => {
  it("plans one pipeline per kafka source, read from the end as Vector's default", () => {
    const plan = seed();
    expect(plan.form).toBe("vector");
    expect(
      plan.pipelines.map((p) => [p.name, p.source.topics, p.source.groupId, p.source.startFrom]),
    ).toEqual([
      ["insight_logs_kafka", ["insight-logs"], "consumer-group-insight", "latest"],
      ["insight_event_kafka", ["insight-event"], "consumer-group-insight", "latest"],
      ["insight_gw_skoala_kafka", ["insight-gw-skoala"], "consumer-group-insight", "latest"],
    ]);
    expect(plan.pipelines[0]!.source.brokers).toEqual([
      "insight-kafka.insight-system.svc.cluster.local:9092",
    ]);
  });

  it("sends insight-gw-skoala to two sinks: the event index, as the seed's graph says, and its own", () => {
    const skoala = seed().pipelines[2]!;
    expect(skoala.targets.map((t) => [t.name, t.sink.index, t.when])).toEqual([
      ["insight_es_event", "insight-es-k8s-event-logs-alias-1418", undefined],
      ["insight_es_gw_skoala", "skoala-gw-alias-1418", undefined],
    ]);
    expect(seed().pipelines[0]!.targets.map((t) => t.sink.index)).toEqual(["insight-es-k8s-logs-alias-1418"]);
    expect(seed().pipelines[1]!.targets.map((t) => t.sink.index)).toEqual([
      "insight-es-k8s-event-logs-alias-1418",
    ]);
  });

  it("maps the sinks' auth and tls", () => {
    expect(seed().pipelines[0]!.targets[0]!.sink).toEqual({
      node: "https://mcamel-common-es-cluster-es-http.mcamel-system:9200",
      auth: { username: "elastic", password: "8QZJ656ax3TXZqQh205l3Ee0" },
      tls: { rejectUnauthorized: false },
      index: "insight-es-k8s-logs-alias-1418",
    });
  });

  it("runs the remap: the record's JSON becomes the document, @timestamp the time it was processed", async () => {
    const before = Date.now();
    const [event] = await run(seed().pipelines[2]!, "insight-gw-skoala", '{"log":"GET /","@timestamp":1.5}');
    const doc = event!.value as Record<string, unknown>;
    expect(doc.log).toBe("GET /");
    expect(Date.parse(doc["@timestamp"] as string)).toBeGreaterThanOrEqual(before - 1000);
    expect(doc.message).toBeUndefined();
  });

  it("warns, at their lines, that @timestamp is ingest time and that skoala records are written twice", () => {
    const warnings = seed().warnings;
    const stamps = warnings.filter((w) => w.kind === "behaviour" && w.message.includes("now()"));
    expect(stamps.map((w) => [w.where?.line, w.where?.column])).toEqual([
      [35, 13],
      [43, 13],
      [50, 13],
    ]);
    expect(lineOf(".@timestamp = now()")).toBe(35);
    const twice = warnings.find((w) => w.message.includes("written 2 times"));
    expect(twice?.kind).toBe("behaviour");
    expect(twice?.message).toContain("insight_gw_skoala_kafka");
    expect(twice?.where?.line).toBe(lineOf("insight_gw_skoala_kafka:"));
    const groups = warnings.filter((w) => w.message.includes('share group_id "consumer-group-insight"'));
    expect(groups.map((w) => w.where?.line)).toEqual([lineOf("group_id") + 6, lineOf("group_id") + 12]);
    expect(warnings.filter((w) => w.kind === "difference").map((w) => w.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining("commits a record's offset only after"),
        expect.stringContaining("deterministic _id"),
      ]),
    );
  });
});
