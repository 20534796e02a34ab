// Kafka over TLS and SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512): every record delivered and committed with
// the right settings, a start that fails at once with wrong ones.
// The brokers are always ones this file starts: by default a real Apache Kafka node with its own SSL,
// SASL_PLAINTEXT and SASL_SSL listeners (also when KAFKA_BROKERS names a cluster, whose listeners a test
// cannot configure); with SLUICE_TEST_KAFKA=mock, librdkafka's mock cluster behind the harness's front,
// which terminates TLS and SASL for it.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Client } from "@elastic/elasticsearch";
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
import { elasticsearchBackend, elasticsearchNames, kafkaBackend, kafkaNames } from "../harness/backends.js";
import { type ElasticsearchHandle, startElasticsearch } from "../harness/elasticsearch/index.js";
import { type KafkaCluster, startKafkaCluster } from "../harness/kafka/cluster.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { startKafkaFront, testCaFile } from "../harness/kafka/front/index.js";
import { RealKafkaCluster, realKafkaCaFile } from "../harness/kafka/real-cluster.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { countDocs, waitForCommits } from "./helpers.js";

const run = promisify(execFile);
const user = { username: "sluice", password: "t0p-s3cret,=pass" };
type Security = Pick<KafkaConnectionOptions, "sasl" | "ssl">;

/** Where clients connect with each kind of security. */
interface Endpoint {
  readonly bootstrapServers: string;
}

/** Secured ways into one cluster, and the cluster itself over PLAINTEXT for the test's own setup and checks. */
interface SecureKafka {
  readonly cluster: Pick<KafkaCluster, "bootstrapServers" | "brokers" | "createTopic">;
  readonly tls: Endpoint;
  readonly sasl: Endpoint;
  readonly saslOverTls: Endpoint;
  /** The CA that signed the TLS certificate, for `ssl.caFile`. */
  readonly caFile: string;
  stop(): Promise<void>;
}

/** A real node with a listener per protocol: TLS and SASL as brokers do them, nothing in between. */
async function realSecureKafka(): Promise<SecureKafka> {
  const cluster = await RealKafkaCluster.start({ security: { users: [user] } });
  const at = (listener: string) => ({ bootstrapServers: cluster.listenerAddresses(listener).join(",") });
  return {
    cluster,
    tls: at("SSL"),
    sasl: at("SASL_PLAINTEXT"),
    saslOverTls: at("SASL_SSL"),
    caFile: realKafkaCaFile,
    stop: () => cluster.stop(),
  };
}

/** Fronts before a mock cluster of its own, which speaks neither TLS nor SASL. */
async function frontedMock(): Promise<SecureKafka> {
  const mock = await startKafkaCluster({ backend: "mock" });
  const [tls, sasl, saslOverTls] = await Promise.all([
    startKafkaFront(mock, { tls: true }),
    startKafkaFront(mock, { sasl: { users: [user] } }),
    startKafkaFront(mock, { tls: true, sasl: { users: [user] } }),
  ]);
  return {
    cluster: mock,
    tls,
    sasl,
    saslOverTls,
    caFile: testCaFile,
    stop: async () => {
      await Promise.all([tls.stop(), sasl.stop(), saslOverTls.stop()]);
      await mock.stop();
    },
  };
}

// Not runsOn(): with KAFKA_BROKERS set it would name that cluster, which this file never uses.
const kafkaName =
  kafkaBackend() === "mock" ? `${kafkaNames.mock} behind the harness's TLS/SASL front` : kafkaNames.real;

