// The runner's contract, with small in-memory components: acknowledgement, dead letters, shutdown.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { ErrorCode, SluiceConfigError } from "../src/errors.js";
import { heapGrowth, tuneProcess } from "../src/heap-growth.js";
import { silentLogger } from "../src/logger.js";
import { createPipeline } from "../src/pipeline.js";
import { mapValues, reject } from "../src/stage.js";
import { MemoryDeadLetters, MemorySink, MemorySource, until } from "./memory-components.js";

const upper = mapValues<Buffer, string>("upper", (raw) => {
  const text = raw.toString();
  return text.startsWith("bad") ? reject("bad_record", `cannot take ${text}`) : text.toUpperCase();
});

describe("pipeline", () => {
  it("delivers, dead-letters failures with their raw bytes, and commits only what settled", async () => {
    const source = new MemorySource();
    const sink = new MemorySink(20, new Set(["REFUSED"]));
    const dlq = new MemoryDeadLetters(2);
    const pipeline = createPipeline({
      source,
      stages: [upper],
      sink,
      deadLetters: dlq,
      logger: silentLogger(),
      commitIntervalMs: 10,
    });
    await pipeline.start();
    source.push(["a", "bad\u0000bytes", "refused", "b"]);
    await source.ctx.commitNow();
    expect(source.commits).toEqual([]); // nothing settled yet: the sink takes 20 ms
    await until(() => source.commits.includes(4));
    expect(sink.stored).toEqual(["A", "B"]);
    expect(dlq.letters.map((l) => l.raw.toString())).toEqual(["bad\u0000bytes", "refused"]);
    expect(dlq.letters[0]!.error).toMatchObject({ type: "bad_record", stage: "upper" });
    expect(dlq.letters[1]!.error).toMatchObject({ type: "mapping", stage: "memory-sink" });
    expect(dlq.letters[0]!.origin).toMatchObject({ topic: "t", partition: 0, offset: "1" });
    const report = await pipeline.stop();
    expect(report).toEqual({ drained: true, unsettled: 0 });
  });

  it("stop() drains in-flight events before the final commit", async () => {
    const source = new MemorySource();
    const pipeline = createPipeline({
      source,
      sink: new MemorySink(100),
      deadLetters: new MemoryDeadLetters(),
      logger: silentLogger(),
      commitIntervalMs: 10_000,
    });
    await pipeline.start();
    source.push(["x", "y"]);
    const report = await pipeline.stop();
    expect(report.drained).toBe(true);
    expect(source.commits).toEqual([2]);
  });

  it("gives up at the shutdown deadline without committing unsettled events", async () => {
    const source = new MemorySource();
    const pipeline = createPipeline({
      source,
      sink: new MemorySink(5_000),
      deadLetters: new MemoryDeadLetters(),
      logger: silentLogger(),
      shutdownTimeoutMs: 50,
    });
    await pipeline.start();
    source.push(["x"]);
    const report = await pipeline.stop();
    expect(report).toMatchObject({ drained: false, unsettled: 1 });
    expect(report.error?.code).toBe(ErrorCode.SHUTDOWN_TIMEOUT);
    expect(source.commits).toEqual([]);
  });

  it("pauses the source at the high-water mark", async () => {
    const source = new MemorySource();
    const pipeline = createPipeline({
      source,
      sink: new MemorySink(50),
      deadLetters: new MemoryDeadLetters(),
      logger: silentLogger(),
      flow: { maxInFlightEvents: 10 },
    });
    await pipeline.start();
    source.push(Array.from({ length: 10 }, (_, i) => `r${i}`));
    expect(pipeline.flow.paused).toBe(true);
    expect(source.paused).toBe(1);
    await until(() => !pipeline.flow.paused);
    await pipeline.stop();
  });

  it("rejects bad options at construction, naming the option", () => {
    const build = (extra: object) =>
      createPipeline({
        source: new MemorySource(),
        sink: new MemorySink(),
        deadLetters: new MemoryDeadLetters(),
        ...extra,
      });
    expect(() => build({ flow: { maxInFlightEvents: 0 } })).toThrow(
      /option `flow.maxInFlightEvents` must be >= 1/,
    );
    expect(() => build({ comitIntervalMs: 5 })).toThrow(SluiceConfigError);
    expect(() => build({ deadLetters: undefined })).toThrow(/option `deadLetters`/);
    expect(() => build({ heapGrowingPercent: 200 })).toThrow(
      /unknown option `heapGrowingPercent`|`heapGrowingPercent`/,
    );
    expect(() => build({ handleSignals: true })).toThrow(/`handleSignals`/);
  });

  it("leaves the caller's option objects as they were (no defaults written into them)", () => {
    const http = { port: 0 };
    const flow = { maxInFlightEvents: 10 };
    createPipeline({
      source: new MemorySource(),
      sink: new MemorySink(),
      deadLetters: new MemoryDeadLetters(),
      logger: silentLogger(),
      http,
      flow,
    });
    expect(http).toEqual({ port: 0 });
    expect(flow).toEqual({ maxInFlightEvents: 10 });
  });

  it("reports every unknown option at once, with what each was probably meant to be", () => {
    const error = (() => {
      try {
        createPipeline({
          source: new MemorySource(),
          sink: new MemorySink(),
          deadLetters: new MemoryDeadLetters(),
          comitIntervalMs: 5,
          shutdownTimeout: 1000,
          http: { prot: 9464 },
        } as never);
      } catch (e) {
        return e as SluiceConfigError;
      }
    })();
    expect(error).toBeInstanceOf(SluiceConfigError);
    expect(error?.options).toEqual(["comitIntervalMs", "shutdownTimeout", "http.prot"]);
    expect(error?.message).toContain(
      "`comitIntervalMs` is not a known option (did you mean `commitIntervalMs`?)",
    );
    expect(error?.message).toContain("`shutdownTimeout` (did you mean `shutdownTimeoutMs`?)");
    expect(error?.message).toContain("`http.prot` (did you mean `http.port`?)");
  });

  it("a busy http.port fails the start with a SluiceConfigError naming the option and the port", async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      const source = new MemorySource();
      let closed = 0;
      source.close = async () => {
        closed++;
      };
      const pipeline = createPipeline({
        source,
        sink: new MemorySink(),
        deadLetters: new MemoryDeadLetters(),
        logger: silentLogger(),
        http: { port },
      });
      const error = (await pipeline.start().catch((e: unknown) => e)) as SluiceConfigError;
      expect(error).toBeInstanceOf(SluiceConfigError);
      expect(error.code).toBe(ErrorCode.CONFIG);
      expect(error.option).toBe("http.port");
      expect(error.message).toContain(`pipeline: option \`http.port\` is ${port}, which another process`);
      expect((error.cause as { code?: string }).code).toBe("EADDRINUSE");
      expect(pipeline.currentState).toBe("failed");
      expect(closed).toBe(1);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });

  it("leaves V8's heap growing percent alone; tuneProcess() sets it until undone", async () => {
    // This test process was not started with the flag: what tuneProcess holds is the one in force.
    expect(heapGrowth.ownedByProcess).toBe(false);
    const pipeline = createPipeline({
      source: new MemorySource(),
      sink: new MemorySink(),
      deadLetters: new MemoryDeadLetters(),
      logger: silentLogger(),
    });
    await pipeline.start();
    expect(heapGrowth.percent).toBe(0);
    await pipeline.stop();
    const undo = tuneProcess();
    expect(heapGrowth.percent).toBe(200);
    const more = tuneProcess({ heapGrowingPercent: 500 });
    expect(heapGrowth.percent).toBe(500);
    more();
    expect(heapGrowth.percent).toBe(200);
    undo();
    undo();
    expect(heapGrowth.percent).toBe(0);
    expect(() => tuneProcess({ heapGrowingPercent: -1 })).toThrow(/option `heapGrowingPercent` must be >= 0/);
    expect(() => tuneProcess({ heapGrowingPercent: 1.5 })).toThrow(
      /option `heapGrowingPercent` must be integer/,
    );
  });
});
