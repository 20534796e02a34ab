// Helpers for the `sluice` command's tests: the binary as a child process, a consumer group's offsets,
// topics read back with their coordinates, and Elasticsearch documents with the coordinates in their _ids.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Client } from "@elastic/elasticsearch";
import kafkajs from "kafkajs";
import { afterAll } from "vitest";
import { freePort } from "../harness/jvm.js";
import { type ScriptRun, spawnScript } from "../harness/process.js";
import { waitFor } from "../pipeline/helpers.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { Kafka, logLevel } = kafkajs;

/** The binary's entry point: `pnpm sluice …` runs it with these very Node flags (see scriptArgv). */
export const SLUICE_BIN = "packages/cli/src/bin.ts";

/** The seed's texts, copied unchanged from ../shared/seed. */
export const SEED_LOGSTASH = "test/fixtures/seed/logstash-values.yaml";
export const SEED_VECTOR = "test/fixtures/seed/vector-configmap.yaml";

/** The seed's topics, as Fluent Bit writes them. */
export const SEED_TOPICS = ["insight-logs", "insight-event", "insight-gw-skoala"] as const;
export type SeedTopic = (typeof SEED_TOPICS)[number];

/** Where dead letters go when the config names no place. */
export const DEAD_LETTER_INDEX = "sluice-dead-letter";

/** A running `sluice run`: its output, its HTTP address, and waits that fail fast if it exits. */
export interface SluiceRun extends ScriptRun {
  /** `http://HOST:PORT` of its /metrics, /health, /livez and /readyz. */
  readonly url: string;
  /** How many lines of its output are exactly `line`. */
  count(line: string): number;
  /** The HTTP status of `GET <url><path>`, or 0 when nothing answers. */
  status(path: string): Promise<number>;
  /** `probe`'s value, or an error carrying the output if the process has exited. */
  alive<T>(probe: () => Promise<T> | T): Promise<T>;
}

/**
 * Starts `sluice <args>` as children of this test file (a free HTTP port added) and kills whichever are
 * still running after its tests. The environment's KAFKA_BROKERS, ES_URL and SLUICE_EXIT_WHEN_IDLE_MS are
 * removed, so only the arguments choose the clusters.
 */
export function useSluice(): { start(args: readonly string[]): Promise<SluiceRun> } {
  const runs: SluiceRun[] = [];
  afterAll(async () => {
    for (const run of runs.splice(0))
      if (run.child.exitCode === null && run.child.signalCode === null) {
        run.child.kill("SIGKILL");
        await run.exited;
      }
  });
  return {
    async start(args) {
      const port = await freePort();
      const script = spawnScript(SLUICE_BIN, {
        args: [...args, "--http-port", String(port)],
        env: { KAFKA_BROKERS: undefined, ES_URL: undefined, SLUICE_EXIT_WHEN_IDLE_MS: undefined },
        stdin: "ignore",
      });
      const url = `http://127.0.0.1:${port}`;
      const run: SluiceRun = {
        ...script,
        url,
        count: (line) =>
          script
            .output()
            .split("\n")
            .filter((l) => l === line).length,
        status: async (path) => {
          try {
            const response = await fetch(`${url}${path}`);
            await response.arrayBuffer();
            return response.status;
          } catch {
            return 0;
          }
        },
        alive: async (probe) => {
          if (script.child.exitCode !== null || script.child.signalCode !== null)
            throw new Error(`sluice exited (${script.child.exitCode}):\n${script.output()}`);
          return probe();
        },
      };
      runs.push(run);
      return run;
    },
  };
}

/** Waits until `run` has printed the line `line` at least `times` times. */
export function waitForLine(run: SluiceRun, line: string, times = 1, timeoutMs = 60_000): Promise<number> {
  return waitFor(
    `"${line}" printed ${times} time(s)`,
    () => run.alive(() => run.count(line)),
    (n) => n >= times,
    timeoutMs,
  );
}

/** Partition → offset. */
export type Offsets = Record<number, number>;

