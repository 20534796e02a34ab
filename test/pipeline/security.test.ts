// Kafka over TLS and SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), through the harness's front: every
// record delivered and committed with the right settings, a start that fails at once with wrong ones.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createPipeline, ErrorCode, type SluiceError, silentLogger } from "@sluice/core";
import { elasticsearchDeadLetters, elasticsearchSink } from "@sluice/sink-elasticsearch";
import {
  deadLetterHeaders,
  type KafkaConnectionOptions,
  kafkaDeadLetters,
  kafkaSource,
} from "@sluice/source-kafka";
import { epochToIso, parseJson } from "@sluice/transforms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { type KafkaFront, startKafkaFront, testCaFile } from "../harness/kafka/front/index.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { committedTotal, countDocs, useTestbed, waitFor } from "./helpers.js";

const run = promisify(execFile);
const user = { username: "sluice", password: "t0p-s3cret,=pass" };
type Security = Pick<KafkaConnectionOptions, "sasl" | "ssl">;

describe("Kafka security", () => {
  const bed = useTestbed();
  let tls: KafkaFront;
  let sasl: KafkaFront;
  let saslOverTls: KafkaFront;
  beforeAll(async () => {
    [tls, sasl, saslOverTls] = await Promise.all([
      startKafkaFront(bed.kafka, { tls: true }),
      startKafkaFront(bed.kafka, { sasl: { users: [user] } }),
      startKafkaFront(bed.kafka, { tls: true, sasl: { users: [user] } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([tls?.stop(), sasl?.stop(), saslOverTls?.stop()]);
  });

  /** A slice pipeline reading `topic` through `front` as group `name`, into index `name`. */
  const pipelineThrough = (front: KafkaFront, topic: string, name: string, security: Security) =>
    createPipeline({
      source: kafkaSource({ brokers: front.bootstrapServers, topics: [topic], groupId: name, ...security }),
      stages: [parseJson(), epochToIso()],
      sink: elasticsearchSink({ node: bed.es.url, index: name }),
      deadLetters: elasticsearchDeadLetters({ node: bed.es.url, index: `${name}-letters` }),
      logger: silentLogger(),
      handleSignals: false,
      commitIntervalMs: 200,
    });

  /** Produces `count` records to a new topic, reads them through the front and checks every one. */
  const deliversEverything = async (front: KafkaFront, name: string, security: Security) => {
    await bed.kafka.createTopic(name, 2);
    const count = 300;
    await produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic: name,
      messages: fluentBitRecords(count, { seed: 21 }),
    });
    const pipeline = pipelineThrough(front, name, name, security);
    await pipeline.start();
    await waitFor(
      "every offset committed",
      () => committedTotal(bed.kafka.brokers, name, name),
      (n) => n === count,
    );
    const report = await pipeline.stop();
    expect(report.drained).toBe(true);
    // Deterministic ids: `count` documents means each record once, none missing.
    expect(await countDocs(bed.client, name)).toBe(count);
    expect(await countDocs(bed.client, `${name}-letters`)).toBe(0);
  };

  /** The error pipeline.start() fails with, and how long it took. */
  const startFailure = async (front: KafkaFront, name: string, security: Security) => {
    await bed.kafka.createTopic(name, 1);
    const pipeline = pipelineThrough(front, name, name, security);
    const began = Date.now();
    const error = await pipeline.start().then(
      () => undefined,
      (e: SluiceError) => e,
    );
    const elapsedMs = Date.now() - began;
    if (!error) await pipeline.stop();
    return { error, elapsedMs };
  };

  it("TLS: with the CA as ssl.caFile every record lands in Elasticsearch and its offset is committed", async () => {
    await deliversEverything(tls, "tls-with-ca", { ssl: { caFile: testCaFile } });
  }, 120_000);

  it("TLS: without the CA the start fails at once with SLUICE_ERR_KAFKA_TLS, saying to give ssl.caFile", async () => {
    const { error, elapsedMs } = await startFailure(tls, "tls-without-ca", { ssl: true });
    expect(error?.code).toBe(ErrorCode.KAFKA_TLS);
    expect(error?.message).toContain(`the TLS handshake with Kafka at ${tls.bootstrapServers} failed`);
    expect(error?.message).toMatch(/certificate/i);
    expect(error?.message).toContain("ssl.caFile");
    expect(elapsedMs).toBeLessThan(15_000);
  }, 60_000);

  const mechanisms = [
    { mechanism: "plain", over: "plaintext" },
    { mechanism: "scram-sha-256", over: "plaintext" },
    { mechanism: "scram-sha-512", over: "TLS" },
  ] as const;

  for (const { mechanism, over } of mechanisms) {
    const front = () => (over === "TLS" ? saslOverTls : sasl);
    const ssl = over === "TLS" ? { ssl: { caFile: testCaFile } } : {};

    it(`SASL ${mechanism} over ${over}: the right credentials deliver every record exactly once`, async () => {
      await deliversEverything(front(), `sasl-${mechanism}`, { sasl: { mechanism, ...user }, ...ssl });
    }, 120_000);

    it(`SASL ${mechanism} over ${over}: a wrong password fails the start at once with SLUICE_ERR_KAFKA_AUTH`, async () => {
      const { error, elapsedMs } = await startFailure(front(), `sasl-${mechanism}-wrong`, {
        sasl: { mechanism, username: user.username, password: "wrong" },
        ...ssl,
      });
      expect(error?.code).toBe(ErrorCode.KAFKA_AUTH);
      expect(error?.message).toContain(
        `Kafka at ${front().bootstrapServers} refused the SASL authentication`,
      );
      expect(error?.message).toMatch(/Authentication failed/);
      expect(error?.message).toContain("check sasl.mechanism, username and password");
      expect(error?.message).not.toContain("wrong");
      // Refused once, not retried: kafkajs treats a SASL failure as final.
      expect(elapsedMs).toBeLessThan(5000);
    }, 60_000);
  }

  it("the Kafka dead-letter writer authenticates with the same options: a dead letter lands through SASL over TLS", async () => {
    const topic = "secure-dead-letters-in";
    const letters = "secure-dead-letters";
    await bed.kafka.createTopic(topic, 1);
    await bed.kafka.createTopic(letters, 1);
    const security: Security = { sasl: { mechanism: "scram-sha-512", ...user }, ssl: { caFile: testCaFile } };
    await produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      messages: [...fluentBitRecords(5, { seed: 22 }), "not json at all"],
    });
    const pipeline = createPipeline({
      source: kafkaSource({
        brokers: saslOverTls.bootstrapServers,
        topics: [topic],
        groupId: topic,
        ...security,
      }),
      stages: [parseJson(), epochToIso()],
      sink: elasticsearchSink({ node: bed.es.url, index: topic }),
      deadLetters: kafkaDeadLetters({ brokers: saslOverTls.bootstrapServers, topic: letters, ...security }),
      logger: silentLogger(),
      handleSignals: false,
      commitIntervalMs: 200,
    });
    await pipeline.start();
    await waitFor(
      "every offset committed",
      () => committedTotal(bed.kafka.brokers, topic, topic),
      (n) => n === 6,
    );
    await pipeline.stop();
    expect(await countDocs(bed.client, topic)).toBe(5);
    // Read straight from the cluster, without the front: the letter is there, bytes and headers.
    const { stdout } = await run("kcat", [
      "-C",
      "-b",
      bed.kafka.bootstrapServers,
      "-t",
      letters,
      "-o",
      "beginning",
      "-e",
      "-q",
      "-J",
    ]);
    const messages = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { payload: string; headers: string[] });
    expect(messages).toHaveLength(1);
    expect(messages[0]!.payload).toBe("not json at all");
    const headers = messages[0]!.headers;
    expect(headers[headers.indexOf(deadLetterHeaders.code) + 1]).toBe(ErrorCode.PARSE);
    expect(headers[headers.indexOf(deadLetterHeaders.offset) + 1]).toBe("5");
  }, 120_000);

  it("the Kafka dead-letter writer's start fails with SLUICE_ERR_KAFKA_AUTH on a wrong password", async () => {
    const deadLetters = kafkaDeadLetters({
      brokers: sasl.bootstrapServers,
      topic: "never-written",
      sasl: { mechanism: "scram-sha-256", username: user.username, password: "wrong" },
    });
    const error = await deadLetters.connect({ logger: silentLogger(), pipeline: "test" }).then(
      () => undefined,
      (e: SluiceError) => e,
    );
    await deadLetters.close();
    expect(error?.code).toBe(ErrorCode.KAFKA_AUTH);
    expect(error?.message).toMatch(/^dead letters: Kafka at .* refused the SASL authentication/);
  });
});
