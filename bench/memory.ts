// Memory under a stalled sink: N records wait in Kafka while Elasticsearch answers bulk requests in 4 s
// and then is down; the insight-logs example (default flow limits) runs as a child process whose peak
// RSS is sampled. Once Elasticsearch recovers, every record must arrive.
// Run: pnpm bench:memory [records] [node flags for the pipeline's process…]
import { startElasticsearch } from "../test/harness/elasticsearch/index.js";
import { startKafkaCluster } from "../test/harness/kafka/cluster.js";
import { produceWithKcat } from "../test/harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../test/harness/kafka/records.js";
import { rssBytes, spawnScript } from "./lib/child.js";

/** The bound the README states (and test/pipeline/backpressure.test.ts asserts for 210k records). */
export const RSS_BOUND_MIB = 400;

export interface MemoryResult {
  records: number;
  nodeFlags: readonly string[];
  peakRssMiB: number;
  boundMiB: number;
  delivered: number;
  secondsToDrain: number;
}

/** `nodeArgs`: Node's flags for the pipeline's process (bench/lib/node-flags.ts). */
export async function runMemory(
  records: number,
  nodeArgs: readonly string[] = [],
  log = console.log,
): Promise<MemoryResult> {
  const kafka = await startKafkaCluster({ brokers: 1, backend: "mock" });
  const es = await startElasticsearch({ backend: "emulator", acceptAll: true });
  try {
    // The mock cluster keeps ~19k of these records per partition: enough partitions to hold them all.
    const partitions = Math.max(3, Math.ceil(records / 15_000));
    await kafka.createTopic("insight-logs", partitions);
    await kafka.createTopic("insight-event", 1);
    await kafka.createTopic("insight-gw-skoala", 1);
    for (let i = 0; i < records; i += 50_000)
      await produceWithKcat({
        brokers: kafka.bootstrapServers,
        topic: "insight-logs",
        messages: fluentBitRecords(Math.min(50_000, records - i), { seed: 1000 + i }),
      });
    log(
      `memory: ${records} records waiting in ${partitions} partitions; Elasticsearch slow (4 s), then down${nodeArgs.length > 0 ? `; node ${nodeArgs.join(" ")}` : ""}`,
    );
    es.faults.latency(4000, { paths: /_bulk/ });
    const child = spawnScript("examples/insight-logs/main.ts", {
      nodeArgs,
      env: {
        KAFKA_BROKERS: kafka.bootstrapServers,
        ES_URL: es.url,
        KAFKA_GROUP_ID: "bench-memory",
        SLUICE_EXIT_WHEN_IDLE_MS: "1500",
        SLUICE_LOG_LEVEL: "error",
      },
    });
    let peak = 0;
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, rssBytes(child.child.pid!));
      } catch {
        // exited
      }
    }, 50);
    await child.line(/insight-logs: running/);
    await new Promise((r) => setTimeout(r, 10_000));
    es.faults.clear();
    es.faults.outage(10_000);
    await new Promise((r) => setTimeout(r, 10_000));
    const recovered = Date.now();
    const code = await child.exited;
    clearInterval(sampler);
    if (code !== 0) throw new Error(`insight-logs exited ${code}:\n${child.output()}`);
    const delivered = es.stats().acceptedItems;
    if (delivered < records) throw new Error(`only ${delivered} of ${records} records arrived`);
    return {
      records,
      nodeFlags: nodeArgs,
      peakRssMiB: Math.round(peak / 1024 / 1024),
      boundMiB: RSS_BOUND_MIB,
      delivered,
      secondsToDrain: Number(((Date.now() - recovered) / 1000).toFixed(1)),
    };
  } finally {
    await es.stop();
    await kafka.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const records = Number(process.argv[2] ?? 500_000);
  console.log(JSON.stringify(await runMemory(records, process.argv.slice(3)), null, 2));
}
