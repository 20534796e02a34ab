// fanOut's contract, through a real pipeline with in-memory components and sinks the test answers by hand.
import { map, Observable, Subject } from "rxjs";
import { describe, expect, it } from "vitest";
import type { ComponentContext, Sink, SinkResult } from "../src/components.js";
import { ErrorCode, SluiceConfigError, SluiceError } from "../src/errors.js";
import { type Batch, eventOf, type SluiceEvent } from "../src/event.js";
import { type FanOutOptions, fanOut } from "../src/fan-out.js";
import { silentLogger } from "../src/logger.js";
import { createPipeline, type PipelineOptions } from "../src/pipeline.js";
import { MemoryDeadLetters, MemorySource, until } from "./memory-components.js";

/** A sink that keeps every event it is given and answers only when the test says so. */
class ManualSink implements Sink<unknown> {
  readonly received: SluiceEvent<unknown>[] = [];
  readonly results = new Subject<SinkResult>();
  connected = false;
  closed = false;
  status: "ok" | "degraded" | "down" = "ok";
  private ctx: ComponentContext | undefined;
  /** `ends`: when its stream completes, once its input did, or only once the shutdown deadline aborts it. */
  constructor(
    readonly name: string,
    readonly secrets: readonly string[] = [],
    private readonly connectError?: Error,
    private readonly ends: "input" | "abort" = "input",
  ) {}
  async connect(ctx: ComponentContext) {
    if (this.connectError) throw this.connectError;
    this.ctx = ctx;
    this.connected = true;
  }
  write() {
    return (input: Observable<Batch<unknown>>) => {
      input.subscribe({
        next: (batch) => this.received.push(...batch),
        complete: () => {
          if (this.ends === "input") this.results.complete();
          else this.ctx!.signal.addEventListener("abort", () => this.results.complete());
        },
      });
      return this.results.asObservable();
    };
  }
  /** Reports the received events with these values: delivered, or refused with `reason`. */
  answer(values: string[], refuse?: string): void {
    const events = this.received.filter((e) => values.includes(text(e)));
    if (refuse === undefined) this.results.next({ delivered: events, rejected: [] });
    else {
      for (const e of events)
        e.fail({ code: ErrorCode.REJECTED, type: "mapping", reason: refuse, stage: this.name });
      this.results.next({ delivered: [], rejected: events });
    }
  }
  answerAll(): void {
    this.answer(this.received.map(text));
  }
  values(): string[] {
    return this.received.map(text);
  }
  async close() {
    this.closed = true;
  }
  health() {
    return { status: this.status, detail: { name: this.name } };
  }
}

const text = (e: SluiceEvent<unknown>) => String(e.raw);

function start(fan: FanOutOptions, options: Pick<PipelineOptions, "flow"> = {}) {
  const source = new MemorySource();
  const deadLetters = new MemoryDeadLetters();
  const pipeline = createPipeline({
    source,
    sink: fanOut(fan),
    deadLetters,
    logger: silentLogger(),
    commitIntervalMs: 10,
    shutdownTimeoutMs: 200,
    ...options,
  });
  return { source, deadLetters, pipeline, started: pipeline.start() };
}

/** The offset committed last (the next to read), or 0 before any commit. */
const committed = (source: MemorySource) => source.commits.at(-1) ?? 0;

