// No credential reaches a log line, an error, /health or a dead letter: a password in an Elasticsearch URL,
// auth.password, an API key and a SASL password, through failed starts, warnings and a running pipeline.
import { Client } from "@elastic/elasticsearch";
import { createLogger, createPipeline, ErrorCode, type Pipeline, type SluiceError } from "@sluice/core";
import { elasticsearchDeadLetters, elasticsearchSink } from "@sluice/sink-elasticsearch";
import { kafkaSource } from "@sluice/source-kafka";
import { parseJson } from "@sluice/transforms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogCapture } from "../../packages/core/test/memory-components.js";
import { runsOn } from "../harness/backends.js";
import { type EmulatorHandle, startElasticsearch } from "../harness/elasticsearch/index.js";
import { type KafkaCluster, startKafkaCluster } from "../harness/kafka/cluster.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { countDocs, waitFor, waitForCommits } from "./helpers.js";

const PASSWORD = "Rt-pw:9#elastic"; // the right one, given in the URL and as auth.password
const WRONG_URL_PASSWORD = "wr0ng-url-pw";
const WRONG_API_KEY = "d3JvbmctYXBpLWtleQ==";
const SASL_PASSWORD = "sasl-pl41n-pw";
const secrets = [
  PASSWORD,
  encodeURIComponent(PASSWORD),
  Buffer.from(`elastic:${PASSWORD}`).toString("base64"),
  WRONG_URL_PASSWORD,
  Buffer.from(`elastic:${WRONG_URL_PASSWORD}`).toString("base64"),
  WRONG_API_KEY,
  SASL_PASSWORD,
];

/** Every message and stack of an error and its causes. */
function errorText(error: unknown, depth = 0): string {
  if (!(error instanceof Error) || depth > 5) return String(error);
  return `${error.message}\n${error.stack}\n${errorText(error.cause, depth + 1)}`;
}

function expectNoSecret(text: string): void {
  for (const secret of secrets) expect(text, `leaked ${secret}`).not.toContain(secret);
}

describe(`core: credentials never reported ${runsOn({ kafka: true, es: "emulator" })}`, () => {
  let kafka: KafkaCluster;
  let es: EmulatorHandle;
  let client: Client;
  const url = (password: string) =>
    es.url.replace("http://", `http://elastic:${encodeURIComponent(password)}@`);
  beforeAll(async () => {
    [kafka, es] = await Promise.all([
      startKafkaCluster(),
      startElasticsearch({ backend: "emulator", auth: { username: "elastic", password: PASSWORD } }),
    ]);
    client = new Client({ node: es.url, auth: { username: "elastic", password: PASSWORD } });
  }, 120_000);
  afterAll(async () => {
    await client?.close();
    await es?.stop();
    await kafka?.stop();
  });

  const build = (
    log: LogCapture,
    topic: string,
    parts: {
      sink?: ReturnType<typeof elasticsearchSink>;
      sasl?: boolean;
      http?: boolean;
    } = {},
  ): Pipeline =>
    createPipeline({
      source: kafkaSource({
        brokers: kafka.bootstrapServers,
        topics: [topic],
        groupId: topic,
        ...(parts.sasl
          ? { sasl: { mechanism: "plain" as const, username: "sluice", password: SASL_PASSWORD } }
          : {}),
      }),
      stages: [parseJson()],
      sink: parts.sink ?? elasticsearchSink({ node: url(PASSWORD), index: topic }),
      deadLetters: elasticsearchDeadLetters({
        node: es.url,
        auth: { username: "elastic", password: PASSWORD },
        index: `${topic}-letters`,
      }),
      logger: createLogger({ destination: log, level: "debug" }),
      commitIntervalMs: 200,
      ...(parts.http ? { http: { port: 0 } } : {}),
    });

  it("failed starts (a wrong password in the URL, a wrong API key, SASL PLAIN refused) print no credential", async () => {
    const topic = "core-secrets-start";
    await kafka.createTopic(topic, 1);
    const log = new LogCapture();
    const failures: Array<{ code: string | undefined; text: string }> = [];
    for (const parts of [
      { sink: elasticsearchSink({ node: url(WRONG_URL_PASSWORD), index: topic }) },
      { sink: elasticsearchSink({ node: es.url, auth: { apiKey: WRONG_API_KEY }, index: topic }) },
      { sasl: true },
    ]) {
      const pipeline = build(log, topic, parts);
      const error = await pipeline.start().then(
        async () => {
          await pipeline.stop();
          return undefined;
        },
        (e: SluiceError) => e,
      );
      failures.push({ code: error?.code, text: errorText(error) });
    }
    expect(failures.map((f) => f.code).slice(0, 2)).toEqual([ErrorCode.ES_AUTH, ErrorCode.ES_AUTH]);
    // A real broker's PLAINTEXT listener answers SASL with ILLEGAL_SASL_STATE (KAFKA_AUTH); the mock cluster
    // just drops the connection (KAFKA_UNREACHABLE).
    expect(failures[2]!.code).toMatch(/^SLUICE_ERR_KAFKA_(AUTH|UNREACHABLE)$/);
    expect(failures[0]!.text).toContain(
      `Elasticsearch at ${es.url.replace("http://", "http://elastic:[redacted]@")}`,
    );
    // The warnings that say credentials travel in clear text were given, without the credentials.
    expect(log.text).toContain("Elasticsearch basic auth over plain HTTP");
    expect(log.text).toContain("Kafka SASL PLAIN without TLS");
    expectNoSecret(failures.map((f) => f.text).join("\n") + log.text);
  }, 120_000);

  it("a running pipeline, through an Elasticsearch outage and a dead letter, prints no credential in logs, /health or dead letters", async () => {
    const topic = "core-secrets-run";
    await kafka.createTopic(topic, 1);
    await produceWithKcat({
      brokers: kafka.bootstrapServers,
      topic,
      messages: [...fluentBitRecords(200, { seed: 26 }), "not json"],
    });
    const log = new LogCapture();
    const pipeline = build(log, topic, {
      sink: elasticsearchSink({ node: url(PASSWORD), index: topic, retry: { maxDelayMs: 500 } }),
      http: true,
    });
    es.faults.respondWith(503, { paths: /_bulk/ });
    let health = "";
    try {
      await pipeline.start();
      // The sink reports the outage: its warnings and /health carry the error it met.
      health = await waitFor(
        "/health to show the sink's error",
        async () => JSON.stringify(await (await fetch(`${pipeline.httpUrl}/health`)).json()),
        (text) => text.includes("lastError"),
      );
      es.faults.clear();
      await waitForCommits([kafka.bootstrapServers], topic, topic, 201);
    } finally {
      es.faults.clear();
      await pipeline.stop();
    }
    expect(await countDocs(client, topic)).toBe(200);
    const letters = await client.search({ index: `${topic}-letters` });
    expect(letters.hits.hits).toHaveLength(1);
    expect(log.text).toContain("connected to Elasticsearch");
    expect(log.text).toContain("http://elastic:[redacted]@");
    expectNoSecret(log.text + health + JSON.stringify(letters.hits.hits));
  }, 120_000);
});
