// KafkaSource against a fake consumer thread (no Kafka): what it emits, commits, and forwards.
import {
  type Batch,
  createPipeline,
  ErrorCode,
  type Sink,
  type SinkResult,
  silentLogger,
} from "@sluice/core";
import type { KafkaMessage } from "kafkajs";
import { mergeMap, type Observable } from "rxjs";
import { describe, expect, it } from "vitest";
import { type ConsumerThreadPort, KafkaSource } from "../src/kafka-source.js";
import type { ConsumerThreadEvents } from "../src/worker/consumer-thread.js";
import type { FromConsumer } from "../src/worker/messages.js";
import { packBatch } from "../src/worker/wire-batch.js";

type Offsets = Array<{ topic: string; partition: number; offset: string }>;

/** Stands for the consumer thread: records what the source sends and lets the test speak for Kafka. */
class FakeThread implements ConsumerThreadPort {
  readonly sent: string[] = [];
  readonly commits: Offsets[] = [];
  /** Run when the source asks the thread to stop fetching, before it answers. */
  onStop: () => void = () => {};
  readonly decoder = undefined;
  constructor(private readonly events: ConsumerThreadEvents) {}
  async ready() {}
  send(message: { type: string }) {
    if (message.type !== "taken") this.sent.push(message.type);
  }
  async request(order: { type: string; offsets?: Offsets }) {
    if (order.type === "commit") this.commits.push(order.offsets!);
    if (order.type === "stop") this.onStop();
  }
  async close() {}
  say(message: Exclude<FromConsumer, { type: "reply" | "ready" }>) {
    this.events.message(message);
  }
  joined(generation: number, assignment: Record<string, number[]>) {
    this.say({ type: "joined", generation, assignment });
  }
  batch(generation: number, partition: number, offsets: number[]) {
    const messages = offsets.map(
      (o): KafkaMessage => ({
        offset: String(o),
        value: Buffer.from(`v${o}`),
        key: null,
        timestamp: "1000",
        attributes: 0,
        headers: {},
      }),
    );
    this.say(packBatch(generation, "logs", partition, "100", messages));
  }
}

/** Holds every batch until the test delivers what it holds. */
class HoldingSink implements Sink<unknown> {
  readonly name = "holding";
  readonly batches: Batch<unknown>[] = [];
  private readonly waiting: Array<() => void> = [];
  async connect() {}
  write() {
    return (input: Observable<Batch<unknown>>) =>
      input.pipe(
        mergeMap(
          (batch) =>
            new Promise<SinkResult<unknown>>((resolve) => {
              this.batches.push(batch);
              this.waiting.push(() => resolve({ delivered: batch, rejected: [] }));
            }),
        ),
      );
  }
  deliver() {
    for (const done of this.waiting.splice(0)) done();
  }
  async close() {}
  health() {
    return { status: "ok" as const };
  }
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 2));
  }
}

function build(options: { commitIntervalMs?: number; maxInFlightEvents?: number } = {}) {
  let thread!: FakeThread;
  const source = new KafkaSource(
    { brokers: ["127.0.0.1:1"], groupId: "g", topics: ["logs"] },
    {
      probe: async () => {},
      thread: (_data, events) => {
        thread = new FakeThread(events);
        return thread;
      },
      admin: () => Promise.reject(new Error("no admin in unit tests")),
    },
  );
  const sink = new HoldingSink();
  const pipeline = createPipeline({
    source,
    sink,
    deadLetters: { name: "dlq", connect: async () => {}, write: async () => [], close: async () => {} },
    logger: silentLogger(),
    commitIntervalMs: options.commitIntervalMs ?? 10,
    ...(options.maxInFlightEvents ? { flow: { maxInFlightEvents: options.maxInFlightEvents } } : {}),
  });
  return { source, sink, pipeline, thread: () => thread };
}

