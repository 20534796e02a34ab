import { ErrorCode, type SinkResult, type SluiceEvent } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { BufferPool } from "../src/buffer-pool.js";
import { BulkBody } from "../src/bulk-body.js";
import { type ConcurrencyLimiter, FixedConcurrency } from "../src/concurrency.js";
import { BulkEncoder } from "../src/encoder.js";
import { Target } from "../src/target.js";
import {
  type Answer,
  accepted,
  context,
  events,
  FakeBulkClient,
  fakeService,
  itemsAnswer,
  responseError,
  type SeenRequest,
} from "./fakes.js";

const encoder = new BulkEncoder("create", new Target("test", "logs", "origin"));

/** A body holding `batch`, in a buffer of `pool`. */
function bodyOf(batch: SluiceEvent[], pool: BufferPool): BulkBody {
  const body = new BulkBody(pool.take(1024 * 1024));
  for (const event of batch) body.append(encoder.encode(event));
  return body;
}

/** A limiter that remembers what it was told. */
class RecordingLimiter implements ConcurrencyLimiter {
  readonly limit = 4;
  readonly backPressure: boolean[] = [];
  record(_rtt: number, backPressure: boolean): void {
    this.backPressure.push(backPressure);
  }
}

function service(
  answer: (request: SeenRequest, index: number) => Answer | Promise<Answer>,
  limiter: ConcurrencyLimiter = new FixedConcurrency(4),
  signal?: AbortSignal,
) {
  let calls = 0;
  const client = new FakeBulkClient((request) => answer(request, calls++));
  const ctx = context(signal);
  const bodies = new BufferPool(4);
  const bulk = fakeService(client, ctx, limiter, bodies);
  const results: SinkResult<unknown>[] = [];
  const deliver = (batch: SluiceEvent[]) => bulk.deliver(bodyOf(batch, bodies), (r) => results.push(r));
  const ids = (list: SluiceEvent[]) => list.map((e) => e.origin.offset);
  const delivered = () => results.flatMap((r) => ids(r.delivered)).sort();
  const rejected = () => results.flatMap((r) => r.rejected);
  return { bulk, client, ctx, bodies, results, deliver, delivered, rejected };
}

async function metric(ctx: ReturnType<typeof context>, name: string): Promise<string[]> {
  const text = await ctx.metrics.registry.metrics();
  return text.split("\n").filter((line) => line.startsWith(name));
}

describe("BulkService", () => {
  it("reports a request every item of which was accepted, and gives its buffer back", async () => {
    const s = service(() => accepted);
    await s.deliver(events(3));
    expect(s.client.seen).toHaveLength(1);
    expect(s.client.seen[0]!.ids).toEqual(["t+0+0", "t+0+1", "t+0+2"]);
    expect(s.results).toHaveLength(1);
    expect(s.delivered()).toEqual(["0", "1", "2"]);
    expect(s.bodies.idleBytes).toBe(1024 * 1024);
    expect(s.bulk.health().status).toBe("ok");
  });

  it("sorts a partial answer: 2xx delivered, 4xx to dead letters, 429/5xx resent alone until accepted", async () => {
    const statuses: Record<string, number[]> = { "t+0+1": [429, 503, 201], "t+0+2": [400] };
    const s = service((request) => itemsAnswer(request.ids, (id) => statuses[id]?.shift() ?? 201));
    await s.deliver(events(4));
    expect(s.client.seen.map((r) => r.ids)).toEqual([
      ["t+0+0", "t+0+1", "t+0+2", "t+0+3"],
      ["t+0+1"],
      ["t+0+1"],
    ]);
    // The resent request holds that item's lines alone, copied from the first body.
    expect(s.client.seen[1]!.body).toBe('{"create":{"_index":"logs","_id":"t+0+1"}}\n{"n":1}\n');
    expect(s.delivered()).toEqual(["0", "1", "3"]);
    const [refused] = s.rejected();
    expect(refused!.origin.offset).toBe("2");
    expect(refused!.failure).toMatchObject({
      code: ErrorCode.REJECTED,
      type: "type_400",
      stage: "elasticsearch",
    });
    expect(await metric(s.ctx, 'sluice_events_retried_total{stage="elasticsearch"}')).toEqual([
      'sluice_events_retried_total{stage="elasticsearch"} 2',
    ]);
  });

  it("retries a whole request answered 500 with the same bytes, degraded meanwhile, until it is accepted", async () => {
    const health: string[] = [];
    let s!: ReturnType<typeof service>;
    s = service((_request, i) => {
      health.push(s.bulk.health().status);
      return i < 2 ? responseError(500) : accepted;
    });
    await s.deliver(events(2));
    expect(s.client.seen).toHaveLength(3);
    expect(new Set(s.client.seen.map((r) => r.body)).size).toBe(1);
    expect(health).toEqual(["ok", "degraded", "degraded"]);
    expect(s.bulk.health().status).toBe("ok");
    expect(s.delivered()).toEqual(["0", "1"]);
    expect(await metric(s.ctx, "sluice_sink_requests_total")).toEqual([
      'sluice_sink_requests_total{target="elasticsearch",status="error"} 2',
      'sluice_sink_requests_total{target="elasticsearch",status="ok"} 1',
    ]);
  });

  it("tells the limiter of back-pressure: a 429 request, items answered 429, not a 500", async () => {
    const limiter = new RecordingLimiter();
    let round = 0;
    const s = service(
      (request) =>
        [
          () => responseError(429),
          () => responseError(500),
          () => itemsAnswer(request.ids, (id) => (id === "t+0+0" ? 429 : 201)),
          () => accepted,
        ][round++]!(),
      limiter,
    );
    await s.deliver(events(2));
    expect(limiter.backPressure).toEqual([true, false, true, false]);
    expect(s.delivered()).toEqual(["0", "1"]);
  });

  it("sends a request refused with 413 again in halves, and one event refused alone to dead letters", async () => {
    const s = service((request) => (request.ids.includes("t+0+2") ? responseError(413) : accepted));
    await s.deliver(events(5));
    expect(s.client.seen.map((r) => r.ids.length)).toEqual([5, 3, 2, 1, 2]);
    expect(s.delivered()).toEqual(["0", "1", "3", "4"]);
    const [refused] = s.rejected();
    expect(refused!.origin.offset).toBe("2");
    expect(refused!.failure).toMatchObject({ code: ErrorCode.REJECTED, type: "http_413" });
    expect(refused!.failure!.reason).toContain("http.max_content_length");
  });

  it("is down with the reason while credentials are refused, and up again once they are accepted", async () => {
    const health: Array<{ status: string; reason?: unknown }> = [];
    let s!: ReturnType<typeof service>;
    s = service((_request, i) => {
      const report = s.bulk.health();
      health.push({ status: report.status, reason: report.detail?.reason });
      return i < 2 ? responseError(401, "security_exception") : accepted;
    });
    await s.deliver(events(1));
    expect(health[0]!.status).toBe("ok");
    expect(health[1]!.status).toBe("down");
    expect(String(health[1]!.reason)).toMatch(/HTTP 401.*security_exception.*set the sink's auth option/);
    expect(s.bulk.health().status).toBe("ok");
    expect(s.delivered()).toEqual(["0"]);
  });

  it("gives up on an abort (the shutdown deadline), leaving the events unreported", async () => {
    const abort = new AbortController();
    const s = service(
      (_request, i) => {
        if (i === 1) abort.abort();
        return responseError(503);
      },
      undefined,
      abort.signal,
    );
    await expect(s.deliver(events(2))).rejects.toThrow();
    expect(s.results).toEqual([]);
  });
});
