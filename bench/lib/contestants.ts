// The three ways to move the same records from Kafka to Elasticsearch that the end-to-end bench compares.
// Each reports the seconds from its first record to its last one finished (group joins excluded).
import { Client } from "@elastic/elasticsearch";
import { silentLogger, tuneProcess } from "@sluice/core";
import { registerCodecs } from "@sluice/source-kafka";
import kafkajs from "kafkajs";
import { insightLogsPipeline } from "../../examples/insight-logs/pipeline.js";

const { Kafka, logLevel } = kafkajs;

export interface Round {
  brokers: string;
  esUrl: string;
  /** The topic every round is written to, each after every contestant read the one before. */
  topic: string;
  /** Records written for this round: the contestant is done when it has finished this many more. */
  count: number;
  /** The contestant's consumer group, the same for all its rounds. */
  groupId: string;
}

/**
 * A contestant's consumer, kept from its first round to its last, as a service keeps its own: it reads
 * each round in turn and is paused in between, while the other contestants read and the next round is
 * written. (A consumer made afresh per round pays its group join, its isolate's warm-up and, for Sluice,
 * the recompiling of code that V8 had specialized to the last round's objects, in every round.)
 */
export interface Session {
  /** Resumes, consumes `count` more records, pauses again; the seconds from the first to the last. */
  round(count: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * The codecs as Sluice's consumer thread registers them (decompressing on the calling thread: faster for
 * a bare consumer too, so the ceiling is kafkajs's best, not a handicapped one).
 */
const codecs = () => registerCodecs({ syncDecompress: true });

/**
 * Same fetch sizes and wait as Sluice's source defaults, so fetching is not what differs. (A paused
 * kafkajs consumer sleeps a fetch wait before it looks again.)
 */
const FETCH = { maxBytesPerPartition: 1024 * 1024, maxBytes: 8 * 1024 * 1024, maxWaitTimeInMs: 500 };

/** What a kafkajs contestant does with one partition's batch; resolves once it is finished. */
type OnBatch = (payload: kafkajs.EachBatchPayload, consumer: kafkajs.Consumer) => Promise<void>;

/**
 * A kafkajs consumer whose rounds count the records `onBatch` finished: run at the first round, paused
 * (from inside the batch handler that finished the round) and resumed at the next.
 */
async function kafkajsSession(
  first: Round,
  clientId: string,
  partitionsConsumedConcurrently: number,
  onBatch: OnBatch,
): Promise<Session> {
  codecs();
  const kafka = new Kafka({ brokers: [first.brokers], clientId, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: first.groupId, ...FETCH });
  const topics = [{ topic: first.topic }];
  await consumer.connect();
  await consumer.subscribe({ topics: [first.topic], fromBeginning: true });
  let current:
    | { left: number; start: number; done: (seconds: number) => void; fail: (error: unknown) => void }
    | undefined;
  let running = false;
  return {
    round: (count) =>
      new Promise<number>((resolve, reject) => {
        current = { left: count, start: 0, done: resolve, fail: reject };
        if (running) consumer.resume(topics);
        else {
          running = true;
          consumer
            .run({
              autoCommit: false,
              partitionsConsumedConcurrently,
              eachBatch: async (payload) => {
                const round = current;
                if (!round) throw new Error(`${clientId}: a batch between rounds`);
                if (round.start === 0) round.start = performance.now();
                try {
                  await onBatch(payload, consumer);
                } catch (error) {
                  current = undefined;
                  round.fail(error);
                  return;
                }
                round.left -= payload.batch.messages.length;
                if (round.left > 0) return;
                consumer.pause(topics);
                current = undefined;
                round.done((performance.now() - round.start) / 1000);
              },
            })
            .catch(reject);
        }
      }),
    close: () => consumer.disconnect(),
  };
}

/** (a) The raw ceiling: kafkajs consuming (LZ4 through lz4-napi) and doing nothing with the records. */
export function raw(first: Round): Promise<Session> {
  return kafkajsSession(first, "bench-raw", 3, async () => {});
}

/**
 * (b) What a user writes by hand: kafkajs eachBatch, JSON.parse and the timestamp converted per record,
 * `client.helpers.bulk` per batch, offsets committed after each batch.
 */
export async function baseline(first: Round): Promise<Session> {
  const client = new Client({ node: first.esUrl });
  // kafkajs's default of one partition at a time, as a hand-written consumer has it.
  const session = await kafkajsSession(first, "bench-baseline", 1, async ({ batch, heartbeat }, consumer) => {
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
    if (result.failed > 0) throw new Error(`baseline: ${result.failed} documents failed`);
    await consumer.commitOffsets([
      { topic: batch.topic, partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) },
    ]);
    await heartbeat();
  });
  return {
    round: session.round,
    close: async () => {
      await session.close();
      await client.close();
    },
  };
}

/** The adaptive concurrency limit each Sluice round ended with. */
export const sluiceConcurrency: number[] = [];

/**
 * (c) Sluice: the insight-logs example pipeline, as users run it. A round is timed from its first batch to
 * its last event delivered, as the pipeline counts them (`bytesIn`, `eventsDelivered`): their increments
 * are observed, not polled. A poll every 2 ms (timers and counter reads) was ~10% of the main thread's
 * samples in a CPU profile and ~2% of its records/s in an A/B, a cost that kafkajs alone and the
 * baseline, timed inside their batch handlers, do not pay. Between rounds its source is paused
 * (`source.pause()`), as kafkajs's consumer is for the others.
 */
export async function sluice(first: Round): Promise<Session> {
  // As the examples tune their process (the contestant's process is its own).
  tuneProcess();
  const { pipeline, source } = insightLogsPipeline({
    brokers: first.brokers,
    groupId: first.groupId,
    targets: { [first.topic]: "bench-sluice" },
    elasticsearch: { node: first.esUrl },
    logger: silentLogger(),
  });
  let current: { target: number; start: number; done: (end: number) => void } | undefined;
  let delivered = 0;
  onIncrement(pipeline.metrics.bytesIn, () => {
    if (current && current.start === 0) current.start = performance.now();
  });
  onIncrement(pipeline.metrics.eventsDelivered, (n) => {
    delivered += n;
    if (current && delivered >= current.target) current.done(performance.now());
  });
  let started = false;
  return {
    async round(count) {
      const end = new Promise<number>((done) => {
        current = { target: delivered + count, start: 0, done };
      });
      const round = current!;
      if (started) await source.resume();
      else {
        started = true;
        await pipeline.start();
      }
      const last = await end;
      current = undefined;
      await source.pause();
      sluiceConcurrency.push((await pipeline.metrics.sinkConcurrency.get()).values[0]?.value ?? 0);
      return (last - round.start) / 1000;
    },
    close: async () => {
      await pipeline.stop();
    },
  };
}

/** Calls `listener` with every increment of an unlabelled counter, after the counter's own. */
function onIncrement(counter: { inc(value?: number): void }, listener: (n: number) => void): void {
  const inc = counter.inc.bind(counter);
  counter.inc = (value?: number) => {
    inc(value);
    listener(value ?? 1);
  };
}
