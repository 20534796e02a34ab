// Stopping fits in Kubernetes' default 30 s grace period: with the default shutdownTimeoutMs, a stop whose
// sink is stalled gives up in time and says so, leaving the unsettled records uncommitted.
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, ErrorCode } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { committedTotal, topicOfRecords, topicPipeline, useTestbed, waitFor } from "./helpers.js";

const KUBERNETES_GRACE_MS = 30_000;

describe(`core: shutdown within the grace period ${runsOn({ kafka: true, es: "emulator" })}`, () => {
  const bed = useTestbed({ es: "emulator" });

  it("with the default deadline, a stop with Elasticsearch stalled ends within 30 s and reports SLUICE_ERR_SHUTDOWN_TIMEOUT", async () => {
    expect(DEFAULT_SHUTDOWN_TIMEOUT_MS).toBeLessThan(KUBERNETES_GRACE_MS);
    const topic = "core-stalled-stop";
    await topicOfRecords(bed, topic, 2000, 31);
    bed.es.faults.latency(600_000, { paths: /_bulk/ });
    // No shutdownTimeoutMs: the default is what is tested.
    const pipeline = topicPipeline(bed, topic);
    try {
      await pipeline.start();
      await waitFor(
        "records in flight",
        () => pipeline.flow.events,
        (n) => n > 0,
      );
      const began = Date.now();
      const report = await pipeline.stop();
      const elapsedMs = Date.now() - began;
      expect(elapsedMs).toBeLessThan(KUBERNETES_GRACE_MS);
      expect(elapsedMs).toBeGreaterThanOrEqual(DEFAULT_SHUTDOWN_TIMEOUT_MS - 100);
      expect(report.drained).toBe(false);
      expect(report.unsettled).toBeGreaterThan(0);
      expect(report.error?.code).toBe(ErrorCode.SHUTDOWN_TIMEOUT);
      expect(await committedTotal([bed.kafka.bootstrapServers], topic, topic)).toBe(0);
    } finally {
      bed.es.faults.clear();
      await pipeline.stop();
    }
  }, 120_000);
});
