import { describe, expect, it } from "vitest";
import { FlowController } from "../src/flow.js";

describe("FlowController", () => {
  it("pauses at the high-water mark and resumes only below the low-water mark", () => {
    const flow = new FlowController({
      maxInFlightEvents: 100,
      maxInFlightBytes: 1_000_000,
      resumeRatio: 0.5,
    });
    const seen: string[] = [];
    flow.on("pause", () => seen.push("pause"));
    flow.on("resume", () => seen.push("resume"));
    flow.add(99, 99);
    expect(flow.paused).toBe(false);
    flow.add(1, 1);
    expect(flow.paused).toBe(true);
    flow.add(50, 50);
    flow.release(90, 90);
    expect(flow.paused).toBe(true);
    flow.release(10, 10);
    expect(flow.paused).toBe(false);
    expect(seen).toEqual(["pause", "resume"]);
  });

  it("pauses on bytes as well as events", () => {
    const flow = new FlowController({
      maxInFlightEvents: 1_000_000,
      maxInFlightBytes: 2048,
      resumeRatio: 0.25,
    });
    flow.add(1, 4096);
    expect(flow.paused).toBe(true);
    flow.release(0, 3584);
    expect(flow.paused).toBe(false);
  });

  it("whenDrained resolves once nothing is in flight", async () => {
    const flow = new FlowController();
    flow.add(2, 2);
    let drained = false;
    const p = flow.whenDrained().then(() => {
      drained = true;
    });
    flow.release(1, 1);
    await Promise.resolve();
    expect(drained).toBe(false);
    flow.release(1, 1);
    await p;
    expect(drained).toBe(true);
  });
});
