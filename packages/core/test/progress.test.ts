import { describe, expect, it } from "vitest";
import { FlowController } from "../src/flow.js";
import { PartitionProgress } from "../src/progress.js";

describe("PartitionProgress", () => {
  it("commits only past the longest prefix of finished batches, whatever order they finish in", () => {
    const progress = new PartitionProgress("t", 0);
    const a = progress.open(0, 9, 10);
    const b = progress.open(10, 19, 10);
    const c = progress.open(20, 29, 10);
    for (let i = 0; i < 10; i++) c.settleOne(10);
    expect(progress.takeCommit()).toBeUndefined();
    for (let i = 0; i < 10; i++) a.settleOne(10);
    expect(progress.takeCommit()).toBe(10);
    for (let i = 0; i < 9; i++) b.settleOne(10);
    expect(progress.takeCommit()).toBe(10);
    b.settleOne(10);
    expect(progress.takeCommit()).toBe(30);
  });

  it("does not offer the same offset twice once committed", () => {
    const progress = new PartitionProgress("t", 0);
    const t = progress.open(5, 5, 1);
    t.settleOne(1);
    expect(progress.takeCommit()).toBe(6);
    progress.markCommitted(6);
    expect(progress.takeCommit()).toBeUndefined();
  });

  it("handles offset gaps (compaction, control records) by committing last + 1 of each batch", () => {
    const progress = new PartitionProgress("t", 0);
    const a = progress.open(100, 150, 2);
    a.settleOne(1);
    a.settleOne(1);
    expect(progress.takeCommit()).toBe(151);
  });

  it("ignores settles beyond a batch's count and releases flow exactly once per event", () => {
    const flow = new FlowController({
      maxInFlightEvents: 100,
      maxInFlightBytes: 1_000_000,
      resumeRatio: 0.5,
    });
    const progress = new PartitionProgress("t", 0, flow);
    const t = progress.open(0, 1, 2);
    flow.add(2, 20);
    expect(flow.events).toBe(2);
    t.settleOne(10);
    t.settleOne(10);
    t.settleOne(10);
    expect(flow.events).toBe(0);
    expect(flow.bytes).toBe(0);
    expect(progress.pendingEvents).toBe(0);
  });

  it("keeps its queue small over a long history", () => {
    const progress = new PartitionProgress("t", 0);
    for (let i = 0; i < 10_000; i++) progress.open(i, i, 1).settleOne(1);
    expect(progress.takeCommit()).toBe(10_000);
    expect(progress.pendingEvents).toBe(0);
  });
});