async function withAdmin<T>(
  brokers: readonly string[],
  use: (admin: kafkajs.Admin) => Promise<T>,
): Promise<T> {
  const kafka = new Kafka({ brokers: [...brokers], clientId: "test-cli", logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    // A real broker answers NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS while it creates or moves the
    // offsets topic's partitions; kafkajs's admin hands those on instead of retrying them.
    for (let attempt = 1; ; attempt++) {
      try {
        return await use(admin);
      } catch (error) {
        if (!(error as { retriable?: boolean }).retriable || attempt === 20) throw error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/** Each partition's end offset (the next offset Kafka will write). */
export function endOffsets(brokers: readonly string[], topic: string): Promise<Offsets> {
  return withAdmin(brokers, async (admin) =>
    Object.fromEntries((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)])),
  );
}

/** The offsets `groupId` committed on each partition of `topic` (-1: none). */
export function committedOffsets(
  brokers: readonly string[],
  groupId: string,
  topic: string,
): Promise<Offsets> {
  return withAdmin(brokers, async (admin) => {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Object.fromEntries((entry?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  });
}

/**
 * Commits offset 0 for `groupId` on every partition of `topics`, as a group that has consumed before
 * holds offsets: a config without auto_offset_reset (start at latest) then reads from the start.
 */
export async function commitGroupAtStart(
  brokers: readonly string[],
  groupId: string,
  topics: readonly string[],
): Promise<void> {
  for (const topic of topics) {
    const partitions = Object.keys(await endOffsets(brokers, topic));
    await withAdmin(brokers, (admin) =>
      admin.setOffsets({
        groupId,
        topic,
        partitions: partitions.map((p) => ({ partition: Number(p), offset: "0" })),
      }),
    );
  }
}

/** Waits until `groupId` has committed the end offset of every partition of `topics`. */
export function waitForGroupAtEnd(
  run: SluiceRun,
  brokers: readonly string[],
  groupId: string,
  topics: readonly string[],
  timeoutMs = 90_000,
): Promise<unknown> {
  return waitFor(
    `${groupId}'s commits at the end of ${topics.join(", ")}`,
    () =>
      run.alive(() =>
        Promise.all(
          topics.map(async (t) => ({
            committed: await committedOffsets(brokers, groupId, t),
            end: await endOffsets(brokers, t),
          })),
        ),
      ),
    (all) => all.every(({ committed, end }) => JSON.stringify(committed) === JSON.stringify(end)),
    timeoutMs,
    500,
  );
}

/** A record's place in Kafka as Sluice's default _id writes it: `<topic>+<partition>+<offset>`. */
export function coordinate(topic: string, partition: number | string, offset: number | string): string {
  return `${topic}+${partition}+${offset}`;
}

/** The topic a coordinate names. */
export function topicOf(coordinates: string): string {
  return coordinates.slice(0, coordinates.indexOf("+"));
}

/** Every coordinate below the end offsets of `topic`: what a topic written to only by producers holds. */
export function coordinatesBelow(topic: string, end: Offsets): string[] {
  return Object.entries(end).flatMap(([partition, high]) =>
    Array.from({ length: high }, (_, offset) => coordinate(topic, partition, offset)),
  );
}

/** Every record of `topic` (Kafka's copy, read with kcat), by coordinate. */
export function readTopic(bootstrapServers: string, topic: string): Promise<Map<string, string>> {
  // kcat itself turns the two characters \n of the format into a newline; the records are JSON lines.
  const args = [
    "-C",
    "-q",
    "-e",
    "-b",
    bootstrapServers,
    "-t",
    topic,
    "-o",
    "beginning",
    "-f",
    "%p %o %s\\n",
  ];
  const child = spawn("kcat", args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const records = new Map<string, string>();
  createInterface({ input: child.stdout }).on("line", (line) => {
    const [partition, offset] = line.split(" ", 2);
    records.set(coordinate(topic, partition!, offset!), line.slice(partition!.length + offset!.length + 2));
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    // "close", not "exit": stdout may still hold lines when the process has exited.
    child.once("close", (code) =>
      code === 0
        ? resolve(records)
        : reject(new Error(`kcat exited ${code} reading ${topic}: ${stderr.trim()}`)),
    );
  });
}

/**
 * Puts the index template a default Elasticsearch 8 ships for `logs-*-*` (x-pack's stack templates, which
 * the test node lacks), on which Logstash's data_stream output relies to make its target a data stream.
 */
export async function putStackLogsTemplate(client: Client): Promise<void> {
  await client.indices.putIndexTemplate({
    name: "logs",
    index_patterns: ["logs-*-*"],
    data_stream: {},
    priority: 100,
  });
}

/** A document as stored: its _id, the index that holds it, its source. */
export interface StoredDocument {
  id: string;
  index: string;
  source: Record<string, unknown>;
}

/** Every document of `index` (a data stream, an index or an alias), refreshed first. */
export async function allDocuments(client: Client, index: string): Promise<StoredDocument[]> {
  await client.indices.refresh({ index });
  const out: StoredDocument[] = [];
  let page = await client.search<Record<string, unknown>>({
    index,
    scroll: "1m",
    size: 5_000,
    sort: ["_doc"],
  });
  while (page.hits.hits.length > 0) {
    for (const hit of page.hits.hits) out.push({ id: hit._id!, index: hit._index, source: hit._source! });
    page = await client.scroll<Record<string, unknown>>({ scroll_id: page._scroll_id!, scroll: "1m" });
  }
  if (page._scroll_id) await client.clearScroll({ scroll_id: page._scroll_id });
  return out;
}