describe("fanOut", () => {
  it("gives each target the events its `when` takes, in source order, and commits once all answered", async () => {
    const a = new ManualSink("a");
    const b = new ManualSink("b");
    const { source, pipeline, started } = start({
      targets: [{ sink: a }, { sink: b, when: (e) => text(e).startsWith("b") }],
    });
    await started;
    // One record a batch: the pipeline commits a batch once all its events settled.
    for (const record of ["a1", "b1", "a2"]) source.push([record]);
    source.push(["b2", "a3"]);
    expect(a.values()).toEqual(["a1", "b1", "a2", "b2", "a3"]);
    expect(b.values()).toEqual(["b1", "b2"]);
    a.answerAll();
    await source.ctx.commitNow();
    // a1 went to a alone and is committed; b1 waits for b, and holds back the offsets after it.
    expect(committed(source)).toBe(1);
    b.answer(["b1"]);
    await source.ctx.commitNow();
    expect(committed(source)).toBe(3);
    b.answer(["b2"]);
    await source.ctx.commitNow();
    expect(committed(source)).toBe(5);
    expect(await pipeline.stop()).toEqual({ drained: true, unsettled: 0 });
  });

  it("hands batches to every target in source order, also when one arrives while another is handed out", () => {
    // Answers each batch at once, as it is given it.
    const sync: Sink<unknown> = {
      name: "sync",
      async connect() {},
      write: () => map((batch: Batch<unknown>) => ({ delivered: batch, rejected: [] })),
      async close() {},
      health: () => ({ status: "ok" }),
    };
    const b = new ManualSink("b");
    const input = new Subject<Batch<unknown>>();
    const write = fanOut({
      targets: [{ sink: sync }, { sink: b, when: (e) => text(e).startsWith("b") }],
    }).write();
    let next = 1;
    const batchOf = (n: number) => [
      eventOf(`s${n}`, { raw: Buffer.from(`s${n}`) }),
      eventOf(`b${n}`, { raw: Buffer.from(`b${n}`) }),
    ];
    // A source that emits its next batch as soon as one settles, from inside the settling call.
    write(input).subscribe(() => {
      if (next < 3) input.next(batchOf(++next));
    });
    input.next(batchOf(1));
    expect(b.values()).toEqual(["b1", "b2", "b3"]);
  });

  it("reports an event only when every target answered: dead-lettered naming the target that refused it", async () => {
    const a = new ManualSink("a");
    const b = new ManualSink("b");
    const { source, deadLetters, pipeline, started } = start({ targets: [{ sink: a }, { sink: b }] });
    await started;
    source.push(["x", "y"]);
    b.answer(["x"], "mapping conflict in b");
    b.answer(["y"]);
    await source.ctx.commitNow();
    expect(source.commits).toEqual([]);
    expect(deadLetters.letters).toEqual([]);
    a.answer(["x", "y"]);
    await until(() => deadLetters.letters.length === 1 && committed(source) === 2);
    expect(deadLetters.letters[0]!.raw.toString()).toBe("x");
    expect(deadLetters.letters[0]!.error).toMatchObject({
      code: ErrorCode.REJECTED,
      type: "mapping",
      reason: "mapping conflict in b",
      stage: "b",
    });
    await expect(pipeline.metrics.eventsDelivered.get()).resolves.toMatchObject({ values: [{ value: 1 }] });
    await pipeline.stop();
  });

  it("gives each target an event of its own: what one sink does to its event, the others do not see", async () => {
    // Changes everything it is given, as a careless sink might, and refuses it.
    const consuming: Sink<unknown> = {
      name: "consuming",
      async connect() {},
      write: () => (input) =>
        new Observable<SinkResult>((subscriber) =>
          input.subscribe({
            next: (batch) => {
              for (const e of batch) {
                (e.value as { tag?: string }).tag = "consumed";
                e.metadata = { ...e.metadata, route: "consumed" };
                e.releaseValue();
                e.fail({ code: ErrorCode.REJECTED, type: "t", reason: "r", stage: "consuming" });
              }
              subscriber.next({ delivered: [], rejected: batch });
            },
            complete: () => subscriber.complete(),
          }),
        ),
      async close() {},
      health: () => ({ status: "ok" }),
    };
    const reader = new ManualSink("reader");
    const { source, deadLetters, pipeline, started } = start({
      targets: [{ sink: consuming, copyValue: true }, { sink: reader }],
    });
    await started;
    const document = { v: 1 };
    const event = eventOf(document, { origin: { topic: "t", offset: "0" } });
    event.metadata = { route: "r1" };
    source.batches.next({ events: [event as unknown as SluiceEvent<Buffer>] });
    expect(reader.received.map((e) => [e.value, e.failure, e.metadata])).toEqual([
      [{ v: 1 }, undefined, { route: "r1" }],
    ]);
    expect(reader.received[0]!.value).toBe(document);
    expect(document).toEqual({ v: 1 });
    // The pipeline's own event lets the value go: in flight it is held by the targets that still need it.
    expect(event.value).toBeUndefined();
    reader.answerAll();
    await until(() => deadLetters.letters.length === 1);
    expect(deadLetters.letters[0]!.error).toMatchObject({ stage: "consuming" });
    await pipeline.stop();
  });

  it("dead-letters an event no target takes with SLUICE_ERR_UNROUTED, or drops it with unrouted: drop", async () => {
    const none = () => false;
    const lettered = start({ name: "split", targets: [{ sink: new ManualSink("a"), when: none }] });
    await lettered.started;
    lettered.source.push(["lost"]);
    await until(() => lettered.deadLetters.letters.length === 1 && committed(lettered.source) === 1);
    expect(lettered.deadLetters.letters[0]!.error).toMatchObject({
      code: ErrorCode.UNROUTED,
      type: "unrouted",
      stage: "split",
    });
    await lettered.pipeline.stop();

    const dropping = start({
      name: "split",
      unrouted: "drop",
      targets: [{ sink: new ManualSink("a"), when: none }],
    });
    await dropping.started;
    dropping.source.push(["gone", "too"]);
    await until(() => committed(dropping.source) === 2);
    expect(dropping.deadLetters.letters).toEqual([]);
    const dropped = await dropping.pipeline.metrics.eventsDropped.get();
    expect(dropped.values).toEqual([{ labels: { stage: "split" }, value: 2 }]);
    await dropping.pipeline.stop();
  });

  it("a never-answering target keeps its events in flight: the flow limit pauses the source, nothing commits", async () => {
    const fast = new ManualSink("fast");
    const stuck = new ManualSink("stuck");
    const { source, pipeline, started } = start(
      { targets: [{ sink: fast }, { sink: stuck }] },
      { flow: { maxInFlightEvents: 100 } },
    );
    await started;
    // A source honouring pauseFetching: it reads batches of 10 until the pipeline pauses it.
    let batches = 0;
    while (source.paused === 0 && batches < 1000) {
      source.push(Array.from({ length: 10 }, (_, i) => `r${batches * 10 + i}`));
      batches++;
      fast.answerAll();
    }
    expect(source.paused).toBe(1);
    expect(batches).toBe(10);
    expect(fast.received).toHaveLength(100);
    expect(stuck.received).toHaveLength(100);
    await source.ctx.commitNow();
    expect(source.commits).toEqual([]);
    // Once the stuck target answers, everything settles and the source may read again.
    stuck.answerAll();
    await until(() => !pipeline.flow.paused && committed(source) === 100);
    expect(await pipeline.stop()).toEqual({ drained: true, unsettled: 0 });
  });

  it("a target that errors stops the pipeline with an error naming it; unanswered events are not committed", async () => {
    const a = new ManualSink("a");
    const b = new ManualSink("b");
    const { source, pipeline, started } = start({ name: "both", targets: [{ sink: a }, { sink: b }] });
    await started;
    source.push(["x"]);
    a.answerAll();
    b.results.error(new Error("socket exploded"));
    const report = await pipeline.stopped;
    expect(report.error).toBeInstanceOf(SluiceError);
    expect(report.error?.code).toBe(ErrorCode.SINK_FAILED);
    expect(report.error?.message).toContain('fan-out "both": target "b" failed: socket exploded');
    expect(source.commits).toEqual([]);
    expect(pipeline.currentState).toBe("failed");
  });

  it("a target that completes while its events are unanswered stops the pipeline naming it", async () => {
    const a = new ManualSink("a");
    const b = new ManualSink("b");
    const { source, pipeline, started } = start({ targets: [{ sink: a }, { sink: b }] });
    await started;
    source.push(["x"]);
    b.results.complete();
    const report = await pipeline.stopped;
    expect(report.error?.code).toBe(ErrorCode.SINK_FAILED);
    expect(report.error?.message).toBe('fan-out "fan-out": target "b" completed before its input did');
    expect(source.commits).toEqual([]);
  });

  it("past the shutdown deadline a target may end with events unanswered: they stay uncommitted, not a failure", async () => {
    const a = new ManualSink("a");
    // Like the Elasticsearch sink: it gives up on what it holds only when the deadline aborts it.
    const giving = new ManualSink("giving-up", [], undefined, "abort");
    const { source, pipeline, started } = start({ targets: [{ sink: a }, { sink: giving }] });
    await started;
    source.push(["x"]);
    a.answerAll();
    const report = await pipeline.stop();
    expect(report).toMatchObject({
      drained: false,
      unsettled: 1,
      error: { code: ErrorCode.SHUTDOWN_TIMEOUT },
    });
    expect(pipeline.currentState).toBe("stopped");
    expect(source.commits).toEqual([]);
  });

  it("a `when` that throws stops the pipeline naming the target", async () => {
    const { source, pipeline, started } = start({
      targets: [
        {
          sink: new ManualSink("a"),
          when: () => {
            throw new TypeError("no field");
          },
        },
      ],
    });
    await started;
    source.push(["x"]);
    const report = await pipeline.stopped;
    expect(report.error?.message).toBe(`fan-out "fan-out": target "a"'s when() threw: no field`);
    expect(source.commits).toEqual([]);
  });

  it("connects, closes and reports the health of every target; their secrets are the fan-out's", async () => {
    const a = new ManualSink("a", ["pw-a"]);
    const b = new ManualSink("b", ["pw-b", "pw-a"]);
    const sink = fanOut({ targets: [{ sink: a }, { sink: b, name: "logs" }] });
    expect(sink.secrets).toEqual(["pw-a", "pw-b"]);
    const { pipeline, started } = start({ targets: [{ sink: a }, { sink: b, name: "logs" }] });
    await started;
    expect(a.connected && b.connected).toBe(true);
    b.status = "degraded";
    expect(sink.health()).toEqual({
      status: "degraded",
      detail: {
        targets: {
          a: { status: "ok", detail: { name: "a" } },
          logs: { status: "degraded", detail: { name: "b" } },
        },
      },
    });
    a.status = "down";
    expect(sink.health().status).toBe("down");
    expect(pipeline.health().status).toBe("down");
    await pipeline.stop();
    expect(a.closed && b.closed).toBe(true);
  });

  it("a target that cannot connect fails the start naming it, with its own code", async () => {
    const down = new ManualSink(
      "es-b",
      [],
      new SluiceError(ErrorCode.ES_UNREACHABLE, "connect ECONNREFUSED 127.0.0.1:1"),
    );
    const ok = new ManualSink("es-a");
    const { started } = start({ name: "copies", targets: [{ sink: ok }, { sink: down }] });
    const error = await started.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SluiceError);
    expect((error as SluiceError).code).toBe(ErrorCode.ES_UNREACHABLE);
    expect((error as SluiceError).message).toBe(
      'fan-out "copies": target "es-b" could not connect: connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(ok.closed).toBe(true);
  });

  it("rejects wrong options at construction, naming the option", () => {
    const sink = new ManualSink("a");
    const configError = (options: unknown) => {
      try {
        fanOut(options as FanOutOptions);
      } catch (error) {
        expect(error).toBeInstanceOf(SluiceConfigError);
        return (error as SluiceConfigError).option;
      }
      throw new Error("accepted");
    };
    expect(configError({ targets: [] })).toBe("targets");
    expect(configError({ targets: [{ sink: {} }] })).toBe("targets.0.sink");
    expect(configError({ targets: [{ sink, when: "yes" }] })).toBe("targets.0.when");
    expect(configError({ targets: [{ sink }, { sink: new ManualSink("a") }] })).toBe("targets.1.name");
    expect(configError({ targets: [{ sink, filter: () => true }] })).toBe("targets.0.filter");
    expect(configError({ targets: [{ sink }], unrouted: "ignore" })).toBe("unrouted");
  });
});
