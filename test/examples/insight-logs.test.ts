// examples/insight-logs: documents exactly as Fluent Bit's es output writes them, overridable targets,
// and SLUICE_EXIT_WHEN_IDLE_MS, which waits out a rebalance left by a member that was killed.
import { afterEach, describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { esOutputTimestamp, fluentBitRecords } from "../harness/kafka/records.js";
import { countDocs, useTestbed, waitFor } from "../pipeline/helpers.js";
import { type ExampleRun, runExample } from "./run.js";

const TOPICS = ["insight-logs", "insight-event", "insight-gw-skoala"];

describe(`examples/insight-logs ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();
  const runs: ExampleRun[] = [];
  afterEach(() => {
    for (const run of runs.splice(0)) if (run.child.exitCode === null) run.child.kill("SIGKILL");
  });

  it("writes each topic to its target as Fluent Bit's es output would, then exits 0 once idle", async () => {
    const records = TOPICS.map((_, i) => fluentBitRecords(1500, { seed: 300 + i }));
    for (const [i, topic] of TOPICS.entries()) {
      await bed.kafka.createTopic(topic, 3);
      await produceWithKcat({ brokers: bed.kafka.bootstrapServers, topic, messages: records[i]! });
    }
    const run = runExample("examples/insight-logs/main.ts", {
      KAFKA_BROKERS: bed.kafka.bootstrapServers,
      ES_URL: bed.es.url,
      KAFKA_GROUP_ID: "example-idle",
      INSIGHT_EVENT_TARGET: "custom-events",
      SLUICE_EXIT_WHEN_IDLE_MS: "1000",
      SLUICE_LOG_LEVEL: "warn",
    });
    runs.push(run);
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output().split("\n")[0]).toBe(
      `insight-logs: Kafka at ${bed.kafka.bootstrapServers} (KAFKA_BROKERS); Elasticsearch at ${bed.es.url} (ES_URL)`,
    );
    expect(run.output()).toContain("caught up and idle");
    expect(await countDocs(bed.client, "insight-es-k8s-logs-alias")).toBe(1500);
    expect(await countDocs(bed.client, "custom-events")).toBe(1500);
    expect(await countDocs(bed.client, "skoala-gw-alias")).toBe(1500);

    // Documents compared field by field with their records: only @timestamp changed, to ISO-8601.
    const found = await bed.client.search<Record<string, unknown>>({
      index: "skoala-gw-alias",
      size: 1500,
    });
    // Keyed by Fluent Bit's `time` (nanoseconds): unique where @timestamp's milliseconds are not.
    const byTime = new Map(found.hits.hits.map((h) => [h._source!.time, h._source!]));
    for (const record of records[2]!.slice(0, 50)) {
      const expected: Record<string, unknown> = {
        ...(JSON.parse(record) as Record<string, unknown>),
        "@timestamp": esOutputTimestamp(record),
      };
      expect(byTime.get(expected.time)).toEqual(expected);
    }
  }, 180_000);
});

// The emulator slows bulk answers, so that the victim dies with work left.
describe(`examples/insight-logs with two members ${runsOn({ kafka: true, es: "emulator" })}`, () => {
  // A testbed of its own: the topics start empty.
  const bed = useTestbed({ es: "emulator" });
  const runs: ExampleRun[] = [];
  afterEach(() => {
    for (const run of runs.splice(0)) if (run.child.exitCode === null) run.child.kill("SIGKILL");
  });

  it("does not take a killed member's unsettled partitions for idleness: the survivor finishes them first", async () => {
    const topic = "insight-logs";
    const total = 40_000;
    const env = {
      KAFKA_BROKERS: bed.kafka.bootstrapServers,
      ES_URL: bed.es.url,
      KAFKA_GROUP_ID: "example-kill",
      KAFKA_SESSION_TIMEOUT_MS: "6000",
      INSIGHT_LOGS_TARGET: "kill-logs",
      SLUICE_EXIT_WHEN_IDLE_MS: "1000",
      SLUICE_LOG_LEVEL: "warn",
    };
    for (const t of TOPICS) await bed.kafka.createTopic(t, 3);
    await produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      messages: fluentBitRecords(total, { seed: 77 }),
    });
    // Slow bulk answers keep both members busy, so the victim dies with work left.
    bed.es.faults.latency(400, { paths: /_bulk/ });
    const victim = runExample("examples/insight-logs/main.ts", env);
    const survivor = runExample("examples/insight-logs/main.ts", env);
    runs.push(victim, survivor);
    await waitFor(
      "progress",
      () => countDocs(bed.client, "kill-logs"),
      (n) => n > 2000,
      90_000,
      100,
    );
    victim.child.kill("SIGKILL");
    await victim.exited;
    bed.es.faults.clear();
    expect(await survivor.exited, survivor.output()).toBe(0);
    // It exited only once the group had finished everything: the victim's partitions included.
    expect(await countDocs(bed.client, "kill-logs")).toBe(total);
  }, 240_000);
});
