// What ends in dead letters shows in logs (each new reason at once, then counts) and in the share /health reads.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { DeadLetterWatch } from "../src/dead-letter-watch.js";
import { SluiceError } from "../src/errors.js";
import { SluiceEvent } from "../src/event.js";
import { createLogger } from "../src/logger.js";
import { createPipeline } from "../src/pipeline.js";

function failed(code: string, stage: string): SluiceEvent {
  const event = new SluiceEvent(undefined, Buffer.from("x"), {
    topic: "t",
    partition: 0,
    offset: "0",
    key: null,
    headers: {},
    timestamp: "0",
  });
  event.fail({ code, type: "t", reason: "why", stage });
  return event;
}

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of chunk.toString().split("\n")) if (line) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { logger: createLogger({ level: "warn", destination }), lines };
}

describe("dead-letter watch", () => {
  it("logs a new reason at once, then its count since the last log at most once per interval", () => {
    let now = 1_000_000;
    const { logger, lines } = capture();
    const watch = new DeadLetterWatch(
      { degradedShare: 0.1, windowMs: 10_000, logIntervalMs: 5_000 },
      logger,
      () => now,
    );
    watch.deadLettered([failed("E1", "s1"), failed("E1", "s1"), failed("E2", "s1")]);
    expect(lines.map((l) => [l.code, l.stage, l.count])).toEqual([
      ["E1", "s1", 1],
      ["E2", "s1", 1],
    ]);
    now += 1_000;
    watch.deadLettered([failed("E1", "s1")]);
    expect(lines.length).toBe(2);
    now += 5_000;
    watch.deadLettered([failed("E1", "s1")]);
    expect(lines.length).toBe(3);
    // The letter of the first call's second event, the one of 1 s later and this one.
    expect(lines[2]).toMatchObject({ code: "E1", stage: "s1", count: 3 });
  });

  it("reports degraded while the share over the window passes the threshold, and forgets it after", () => {
    let now = 5_000_000;
    const { logger } = capture();
    const watch = new DeadLetterWatch(
      { degradedShare: 0.1, windowMs: 10_000, logIntervalMs: 60_000 },
      logger,
      () => now,
    );
    watch.delivered(95);
    watch.deadLettered(Array.from({ length: 5 }, () => failed("E", "s")));
    expect(watch.report()).toMatchObject({ degraded: false, share: 0.05 });
    watch.deadLettered(Array.from({ length: 20 }, () => failed("E", "s")));
    expect(watch.report().degraded).toBe(true);
    now += 11_000;
    expect(watch.report()).toMatchObject({ degraded: false, share: 0 });
  });

  it("validates the pipeline's deadLetterAlerts option, naming it", () => {
    const base = { source: {}, sink: {}, deadLetters: {} } as never;
    for (const [option, value] of [
      ["degradedShare", 0],
      ["degradedShare", 1.5],
      ["windowMs", 10],
    ] as const) {
      const make = () =>
        createPipeline({ ...(base as object), deadLetterAlerts: { [option]: value } } as never);
      expect(make).toThrow(SluiceError);
      expect(make).toThrow(`deadLetterAlerts.${option}`);
    }
  });
});
