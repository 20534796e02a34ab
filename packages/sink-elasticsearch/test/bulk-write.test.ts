import type { Batch, SinkResult } from "@sluice/core";
import { firstValueFrom, lastValueFrom, Subject, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { BufferPool } from "../src/buffer-pool.js";
import { bulkWrite } from "../src/bulk-write.js";
import { FixedConcurrency } from "../src/concurrency.js";
import { BulkEncoder } from "../src/encoder.js";
import { RequestBuilder } from "../src/request-builder.js";
import { Target } from "../src/target.js";
import {
  type Answer,
  accepted,
  context,
  events,
  FakeBulkClient,
  fakeService,
  gate,
  itemsAnswer,
} from "./fakes.js";

function writePath(
  answer: (ids: string[]) => Answer | Promise<Answer>,
  limits = { flushBytes: 1 << 20, flushEvents: 10, flushIntervalMs: 50 },
  concurrency = 2,
) {
  const client = new FakeBulkClient((request) => answer(request.ids));
  const ctx = context();
  const bodies = new BufferPool(8);
  const limiter = new FixedConcurrency(concurrency);
  const service = fakeService(client, ctx, limiter, bodies);
  const builder = new RequestBuilder(
    new BulkEncoder("create", new Target("test", "logs", "origin")),
    "ignore",
    "elasticsearch",
  );
  const input = new Subject<Batch<unknown>>();
  const output = input.pipe(
    bulkWrite({ builder, limits, bodies, limiter, service: () => service, logger: () => ctx.logger }),
  );
  return { client, input, output, bodies };
}

const offsets = (results: SinkResult<unknown>[], key: "delivered" | "rejected") =>
  results.flatMap((r) => r[key].map((e) => Number(e.origin.offset))).sort((a, b) => a - b);

describe("bulkWrite", () => {
  it("reports every event once, settling tombstones at once, and completes once every request is answered", async () => {
    const { client, input, output } = writePath((ids) =>
      itemsAnswer(ids, (id) => (id === "t+0+7" ? 400 : id === "t+0+3" && ids.length > 1 ? 429 : 201)),
    );
    const all = lastValueFrom(output.pipe(toArray()));
    const batch = events(12);
    Object.assign(batch[5]!.origin, { tombstone: true });
    batch[5]!.value = null;
    input.next(batch.slice(0, 6));
    input.next(batch.slice(6));
    input.complete();
    const results = await all;
    expect(offsets(results, "delivered")).toEqual([0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11]);
    expect(offsets(results, "rejected")).toEqual([7]);
    // Ten events close the first body; the last one goes when the input completes; then offset 3 again.
    expect(client.seen.map((r) => r.ids.length)).toEqual([10, 1, 1]);
  });

  it("keeps at most the concurrency limit of requests in flight while the service is slow", async () => {
    const answers: Array<ReturnType<typeof gate>> = [];
    const { client, input, output } = writePath(async () => {
      const answer = gate();
      answers.push(answer);
      await answer.promise;
      return accepted;
    });
    let completed = false;
    const all = lastValueFrom(output.pipe(toArray())).finally(() => {
      completed = true;
    });
    for (let i = 0; i < 10; i++) input.next(events(10, i * 10));
    input.complete();
    // Ten full bodies, two sent, eight waiting for a slot.
    expect(client.inFlight).toBe(2);
    for (let answered = 0; answered < 10; answered++) {
      await until(() => answers.length > answered);
      expect(client.inFlight).toBeLessThanOrEqual(2);
      expect(completed).toBe(false);
      answers[answered]!.open();
    }
    const results = await all;
    expect(client.maxInFlight).toBe(2);
    expect(offsets(results, "delivered")).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it("sends a body that did not fill up once its first event has waited flushIntervalMs", async () => {
    const { client, input, output } = writePath(() => accepted, {
      flushBytes: 1 << 20,
      flushEvents: 1000,
      flushIntervalMs: 5,
    });
    const first = firstValueFrom(output);
    input.next(events(3));
    const result = await first;
    expect(result.delivered).toHaveLength(3);
    expect(client.seen).toHaveLength(1);
    input.complete();
  });
});

/** Resolves once `condition` holds, checking on each turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise<void>((resolve) => setImmediate(resolve));
}
