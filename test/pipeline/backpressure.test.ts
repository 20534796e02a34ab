// With Elasticsearch stalled and then down while 200k+ records wait, the pipeline's memory stays bounded.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import {
  type ChildPipeline,
  countDocs,
  rssBytes,
  sliceEnv,
  spawnSlicePipeline,
  steadyValue,
  useTestbed,
  waitFor,
} from "./helpers.js";

const TOPIC = "insight-logs-stall";
const NAME = "stall";
const RECORDS = 210_000;
/**
 * The bounds stated in the README for the pipeline process's RSS with default flow limits: while
 * Elasticsearch is slow or down (backpressure), and while the backlog drains at full speed afterwards.
 */
const HELD_BOUND = 400 * 1024 * 1024;
const DRAIN_BOUND = 480 * 1024 * 1024;
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

// Stalling Elasticsearch needs the emulator's fault injection.
describe(`backpressure ${runsOn({ kafka: true, es: "emulator" })}`, () => {
  const bed = useTestbed({ es: "emulator" });
  let run: ChildPipeline | undefined;

  beforeAll(async () => {
    // ~180 MB of records: sixteen partitions keep each under the mock cluster's retention (~5 MB of
    // compressed batches, ~19k of these records, per partition).
    await bed.kafka.createTopic(TOPIC, 16);
    const records = fluentBitRecords(RECORDS, { seed: 3 });
    for (let i = 0; i < records.length; i += 50_000)
      await produceWithKcat({
        brokers: bed.kafka.bootstrapServers,
        topic: TOPIC,
        messages: records.slice(i, i + 50_000),
      });
  }, 180_000);

  afterAll(() => {
    if (run && run.child.exitCode === null) run.child.kill("SIGKILL");
  });

  /** The child's last reported in-flight count and pause (test/fixtures/slice-pipeline.ts, SLICE_FLOW_LOG_MS). */
  const flowOf = (child: ChildPipeline) => {
    const lines = child.output().match(/^flow events=\d+ paused=[01]$/gm) ?? [];
    const last = /events=(\d+) paused=([01])/.exec(lines[lines.length - 1] ?? "");
    return last ? { events: Number(last[1]), paused: last[2] === "1" } : undefined;
  };

  it("keeps RSS under the bound through seconds of latency and an outage, then delivers everything", async () => {
    bed.es.faults.latency(4000, { paths: /_bulk/ });
    run = spawnSlicePipeline(sliceEnv(bed, TOPIC, NAME, { SLICE_FLOW_LOG_MS: "100" }));
    await run.started;
    const peak = { held: 0, drain: 0 };
    let phase: keyof typeof peak = "held";
    const sampler = setInterval(() => {
      try {
        peak[phase] = Math.max(peak[phase], rssBytes(run!.child.pid!));
      } catch {
        // the process is gone; the assertions below will say so
      }
    }, 50);
    try {
      // Slow bulk answers: the in-flight budget fills and the source pauses; a first answer comes back
      // (at least one 4 s round trip) while it is paused.
      await waitFor(
        "a bulk answer under latency while the source is paused",
        async () => ({ docs: await countDocs(bed.client, NAME), flow: flowOf(run!) }),
        ({ docs, flow }) => docs > 0 && flow?.paused === true,
        120_000,
        100,
      );
      const duringLatency = await countDocs(bed.client, NAME);
      expect(duringLatency).toBeLessThan(RECORDS);
      bed.es.faults.clear();
      bed.es.faults.outage(8000);
      // With Elasticsearch gone nothing drains: the source stays paused and the in-flight count holds still.
      const held = await steadyValue("the in-flight count through the outage", () => flowOf(run!), {
        samples: 10,
        intervalMs: 100,
      });
      expect(held).toMatchObject({ paused: true });
      expect(held!.events).toBeGreaterThan(0);
      phase = "drain";
      await waitFor(
        "every record after recovery",
        // Elasticsearch refuses connections until the outage is over.
        () => countDocs(bed.client, NAME).catch(() => 0),
        (n) => n >= RECORDS,
        180_000,
        500,
      );
    } finally {
      clearInterval(sampler);
    }
    expect(await countDocs(bed.client, NAME)).toBe(RECORDS);
    console.log(
      `backpressure: peak RSS ${mib(peak.held)} MiB while Elasticsearch was slow or down (bound ${mib(HELD_BOUND)}), ` +
        `${mib(peak.drain)} MiB while the backlog drained (bound ${mib(DRAIN_BOUND)})`,
    );
    expect(peak.held).toBeGreaterThan(0);
    expect(peak.drain).toBeGreaterThan(0);
    expect(peak.held).toBeLessThan(HELD_BOUND);
    expect(peak.drain).toBeLessThan(DRAIN_BOUND);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  }, 400_000);
});
