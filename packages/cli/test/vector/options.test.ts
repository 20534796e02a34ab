import { describe, expect, it } from "vitest";
import { config, plan, run } from "./helpers.js";

const only = (text: string) => plan(text).pipelines[0]!;

describe("the kafka source's options", () => {
  it("maps brokers, offsets reset and the metadata field names into the event", async () => {
    const pipeline = only(
      config({
        source:
          "    auto_offset_reset: smallest\n    key_field: k\n    topic_key: t\n    partition_key: ''\n    offset_key: o\n    headers_key: h\n",
      }).replace('"kafka:9092"', '"a:9092, b:9092"'),
    );
    expect(pipeline.source).toMatchObject({
      brokers: ["a:9092", "b:9092"],
      groupId: "g",
      startFrom: "earliest",
    });
    const [event] = await run(pipeline, "logs", "hello");
    expect(event!.value).toMatchObject({ message: "hello", t: "logs", o: 0, h: {}, k: null });
    expect(event!.value).not.toHaveProperty("partition");
  });

  it("reads a topic starting with ^ as kafkaSource's topicPattern, as Vector reads it", () => {
    const pipeline = only(config().replace("topics: [logs]", 'topics: [logs, "^app-.+"]'));
    expect(pipeline.source).toMatchObject({ topics: ["logs"], topicPattern: "^app-.+" });
  });

  it("decodes json payloads into the event, and dead-letters what is not a JSON object", async () => {
    const pipeline = only(config({ source: "    decoding:\n      codec: json\n" }));
    const [good, bad] = await run(pipeline, "logs", '{"level":"info"}', "not json");
    expect(good!.value).toMatchObject({ level: "info", topic: "logs" });
    expect(good!.value).not.toHaveProperty("message");
    expect(bad!.failure?.code).toBe("SLUICE_ERR_TRANSFORM");
  });
});

describe("the elasticsearch sink's options", () => {
  const sink = (lines: string) => only(config({ sink: lines })).targets[0]!.sink;

  it("maps an API key, ca_file, gzip, action, id_key, pipeline and templates", () => {
    expect(
      sink(`    request:
      headers:
        Authorization: "ApiKey k3y"
    pipeline: geoip
    tls:
      ca_file: /etc/ca.pem
    compression: gzip
    id_key: trace.id
    request_retry_partial: true
    bulk:
      action: index
      index: "app-{{ .kubernetes.namespace }}-%Y.%m.%d"
`),
    ).toEqual({
      node: "http://es:9200",
      auth: { apiKey: "k3y" },
      pipeline: "geoip",
      tls: { caFile: "/etc/ca.pem" },
      compression: true,
      action: "index",
      id: { field: "[trace][id]" },
      index: "app-%{[kubernetes][namespace]}-%{+yyyy}.%{+MM}.%{+dd}",
    });
  });

  it("maps mode data_stream to the data stream's name, with Vector's defaults", () => {
    expect(sink("    mode: data_stream\n")).toMatchObject({
      index: "logs-generic-default",
      dataStream: true,
      action: "create",
    });
    expect(
      sink(
        "    mode: data_stream\n    data_stream:\n      type: metrics\n      dataset: app\n      namespace: prod\n",
      ),
    ).toMatchObject({ index: "metrics-app-prod" });
  });

  it("takes `endpoint` and several endpoints", () => {
    const text = config().replace(
      'endpoints: ["http://es:9200"]',
      'endpoints: ["http://a:9200", "http://b:9200"]',
    );
    expect(only(text).targets[0]!.sink.node).toEqual(["http://a:9200", "http://b:9200"]);
    const single = config().replace('endpoints: ["http://es:9200"]', "endpoint: http://c:9200");
    expect(only(single).targets[0]!.sink.node).toBe("http://c:9200");
  });
});

describe("filter and route", () => {
  const graph = `sources:
  in: { type: kafka, bootstrap_servers: "k:9092", group_id: g, topics: [logs], decoding: { codec: json } }
transforms:
  keep:
    type: filter
    inputs: [in]
    condition: '.level != "debug"'
  split:
    type: route
    inputs: [keep]
    route:
      errors: '.level == "error"'
      audit:
        type: vrl
        source: '.kind == "audit"'
sinks:
  errors: { type: elasticsearch, inputs: [split.errors], endpoint: "http://es:9200", bulk: { index: errors } }
  audit: { type: elasticsearch, inputs: [split.audit], endpoint: "http://es:9200", bulk: { index: audit } }
  rest: { type: elasticsearch, inputs: [split._unmatched], endpoint: "http://es:9200", bulk: { index: rest } }
`;

  it("filters in a stage, and sends each event to every route its conditions take, as Vector", async () => {
    const pipeline = only(graph);
    expect(pipeline.stageTexts.at(-1)).toBe('filter keep: .level != "debug"');
    const events = await run(
      pipeline,
      "logs",
      '{"level":"debug"}',
      '{"level":"error","kind":"audit"}',
      '{"level":"info"}',
    );
    const kept = events.filter((event) => !event.dropped);
    expect(kept.map((event) => (event.value as { level: string }).level)).toEqual(["error", "info"]);
    const to = (i: number) => pipeline.targets.filter((t) => t.when?.(kept[i]!) ?? true).map((t) => t.name);
    expect(to(0)).toEqual(["errors", "audit"]);
    expect(to(1)).toEqual(["rest"]);
    expect(pipeline.unrouted).toBe("drop");
  });
});

describe("a sink fed twice", () => {
  it("is two targets, as Vector writes the record twice, with the warning that Sluice's ids land it once", () => {
    const result = plan(`sources:
  in: { type: kafka, bootstrap_servers: "k:9092", group_id: g, topics: [logs] }
transforms:
  a: { type: remap, inputs: [in], source: ".x = 1" }
  b: { type: remap, inputs: [in], source: ".x = 1" }
sinks:
  s: { type: elasticsearch, inputs: [a, b], endpoint: "http://es:9200", bulk: { index: s } }
`);
    const pipeline = result.pipelines[0]!;
    expect(pipeline.stageTexts).toEqual(["vectorKafkaEvent (the kafka source's event)", "remap a"]);
    expect(pipeline.targets.map((t) => [t.name, t.whenText])).toEqual([
      ["s", "via a"],
      ["s#2", "via b"],
    ]);
    expect(result.warnings.map((w) => w.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining("each of its records is written 2 times"),
        expect.stringContaining('reaches sink "s" on two paths'),
      ]),
    );
  });
});
