// Why a pipeline stopped: the error that failed it keeps its own code (or names the stage, source or sink
// it began in), is logged with that code, and `stopped` resolves with it; a clean stop says so.
import { map, type Observable } from "rxjs";
import { describe, expect, it } from "vitest";
import { ErrorCode, SluiceError } from "../src/errors.js";
import type { Batch } from "../src/event.js";
import { createLogger } from "../src/logger.js";
import { createPipeline, DEFAULT_SHUTDOWN_TIMEOUT_MS } from "../src/pipeline.js";
import { mapValues, namedStage } from "../src/stage.js";
import { LogCapture, MemoryDeadLetters, MemorySink, MemorySource } from "./memory-components.js";

/** A sink whose write() fails with `error` on its first batch. */
class FailingSink extends MemorySink {
  constructor(private readonly error: unknown) {
    super();
  }
  override write() {
    return (source: Observable<Batch<unknown>>) =>
      source.pipe(
        map(() => {
          throw this.error;
        }),
      );
  }
}

const explode = namedStage(
  "explode",
  map((_batch: Batch<unknown>): Batch<unknown> => {
    throw new Error("boom");
  }),
);
const passThrough = mapValues<Buffer, Buffer>("passThrough", (raw) => raw);

function build(options: { source?: MemorySource; sink?: MemorySink; stages?: unknown[] }) {
  const log = new LogCapture();
  const source = options.source ?? new MemorySource();
  const pipeline = createPipeline({
    source,
    sink: options.sink ?? new MemorySink(),
    deadLetters: new MemoryDeadLetters(),
    stages: (options.stages ?? []) as never,
    logger: createLogger({ destination: log, level: "info" }),
  });
  const failureLine = () =>
    log
      .lines()
      .find((line) => line.msg === "pipeline stream failed; stopping without committing unsettled events");
  return { pipeline, source, failureLine };
}

describe("pipeline: why it stopped", () => {
  it("a plain error thrown by a user stage is SLUICE_ERR_STAGE_CRASHED naming the stage; `stopped` resolves with it", async () => {
    const { pipeline, source, failureLine } = build({ stages: [passThrough, explode] });
    await pipeline.start();
    source.push(["x"]);
    const report = await pipeline.stopped;
    expect(report.drained).toBe(false);
    expect(report.error).toBeInstanceOf(SluiceError);
    expect(report.error?.code).toBe(ErrorCode.STAGE_CRASHED);
    expect(report.error?.message).toBe('stage "explode" failed: boom');
    expect((report.error!.cause as Error).message).toBe("boom");
    expect(failureLine()).toMatchObject({
      code: ErrorCode.STAGE_CRASHED,
      err: 'stage "explode" failed: boom',
    });
    expect(pipeline.currentState).toBe("failed");
  });

  it("a SluiceError keeps its own code: a sink's SLUICE_ERR_ES_AUTH is logged and reported as such", async () => {
    const refused = new SluiceError(ErrorCode.ES_AUTH, "Elasticsearch refused the credentials (HTTP 401)");
    const { pipeline, source, failureLine } = build({
      sink: new FailingSink(refused),
      stages: [passThrough],
    });
    await pipeline.start();
    source.push(["x"]);
    const report = await pipeline.stopped;
    expect(report.error).toBe(refused);
    expect(failureLine()).toMatchObject({ code: ErrorCode.ES_AUTH, err: refused.message });
  });

  it("a sink's plain error is SLUICE_ERR_SINK_FAILED naming the sink", async () => {
    const { pipeline, source, failureLine } = build({
      sink: new FailingSink(new TypeError("x is undefined")),
    });
    await pipeline.start();
    source.push(["x"]);
    const report = await pipeline.stopped;
    expect(report.error?.code).toBe(ErrorCode.SINK_FAILED);
    expect(report.error?.message).toBe('sink "memory-sink" failed: x is undefined');
    expect(failureLine()).toMatchObject({ code: ErrorCode.SINK_FAILED });
  });

  it("a source's plain error passes the stages unchanged: SLUICE_ERR_SOURCE_FAILED, not a stage's crash", async () => {
    const { pipeline, source, failureLine } = build({ stages: [passThrough] });
    await pipeline.start();
    source.batches.error(new Error("socket closed"));
    const report = await pipeline.stopped;
    expect(report.error?.code).toBe(ErrorCode.SOURCE_FAILED);
    expect(report.error?.message).toBe('source "memory" failed: socket closed');
    expect(failureLine()).toMatchObject({ code: ErrorCode.SOURCE_FAILED });
  });

  it("a source's SluiceError (Kafka refused the credentials) keeps its code through the stages", async () => {
    const { pipeline, source, failureLine } = build({ stages: [passThrough] });
    await pipeline.start();
    source.batches.error(new SluiceError(ErrorCode.KAFKA_AUTH, "Kafka refused the SASL authentication"));
    const report = await pipeline.stopped;
    expect(report.error?.code).toBe(ErrorCode.KAFKA_AUTH);
    expect(failureLine()).toMatchObject({ code: ErrorCode.KAFKA_AUTH });
  });

  it("after a clean drain the report has no error and waiting retries give up with SLUICE_ERR_STOPPED", async () => {
    const { pipeline, source } = build({});
    await pipeline.start();
    source.push(["x", "y"]);
    const report = await pipeline.stop();
    expect(report).toEqual({ drained: true, unsettled: 0 });
    expect(await pipeline.stopped).toBe(report);
    expect(source.ctx.signal.aborted).toBe(true);
    expect((source.ctx.signal.reason as SluiceError).code).toBe(ErrorCode.STOPPED);
  });

  it("the default shutdown deadline fits in Kubernetes' default 30 s grace period, with room to disconnect", () => {
    expect(DEFAULT_SHUTDOWN_TIMEOUT_MS).toBeLessThanOrEqual(20_000);
  });
});
