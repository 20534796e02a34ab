// runUntilSignal: an application's opt-in signal handling around a pipeline (signals emitted in-process).
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../src/logger.js";
import { createPipeline } from "../src/pipeline.js";
import { runUntilSignal } from "../src/run-until-signal.js";
import { MemoryDeadLetters, MemorySink, MemorySource, until } from "./memory-components.js";

const build = (sinkDelayMs = 0, shutdownTimeoutMs = 5000) => {
  const source = new MemorySource();
  const pipeline = createPipeline({
    source,
    sink: new MemorySink(sinkDelayMs),
    deadLetters: new MemoryDeadLetters(),
    logger: silentLogger(),
    commitIntervalMs: 10,
    shutdownTimeoutMs,
  });
  return { source, pipeline };
};

const listeners = () => ({
  SIGTERM: process.listenerCount("SIGTERM"),
  SIGINT: process.listenerCount("SIGINT"),
});

describe("runUntilSignal", () => {
  const exitCode = process.exitCode;
  afterEach(() => {
    process.exitCode = exitCode;
  });

  it("starts the pipeline, stops it gracefully on the first signal and removes its handlers", async () => {
    const before = listeners();
    const { source, pipeline } = build();
    const exits: number[] = [];
    const run = runUntilSignal(pipeline, { exit: (code) => exits.push(code) });
    await until(() => pipeline.currentState === "running");
    expect(listeners()).toEqual({ SIGTERM: before.SIGTERM + 1, SIGINT: before.SIGINT + 1 });
    source.push(["a", "b"]);
    process.emit("SIGTERM");
    const report = await run;
    expect(report).toEqual({ drained: true, unsettled: 0 });
    expect(source.commits.at(-1)).toBe(2);
    expect(pipeline.currentState).toBe("stopped");
    expect(exits).toEqual([]);
    expect(process.exitCode).toBe(exitCode);
    expect(listeners()).toEqual(before);
  });

  it("exits at once on a second signal while the first is still draining", async () => {
    const before = listeners();
    // The sink holds each batch for 300 ms: the first signal's stop is still draining.
    const { source, pipeline } = build(300);
    const exits: number[] = [];
    await pipeline.start();
    const run = runUntilSignal(pipeline, { signals: ["SIGINT"], exit: (code) => exits.push(code) });
    expect(listeners()).toEqual({ SIGTERM: before.SIGTERM, SIGINT: before.SIGINT + 1 });
    source.push(["a"]);
    process.emit("SIGINT");
    expect(pipeline.currentState).toBe("stopping");
    process.emit("SIGINT");
    expect(exits).toEqual([130]);
    expect((await run).drained).toBe(true);
    expect(listeners()).toEqual(before);
  });

  it("sets exit code 1 when the stop did not drain, and resolves however the pipeline stopped", async () => {
    const before = listeners();
    const { source, pipeline } = build(60_000, 50);
    const run = runUntilSignal(pipeline);
    await until(() => pipeline.currentState === "running");
    source.push(["never delivered"]);
    // Stopped by the application, not by a signal.
    void pipeline.stop();
    const report = await run;
    expect(report.drained).toBe(false);
    expect(report.error?.code).toBe("SLUICE_ERR_SHUTDOWN_TIMEOUT");
    expect(process.exitCode).toBe(1);
    expect(listeners()).toEqual(before);
  });

  it("names a wrong option", async () => {
    const { pipeline } = build();
    await expect(runUntilSignal(pipeline, { signals: [] })).rejects.toThrow(/option `signals`/);
    expect(pipeline.currentState).toBe("created");
  });
});
