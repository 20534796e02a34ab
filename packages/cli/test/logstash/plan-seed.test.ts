// The seed's Helm values plan into three kafka sources, the shared filter chain and three guarded data stream targets.
import { fileURLToPath } from "node:url";
import { sprintf } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { loadLogstash, planLogstash } from "../../src/index.ts";
import { runStages } from "./plan-helpers.ts";

const file = fileURLToPath(new URL("../../../../test/fixtures/seed/logstash-values.yaml", import.meta.url));
const topics = ["insight-event", "insight-gw-skoala", "insight-logs"];

describe("the seed's logstash-values.yaml planned", () => {
  const plan = planLogstash(loadLogstash([file]));

  it("is one planned pipeline per kafka input, each with its own topic and Logstash's default group", () => {
    expect(plan.form).toBe("logstash");
    expect(plan.pipelines.map((p) => p.name)).toEqual(["main.kafka-1", "main.kafka-2", "main.kafka-3"]);
    expect(plan.pipelines.map((p) => p.source)).toEqual(
      topics.map((topic) => ({
        brokers: ["172.30.120.189:32082"],
        topics: [topic],
        groupId: "logstash",
        clientId: "logstash",
        startFrom: "latest",
        partitionsConsumedConcurrently: 1,
      })),
    );
    for (const p of plan.pipelines) expect(p.unrouted).toBe("drop");
  });

  it("has three targets, each guarded by its topic, writing the data stream logs-insight-es-k8s-logs-alias-default", () => {
    const targets = plan.pipelines[0]!.targets;
    expect(targets.map((t) => t.name)).toEqual(["elasticsearch-1", "elasticsearch-2", "elasticsearch-3"]);
    expect(targets.map((t) => t.whenText)).toEqual(topics.map((topic) => `[kafka_topic] == "${topic}"`));
    for (const target of targets) {
      expect(target.sink).toEqual({
        node: "https://172.30.120.201:32427",
        auth: { username: "elastic", password: "0OWj4D54GTH3xK06f9Gg01Zk" },
        tls: { rejectUnauthorized: false },
        index: "%{[data_stream][type]}-%{[data_stream][dataset]}-%{[data_stream][namespace]}",
        dataStream: true,
        action: "create",
        id: "origin",
      });
    }
  });

  it("makes a Fluent Bit record the document Logstash writes, routed to its topic's output only", async () => {
    const record = {
      "@timestamp": 1732492800.001,
      log: "saw @timestamp here",
      kubernetes: { pod_name: "p" },
    };
    for (const [i, pipeline] of plan.pipelines.entries()) {
      const [event] = await runStages(pipeline.stages, [record], topics[i]);
      expect(event!.ok).toBe(true);
      expect(event!.value).toEqual({
        "@timestamp": "2024-11-25T00:00:00.001Z",
        "@version": "1",
        kafka_topic: topics[i],
        log: "saw _@timestamp here",
        kubernetes: { pod_name: "p" },
        data_stream: { type: "logs", dataset: "insight-es-k8s-logs-alias", namespace: "default" },
      });
      expect(pipeline.targets.map((t) => t.when!(event!))).toEqual(topics.map((_, j) => j === i));
      const index = sprintf(pipeline.targets[i]!.sink.index as string)(
        event!.value as Record<string, unknown>,
      );
      expect(index).toBe("logs-insight-es-k8s-logs-alias-default");
    }
  });

  it("lists its stages for the printed plan", () => {
    expect(plan.pipelines[0]!.stageTexts).toEqual([
      "codec plain (event.original)",
      'add_field {"kafka_topic":"insight-event"}',
      "decorate_events basic: [@metadata][kafka]",
      ...Array(3)
        .fill([
          'mutate {"gsub":["message","@timestamp","_@timestamp"]}',
          'json {"source":"message","on_failure":"deadLetter"}',
          'date {"match":["_@timestamp","UNIX"],"remove_field":["_@timestamp"],"remove_tag":["_timestampparsefailure"]}',
          'mutate {"remove_field":["event","message"]}',
        ])
        .flat(),
      "data_stream fields synced to the stream written to",
    ]);
  });

  it("warns, once per line, about the gsub, the commits, the ids, the json failures and the start offset", () => {
    const lines = (kind: string, prefix: string) =>
      plan.warnings.filter((w) => w.kind === kind && w.message.startsWith(prefix)).map((w) => w.where?.line);
    expect(lines("behaviour", "mutate gsub")).toEqual([28, 67, 106]);
    expect(lines("difference", "json")).toEqual([30, 69, 108]);
    expect(lines("difference", "kafka")).toEqual([16, 55, 94]);
    expect(lines("behaviour", "kafka")).toEqual([16, 55, 94]);
    expect(lines("difference", "elasticsearch")).toEqual([42, 81, 120]);
    expect(plan.warnings).toHaveLength(15);
  });
});
