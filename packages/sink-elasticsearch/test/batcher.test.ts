import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Batcher, type BatchLimits } from "../src/batcher.js";
import { BufferPool } from "../src/buffer-pool.js";
import type { BulkBody } from "../src/bulk-body.js";
import { BulkEncoder } from "../src/encoder.js";
import { Target } from "../src/target.js";
import { events } from "./fakes.js";

const encoder = new BulkEncoder("create", new Target("test", "logs", "none"));
/** Each test event's lines: `{"create":{"_index":"logs"}}\n{"n":<digit>}\n`. */
const LINE_BYTES = 37;

function batcher(limits: Partial<BatchLimits>) {
  const closed: BulkBody[] = [];
  const pool = new BufferPool(4);
  const b = new Batcher(
    { flushBytes: 1 << 20, flushEvents: 1000, flushIntervalMs: 50, ...limits },
    pool,
    (body) => closed.push(body),
  );
  const add = (count: number, first = 0) => {
    for (const event of events(count, first)) b.add(encoder.encode(event));
  };
  const offsets = () => closed.map((body) => body.events.map((e) => Number(e.origin.offset)));
  return { b, closed, add, offsets };
}

describe("Batcher", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("closes a body when it holds flushEvents events", () => {
    const { add, offsets } = batcher({ flushEvents: 3 });
    add(7);
    expect(offsets()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
  });

  it("closes a body once it holds flushBytes bytes", () => {
    expect(encoder.encode(events(1)[0]!).bytes).toBe(LINE_BYTES);
    const { add, closed, offsets } = batcher({ flushBytes: 2 * LINE_BYTES + 10 });
    add(5);
    expect(offsets()).toEqual([[0, 1, 2]]);
    expect(closed[0]!.bytes).toBe(3 * LINE_BYTES);
  });

  it("closes the open body before an event its buffer cannot hold, which gets a buffer of its size", () => {
    const { b, closed, add } = batcher({ flushBytes: 1024 });
    add(1);
    const [large] = events(1, 1);
    large!.value = { text: "x".repeat(1536 * 1024) };
    b.add(encoder.encode(large!));
    expect(closed.map((body) => body.count)).toEqual([1, 1]);
    expect(closed[1]!.buffer.length).toBeGreaterThanOrEqual(closed[1]!.bytes);
    expect(closed[1]!.bytes).toBeGreaterThan(1536 * 1024);
  });

  it("closes a body whose first event has waited flushIntervalMs, once per body", () => {
    const { b, add, offsets } = batcher({ flushIntervalMs: 50 });
    add(2);
    b.arm();
    vi.advanceTimersByTime(30);
    add(1, 2);
    // A later batch does not restart the interval of the open body.
    b.arm();
    vi.advanceTimersByTime(19);
    expect(offsets()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(offsets()).toEqual([[0, 1, 2]]);
    expect(b.holding).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("stops the interval when a body closes on a limit, and on stop() without closing it", () => {
    const { b, add, offsets } = batcher({ flushEvents: 2 });
    add(1);
    b.arm();
    add(1, 1);
    expect(offsets()).toEqual([[0, 1]]);
    expect(vi.getTimerCount()).toBe(0);
    add(1, 2);
    b.arm();
    b.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(b.holding).toBe(true);
    expect(offsets()).toHaveLength(1);
  });
});
