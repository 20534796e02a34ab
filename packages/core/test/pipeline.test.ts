// The runner's contract, with small in-memory components: acknowledgement, dead letters, shutdown.
import { map, mergeMap, type Observable, Subject, timer } from "rxjs";
import { describe, expect, it } from "vitest";
import type { Sink, SinkResult, Source, SourceContext } from "../src/components.js";
import type { DeadLetter, DeadLetterSink } from "../src/dead-letter.js";
import { SluiceConfigError } from "../src/errors.js";
import { type Batch, SluiceEvent } from "../src/event.js";
import { DEFAULT_HEAP_GROWING_PERCENT, heapGrowth } from "../src/heap-growth.js";
import { silentLogger } from "../src/logger.js";
import { createPipeline } from "../src/pipeline.js";
import { PartitionProgress } from "../src/progress.js";
import { mapValues, reject } from "../src/stage.js";

/** One partition fed from the test; commits are recorded. */
class MemorySource implements Source<Buffer> {
  readonly name = "memory";
  readonly commits: number[] = [];
  readonly batches = new Subject<Batch<Buffer>>();
  progress!: PartitionProgress;
  paused = 0;
  private next = 0;
  async connect(ctx: SourceContext) {
    this.progress = new PartitionProgress(ctx.flow);
    ctx.flow.on("pause", () => this.paused++);
  }
  start(): Observable<Batch<Buffer>> {
    return this.batches.asObservable();
  }
  push(values: string[]): void {
    const first = this.next;
    const raws = values.map((v) => Buffer.from(v));
    const ticket = this.progress.open(first, first + values.length - 1, values.length, 0);
    this.next += values.length;
    this.batches.next(
      raws.map(
        (raw, i) =>
          new SluiceEvent(
            raw,
            raw,
            { topic: "t", partition: 0, offset: String(first + i), key: null, headers: {}, timestamp: "0" },
            ticket,
          ),
      ),
    );
  }
  async stopFetching() {
    this.batches.complete();
  }
  async commit() {
    const offset = this.progress.takeCommit();
    if (offset !== undefined) {
      this.commits.push(offset);
      this.progress.markCommitted(offset);
    }
  }
  async close() {}
  health() {
    return { status: "ok" as const };
  }
}

/** Delivers each batch after `delayMs`; values listed in `refuse` are rejected. */
class MemorySink implements Sink<unknown> {
  readonly name = "memory-sink";
  readonly stored: unknown[] = [];
  constructor(
    private readonly delayMs = 0,
    private readonly refuse = new Set<unknown>(),
  ) {}
  async connect() {}
  write() {
    return (source: Observable<Batch<unknown>>) =>
      source.pipe(
        mergeMap((batch) =>
          timer(this.delayMs).pipe(
            map((): SinkResult<unknown> => {
              const result: SinkResult<unknown> = { delivered: [], rejected: [] };
              for (const e of batch) {
                if (this.refuse.has(e.value)) {
                  e.fail({ code: "SLUICE_ERR_REJECTED", type: "mapping", reason: "no", stage: this.name });
                  result.rejected.push(e);
                } else {
                  this.stored.push(e.value);
                  result.delivered.push(e);
                }
              }
              return result;
            }),
          ),
        ),
      );
  }
  async close() {}
  health() {
    return { status: "ok" as const };
  }
}

class MemoryDeadLetters implements DeadLetterSink {
  readonly name = "memory-dlq";
  readonly letters: DeadLetter[] = [];
  failuresLeft: number;
  constructor(failFirst = 0) {
    this.failuresLeft = failFirst;
  }
  async connect() {}
  async write(letters: readonly DeadLetter[]) {
    if (this.failuresLeft-- > 0) throw new Error("dead-letter store down");
    this.letters.push(...letters);
    return letters.map(() => ({ status: "stored" as const }));
  }
  async close() {}
}

const upper = mapValues<Buffer, string>("upper", (raw) => {
  const text = raw.toString();
  return text.startsWith("bad") ? reject("bad_record", `cannot take ${text}`) : text.toUpperCase();
});

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

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
      handleSignals: false,
      commitIntervalMs: 10,
    });
    await pipeline.start();
    source.push(["a", "bad\u0000bytes", "refused", "b"]);
    await source.commit();
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
      handleSignals: false,
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
      handleSignals: false,
      shutdownTimeoutMs: 50,
    });
    await pipeline.start();
    source.push(["x"]);
    const report = await pipeline.stop();
    expect(report).toEqual({ drained: false, unsettled: 1 });
    expect(source.commits).toEqual([]);
  });

  it("pauses the source at the high-water mark", async () => {
    const source = new MemorySource();
    const pipeline = createPipeline({
      source,
      sink: new MemorySink(50),
      deadLetters: new MemoryDeadLetters(),
      logger: silentLogger(),
      handleSignals: false,
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
    expect(() => build({ heapGrowingPercent: -1 })).toThrow(/option `heapGrowingPercent` must be >= 0/);
    expect(() => build({ heapGrowingPercent: 1.5 })).toThrow(/option `heapGrowingPercent` must be integer/);
  });

  it("sets V8's heap growing percent while it runs, and gives V8 its own back when it stops", async () => {
    // This test process was not started with the flag: the pipelines' setting is the one in force.
    expect(heapGrowth.ownedByProcess).toBe(false);
    const build = (extra: object = {}) =>
      createPipeline({
        source: new MemorySource(),
        sink: new MemorySink(),
        deadLetters: new MemoryDeadLetters(),
        logger: silentLogger(),
        handleSignals: false,
        ...extra,
      });
    expect(heapGrowth.percent).toBe(0);
    const first = build();
    const second = build({ heapGrowingPercent: 500 });
    const none = build({ heapGrowingPercent: 0 });
    await none.start();
    expect(heapGrowth.percent).toBe(0);
    await first.start();
    expect(heapGrowth.percent).toBe(DEFAULT_HEAP_GROWING_PERCENT);
    await second.start();
    expect(heapGrowth.percent).toBe(500);
    await second.stop();
    expect(heapGrowth.percent).toBe(DEFAULT_HEAP_GROWING_PERCENT);
    await first.stop();
    await first.stop();
    expect(heapGrowth.percent).toBe(0);
    await none.stop();
  });
});
