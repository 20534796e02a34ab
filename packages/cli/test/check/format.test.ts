import { describe, expect, it } from "vitest";
import { formatPlan } from "../../src/check/format-plan.js";
import { loadLogstash } from "../../src/logstash/load.js";
import { planLogstash } from "../../src/logstash/plan/plan-logstash.js";
import type { Plan } from "../../src/plan.js";
import { loadVector } from "../../src/vector/load.js";
import { planVector } from "../../src/vector/plan.js";

const seed = (name: string) => new URL(`../../../../test/fixtures/seed/${name}`, import.meta.url).pathname;
const LOGSTASH = seed("logstash-values.yaml");
const VECTOR = seed("vector-configmap.yaml");

/** The lines of `text` between the line `title` and the next blank line. */
const block = (text: string, title: string) => {
  const lines = text.split("\n");
  const start = lines.indexOf(title);
  expect(start, `no line ${JSON.stringify(title)} in:\n${text}`).toBeGreaterThanOrEqual(0);
  const end = lines.indexOf("", start);
  return lines.slice(start + 1, end === -1 ? undefined : end).join("\n");
};

describe("formatPlan on the seed's Logstash Helm values", () => {
  const text = formatPlan(planLogstash(loadLogstash([LOGSTASH])));

  it("prints the three pipelines once, with each one's topic and what differs between them", () => {
    expect(text).toMatch(/^Sluice plan · Logstash configuration · 3 pipelines\n/);
    const pipelines = block(
      text,
      "Pipelines main.kafka-1, main.kafka-2, main.kafka-3: the same but for their topics and what is marked",
    );
    expect(pipelines).toContain("main.kafka-1  topic insight-event");
    expect(pipelines).toContain("main.kafka-2  topic insight-gw-skoala");
    expect(pipelines).toContain("main.kafka-3  topic insight-logs");
    expect(pipelines).toContain("group logstash · with no committed offset, starts at the latest record");
    expect(pipelines).toMatch(
      / 2 {2}differs by pipeline:\n +main\.kafka-1 {2}add_field \{"kafka_topic":"insight-event"\}/,
    );
    // Every file's filters run on every event: the four filters, three times over, printed once.
    expect(pipelines).toMatch(
      /4–15 {2}3 times in a row:\n +mutate \{"gsub":\["message","@timestamp","_@timestamp"\]\}\n +json /,
    );
    expect(pipelines.match(/mutate \{"gsub"/g)).toHaveLength(1);
    expect(pipelines).toMatch(
      /targets, each → data stream %\{\[data_stream\]\[type\]\}-%\{\[data_stream\]\[dataset\]\}-%\{\[data_stream\]\[namespace\]\} ·\s+action create · _id = <topic>\+<partition>\+<offset>/,
    );
    expect(pipelines).toContain('elasticsearch-1  (only when [kafka_topic] == "insight-event")');
    expect(pipelines).toContain('elasticsearch-3  (only when [kafka_topic] == "insight-logs")');
    expect(pipelines).toContain("an event no target takes is dropped");
    // Nothing printed per pipeline twice.
    expect(text.match(/elasticsearch-2 /g)).toHaveLength(1);
  });

  it("names the connections once, credentials by kind only", () => {
    const connections = block(text, "Connections");
    expect(connections).toBe(
      "  Kafka 172.30.120.189:32082\n" +
        "  Elasticsearch https://172.30.120.201:32427 · user elastic · TLS certificates NOT verified",
    );
    expect(text).toContain("Dead letters → index sluice-dead-letter (the default)");
  });

  it("groups the warnings by kind, each message once with every position", () => {
    const behaviour = block(
      text,
      "Your config does this (unlike Fluent Bit writing to Elasticsearch directly)",
    );
    expect(behaviour).toContain('mutate gsub rewrites every "@timestamp" in [message]');
    expect(behaviour).toContain(`at ${LOGSTASH}:28:9 (logstashPipeline["insight-event.conf"])`);
    expect(behaviour).toContain(`at ${LOGSTASH}:67:9 (logstashPipeline["insight-gw-skoala.conf"])`);
    expect(behaviour).toContain(`at ${LOGSTASH}:106:9 (logstashPipeline["insight-logs.conf"])`);
    expect(behaviour.match(/mutate gsub rewrites/g)).toHaveLength(1);
    expect(behaviour).toContain("no auto_offset_reset");
    const difference = block(text, "Sluice runs it differently from Logstash");
    expect(difference).toContain('"_jsonparsefailure"');
    expect(difference).toContain(`at ${LOGSTASH}:30:7 (logstashPipeline["insight-event.conf"])`);
    expect(difference).toContain("Sluice commits an offset only after Elasticsearch accepted its record");
    expect(difference).not.toContain("mutate gsub");
  });

  it("never prints the seed's password", () => {
    const password = "0OWj4D54GTH3xK06f9Gg01Zk";
    expect(text).not.toContain(password);
    expect(text).not.toContain(Buffer.from(`elastic:${password}`).toString("base64"));
  });
});

describe("formatPlan on the seed's Vector ConfigMap", () => {
  const text = formatPlan(planVector(loadVector(VECTOR)));

  it("prints each source's pipeline with its topic, stages and targets", () => {
    expect(text).toMatch(/^Sluice plan · Vector configuration · 3 pipelines\n/);
    const logs = block(text, "Pipeline insight_logs_kafka");
    expect(logs).toContain("reads topic insight-logs");
    expect(logs).toContain(
      "group consumer-group-insight · with no committed offset, starts at the latest record",
    );
    expect(logs).toMatch(
      /1 {2}vectorKafkaEvent \(the kafka source's event\)\n +2 {2}remap insight_logs_remap/,
    );
    expect(logs).toMatch(
      /insight_es_logs {2}\(via insight_logs_remap\)\n +→ index insight-es-k8s-logs-alias-1418 · action create · _id = <topic>\+<partition>\+<offset>/,
    );
    const skoala = block(text, "Pipeline insight_gw_skoala_kafka");
    expect(skoala).toContain("→ index insight-es-k8s-event-logs-alias-1418");
    expect(skoala).toContain("→ index skoala-gw-alias-1418");
  });

  it("puts the ingest-time @timestamp and the double write among what the config does, with positions", () => {
    const behaviour = block(
      text,
      "Your config does this (unlike Fluent Bit writing to Elasticsearch directly)",
    );
    expect(behaviour).toContain(
      'transform "insight_logs_remap" sets @timestamp to the time the event is processed',
    );
    expect(behaviour).toContain(
      `at ${VECTOR}:35:13 (data["aggregator.yaml"] transforms.insight_logs_remap.source)`,
    );
    expect(behaviour).toMatch(
      /feeds 2 sinks \(insight_es_event,\s+insight_es_gw_skoala\): each of its records is written 2 times/,
    );
    expect(behaviour).toContain(`at ${VECTOR}:22:7 (data["aggregator.yaml"])`);
    const difference = block(text, "Sluice runs it differently from Vector");
    expect(difference).toContain(
      "Sluice commits a record's offset only after every sink it goes to accepted it",
    );
    expect(difference).not.toContain("@timestamp");
  });

  it("never prints the seed's password", () => {
    const password = "8QZJ656ax3TXZqQh205l3Ee0";
    expect(text).not.toContain(password);
    expect(text).not.toContain(Buffer.from(`elastic:${password}`).toString("base64"));
  });
});

describe("formatPlan on a plan with credentials of every kind", () => {
  const plan: Plan = {
    form: "sluice",
    pipelines: [
      {
        name: "a",
        source: {
          brokers: ["k1:9093"],
          topics: ["t"],
          groupId: "g",
          sasl: { mechanism: "scram-sha-512", username: "svc", password: "kafka-s3cret" },
          ssl: true,
        },
        stages: [],
        stageTexts: [],
        targets: [
          { name: "first", sink: { node: "https://ops:url-s3cret@es-a:9200", index: "a" } },
          { name: "second", sink: { node: "https://es-b:9200", auth: { apiKey: "key-s3cret" }, index: "b" } },
        ],
        unrouted: "dead-letter",
      },
    ],
    warnings: [{ kind: "behaviour", message: "a message quoting kafka-s3cret by mistake" }],
    deadLetters: { sink: { node: "https://es-c:9200", auth: { bearer: "token-s3cret" }, index: "letters" } },
  };
  const text = formatPlan(plan);

  it("names each cluster and credential kind, and hides every secret", () => {
    expect(text).toContain("Kafka k1:9093 · SASL scram-sha-512 as svc · TLS");
    expect(text).toContain("on Elasticsearch https://ops:[redacted]@es-a:9200/ · user ops (in the URL)");
    expect(text).toContain("on Elasticsearch https://es-b:9200 · API key");
    expect(text).toContain("on Elasticsearch https://es-c:9200 · bearer token");
    expect(text).toContain("Dead letters → index letters");
    for (const secret of ["kafka-s3cret", "url-s3cret", "key-s3cret", "token-s3cret"])
      expect(text).not.toContain(secret);
    expect(text).toContain("a message quoting [redacted] by mistake");
  });
});
