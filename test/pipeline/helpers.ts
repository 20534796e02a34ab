// Shared helpers for the pipeline integration tests: waiting, counting, child pipelines, RSS.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Client } from "@elastic/elasticsearch";
import kafkajs from "kafkajs";
import { afterAll, beforeAll } from "vitest";
import { type ElasticsearchHandle, startElasticsearch } from "../harness/elasticsearch/index.js";
import { type KafkaCluster, startKafkaCluster } from "../harness/kafka/cluster.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { Kafka, logLevel } = kafkajs;

export interface Testbed {
  kafka: KafkaCluster;
  es: ElasticsearchHandle;
  /** The official client, on the emulator (or ES_URL). */
  client: Client;
}

/**
 * Starts the embedded Kafka cluster and the Elasticsearch emulator before a test file's tests and stops
 * them after. Read the fields inside tests and hooks (they are set in beforeAll).
 */
export function useTestbed(): Testbed {
  const bed = {} as Testbed;
  beforeAll(async () => {
    [bed.kafka, bed.es] = await Promise.all([startKafkaCluster({ brokers: 1 }), startElasticsearch()]);
    bed.client = new Client({ node: bed.es.url });
  }, 60_000);
  afterAll(async () => {
    await bed.client?.close();
    await bed.es?.stop();
    await bed.kafka?.stop();
  });
  return bed;
}

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

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
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (entry?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

export interface ChildPipeline {
  readonly child: ChildProcess;
  readonly started: Promise<void>;
  readonly exited: Promise<number | null>;
  output(): string;
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

/** Runs test/fixtures/slice-pipeline.ts in a child process with the given environment. */
export function spawnSlicePipeline(env: Record<string, string>): ChildPipeline {
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", "test/fixtures/slice-pipeline.ts"],
    // stdin stays open while this process lives: the child exits when it closes.
    { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const started = new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (out.includes("started\n")) {
        child.stdout!.off("data", onData);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    void exited.then((code) => reject(new Error(`pipeline exited (${code}) before starting:\n${out}`)));
  });
  started.catch(() => {});
  return { child, started, exited, output: () => out };
}

/** Resident set size of a process, in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}
