// Shared helpers for the pipeline integration tests: testbeds, waiting and observing, counting, kept logs,
// test stages, child pipelines, RSS.
import type { ChildProcess } from "node:child_process";
import { Writable } from "node:stream";
import { Client } from "@elastic/elasticsearch";
import {
  type AnyStage,
  type Batch,
  createLogger,
  type Logger,
  namedStage,
  type Pipeline,
  silentLogger,
} from "@sluice/core";
import kafkajs from "kafkajs";
import { concatMap, map, timer } from "rxjs";
import { afterAll, beforeAll } from "vitest";
import { type SlicePipelineOptions, slicePipeline } from "../fixtures/slice-pipeline.js";
import {
  type ElasticsearchHandle,
  type EmulatorHandle,
  startElasticsearch,
} from "../harness/elasticsearch/index.js";
import { type KafkaCluster, type MockKafkaCluster, startKafkaCluster } from "../harness/kafka/cluster.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { spawnScript } from "../harness/process.js";

export { repoRoot, rssBytes } from "../harness/process.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { Kafka, logLevel } = kafkajs;

/** What a test file needs that only a stand-in does: the mock cluster's faults, the emulator's. */
export interface Needs {
  kafka?: "mock";
  es?: "emulator";
}

export interface Testbed<N extends Needs = Needs> {
  kafka: N["kafka"] extends "mock" ? MockKafkaCluster : KafkaCluster;
  es: N["es"] extends "emulator" ? EmulatorHandle : ElasticsearchHandle;
  /** The official client, on the testbed's Elasticsearch. */
  client: Client;
}

/**
 * Starts a Kafka cluster and an Elasticsearch of the test file's own before its tests and stops them
 * after: real ones unless `needs` asks for a stand-in (see test/harness/backends.ts). Read the fields
 * inside tests and hooks (they are set in beforeAll).
 */
export function useTestbed<N extends Needs = Record<never, never>>(needs: N = {} as N): Testbed<N> {
  const bed = {} as Testbed<N>;
  beforeAll(async () => {
    const [kafka, es] = await Promise.all([
      needs.kafka === "mock" ? startKafkaCluster({ backend: "mock" }) : startKafkaCluster(),
      needs.es === "emulator" ? startElasticsearch({ backend: "emulator" }) : startElasticsearch(),
    ]);
    bed.kafka = kafka as Testbed<N>["kafka"];
    bed.es = es as Testbed<N>["es"];
    bed.client = new Client({ node: bed.es.url });
  }, 120_000);
  afterAll(async () => {
    await bed.client?.close();
    await bed.es?.stop();
    await bed.kafka?.stop();
  });
  return bed;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T> | T,
  done: (value: T) => boolean,
  timeoutMs = 60_000,
  intervalMs = 200,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (done(last)) return last;
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Polls `probe` until it gives the same value `samples` times in a row and returns that value: a bounded
 * window in which nothing changed, ended by observation rather than by a fixed sleep.
 */
export async function steadyValue<T>(
  what: string,
  probe: () => Promise<T> | T,
  { samples = 8, intervalMs = 150, timeoutMs = 30_000 } = {},
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last = await probe();
  let same = 1;
  while (same < samples) {
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what} to hold still; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
    const next = await probe();
    same = JSON.stringify(next) === JSON.stringify(last) ? same + 1 : 1;
    last = next;
  }
  return last;
}

/** Bytes the pipeline has taken from its source so far (a counter that moves with every fetched batch). */
export async function sourceBytes(pipeline: Pipeline): Promise<number> {
  return (await pipeline.metrics.bytesIn.get()).values[0]?.value ?? 0;
}

export async function countDocs(client: Client, index: string): Promise<number> {
  const exists = await client.indices.exists({ index });
  if (!exists) return 0;
  await client.indices.refresh({ index });
  return (await client.count({ index })).count;
}

