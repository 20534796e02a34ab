// Codecs, filters, kafka and elasticsearch options planned as Logstash runs them, checked on events.
import { eventOf, sprintf } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { planOf, runStages, withoutReadTime } from "./plan-helpers.ts";

const OUT = 'output { elasticsearch { index => "x" } }';

describe("the kafka input", () => {
  it("maps its options to kafkaSource's", () => {
    const plan = planOf(`input { kafka {
      bootstrap_servers => "k1:9092, k2:9092" topics => ["a", "b"] group_id => "g" client_id => "c"
      auto_offset_reset => "earliest" consumer_threads => 3 } } ${OUT}`);
    expect(plan.pipelines[0]!.source).toEqual({
      brokers: ["k1:9092", "k2:9092"],
      topics: ["a", "b"],
      groupId: "g",
      clientId: "c",
      startFrom: "earliest",
      partitionsConsumedConcurrently: 3,
    });
    expect(plan.warnings.some((w) => w.message.includes("no auto_offset_reset"))).toBe(false);
  });

  it("plain codec: the text in message, kept as [event][original] under ECS v8, then add_field", async () => {
    const plan = planOf(`input { kafka { add_field => { "t" => "%{message}!" } } } ${OUT}`);
    const [event] = await runStages(plan.pipelines[0]!.stages, ["hello"]);
    expect(event!.value).toMatchObject({
      "@version": "1",
      message: "hello",
      event: { original: "hello" },
      t: "hello!",
    });
    const disabled = planOf(`input { kafka {} } ${OUT}`, { "pipeline.ecs_compatibility": "disabled" });
    const [plainEvent] = await runStages(disabled.pipelines[0]!.stages, ["hello"]);
    expect(withoutReadTime(plainEvent!.value)).toEqual({ "@version": "1", message: "hello" });
    const own = planOf(`input { kafka { ecs_compatibility => disabled } } ${OUT}`);
    const [ownEvent] = await runStages(own.pipelines[0]!.stages, ["hello"]);
    expect(withoutReadTime(ownEvent!.value)).toEqual({ "@version": "1", message: "hello" });
  });

  it("json codec: the object is the event, with Logstash's @timestamp rules; not JSON goes to dead letters", async () => {
    const plan = planOf(`input { kafka { codec => json } } ${OUT}`);
    const text = '{"a":1,"@timestamp":"2024-01-01T00:00:00.000Z"}';
    const own = '{"event":{"original":"own","kind":"k"}}';
    const [ok, bad, float, kept] = await runStages(plan.pipelines[0]!.stages, [
      text,
      "not json",
      '{"@timestamp":1.5}',
      own,
    ]);
    expect(withoutReadTime(kept!.value)).toEqual({ "@version": "1", event: { original: "own", kind: "k" } });
    expect(ok!.value).toEqual({
      "@timestamp": "2024-01-01T00:00:00.000Z",
      "@version": "1",
      a: 1,
      event: { original: text },
    });
    expect(bad!.ok).toBe(false);
    expect(bad!.failure).toMatchObject({ type: "json_parse_exception", stage: "codec-json" });
    expect(float!.value).toMatchObject({ "_@timestamp": "1.5", tags: ["_timestampparsefailure"] });
    expect(
      plan.warnings.filter((w) => w.message.startsWith("kafka codec json")).map((w) => w.where?.column),
    ).toEqual([17]);
  });
});

describe("filters", () => {
  const stagesOf = (filter: string) =>
    planOf(`input { kafka { codec => json } } filter { ${filter} } ${OUT}`).pipelines[0]!.stages;

  it("date: decorations apply when a pattern matched; failure tags only; a missing source does nothing", async () => {
    const stages = stagesOf(
      `date { match => ["t", "UNIX"] remove_field => "t" add_tag => "dated" tag_on_failure => ["bad"] }`,
    );
    const [matched, failed, missing, tagged] = await runStages(stages, [
      { t: 1 },
      { t: "nope" },
      {},
      { t: "x", tags: "old" },
    ]);
    expect(matched!.value).toMatchObject({ "@timestamp": "1970-01-01T00:00:01.000Z", tags: ["dated"] });
    expect(matched!.value).not.toHaveProperty("t");
    expect(withoutReadTime(failed!.value)).toMatchObject({ t: "nope", tags: ["bad"] });
    expect(missing!.value).not.toHaveProperty("tags");
    expect(tagged!.value).toMatchObject({ t: "x", tags: ["old", "bad"] });
  });

  it("json: a failure goes to dead letters untagged; decorations only on success", async () => {
    const stages = stagesOf(`json { source => "m" add_field => { "parsed" => "yes" } }`);
    const [parsed, failed, missing] = await runStages(stages, [{ m: '{"x":1}' }, { m: "{" }, {}]);
    expect(parsed!.value).toMatchObject({ x: 1, parsed: "yes" });
    expect(failed!.failure).toMatchObject({ type: "json_parse_exception", stage: "json" });
    expect(failed!.value).not.toHaveProperty("tags");
    expect(missing!.value).not.toHaveProperty("parsed");
  });

  it("mutate: every operation in Logstash's order, whatever order it is written in", async () => {
    const stages = stagesOf(`mutate { remove_field => ["b"] rename => { "a" => "b" } uppercase => ["b"] }`);
    const [event] = await runStages(stages, [{ a: "x", b: "old" }]);
    expect(event!.value).not.toHaveProperty("a");
    expect(event!.value).not.toHaveProperty("b");
  });
});

