// Three pipeline processes in one consumer group share a six-partition topic; one is SIGKILLed
// mid-stream, the others take its partitions, and every record lands exactly once.
import { describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import {
  type ChildPipeline,
  countDocs,
  sliceEnv,
  spawnSlicePipeline,
  useTestbed,
  waitFor,
  waitForCommits,
  waitForDocs,
} from "./helpers.js";

const TOPIC = "insight-logs-scale";
const NAME = "scale";
const RECORDS = 60_000;

/** The partitions a child holds, from its last "joined consumer group" log line. */
function assignment(run: ChildPipeline): number[] {
  const joins = run
    .output()
    .split("\n")
    .filter((line) => line.includes('"msg":"joined consumer group"'));
  const last = joins.at(-1);
  if (!last) return [];
  const parsed = JSON.parse(last) as { assignment: Record<string, number[]> };
  return [...(parsed.assignment[TOPIC] ?? [])].sort((a, b) => a - b);
}

describe(`scale-out across processes ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();

  it("three processes share six partitions; SIGKILL one and the others finish its work, exactly once", async () => {
    await bed.kafka.createTopic(TOPIC, 6);
    const env = sliceEnv(bed, TOPIC, NAME, {
      SLICE_SESSION_TIMEOUT_MS: "6000",
      SLICE_MAX_IN_FLIGHT_EVENTS: "3000",
      SLUICE_LOG_LEVEL: "info",
    });
    const runs = [spawnSlicePipeline(env), spawnSlicePipeline(env), spawnSlicePipeline(env)];
    try {
      await Promise.all(runs.map((r) => r.started));
      // Each holds two of the six partitions once the group has settled.
      await waitFor(
        "a balanced group",
        () => runs.map(assignment),
        (sets) => sets.every((s) => s.length === 2) && new Set(sets.flat()).size === 6,
        60_000,
      );

      const records = fluentBitRecords(RECORDS, { seed: 23 });
      const producing = (async () => {
        for (let i = 0; i < records.length; i += 10_000)
          await produceWithKcat({
            brokers: bed.kafka.bootstrapServers,
            topic: TOPIC,
            messages: records.slice(i, i + 10_000),
          });
      })();
      await waitFor(
        "progress",
        () => countDocs(bed.client, NAME),
        (n) => n > 10_000,
        60_000,
        100,
      );
      const [victim, ...survivors] = runs as [ChildPipeline, ChildPipeline, ChildPipeline];
      victim.child.kill("SIGKILL");
      await victim.exited;
      await producing;

      // The survivors take the victim's partitions between them.
      await waitFor(
        "the victim's partitions reassigned",
        () => survivors.map(assignment),
        (sets) => new Set(sets.flat()).size === 6,
        60_000,
      );
      await waitForDocs(bed.client, NAME, RECORDS, 120_000, 500);
      await waitForCommits(bed.kafka.brokers, NAME, TOPIC, RECORDS, 30_000);
      for (const run of survivors) run.child.kill("SIGTERM");
      for (const run of survivors) expect(await run.exited).toBe(0);
      expect(await countDocs(bed.client, NAME)).toBe(RECORDS);
    } catch (error) {
      // What each process logged tells a group that never settled from one that lost records.
      for (const [i, run] of runs.entries())
        console.error(`--- process ${i} (last 6000 chars) ---\n${run.output().slice(-6000)}`);
      throw error;
    } finally {
      for (const run of runs)
        if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill("SIGKILL");
    }
  }, 300_000);
});
