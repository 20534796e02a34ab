// The Elasticsearch sink: batches events into bulk requests, sends them concurrently, retries, reports.
import type { Client } from "@elastic/elasticsearch";
import {
  type Batch,
  backoffDelay,
  type ComponentContext,
  describeError,
  ErrorCode,
  failureFromError,
  type HealthReport,
  retry,
  type Sink,
  type SinkResult,
  SluiceConfigError,
  type SluiceEvent,
  sleep,
  validateOptions,
} from "@sluice/core";
import { Observable, type OperatorFunction } from "rxjs";
import { type BulkOutcome, bulkBody, sendBulk } from "./bulk-request.js";
import {
  checkElasticsearch,
  connectionSchema,
  createClient,
  type ElasticsearchConnectionOptions,
  warnIfInsecure,
} from "./connection.js";
import {
  type BulkAction,
  BulkEncoder,
  type Encoded,
  type IdStrategy,
  type IndexResolver,
} from "./encoder.js";
import { isRetryableRequestError } from "./retry-policy.js";

export interface ElasticsearchSinkOptions extends ElasticsearchConnectionOptions {
  /** The target index, data stream or alias; or a function of the event. */
  index: IndexResolver;
  /** `create` (default: with our deterministic _id, a replay is a 409, not a duplicate) or `index`. */
  action?: BulkAction;
  /** `origin` (default): `_id` is `<topic>+<partition>+<offset>`. `none`: Elasticsearch picks one. */
  id?: IdStrategy;
  /** A request is sent when it holds this many bytes... */
  flushBytes?: number;
  /** ...or this many events... */
  flushEvents?: number;
  /** ...or when its first event has waited this long (ms). */
  flushIntervalMs?: number;
  /** Bulk requests in flight at once. */
  concurrency?: number;
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
}

type Resolved = Required<Omit<ElasticsearchSinkOptions, "auth" | "tls" | "index">> &
  Pick<ElasticsearchSinkOptions, "auth" | "tls" | "index"> & {
    retry: { initialDelayMs: number; maxDelayMs: number };
  };

const schema = {
  type: "object",
  properties: {
    ...connectionSchema,
    index: { type: "string", minLength: 1 },
    action: { enum: ["create", "index"], default: "create" },
    id: { enum: ["origin", "none"], default: "origin" },
    flushBytes: { type: "integer", minimum: 1024, default: 5 * 1024 * 1024 },
    flushEvents: { type: "integer", minimum: 1, default: 5000 },
    flushIntervalMs: { type: "integer", minimum: 1, default: 200 },
    concurrency: { type: "integer", minimum: 1, maximum: 256, default: 4 },
    retry: {
      type: "object",
      properties: {
        initialDelayMs: { type: "integer", minimum: 1, default: 200 },
        maxDelayMs: { type: "integer", minimum: 1, default: 30_000 },
      },
      additionalProperties: false,
      default: {},
    },
  },
  required: ["node", "index"],
  additionalProperties: false,
} as const;

interface Pending {
  items: Encoded[];
  bytes: number;
}

export class ElasticsearchSink implements Sink<unknown> {
  readonly name = "elasticsearch";
  readonly options: Resolved;
  private readonly encoder: BulkEncoder;
  private client: Client | undefined;
  private ctx: ComponentContext | undefined;
  private lastError: string | undefined;
  private failingSince: number | undefined;
  private requestsInFlight = 0;

  constructor(options: ElasticsearchSinkOptions) {
    const { index, ...rest } = options ?? ({} as ElasticsearchSinkOptions);
    if (typeof index !== "function" && typeof index !== "string")
      throw new SluiceConfigError(
        "elasticsearchSink",
        "index",
        "is required (a name or a function of the event)",
      );
    // The schema checks the index only as a string; a function is checked above.
    const valid = validateOptions<Resolved>("elasticsearchSink", schema, {
      ...rest,
      index: typeof index === "string" ? index : "function",
    });
    this.options = { ...valid, index };
    this.encoder = new BulkEncoder(this.options.action, index, this.options.id);
  }

  async connect(ctx: ComponentContext): Promise<void> {
    this.ctx = ctx;
    warnIfInsecure(this.options, ctx.logger);
    this.client = createClient("elasticsearchSink", this.options);
    const version = await checkElasticsearch(this.client, this.options.node, "elasticsearchSink");
    ctx.logger.info({ node: this.options.node, version }, "connected to Elasticsearch");
  }

