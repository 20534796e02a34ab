// Starting, observing and stopping a pipeline: clear start errors, /metrics and /health, SIGTERM, redaction.
import { Writable } from "node:stream";
import { createLogger, createPipeline, SluiceError, silentLogger } from "@sluice/core";
import { elasticsearchDeadLetters, elasticsearchSink } from "@sluice/sink-elasticsearch";
import { kafkaSource } from "@sluice/source-kafka";
import { describe, expect, it } from "vitest";
import { slicePipeline } from "../fixtures/slice-pipeline.js";
import { runsOn } from "../harness/backends.js";
import { startElasticsearch } from "../harness/elasticsearch/index.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import {
  committedTotal,
  countDocs,
  sliceEnv,
  spawnSlicePipeline,
  useTestbed,
  waitFor,
  waitForDocs,
} from "./helpers.js";

/** A loopback port nothing listens on. */
const DEAD_URL = "http://127.0.0.1:9";

describe(`pipeline lifecycle ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();

  const build = (brokers: string, esUrl: string, deadLetterUrl = esUrl) =>
    createPipeline({
      source: kafkaSource({
        brokers,
        topics: ["t"],
        groupId: "g",
        connectRetries: 1,
        connectionTimeoutMs: 500,
      }),
      sink: elasticsearchSink({ node: esUrl, index: "i" }),
      deadLetters: elasticsearchDeadLetters({ node: deadLetterUrl }),
      logger: silentLogger(),
    });

  it("fails to start with an error that says Kafka is unreachable, and why", async () => {
    const error = await build("127.0.0.1:9", bed.es.url)
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SluiceError);
    expect((error as SluiceError).code).toBe("SLUICE_ERR_KAFKA_UNREACHABLE");
    expect((error as SluiceError).message).toMatch(
      /cannot reach Kafka at 127\.0\.0\.1:9: .*(ECONNREFUSED|Connection)/i,
    );
  }, 30_000);

  it("fails to start with an error that says Elasticsearch is unreachable, and why", async () => {
    const error = await build(bed.kafka.bootstrapServers, DEAD_URL)
      .start()
      .catch((e: unknown) => e);
    expect((error as SluiceError).code).toBe("SLUICE_ERR_ES_UNREACHABLE");
    expect((error as SluiceError).message).toMatch(/cannot reach Elasticsearch at http:\/\/127\.0\.0\.1:9/);
  }, 30_000);

  it("fails to start when Elasticsearch refuses the credentials (the emulator: security is not in the real node's modules)", async () => {
    const secured = await startElasticsearch({
      backend: "emulator",
      auth: { username: "elastic", password: "right" },
    });
    try {
      const pipeline = createPipeline({
        source: kafkaSource({ brokers: bed.kafka.bootstrapServers, topics: ["t"], groupId: "g" }),
        sink: elasticsearchSink({
          node: secured.url,
          index: "i",
          auth: { username: "elastic", password: "wrong" },
        }),
        deadLetters: elasticsearchDeadLetters({
          node: secured.url,
          auth: { username: "elastic", password: "right" },
        }),
        logger: silentLogger(),
      });
      const error = await pipeline.start().catch((e: unknown) => e);
      expect((error as SluiceError).code).toBe("SLUICE_ERR_ES_AUTH");
      expect((error as SluiceError).message).toMatch(/refused the credentials \(HTTP 401\)/);
    } finally {
      await secured.stop();
    }
  }, 30_000);

  it("serves /metrics and /health while running", async () => {
    const topic = "metrics";
    await bed.kafka.createTopic(topic, 2);
    await produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      messages: fluentBitRecords(500, { seed: 2 }),
    });
    const pipeline = slicePipeline({
      brokers: bed.kafka.bootstrapServers,
      esUrl: bed.es.url,
      topics: [topic],
      groupId: "metrics",
      index: "metrics",
      logger: silentLogger(),
      httpPort: 0,
    });
    await pipeline.start();
    await waitForDocs(bed.client, "metrics", 500);
    const health = await fetch(`${pipeline.httpUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", detail: { state: "running" } });
    const metrics = await waitFor(
      "500 delivered and committed",
      async () => (await fetch(`${pipeline.httpUrl}/metrics`)).text(),
      (text) =>
        /sluice_events_delivered_total\{pipeline="slice"\} 500\n/.test(text) &&
        text.includes("sluice_committed_offset{"),
    );
    // Label order is prom-client's business: find each series by its labels, in any order.
    const value = (name: string, ...labels: string[]) => {
      for (const line of metrics.split("\n"))
        if (line.startsWith(`${name}{`) && labels.every((l) => line.includes(l)))
          return Number(line.split(" ").pop());
      return undefined;
    };
    expect(value("sluice_events_in_total", 'stage="parseJson"')).toBe(500);
    expect(value("sluice_events_out_total", 'stage="epochToIso"')).toBe(500);
    expect(value("sluice_consumer_lag", 'topic="metrics"', 'partition="0"')).toBe(0);
    expect(value("sluice_consumer_lag", 'topic="metrics"', 'partition="1"')).toBe(0);
    expect(value("sluice_batch_latency_seconds_count", 'stage="elasticsearch"')).toBeGreaterThan(0);
    expect(value("sluice_committed_offset", 'topic="metrics"', 'partition="0"')).toBeGreaterThan(0);
    await pipeline.stop();
  }, 60_000);

  it("on SIGTERM drains, commits and exits 0", async () => {
    const topic = "sigterm";
    await bed.kafka.createTopic(topic, 2);
    await produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      messages: fluentBitRecords(2000, { seed: 4 }),
    });
    const run = spawnSlicePipeline(sliceEnv(bed, topic, "sigterm"));
    await run.started;
    await waitForDocs(bed.client, "sigterm", 2000);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(await committedTotal(bed.kafka.brokers, "sigterm", topic)).toBe(2000);
    expect(await countDocs(bed.client, "sigterm")).toBe(2000);
  }, 60_000);

  it("a second signal exits at once while the first is still draining (the emulator, answering nothing for a minute)", async () => {
    const topic = "second-signal";
    await bed.kafka.createTopic(topic, 1);
    await produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      messages: fluentBitRecords(500, { seed: 8 }),
    });
    // Elasticsearch answers nothing for a minute: the first SIGTERM cannot finish draining.
    const slow = await startElasticsearch({ backend: "emulator" });
    slow.faults.latency(60_000, { paths: /_bulk/ });
    try {
      const run = spawnSlicePipeline({
        ...sliceEnv(bed, topic, "second-signal", { SLICE_FLOW_LOG_MS: "100", SLUICE_LOG_LEVEL: "info" }),
        ES_URL: slow.url,
      });
      await run.started;
      // Records in flight, held by the silent Elasticsearch.
      await run.line(/^flow events=[1-9]/);
      run.child.kill("SIGTERM");
      // The first signal starts a drain (its log line says so) and the process lives on.
      await run.line(/"msg":"[^"]*stopping/);
      expect(run.child.exitCode).toBeNull();
      const t0 = Date.now();
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(143);
      expect(Date.now() - t0).toBeLessThan(2000);
      // Nothing was delivered, so nothing was committed.
      expect(await committedTotal(bed.kafka.brokers, "second-signal", topic)).toBe(0);
    } finally {
      await slow.stop();
    }
  }, 60_000);

  it("never logs credentials", () => {
    let out = "";
    const sink = new Writable({
      write(chunk, _enc, cb) {
        out += chunk.toString();
        cb();
      },
    });
    const logger = createLogger({ destination: sink, level: "info" });
    logger.info(
      {
        options: { node: "http://es", auth: { username: "elastic", password: "hunter2" } },
        sasl: { mechanism: "plain", password: "p4ss" },
        apiKey: "c2VjcmV0",
      },
      "configured",
    );
    logger.flush();
    expect(out).toContain("configured");
    expect(out).not.toContain("hunter2");
    expect(out).not.toContain("p4ss");
    expect(out).not.toContain("c2VjcmV0");
  });
});
