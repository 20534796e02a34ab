// The Elasticsearch sink: batches events into bulk requests, sends them concurrently, retries, reports.
import type { Client } from "@elastic/elasticsearch";
import {
  type Batch,
  BufferPool,
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
import { BulkBody } from "./bulk-body.js";
import { type BulkOutcome, sendBulk } from "./bulk-request.js";
import {
  AdaptiveConcurrency,
  type AdaptiveConcurrencyOptions,
  type ConcurrencyLimiter,
  FixedConcurrency,
} from "./concurrency.js";
import {
  checkElasticsearch,
  connectionSchema,
  connectionSecrets,
  createClient,
  type ElasticsearchConnectionOptions,
  warnIfInsecure,
} from "./connection.js";
import { ensureDataStreamTemplate, indexPatterns } from "./data-stream.js";
import { type BulkAction, BulkEncoder, Encoded } from "./encoder.js";
import { isBackPressure, isRetryableRequestError } from "./retry-policy.js";
import { type IdOption, type IndexOption, Target } from "./target.js";

export interface ElasticsearchSinkOptions extends ElasticsearchConnectionOptions {
  /**
   * The target index, data stream or alias: a name; a name with `%{[field]}` references or a
   * `%{+yyyy.MM.dd}` date of the event's @timestamp (Logstash's sprintf); `{ topics: { <topic>: <name> },
   * default }`; or a function of the event.
   */
  index: IndexOption;
  /** `create` (default: with our deterministic _id, a replay is a 409, not a duplicate) or `index`. */
  action?: BulkAction;
  /**
   * `origin` (default): `_id` is `<topic>+<partition>+<offset>`. `{ field }`: a field of the document
   * (a Logstash reference). `none`: Elasticsearch picks one, and a replay duplicates.
   */
  id?: IdOption;
  /** An ingest pipeline every document goes through. */
  pipeline?: string;
  /**
   * Write to a data stream: the action is `create` and, with `template`, an index template making
   * the target(s) data streams is put at start unless one by that name exists.
   */
  dataStream?: boolean | { template?: { name: string; body?: Record<string, unknown> } };
  /** A request is sent when it holds this many bytes... */
  flushBytes?: number;
  /** ...or this many events... */
  flushEvents?: number;
  /** ...or when its first event has waited this long (ms). Default 50, as Logstash's pipeline.batch.delay. */
  flushIntervalMs?: number;
  /**
   * Bulk requests in flight at once: a number, or `adaptive` (default) to let round-trip times and
   * 429s set it, as Vector's adaptive request concurrency does; `{ adaptive: {...} }` tunes it.
   */
  concurrency?: number | "adaptive" | { adaptive: AdaptiveConcurrencyOptions };
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
}

type Resolved = Required<
  Omit<ElasticsearchSinkOptions, "auth" | "tls" | "index" | "id" | "pipeline" | "dataStream" | "concurrency">
> &
  Pick<ElasticsearchSinkOptions, "auth" | "tls" | "index" | "pipeline" | "dataStream"> & {
    id: IdOption;
    concurrency: number | "adaptive" | { adaptive: AdaptiveConcurrencyOptions };
    retry: { initialDelayMs: number; maxDelayMs: number };
  };

const positive = { type: "number", exclusiveMinimum: 0 } as const;
const schema = {
  type: "object",
  properties: {
    ...connectionSchema,
    index: {},
    action: { enum: ["create", "index"], default: "create" },
    id: {
      anyOf: [
        { enum: ["origin", "none"] },
        {
          type: "object",
          properties: { field: { type: "string", minLength: 1 } },
          required: ["field"],
          additionalProperties: false,
        },
      ],
      default: "origin",
    },
    pipeline: { type: "string", minLength: 1 },
    dataStream: {
      anyOf: [
        { type: "boolean" },
        {
          type: "object",
          properties: {
            template: {
              type: "object",
              properties: { name: { type: "string", minLength: 1 }, body: { type: "object" } },
              required: ["name"],
              additionalProperties: false,
            },
          },
          additionalProperties: false,
        },
      ],
    },
    flushBytes: { type: "integer", minimum: 1024, default: 5 * 1024 * 1024 },
    flushEvents: { type: "integer", minimum: 1, default: 5000 },
    flushIntervalMs: { type: "integer", minimum: 1, default: 50 },
    concurrency: {
      anyOf: [
        { type: "integer", minimum: 1, maximum: 256 },
        { const: "adaptive" },
        {
          type: "object",
          properties: {
            adaptive: {
              type: "object",
              properties: {
                initial: { type: "integer", minimum: 1, maximum: 256 },
                max: { type: "integer", minimum: 1, maximum: 256 },
                decreaseRatio: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 },
                ewmaAlpha: { type: "number", exclusiveMinimum: 0, maximum: 1 },
                rttDeviationScale: positive,
              },
              additionalProperties: false,
            },
          },
          required: ["adaptive"],
          additionalProperties: false,
        },
      ],
      default: "adaptive",
    },
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

export class ElasticsearchSink implements Sink<unknown> {
  readonly name = "elasticsearch";
  readonly options: Resolved;
  readonly secrets: readonly string[];
  private readonly encoder: BulkEncoder;
  private readonly target: Target;
  private readonly limiter: ConcurrencyLimiter;
  private client: Client | undefined;
  private ctx: ComponentContext | undefined;
  private lastError: string | undefined;
  private failingSince: number | undefined;
  private requestsInFlight = 0;
  // One buffer per request being filled, queued or in flight.
  private readonly bodies = new BufferPool(8);

  constructor(options: ElasticsearchSinkOptions) {
    const o = validateOptions<Resolved>("elasticsearchSink", schema, options);
    this.secrets = connectionSecrets(o);
    if (o.dataStream && o.action !== "create")
      throw new SluiceConfigError("elasticsearchSink", "action", 'must be "create" for a data stream');
    this.options = o;
    this.target = new Target("elasticsearchSink", o.index, o.id);
    this.encoder = new BulkEncoder(o.action, this.target, o.pipeline);
    this.limiter =
      typeof o.concurrency === "number"
        ? new FixedConcurrency(o.concurrency)
        : new AdaptiveConcurrency(o.concurrency === "adaptive" ? {} : o.concurrency.adaptive);
  }

  async connect(ctx: ComponentContext): Promise<void> {
    this.ctx = ctx;
    warnIfInsecure(this.options, ctx.logger);
    this.client = createClient("elasticsearchSink", this.options);
    const version = await checkElasticsearch(this.client, this.options.node, "elasticsearchSink");
    ctx.logger.info({ node: this.options.node, version }, "connected to Elasticsearch");
    const template =
      typeof this.options.dataStream === "object" ? this.options.dataStream.template : undefined;
    if (template) {
      const patterns = indexPatterns(this.options.index);
      const result = await ensureDataStreamTemplate(this.client, template.name, patterns, template.body);
      ctx.logger.info({ template: template.name, patterns, result }, "data stream index template");
    }
  }

  write(): OperatorFunction<Batch<unknown>, SinkResult<unknown>> {
    return (source) =>
      new Observable<SinkResult<unknown>>((subscriber) => {
        const queue: BulkBody[] = [];
        // Filled for each event and written into its request at once.
        const scratch = new Encoded();
        let current: BulkBody | undefined;
        let timer: NodeJS.Timeout | undefined;
        let inFlight = 0;
        let inputDone = false;

        const flush = () => {
          clearTimeout(timer);
          timer = undefined;
          if (!current || current.count === 0) return;
          queue.push(current);
          current = undefined;
          pump();
        };
        const finishIfDone = () => {
          if (inputDone && inFlight === 0 && queue.length === 0 && !current) subscriber.complete();
        };
        /** The request the next `bytes` of lines go into: a new one when they do not fit the current. */
        const requestFor = (bytes: number): BulkBody => {
          if (current && !current.fits(bytes)) flush();
          current ??= new BulkBody(this.bodies.take(Math.max(this.options.flushBytes, bytes)));
          return current;
        };
        const pump = () => {
          while (inFlight < this.limiter.limit && queue.length > 0) {
            const request = queue.shift()!;
            inFlight++;
            this.deliver(request, (result) => subscriber.next(result))
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
            // Indexed, as every per-event loop on this path: for-of allocated an iterator result per event.
            for (let i = 0; i < batch.length; i++) {
              const event = batch[i]!;
              let encoded: Encoded;
              try {
                encoded = this.encoder.encode(event, scratch);
              } catch (error) {
                // A document JSON cannot write (nested too deep, a BigInt) or an index function that
                // threw: that event alone goes to dead letters.
                event.fail(failureFromError(this.name, error, ErrorCode.REJECTED));
                unencodable ??= [];
                unencodable.push(event);
                continue;
              }
              const request = requestFor(encoded.bytes);
              request.append(encoded);
              if (request.count >= this.options.flushEvents || request.bytes >= this.options.flushBytes)
                flush();
            }
            if (unencodable) subscriber.next({ delivered: [], rejected: unencodable });
            if (current && timer === undefined) timer = setTimeout(flush, this.options.flushIntervalMs);
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
   * Sends a request's events until each is delivered or rejected, reporting as it goes. Whole-request
   * failures are retried with backoff without limit (the source stays paused meanwhile); events
   * answered 429 or 5xx are sent again alone, their lines copied out of the first body.
   */
  private async deliver(request: BulkBody, report: (result: SinkResult<unknown>) => void): Promise<void> {
    const ctx = this.ctx!;
    const client = this.client!;
    /** Positions in `request` of the events this round sends; every one in the first round. */
    let positions: number[] | undefined;
    let round = 0;
    let fruitless = 0;
    for (;;) {
      const events = positions ? positions.map((i) => request.events[i]!) : request.events;
      if (round > 0) ctx.metrics.eventsRetried.inc({ stage: this.name }, events.length);
      // Written once per round: whole-request retries resend these very bytes.
      const copy = positions ? this.bodies.take(request.linesSize(positions)) : undefined;
      const body = positions ? request.linesOf(positions, copy!) : request.body;
      // An abort (the shutdown deadline) throws past the releases: a request may still be writing them.
      const outcome = await retry<BulkOutcome>(() => this.attempt(client, events, body), {
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
      // Answered: the client has sent the whole body and holds it no longer.
      if (copy) this.bodies.release(copy);
      const progressed = outcome.delivered.length > 0 || outcome.rejected.length > 0;
      if (progressed) report({ delivered: outcome.delivered, rejected: outcome.rejected });
      if (outcome.retry.length === 0) break;
      const sent = positions;
      positions = outcome.retry.map((j) => (sent ? sent[j]! : j));
      round++;
      // Items refused with 429/5xx wait out a backoff too. It grows only while rounds make no progress:
      // a storm that refuses 30% of items is answered by fewer requests in flight (adaptive
      // concurrency), not by each batch waiting longer and longer for its last few items.
      fruitless = progressed ? 0 : fruitless + 1;
      await sleep(backoffDelay(fruitless + 1, { ...this.options.retry, maxAttempts: Infinity }), ctx.signal);
    }
    this.bodies.release(request.buffer);
  }

  private async attempt(client: Client, events: SluiceEvent[], body: Buffer): Promise<BulkOutcome> {
    const ctx = this.ctx!;
    const started = performance.now();
    this.requestsInFlight++;
    let backPressure = false;
    try {
      const outcome = await sendBulk(client, events, body, this.options.action, this.name, ctx.signal);
      ctx.metrics.requests.inc({ target: this.name, status: "ok" });
      this.failingSince = undefined;
      this.lastError = undefined;
      // Items refused with 429 mean the cluster is saturated, as much as a refused request does.
      backPressure = outcome.retry.length > 0;
      return outcome;
    } catch (error) {
      ctx.metrics.requests.inc({ target: this.name, status: "error" });
      this.lastError = describeError(error);
      this.failingSince ??= Date.now();
      backPressure = isBackPressure(error);
      throw error;
    } finally {
      const rtt = performance.now() - started;
      this.limiter.record(rtt, backPressure, this.requestsInFlight);
      this.requestsInFlight--;
      ctx.metrics.sinkConcurrency.set({ target: this.name }, this.limiter.limit);
      ctx.metrics.batchLatency.observe({ stage: this.name }, rtt / 1000);
    }
  }

  /** The in-flight limit now (fixed, or where adaptive concurrency has taken it). */
  get concurrencyLimit(): number {
    return this.limiter.limit;
  }
}

/** An Elasticsearch bulk sink for a pipeline. */
export function elasticsearchSink(options: ElasticsearchSinkOptions): ElasticsearchSink {
  return new ElasticsearchSink(options);
}
