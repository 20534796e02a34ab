// The three ways to move the same records from Kafka to Elasticsearch that the end-to-end bench compares.
// Each reports the seconds from its first record to its last one finished (group joins excluded).
import { Client } from "@elastic/elasticsearch";
import { silentLogger } from "@sluice/core";
import { registerCodecs } from "@sluice/source-kafka";
import kafkajs from "kafkajs";
import { insightLogsPipeline } from "../../examples/insight-logs/pipeline.js";

const { Kafka, logLevel } = kafkajs;

export interface Round {
  brokers: string;
  esUrl: string;
  topic: string;
  /** Records in the topic: the contestant is done when it has finished this many. */
  count: number;
  groupId: string;
}

/**
 * The codecs as Sluice's consumer thread registers them (decompressing on the calling thread: faster for
 * a bare consumer too, so the ceiling is kafkajs's best, not a handicapped one).
 */
const codecs = () => registerCodecs({ syncDecompress: true });

/** Same fetch sizes as Sluice's source defaults, so fetching is not what differs. */
const FETCH = { maxBytesPerPartition: 1024 * 1024, maxBytes: 8 * 1024 * 1024 };

/** (a) The raw ceiling: kafkajs consuming (LZ4 through lz4-napi) and doing nothing with the records. */
export async function raw(round: Round): Promise<number> {
  codecs();
  const kafka = new Kafka({ brokers: [round.brokers], clientId: "bench-raw", logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: round.groupId, ...FETCH });
  await consumer.connect();
  await consumer.subscribe({ topics: [round.topic], fromBeginning: true });
  let seen = 0;
  let first = 0;
  const done = new Promise<number>((resolve) => {
    void consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        if (seen === 0) first = performance.now();
        seen += batch.messages.length;
        if (seen >= round.count) resolve((performance.now() - first) / 1000);
      },
    });
  });
  const seconds = await done;
  await consumer.disconnect();
  return seconds;
}

/**
 * (b) What a user writes by hand: kafkajs eachBatch, JSON.parse and the timestamp converted per record,
 * `client.helpers.bulk` per batch, offsets committed after each batch.
 */
export async function baseline(round: Round): Promise<number> {
  codecs();
  const kafka = new Kafka({
    brokers: [round.brokers],
    clientId: "bench-baseline",
    logLevel: logLevel.NOTHING,
  });
  const client = new Client({ node: round.esUrl });
  const consumer = kafka.consumer({ groupId: round.groupId, ...FETCH });
  await consumer.connect();
  await consumer.subscribe({ topics: [round.topic], fromBeginning: true });
  let finished = 0;
  let first = 0;
  const done = new Promise<number>((resolve, reject) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        if (first === 0) first = performance.now();
        const docs = batch.messages.map((m) => {
          const doc = JSON.parse(m.value!.toString()) as Record<string, unknown>;
          doc["@timestamp"] = new Date(Number(doc["@timestamp"]) * 1000).toISOString();
          return { doc, id: `${batch.topic}+${batch.partition}+${m.offset}` };
        });
        const result = await client.helpers.bulk({
          datasource: docs,
          onDocument: ({ id }) => ({ create: { _index: "bench-baseline", _id: id } }),
          refreshOnCompletion: false,
        });
        if (result.failed > 0) reject(new Error(`baseline: ${result.failed} documents failed`));
        await consumer.commitOffsets([
          { topic: batch.topic, partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) },
        ]);
        await heartbeat();
        finished += batch.messages.length;
        if (finished >= round.count) resolve((performance.now() - first) / 1000);
      },
    });
  });
  const seconds = await done;
  await consumer.disconnect();
  await client.close();
  return seconds;
}

/** The adaptive concurrency limit each Sluice round ended with. */
export const sluiceConcurrency: number[] = [];

/**
 * (c) Sluice: the insight-logs example pipeline, as users run it. Timed from its first batch to its last
 * event delivered, as the pipeline counts them (`bytesIn`, `eventsDelivered`): their increments are
 * observed, not polled. A poll every 2 ms (timers and counter reads) was ~10% of the main thread's samples
 * in a CPU profile and ~2% of its records/s in an A/B, a cost that kafkajs alone and the baseline, timed
 * inside their batch handlers, do not pay.
 */
export async function sluice(round: Round): Promise<number> {
  const { pipeline } = insightLogsPipeline({
    brokers: round.brokers,
    groupId: round.groupId,
    targets: { [round.topic]: "bench-sluice" },
    elasticsearch: { node: round.esUrl },
    logger: silentLogger(),
    handleSignals: false,
  });
  let first = 0;
  let delivered = 0;
  const done = new Promise<number>((resolve) => {
    onIncrement(pipeline.metrics.bytesIn, () => {
      if (first === 0) first = performance.now();
    });
    onIncrement(pipeline.metrics.eventsDelivered, (n) => {
      delivered += n;
      if (delivered >= round.count) resolve(performance.now());
    });
  });
  await pipeline.start();
  const last = await done;
  const seconds = (last - first) / 1000;
  sluiceConcurrency.push((await pipeline.metrics.sinkConcurrency.get()).values[0]?.value ?? 0);
  await pipeline.stop();
  return seconds;
}

/** Calls `listener` with every increment of an unlabelled counter, after the counter's own. */
function onIncrement(counter: { inc(value?: number): void }, listener: (n: number) => void): void {
  const inc = counter.inc.bind(counter);
  counter.inc = (value?: number) => {
    inc(value);
    listener(value ?? 1);
  };
}
