// SIGKILL the pipeline process at random moments while it consumes; every record still lands once.
import { Client } from "@elastic/elasticsearch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ElasticsearchHandle, startElasticsearch } from "../harness/elasticsearch/index.js";
import { type KafkaCluster, startKafkaCluster } from "../harness/kafka/cluster.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { type ChildPipeline, committedTotal, countDocs, spawnSlicePipeline, waitFor } from "./helpers.js";

const TOPIC = "insight-logs-crash";
const INDEX = "crash";
const GROUP = "crash-safety";
const RECORDS = 60_000;
const KILLS = 4;

describe("crash safety", () => {
  let kafka: KafkaCluster;
  let es: ElasticsearchHandle;
  let client: Client;
  const children: ChildPipeline[] = [];

  beforeAll(async () => {
    [kafka, es] = await Promise.all([startKafkaCluster({ brokers: 1 }), startElasticsearch()]);
    await kafka.createTopic(TOPIC, 6);
    client = new Client({ node: es.url });
  }, 60_000);

  afterAll(async () => {
    for (const { child } of children) if (child.exitCode === null) child.kill("SIGKILL");
    await client?.close();
    await es?.stop();
    await kafka?.stop();
  });

  const env = () => ({
    KAFKA_BROKERS: kafka.bootstrapServers,
    ES_URL: es.url,
    SLICE_TOPICS: TOPIC,
    SLICE_GROUP: GROUP,
    SLICE_INDEX: INDEX,
    // Small batches in flight and a short session, so kills land mid-stream and restarts are quick.
    SLICE_MAX_IN_FLIGHT_EVENTS: "3000",
    SLICE_SESSION_TIMEOUT_MS: "6000",
  });

  it(`survives ${KILLS} SIGKILLs mid-stream with every record in Elasticsearch exactly once`, async () => {
    // Records arrive while the pipeline runs and dies, as in production.
    const records = fluentBitRecords(RECORDS, { seed: 11 });
    const producing = (async () => {
      for (let i = 0; i < records.length; i += 10_000)
        await produceWithKcat({
          brokers: kafka.bootstrapServers,
          topic: TOPIC,
          messages: records.slice(i, i + 10_000),
        });
    })();

    const seenAtKill: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      const run = spawnSlicePipeline(env());
      children.push(run);
      await run.started;
      // Wait until this run has moved some records, then kill it at a random moment.
      const before = await countDocs(client, INDEX);
      await waitFor(
        `run ${k} to make progress`,
        () => countDocs(client, INDEX),
        (n) => n > before,
        60_000,
        100,
      );
      await new Promise((r) => setTimeout(r, 100 + Math.floor(Math.random() * 900)));
      run.child.kill("SIGKILL");
      await run.exited;
      seenAtKill.push(await countDocs(client, INDEX));
    }
    await producing;
    // Kills happened mid-stream: after each, work was left to do.
    for (const count of seenAtKill) expect(count).toBeLessThan(RECORDS);

    const last = spawnSlicePipeline(env());
    children.push(last);
    await last.started;
    await waitFor(
      "every record",
      () => countDocs(client, INDEX),
      (n) => n >= RECORDS,
      120_000,
      500,
    );
    await waitFor(
      "offsets committed to the end",
      () => committedTotal(kafka.brokers, GROUP, TOPIC),
      (n) => n === RECORDS,
      30_000,
    );
    last.child.kill("SIGTERM");
    expect(await last.exited).toBe(0);

    // Each record has its own _id (<topic>+<partition>+<offset>): the count is exact only if none was lost,
    // and a replayed record is answered 409 instead of being stored twice.
    expect(await countDocs(client, INDEX)).toBe(RECORDS);
  }, 300_000);
});