  write(): OperatorFunction<Batch<unknown>, SinkResult<unknown>> {
    return (source) =>
      new Observable<SinkResult<unknown>>((subscriber) => {
        const queue: Pending[] = [];
        let current: Pending = { items: [], bytes: 0 };
        let timer: NodeJS.Timeout | undefined;
        let inFlight = 0;
        let inputDone = false;

        const flush = () => {
          clearTimeout(timer);
          timer = undefined;
          if (current.items.length === 0) return;
          queue.push(current);
          current = { items: [], bytes: 0 };
          pump();
        };
        const finishIfDone = () => {
          if (inputDone && inFlight === 0 && queue.length === 0 && current.items.length === 0)
            subscriber.complete();
        };
        const pump = () => {
          while (inFlight < this.options.concurrency && queue.length > 0) {
            const request = queue.shift()!;
            inFlight++;
            this.deliver(request.items, (result) => subscriber.next(result))
              .catch((error: unknown) => {
                // Only an abort (shutdown deadline) gets here: those events stay unsettled, uncommitted.
                this.ctx?.logger.warn({ err: describeError(error) }, "bulk request abandoned");
              })
              .finally(() => {
                inFlight--;
                pump();
                finishIfDone();
              });
          }
        };

        const subscription = source.subscribe({
          next: (batch) => {
            let unencodable: SluiceEvent<unknown>[] | undefined;
            for (const event of batch) {
              let encoded: Encoded;
              try {
                encoded = this.encoder.encode(event);
              } catch (error) {
                // A document JSON cannot write (nested too deep, a BigInt) or an index function that
                // threw: that event alone goes to dead letters.
                event.fail(failureFromError(this.name, error, ErrorCode.REJECTED));
                unencodable ??= [];
                unencodable.push(event);
                continue;
              }
              current.items.push(encoded);
              current.bytes += encoded.lines.length;
              if (
                current.items.length >= this.options.flushEvents ||
                current.bytes >= this.options.flushBytes
              )
                flush();
            }
            if (unencodable) subscriber.next({ delivered: [], rejected: unencodable });
            if (current.items.length > 0 && timer === undefined)
              timer = setTimeout(flush, this.options.flushIntervalMs);
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            inputDone = true;
            flush();
            finishIfDone();
          },
        });
        return () => {
          clearTimeout(timer);
          subscription.unsubscribe();
        };
      });
  }

  async close(): Promise<void> {
    await this.client?.close();
  }

  health(): HealthReport {
    const failingForMs = this.failingSince === undefined ? 0 : Date.now() - this.failingSince;
    return {
      status: failingForMs > 0 ? "degraded" : "ok",
      detail: {
        requestsInFlight: this.requestsInFlight,
        ...(this.lastError ? { lastError: this.lastError, failingForMs } : {}),
      },
    };
  }

  /**
   * Sends items until each is delivered or rejected, reporting as it goes. Whole-request failures
   * are retried with backoff without limit (the source stays paused meanwhile); items answered 429
   * or 5xx are sent again alone.
   */
  private async deliver(items: Encoded[], report: (result: SinkResult<unknown>) => void): Promise<void> {
    const ctx = this.ctx!;
    const client = this.client!;
    let remaining = items;
    let round = 0;
    while (remaining.length > 0) {
      if (round > 0) {
        ctx.metrics.eventsRetried.inc({ stage: this.name }, remaining.length);
      }
      // Serialized once per round: whole-request retries resend these very bytes.
      const body = bulkBody(remaining);
      const outcome = await retry<BulkOutcome>(() => this.attempt(client, remaining, body), {
        ...this.options.retry,
        signal: ctx.signal,
        onError: (error, attempt) => {
          if (!isRetryableRequestError(error))
            ctx.logger.error({ err: describeError(error) }, "bulk request failed (retrying anyway)");
          else if (attempt === 1 || attempt % 10 === 0)
            ctx.logger.warn(
              { err: describeError(error), attempt },
              "bulk request failed; retrying with backoff",
            );
        },
      });
      if (outcome.delivered.length > 0 || outcome.rejected.length > 0)
        report({ delivered: outcome.delivered, rejected: outcome.rejected });
      remaining = outcome.retry;
      round++;
      // Items refused with 429/5xx wait out a backoff too, growing with each round.
      if (remaining.length > 0)
        await sleep(backoffDelay(round, { ...this.options.retry, maxAttempts: Infinity }), ctx.signal);
    }
  }

  private async attempt(client: Client, items: Encoded[], body: Buffer): Promise<BulkOutcome> {
    const ctx = this.ctx!;
    const started = performance.now();
    this.requestsInFlight++;
    try {
      const outcome = await sendBulk(client, items, body, this.options.action, this.name, ctx.signal);
      ctx.metrics.requests.inc({ target: this.name, status: "ok" });
      this.failingSince = undefined;
      this.lastError = undefined;
      return outcome;
    } catch (error) {
      ctx.metrics.requests.inc({ target: this.name, status: "error" });
      this.lastError = describeError(error);
      this.failingSince ??= Date.now();
      throw error;
    } finally {
      this.requestsInFlight--;
      ctx.metrics.batchLatency.observe({ stage: this.name }, (performance.now() - started) / 1000);
    }
  }
}

/** An Elasticsearch bulk sink for a pipeline. */
export function elasticsearchSink(options: ElasticsearchSinkOptions): ElasticsearchSink {
  return new ElasticsearchSink(options);
}