describe(`Kafka security [${kafkaName}, ${elasticsearchNames[elasticsearchBackend()]}]`, () => {
  // No testbed: its Kafka would sit unused beside the one with the secured listeners.
  const bed = {} as { es: ElasticsearchHandle; client: Client };
  let kafka: SecureKafka;
  beforeAll(async () => {
    [kafka, bed.es] = await Promise.all([
      kafkaBackend() === "mock" ? frontedMock() : realSecureKafka(),
      startElasticsearch(),
    ]);
    bed.client = new Client({ node: bed.es.url });
  }, 120_000);
  afterAll(async () => {
    await bed.client?.close();
    await bed.es?.stop();
    await kafka?.stop();
  });

  /** A slice pipeline reading `topic` through `endpoint` as group `name`, into index `name`. */
  const pipelineThrough = (endpoint: Endpoint, topic: string, name: string, security: Security) =>
    createPipeline({
      source: kafkaSource({
        brokers: endpoint.bootstrapServers,
        topics: [topic],
        groupId: name,
        ...security,
      }),
      stages: [parseJson(), epochToIso()],
      sink: elasticsearchSink({ node: bed.es.url, index: name }),
      deadLetters: elasticsearchDeadLetters({ node: bed.es.url, index: `${name}-letters` }),
      logger: silentLogger(),
      commitIntervalMs: 200,
    });

  /** Produces `count` records to a new topic, reads them through `endpoint` and checks every one. */
  const deliversEverything = async (endpoint: Endpoint, name: string, security: Security) => {
    await kafka.cluster.createTopic(name, 2);
    const count = 300;
    await produceWithKcat({
      brokers: kafka.cluster.bootstrapServers,
      topic: name,
      messages: fluentBitRecords(count, { seed: 21 }),
    });
    const pipeline = pipelineThrough(endpoint, name, name, security);
    await pipeline.start();
    await waitForCommits(kafka.cluster.brokers, name, name, count);
    const report = await pipeline.stop();
    expect(report.drained).toBe(true);
    // Deterministic ids: `count` documents means each record once, none missing.
    expect(await countDocs(bed.client, name)).toBe(count);
    expect(await countDocs(bed.client, `${name}-letters`)).toBe(0);
  };

  /** The error pipeline.start() fails with, and how long it took. */
  const startFailure = async (endpoint: Endpoint, name: string, security: Security) => {
    await kafka.cluster.createTopic(name, 1);
    const pipeline = pipelineThrough(endpoint, name, name, security);
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
    await deliversEverything(kafka.tls, "tls-with-ca", { ssl: { caFile: kafka.caFile } });
  }, 120_000);

  it("TLS: without the CA the start fails at once with SLUICE_ERR_KAFKA_TLS, saying to give ssl.caFile", async () => {
    const { error, elapsedMs } = await startFailure(kafka.tls, "tls-without-ca", { ssl: true });
    expect(error?.code).toBe(ErrorCode.KAFKA_TLS);
    expect(error?.message).toContain(`the TLS handshake with Kafka at ${kafka.tls.bootstrapServers} failed`);
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
    const endpoint = () => (over === "TLS" ? kafka.saslOverTls : kafka.sasl);
    // A function: kafka.caFile is known only once beforeAll ran.
    const ssl = () => (over === "TLS" ? { ssl: { caFile: kafka.caFile } } : {});

    it(`SASL ${mechanism} over ${over}: the right credentials deliver every record exactly once`, async () => {
      await deliversEverything(endpoint(), `sasl-${mechanism}`, { sasl: { mechanism, ...user }, ...ssl() });
    }, 120_000);

    it(`SASL ${mechanism} over ${over}: a wrong password fails the start at once with SLUICE_ERR_KAFKA_AUTH`, async () => {
      const { error, elapsedMs } = await startFailure(endpoint(), `sasl-${mechanism}-wrong`, {
        sasl: { mechanism, username: user.username, password: "wrong" },
        ...ssl(),
      });
      expect(error?.code).toBe(ErrorCode.KAFKA_AUTH);
      expect(error?.message).toContain(
        `Kafka at ${endpoint().bootstrapServers} refused the SASL authentication`,
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
    await kafka.cluster.createTopic(topic, 1);
    await kafka.cluster.createTopic(letters, 1);
    const security: Security = {
      sasl: { mechanism: "scram-sha-512", ...user },
      ssl: { caFile: kafka.caFile },
    };
    await produceWithKcat({
      brokers: kafka.cluster.bootstrapServers,
      topic,
      messages: [...fluentBitRecords(5, { seed: 22 }), "not json at all"],
    });
    const pipeline = createPipeline({
      source: kafkaSource({
        brokers: kafka.saslOverTls.bootstrapServers,
        topics: [topic],
        groupId: topic,
        ...security,
      }),
      stages: [parseJson(), epochToIso()],
      sink: elasticsearchSink({ node: bed.es.url, index: topic }),
      deadLetters: kafkaDeadLetters({
        brokers: kafka.saslOverTls.bootstrapServers,
        topic: letters,
        ...security,
      }),
      logger: silentLogger(),
      commitIntervalMs: 200,
    });
    await pipeline.start();
    await waitForCommits(kafka.cluster.brokers, topic, topic, 6);
    await pipeline.stop();
    expect(await countDocs(bed.client, topic)).toBe(5);
    // Read back over PLAINTEXT, not the way it was written: the letter is there, bytes and headers.
    const { stdout } = await run("kcat", [
      "-C",
      "-b",
      kafka.cluster.bootstrapServers,
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
      brokers: kafka.sasl.bootstrapServers,
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