describe("KafkaSource", () => {
  it("turns a fetched batch into events and commits the next offset once they settle", async () => {
    const { sink, pipeline, thread } = build();
    await pipeline.start();
    thread().joined(1, { logs: [0] });
    thread().batch(1, 0, [7, 8, 9]);
    await until(() => sink.batches.length === 1);
    const events = sink.batches[0]!;
    expect(events.map((e) => (e.value as Buffer).toString())).toEqual(["v7", "v8", "v9"]);
    expect(events[2]!.origin).toMatchObject({ topic: "logs", partition: 0, offset: "9", timestamp: "1000" });
    expect(thread().commits).toEqual([]);
    sink.deliver();
    await until(() => thread().commits.length === 1);
    expect(thread().commits).toEqual([[{ topic: "logs", partition: 0, offset: "10" }]]);
    expect(await pipeline.stop()).toEqual({ drained: true, unsettled: 0 });
  });

  it("retires a generation on rebalance: its batches still settle but never commit, late ones are left out", async () => {
    const { sink, pipeline, thread } = build();
    await pipeline.start();
    thread().joined(1, { logs: [0] });
    thread().batch(1, 0, [0, 1]);
    thread().joined(2, { logs: [0] });
    thread().batch(1, 0, [2, 3]); // fetched by the old generation, arriving late
    thread().batch(2, 0, [0, 1, 2]);
    await until(() => sink.batches.length === 2);
    sink.deliver();
    await until(() => thread().commits.length > 0);
    expect(thread().commits[0]).toEqual([{ topic: "logs", partition: 0, offset: "3" }]);
    expect(sink.batches.map((b) => b.length)).toEqual([2, 3]);
    expect(pipeline.flow.events).toBe(0);
    await pipeline.stop();
  });

  it("commits what settled when a rebalance begins", async () => {
    const { sink, pipeline, thread } = build({ commitIntervalMs: 60_000 });
    await pipeline.start();
    thread().joined(1, { logs: [0] });
    thread().batch(1, 0, [0, 1]);
    await until(() => sink.batches.length === 1);
    sink.deliver();
    await until(() => pipeline.flow.events === 0);
    thread().say({ type: "rebalancing" });
    await until(() => thread().commits.length === 1);
    expect(thread().commits[0]).toEqual([{ topic: "logs", partition: 0, offset: "2" }]);
    await pipeline.stop();
  });

  it("while stopping, a partition kept commits with the new generation and one taken away is OFFSETS_REASSIGNED", async () => {
    const { sink, pipeline, thread } = build({ commitIntervalMs: 60_000 });
    await pipeline.start();
    thread().joined(1, { logs: [0, 1] });
    thread().batch(1, 0, [0, 1]);
    thread().batch(1, 1, [5]);
    await until(() => sink.batches.length === 2);
    sink.deliver();
    await until(() => pipeline.flow.events === 0);
    thread().onStop = () => thread().joined(2, { logs: [0] });
    const report = await pipeline.stop();
    expect(report.error?.code).toBe(ErrorCode.OFFSETS_REASSIGNED);
    expect(report.error?.message).toContain("logs/1");
    expect(thread().commits).toEqual([[{ topic: "logs", partition: 0, offset: "2" }]]);
  });

  it("forwards backpressure: pauses fetching at the high-water mark and resumes below the low one", async () => {
    const { source, sink, pipeline, thread } = build({ maxInFlightEvents: 4 });
    await pipeline.start();
    thread().joined(1, { logs: [0] });
    thread().batch(1, 0, [0, 1, 2, 3]);
    expect(thread().sent).toEqual(["run", "pause"]);
    expect(source.health().detail).toMatchObject({ paused: true });
    await until(() => sink.batches.length === 1);
    sink.deliver();
    await until(() => thread().sent.length === 3);
    expect(thread().sent).toEqual(["run", "pause", "resume"]);
    expect(source.health().detail).toMatchObject({ paused: false });
    await pipeline.stop();
  });
});
