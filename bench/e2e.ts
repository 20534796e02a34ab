// End to end: the same Fluent Bit-like LZ4 records from a 3-partition topic of the embedded cluster into
// the emulator (bench mode, documents unparsed), by (a) kafkajs alone, (b) the hand-written baseline,
// (c) Sluice's insight-logs pipeline. Records/s and MB/s per run, medians, ratios c/b and c/a. The mock
// cluster keeps ~5 MB of compressed batches per partition, so records go in rounds: one round is written
// to the topic, every contestant reads it in turn (the others paused), then the next one is written. Each
// contestant runs in a process of its own with one consumer for all its rounds, as a service would.
// Run: pnpm bench:e2e [records] [runs]
import { startKafkaCluster } from "../test/harness/kafka/cluster.js";
import { produceWithKcat } from "../test/harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../test/harness/kafka/records.js";
import { median, spawnScript } from "./lib/child.js";
import { Contestant, type RoundResult } from "./lib/contestant.js";
import { EMULATOR_NODE_FLAGS, SLUICE_NODE_FLAGS } from "./lib/node-flags.js";

export interface E2eResult {
  records: number;
  runs: number;
  meanBytes: number;
  contestants: Array<{ name: string; recordsPerSecond: number; mbPerSecond: number; perRun: number[] }>;
  ratios: {
    sluiceOverBaseline: number;
    sluiceOverRaw: number;
    /** The same for Sluice in a process started with SLUICE_NODE_FLAGS. */
    tunedOverBaseline: number;
    tunedOverRaw: number;
  };
  /** Node flags of the processes that had any. */
  nodeFlags: { "sluice-tuned": readonly string[]; emulator: readonly string[] };
  /** Sluice's adaptive bulk concurrency limit at the end of its rounds: median and max. */
  sluiceConcurrency: { median: number; max: number };
}

const ROUND = 45_000;

/** The embedded cluster with the topic the rounds are written to, and the emulator in its bench mode. */
export interface BenchBed {
  brokers: string;
  esUrl: string;
  topic: string;
  /** Each round's records: `records` in all. */
  rounds: number[];
  /** Writes a round's records to the topic (the same records every time). */
  write(count: number): Promise<void>;
  meanBytes: number;
  stop(): Promise<void>;
}

export async function startBenchBed(records: number): Promise<BenchBed> {
  const data = fluentBitRecords(Math.min(ROUND, records), { seed: 8 });
  const meanBytes = data.reduce((n, r) => n + Buffer.byteLength(r), 0) / data.length;
  const kafka = await startKafkaCluster({ brokers: 1, backend: "mock" });
  const es = spawnScript("bench/lib/emulator-process.ts", {
    nodeArgs: EMULATOR_NODE_FLAGS,
    args: ["--accept-all"],
  });
  const stop = async () => {
    es.child.stdin!.end();
    await es.exited;
    await kafka.stop();
  };
  try {
    const esUrl = (await es.line(/^http:\/\//)).trim();
    const topic = "bench";
    await kafka.createTopic(topic, 3);
    const rounds: number[] = [];
    for (let done = 0; done < records; done += ROUND) rounds.push(Math.min(ROUND, records - done));
    const write = (count: number) =>
      produceWithKcat({ brokers: kafka.bootstrapServers, topic, messages: data.slice(0, count) });
    return { brokers: kafka.bootstrapServers, esUrl, topic, rounds, write, meanBytes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * One run: each round written, then read by every contestant in an order rotated by round and run so that
 * none always goes first (or last) on a warm machine. Returns each contestant's seconds over all the
 * rounds; `onResult` sees each round's answer. `labels` name the contestants' consumer groups.
 */
export async function runOnce(
  bed: BenchBed,
  contestants: readonly Contestant[],
  labels: readonly string[],
  run: number,
  onResult?: (i: number, result: RoundResult) => void,
): Promise<number[]> {
  const seconds = contestants.map(() => 0);
  for (const [round, count] of bed.rounds.entries()) {
    await bed.write(count);
    for (let k = 0; k < contestants.length; k++) {
      const i = (round + run + k) % contestants.length;
      const result = await contestants[i]!.round({
        brokers: bed.brokers,
        esUrl: bed.esUrl,
        topic: bed.topic,
        count,
        groupId: labels[i]!,
      });
      seconds[i]! += result.seconds;
      onResult?.(i, result);
    }
  }
  return seconds;
}

export async function runE2e(records: number, runs: number, log = console.log): Promise<E2eResult> {
  const bed = await startBenchBed(records);
  const { meanBytes } = bed;
  // (d) is (c) again, in a process started with the flags we recommend for Sluice.
  const names = ["raw", "baseline", "sluice", "sluice-tuned"] as const;
  const contestants = names.map((name) =>
    name === "sluice-tuned" ? new Contestant("sluice", SLUICE_NODE_FLAGS) : new Contestant(name),
  );
  const rates: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const sluiceConcurrency: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const seconds = await runOnce(bed, contestants, names, run, (i, result) => {
        if (names[i] === "sluice" && result.concurrency !== undefined)
          sluiceConcurrency.push(result.concurrency);
      });
      for (const [i, name] of names.entries()) rates[name]!.push(records / seconds[i]!);
      log(
        `e2e run ${run + 1}/${runs}: ${names.map((n, i) => `${n} ${Math.round(records / seconds[i]!).toLocaleString("en-US")}/s`).join(", ")}`,
      );
    }
  } finally {
    await Promise.all(contestants.map((c) => c.stop()));
    await bed.stop();
  }
  const result = names.map((name) => {
    const rps = median(rates[name]!);
    return {
      name,
      recordsPerSecond: Math.round(rps),
      mbPerSecond: Number(((rps * meanBytes) / 1e6).toFixed(1)),
      perRun: rates[name]!.map(Math.round),
    };
  });
  const by = Object.fromEntries(result.map((r) => [r.name, r.recordsPerSecond]));
  return {
    records,
    runs,
    meanBytes: Math.round(meanBytes),
    contestants: result,
    ratios: {
      sluiceOverBaseline: Number((by.sluice! / by.baseline!).toFixed(2)),
      sluiceOverRaw: Number((by.sluice! / by.raw!).toFixed(2)),
      tunedOverBaseline: Number((by["sluice-tuned"]! / by.baseline!).toFixed(2)),
      tunedOverRaw: Number((by["sluice-tuned"]! / by.raw!).toFixed(2)),
    },
    nodeFlags: { "sluice-tuned": SLUICE_NODE_FLAGS, emulator: EMULATOR_NODE_FLAGS },
    sluiceConcurrency: { median: median(sluiceConcurrency), max: Math.max(...sluiceConcurrency) },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runE2e(Number(process.argv[2] ?? 500_000), Number(process.argv[3] ?? 3));
  console.log(JSON.stringify(result, null, 2));
}
