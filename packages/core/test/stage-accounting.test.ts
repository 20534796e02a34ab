// The pipeline accounts for every event a stage is given, and meters stages per event.
import { bufferCount, concatMap, delay, map, mergeMap, type OperatorFunction, of, pipe } from "rxjs";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../src/errors.js";
import type { Batch } from "../src/event.js";
import { createLogger } from "../src/logger.js";
import { createPipeline } from "../src/pipeline.js";
import { namedStage } from "../src/stage.js";
import { dynamicStages } from "../src/stage-chain.js";
import { LogCapture, MemoryDeadLetters, MemorySink, MemorySource, until } from "./memory-components.js";

type B = Batch<Buffer>;
const stage = (name: string, op: OperatorFunction<B, B>) => namedStage(name, op);
const text = (e: { value: Buffer }) => e.value.toString();

function build(stages: ReturnType<typeof stage>[], sink = new MemorySink()) {
  const source = new MemorySource();
  const logs = new LogCapture();
  const dlq = new MemoryDeadLetters();
  const pipeline = createPipeline({
    source,
    stages: dynamicStages(stages),
    sink,
    deadLetters: dlq,
    logger: createLogger({ level: "debug", destination: logs }),
    commitIntervalMs: 10,
  });
  const metric = async (name: string, stageName: string) => {
    const found = (await pipeline.metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
    return found?.values.find((v) => v.labels.stage === stageName)?.value ?? 0;
  };
  return { source, sink, dlq, pipeline, logs, metric };
}

describe("the acknowledgement contract", () => {
  it("a stage that takes events out with Array.filter fails the pipeline, naming the stage", async () => {
    const { source, pipeline, logs, metric } = build([
      stage(
        "no-secrets",
        map((batch) => batch.filter((e) => !text(e).startsWith("secret"))),
      ),
    ]);
    await pipeline.start();
    source.push(["a", "secret-1", "b"]);
    const report = await pipeline.stopped;
    expect(report.error?.code).toBe(ErrorCode.STAGE_LOST_EVENT);
    expect(report.error?.message).toContain('stage "no-secrets" lost 1 event(s)');
    expect(report.error?.message).toContain("t/0@1");
    expect(pipeline.currentState).toBe("failed");
    expect(await metric("sluice_events_lost_total", "no-secrets")).toBe(1);
    const line = logs.lines().find((l) => l.code === ErrorCode.STAGE_LOST_EVENT);
    expect(line?.level).toBe(50);
    expect(source.commits).toEqual([]);
  });

  it("a stage that drops with drop() and leaves them out of a new array is fine: they settle and commit", async () => {
    const { source, sink, pipeline, metric } = build([
      stage(
        "drop-secrets",
        map((batch) => {
          for (const e of batch) if (text(e).startsWith("secret")) e.drop();
          return batch.filter((e) => e.ok);
        }),
      ),
    ]);
    await pipeline.start();
    source.push(["a", "secret-1", "b"]);
    await until(() => source.commits.includes(3));
    expect(sink.stored.map(String)).toEqual(["a", "b"]);
    expect(await metric("sluice_events_dropped_total", "drop-secrets")).toBe(1);
    expect(await pipeline.stop()).toEqual({ drained: true, unsettled: 0 });
  });

  it("a stage that splits a batch in two, merges two, or returns new arrays of the same events passes", async () => {
    const { source, sink, pipeline } = build([
      stage(
        "split",
        mergeMap((batch) => of(batch.slice(0, 1), batch.slice(1))),
      ),
      stage(
        "merge",
        pipe(
          bufferCount(2),
          map((batches) => batches.flat()),
        ),
      ),
      stage(
        "copy",
        map((batch) => [...batch]),
      ),
      stage(
        "later",
        concatMap((batch) => of(batch).pipe(delay(5))),
      ),
    ]);
    await pipeline.start();
    source.push(["a", "b", "c"]);
    source.push(["d", "e"]);
    await until(() => source.commits.includes(5));
    expect(sink.stored.map(String)).toEqual(["a", "b", "c", "d", "e"]);
    expect(await pipeline.stop()).toEqual({ drained: true, unsettled: 0 });
  });

  it("a buffering stage that loses events is named when it completes, at the latest at stop", async () => {
    const { source, pipeline } = build([
      stage(
        "pairs",
        pipe(
          bufferCount(2),
          map((batches) => batches[0]!),
        ),
      ),
    ]);
    await pipeline.start();
    source.push(["a", "b"]);
    source.push(["c"]);
    source.push(["d"]);
    const report = await pipeline.stop();
    expect(report.error?.code).toBe(ErrorCode.STAGE_LOST_EVENT);
    expect(report.error?.message).toContain('stage "pairs" lost 1 event(s) it held when it completed');
  });

  it("meters failures, drops and latency per event when a stage returns new arrays", async () => {
    const { source, pipeline, metric } = build([
      stage(
        "judge",
        map((batch) => {
          for (const e of batch) {
            if (text(e) === "bad")
              e.fail({ code: "SLUICE_ERR_TRANSFORM", type: "t", reason: "r", stage: "judge" });
            if (text(e) === "skip") e.drop();
          }
          return [...batch].reverse().reverse();
        }),
      ),
      stage(
        "halves",
        mergeMap((batch) => of(batch.slice(0, 2), batch.slice(2))),
      ),
    ]);
    await pipeline.start();
    source.push(["ok", "bad", "skip", "bad", "ok"]);
    await until(() => source.commits.includes(5));
    expect(await metric("sluice_events_in_total", "judge")).toBe(5);
    expect(await metric("sluice_events_failed_total", "judge")).toBe(2);
    expect(await metric("sluice_events_dropped_total", "judge")).toBe(1);
    expect(await metric("sluice_events_out_total", "judge")).toBe(2);
    // What an earlier stage failed or dropped is not counted again by the next one.
    expect(await metric("sluice_events_failed_total", "halves")).toBe(0);
    expect(await metric("sluice_events_dropped_total", "halves")).toBe(0);
    const latency = (await pipeline.metrics.registry.getMetricsAsJSON()).find(
      (m) => m.name === "sluice_batch_latency_seconds",
    );
    const count = (s: string) =>
      latency?.values.find(
        (v) => v.labels.stage === s && (v as { metricName?: string }).metricName?.endsWith("_count"),
      )?.value;
    expect(count("judge")).toBe(1);
    expect(count("halves")).toBe(2);
    await pipeline.stop();
  });
});
