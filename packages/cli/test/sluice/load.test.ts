import { describe, expect, it } from "vitest";
import { config, load, run } from "./helpers.js";

const FULL = `
kafka:
  brokers: kafka-1:9092,kafka-2:9092
  clientId: sluice-test
elasticsearch:
  node: http://es:9200
  auth: { username: elastic, password: secret }
pipelines:
  - name: insight-logs
    source:
      topics: [insight-logs, insight-event]
      groupId: sluice-insight
      startFrom: latest
    stages:
      - plain: {}
      - mutate: { add_field: { stage: plain } }
      - when: { logstash: '[message] =~ /^\\{/' }
        then:
          - json: { source: message }
        else:
          - mutate: { add_tag: [not_json] }
      - filter: { condition: '.level != "debug"' }
    targets:
      - name: logs
        when: '.kafka_topic == "insight-logs"'
        elasticsearch: { index: logs-insight-default, dataStream: true }
      - name: events
        when: { logstash: '"not_json" in [tags]' }
        elasticsearch: { index: events, node: http://other:9200 }
    unrouted: drop
deadLetters: { index: dead }
flow: { maxInFlightBytes: 67108864 }
http: { host: 127.0.0.1, port: 9464 }
logging: { level: debug }
`;

describe("loadSluiceConfig reads a Sluice config into a plan", () => {
  it("merges kafka: under every source and elasticsearch: under every target and the dead letters", async () => {
    const plan = await load(FULL);
    expect(plan.form).toBe("sluice");
    expect(plan.files?.[0]).toMatch(/sluice\.yaml$/);
    const [pipeline] = plan.pipelines;
    expect(pipeline!.name).toBe("insight-logs");
    expect(pipeline!.source).toEqual({
      brokers: "kafka-1:9092,kafka-2:9092",
      clientId: "sluice-test",
      topics: ["insight-logs", "insight-event"],
      groupId: "sluice-insight",
      startFrom: "latest",
    });
    expect(pipeline!.targets.map((t) => t.sink)).toEqual([
      {
        node: "http://es:9200",
        auth: { username: "elastic", password: "secret" },
        index: "logs-insight-default",
        dataStream: true,
      },
      { node: "http://other:9200", auth: { username: "elastic", password: "secret" }, index: "events" },
    ]);
    expect(pipeline!.unrouted).toBe("drop");
    expect(plan.deadLetters?.sink).toEqual({
      node: "http://es:9200",
      auth: { username: "elastic", password: "secret" },
      index: "dead",
    });
    expect(plan.flow).toEqual({ maxInFlightBytes: 67108864 });
    expect(plan.http).toEqual({ host: "127.0.0.1", port: 9464 });
    expect(plan.logging).toEqual({ level: "debug" });
  });

  it("builds the stages in order: a when block runs then or else, filter drops, and the plan names each", async () => {
    const plan = await load(FULL);
    const pipeline = plan.pipelines[0]!;
    expect(pipeline.stageTexts).toEqual([
      "plain",
      'mutate {"add_field":{"stage":"plain"}}',
      'when logstash: [message] =~ /^\\{/: [json {"source":"message"}] else [mutate {"add_tag":["not_json"]}]',
      'filter {"condition":".level != \\"debug\\""}',
    ]);
    const events = await run(
      pipeline,
      "insight-logs",
      '{"level":"info","n":1}',
      "plain text",
      '{"level":"debug"}',
    );
    expect(events.map((e) => e.ok && !e.dropped)).toEqual([true, true, false]);
    const [json, text] = events.map((e) => e.value as Record<string, unknown>);
    expect(json).toMatchObject({ level: "info", n: 1, stage: "plain" });
    expect(json!.tags).toBeUndefined();
    expect(text).toMatchObject({ message: "plain text", tags: ["not_json"] });
  });

  it("compiles each target's when: VRL text, or a Logstash condition kept verbatim", async () => {
    const [logs, events] = (await load(FULL)).pipelines[0]!.targets;
    expect(logs!.whenText).toBe('.kafka_topic == "insight-logs"');
    expect(events!.whenText).toBe('logstash: "not_json" in [tags]');
    const [a, b] = await run(
      { ...(await load(config())).pipelines[0]!, stages: [] },
      "insight-logs",
      "{}",
      "{}",
    );
    a!.value = { kafka_topic: "insight-logs" };
    b!.value = { kafka_topic: "other", tags: ["not_json"] };
    expect([logs!.when!(a!), logs!.when!(b!)]).toEqual([true, false]);
    expect([events!.when!(a!), events!.when!(b!)]).toEqual([false, true]);
  });

  it("defaults: unrouted events go to dead letters, on elasticsearch:'s cluster in sluice-dead-letter", async () => {
    const plan = await load(config());
    expect(plan.pipelines[0]!.unrouted).toBe("dead-letter");
    expect(plan.pipelines[0]!.stages).toEqual([]);
    expect(plan.pipelines[0]!.targets[0]!.when).toBeUndefined();
    expect(plan.deadLetters?.sink).toEqual({ node: "http://localhost:9200", index: "sluice-dead-letter" });
    expect(plan.flow).toBeUndefined();
  });

  it("reads JSON as well as YAML", async () => {
    const json = JSON.stringify({
      pipelines: [
        {
          name: "p",
          source: { brokers: "k:9092", topics: ["t"], groupId: "g" },
          stages: [{ parseJson: {} }, { remap: { source: ".seen = true" } }],
          targets: [{ name: "es", elasticsearch: { node: "http://es:9200", index: "t" } }],
        },
      ],
    });
    const plan = await load(json, { name: "sluice.json" });
    expect(plan.deadLetters).toBeUndefined();
    const [event] = await run(plan.pipelines[0]!, "t", '{"a":1}');
    expect(event!.value).toEqual({ a: 1, seen: true });
  });
});
