// Fakes for the write path's unit tests: a bulk client answering from a script, and a component context.
import { errors } from "@elastic/elasticsearch";
import {
  type ComponentContext,
  eventOf,
  PipelineMetrics,
  type SluiceEvent,
  silentLogger,
} from "@sluice/core";
import type { BufferPool } from "../src/buffer-pool.js";
import type { BulkClient } from "../src/bulk-request.js";
import { BulkService } from "../src/bulk-service.js";
import type { ConcurrencyLimiter } from "../src/concurrency.js";

/** One bulk request as the fake client saw it: the `_id` of each action line, in order. */
export interface SeenRequest {
  ids: string[];
  body: string;
}

/** What the fake answers a request: a bulk response, or an error thrown for the whole request. */
export type Answer = { errors: boolean; items?: Array<Record<string, unknown>> } | Error;

/** A bulk client whose answers come from `answer`, called with each request; it records every request. */
export class FakeBulkClient implements BulkClient {
  readonly seen: SeenRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly answer: (request: SeenRequest) => Answer | Promise<Answer>) {}

  readonly transport = {
    request: (async (params: { bulkBody?: Buffer }) => {
      const body = params.bulkBody!.toString("utf8");
      const ids = body
        .split("\n")
        .filter((line) => line.startsWith('{"create"') || line.startsWith('{"delete"'))
        .map((line) => (JSON.parse(line) as Record<string, { _id: string }>)[line.slice(2, 8)]!._id);
      const request = { ids, body };
      this.seen.push(request);
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      try {
        const answer = await this.answer(request);
        if (answer instanceof Error) throw answer;
        return answer;
      } finally {
        this.inFlight--;
      }
    }) as unknown as BulkClient["transport"]["request"],
  };
}

/** Every item accepted. */
export const accepted: Answer = { errors: false };

/** A bulk answer giving each item of `ids` the status `statusOf` says. */
export function itemsAnswer(ids: string[], statusOf: (id: string) => number): Answer {
  return {
    errors: true,
    items: ids.map((id) => {
      const status = statusOf(id);
      return {
        create:
          status < 300
            ? { status }
            : { status, error: { type: `type_${status}`, reason: `reason ${status}` } },
      };
    }),
  };
}

/** The error the client throws for a whole request Elasticsearch answered with `status`. */
export function responseError(status: number, type = `type_${status}`): Error {
  return new errors.ResponseError({
    statusCode: status,
    body: { error: { type, reason: `reason ${status}` }, status },
    headers: {},
    warnings: null,
    meta: {} as never,
  });
}

export function context(signal: AbortSignal = new AbortController().signal): ComponentContext {
  return { pipeline: "test", logger: silentLogger(), metrics: new PipelineMetrics(), signal };
}

/** `count` JSON events of topic `t`, partition 0, offsets from `first`; their `_id`s are `t+0+<offset>`. */
export function events(count: number, first = 0): SluiceEvent[] {
  return Array.from({ length: count }, (_, i) =>
    eventOf({ n: first + i }, { origin: { topic: "t", partition: 0, offset: String(first + i) } }),
  );
}

/** A promise with its resolve function, for answers the test releases when it chooses. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** A bulk service on `client` that writes `create` actions and retries after a millisecond or two. */
export function fakeService(
  client: BulkClient,
  ctx: ComponentContext,
  limiter: ConcurrencyLimiter,
  bodies: BufferPool,
): BulkService {
  return new BulkService(client, ctx, {
    stage: "elasticsearch",
    action: "create",
    node: "http://fake:9200",
    hasAuth: false,
    retry: { initialDelayMs: 1, maxDelayMs: 2 },
    limiter,
    bodies,
  });
}