/** Committed offsets of `groupId` on `topic`, summed over partitions (Kafka's next-to-read offsets). */
export async function committedTotal(brokers: string[], groupId: string, topic: string): Promise<number> {
  const kafka = new Kafka({ brokers, clientId: "test-offsets", logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    // A real broker answers NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS while it creates or moves the
    // offsets topic's partitions; kafkajs's admin hands those on instead of retrying them.
    for (let attempt = 1; ; attempt++) {
      try {
        const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return (entry?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
      } catch (error) {
        if (!(error as { retriable?: boolean }).retriable || attempt === 20) throw error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/** Waits until `index` holds at least `count` documents and returns how many it holds. */
export function waitForDocs(
  client: Client,
  index: string,
  count: number,
  timeoutMs?: number,
  intervalMs?: number,
): Promise<number> {
  return waitFor(
    `${count} documents in ${index}`,
    () => countDocs(client, index),
    (n) => n >= count,
    timeoutMs,
    intervalMs,
  );
}

/** Waits until `groupId` has committed exactly `count` records of `topic` (summed over partitions). */
export function waitForCommits(
  brokers: string[],
  groupId: string,
  topic: string,
  count: number,
  timeoutMs?: number,
): Promise<number> {
  return waitFor(
    `${groupId}'s commits on ${topic} at ${count}`,
    () => committedTotal(brokers, groupId, topic),
    (n) => n === count,
    timeoutMs,
  );
}

/**
 * Starts `pipeline`, waits until its group (`groupId`, the topic's name unless given) has committed at
 * least `count` records of `topic`, and stops it, also when the wait fails.
 */
export async function runUntilCommitted(
  pipeline: Pipeline,
  bed: Testbed,
  topic: string,
  count: number,
  { groupId = topic, timeoutMs = 90_000 }: { groupId?: string; timeoutMs?: number } = {},
): Promise<void> {
  try {
    await pipeline.start();
    await waitFor(
      `${groupId}'s commits past ${count} records of ${topic}`,
      () => committedTotal(bed.kafka.brokers, groupId, topic),
      (n) => n >= count,
      timeoutMs,
    );
  } finally {
    await pipeline.stop();
  }
}

/** A logger that keeps what it writes: `lines` as written (one JSON line each), `entries()` parsed. */
export interface KeptLog {
  logger: Logger;
  lines: string[];
  entries(): Array<Record<string, unknown>>;
}

/** A logger at `level` keeping its lines in `lines` (a new array unless given). */
export function keptLog(level = "info", lines: string[] = []): KeptLog {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n")) if (line) lines.push(line);
      done();
    },
  });
  return {
    logger: createLogger({ level, destination }),
    lines,
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** A batch as it reached the stages (a source batch holds one partition's records). */
export interface ReceivedBatch {
  at: number;
  partition: number;
  /** The batch's first offset. */
  first: number;
  events: number;
}

/** A stage noting when each batch reaches the stages, into `into`. */
export function tapBatches(into: ReceivedBatch[]): AnyStage {
  return namedStage(
    "tap",
    map((batch: Batch<unknown>) => {
      const first = batch[0];
      if (first)
        into.push({
          at: Date.now(),
          partition: first.origin.partition,
          first: Number(first.origin.offset),
          events: batch.length,
        });
      return batch;
    }),
  );
}

/** A stage passing batches on at `perSecond` records a second. */
export function pace(perSecond: number): AnyStage {
  return namedStage(
    "pace",
    concatMap((batch: Batch<unknown>) => timer((batch.length * 1000) / perSecond).pipe(map(() => batch))),
  );
}

export interface ChildPipeline {
  readonly child: ChildProcess;
  readonly started: Promise<void>;
  readonly exited: Promise<number | null>;
  output(): string;
  /** Resolves with the first line of its output matching `pattern`; rejects if it exits first. */
  line(pattern: RegExp): Promise<string>;
}

/** Creates `topic` (two partitions) on the testbed and writes `count` Fluent Bit records to it with kcat. */
export async function topicOfRecords(
  bed: Testbed,
  topic: string,
  count: number,
  seed: number,
): Promise<void> {
  await bed.kafka.createTopic(topic, 2);
  await produceWithKcat({
    brokers: bed.kafka.bootstrapServers,
    topic,
    messages: fluentBitRecords(count, { seed }),
  });
}

/** The environment of a child slice pipeline on the testbed: `name` is its group and its index. */
export function sliceEnv(bed: Testbed, topic: string, name: string, extra: Record<string, string> = {}) {
  return {
    KAFKA_BROKERS: bed.kafka.bootstrapServers,
    ES_URL: bed.es.url,
    SLICE_TOPICS: topic,
    SLICE_GROUP: name,
    SLICE_INDEX: name,
    ...extra,
  };
}

/**
 * An in-process slice pipeline on the testbed for one topic: group `topic`, documents in `<topic>-docs`,
 * dead letters in `<topic>-letters`, silent.
 */
export function topicPipeline(
  bed: Testbed,
  topic: string,
  extra: Partial<SlicePipelineOptions> = {},
): Pipeline {
  return slicePipeline({
    brokers: bed.kafka.bootstrapServers,
    esUrl: bed.es.url,
    topics: [topic],
    groupId: topic,
    index: `${topic}-docs`,
    deadLetterIndex: `${topic}-letters`,
    logger: silentLogger(),
    ...extra,
  });
}

/** Runs test/fixtures/slice-pipeline.ts in a child process with the given environment. */
export function spawnSlicePipeline(env: Record<string, string>): ChildPipeline {
  // stdin stays open while this process lives: the child exits when it closes.
  const run = spawnScript("test/fixtures/slice-pipeline.ts", { env, stdin: "pipe" });
  const started = run.line(/^started$/).then(() => {});
  started.catch(() => {});
  return { child: run.child, started, exited: run.exited, output: run.output, line: run.line };
}