describe("the elasticsearch output", () => {
  const targetOf = (options: string) =>
    planOf(`input { kafka {} } output { elasticsearch { ${options} } }`).pipelines[0]!.targets[0]!;

  it("reads hosts, TLS and credentials as Logstash does", () => {
    expect(
      targetOf(`hosts => ["es1", "es2:9201"] ssl_enabled => true cacert => "/ca.pem" api_key => "id:key"`)
        .sink,
    ).toMatchObject({
      node: ["https://es1:9200", "https://es2:9201"],
      tls: { caFile: "/ca.pem" },
      auth: { apiKey: Buffer.from("id:key").toString("base64") },
    });
    expect(targetOf(`hosts => "es" index => "i"`).sink.node).toBe("http://es:9200");
    expect(targetOf(`hosts => ["https://es"] ssl_verification_mode => "none"`).sink.tls).toEqual({
      rejectUnauthorized: false,
    });
  });

  it("outside data stream mode: index with sprintf, action, a field document_id, pipeline", () => {
    expect(
      targetOf(
        `index => "logs-%{[app]}-%{+yyyy.MM.dd}" action => "create" document_id => "%{[trace][id]}" pipeline => "p"`,
      ).sink,
    ).toEqual({
      node: "http://127.0.0.1:9200",
      index: "logs-%{[app]}-%{+yyyy.MM.dd}",
      action: "create",
      id: { field: "[trace][id]" },
      pipeline: "p",
    });
    expect(targetOf(`index => "i"`).sink).toMatchObject({ action: "index", id: "origin" });
  });

  it("data streams: auto routing by the event's data_stream fields, which are synced to the stream written to", async () => {
    const plan = planOf(
      `input { kafka { codec => json } } output { elasticsearch { data_stream_dataset => "app" } }`,
    );
    const pipeline = plan.pipelines[0]!;
    const [own, none, invalid] = await runStages(pipeline.stages, [
      { data_stream: { dataset: "nginx" } },
      {},
      { data_stream: "x" },
    ]);
    const index = (value: unknown) =>
      sprintf(pipeline.targets[0]!.sink.index as string)(value as Record<string, unknown>);
    expect(own!.value).toMatchObject({
      data_stream: { type: "logs", dataset: "nginx", namespace: "default" },
    });
    expect(index(own!.value)).toBe("logs-nginx-default");
    expect(index(none!.value)).toBe("logs-app-default");
    expect(index(invalid!.value)).toBe("logs-app-default");
  });

  it("data streams without auto routing: one name, and differing fields overwritten", async () => {
    const plan = planOf(`input { kafka { codec => json } } output { elasticsearch {
      data_stream => true data_stream_auto_routing => false data_stream_namespace => "prod" } }`);
    const pipeline = plan.pipelines[0]!;
    expect(pipeline.targets[0]!.sink.index).toBe("logs-generic-prod");
    const [event] = await runStages(pipeline.stages, [{ data_stream: { namespace: "dev", extra: 1 } }]);
    expect(event!.value).toMatchObject({
      data_stream: { type: "logs", dataset: "generic", namespace: "prod", extra: 1 },
    });
  });

  it("data streams with sync off: the index function reads the event's fields, the document stays as it is", async () => {
    const plan = planOf(
      `input { kafka { codec => json } } output { elasticsearch { data_stream_sync_fields => false } }`,
    );
    const pipeline = plan.pipelines[0]!;
    const index = pipeline.targets[0]!.sink.index as (event: unknown) => string;
    const [event] = await runStages(pipeline.stages, [{ data_stream: { type: "metrics" } }]);
    expect(index(event)).toBe("metrics-generic-default");
    expect(index(eventOf({}))).toBe("logs-generic-default");
    expect(event!.value).toMatchObject({ data_stream: { type: "metrics" } });
    expect(pipeline.stageTexts).not.toContain("data_stream fields synced to the stream written to");
  });

  it("an event bound for a data stream and an index at once goes to dead letters: one document cannot be both", async () => {
    const plan = planOf(`input { kafka { codec => json } } output {
      elasticsearch { data_stream => true }
      if [copy] { elasticsearch { index => "copies" } } }`);
    const [both, one] = await runStages(plan.pipelines[0]!.stages, [{ copy: true }, {}]);
    expect(both!.failure).toMatchObject({ stage: "data_stream_sync", type: "data_stream_conflict" });
    expect(one!.ok).toBe(true);
  });

  it("routes by the event before the sync, as Logstash's outputs test it", async () => {
    const plan = planOf(`input { kafka { codec => json } } output {
      if ![data_stream] { elasticsearch { data_stream => true } } }`);
    const pipeline = plan.pipelines[0]!;
    const [bare, own] = await runStages(pipeline.stages, [{}, { data_stream: { dataset: "d" } }]);
    expect(bare!.value).toMatchObject({ data_stream: { dataset: "generic" } });
    expect(pipeline.targets[0]!.when!(bare!)).toBe(true);
    expect(pipeline.targets[0]!.when!(own!)).toBe(false);
  });
});
