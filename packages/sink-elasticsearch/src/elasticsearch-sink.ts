// The Elasticsearch sink: batches events into bulk requests, sends them concurrently, retries, reports.
import type { Client, errors } from "@elastic/elasticsearch";
import {
  type Batch,
  BufferPool,
  backoffDelay,
  type ComponentContext,
  describeError,
  ErrorCode,
  type Failure,
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
import { hasReferences } from "@sluice/transforms";
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
  hasCredentials,
  warnIfInsecure,
} from "./connection.js";
import { ensureDataStreamTemplate, indexPatterns } from "./data-stream.js";
import { type BulkAction, BulkEncoder, Encoded } from "./encoder.js";
import { elasticsearchReason, errorAnswer } from "./error-answer.js";
import { isAuthRefusal, isBackPressure, isRetryableRequestError, refusedStatus } from "./retry-policy.js";
import { type IdOption, type IndexOption, indexNameProblem, Target } from "./target.js";

/** What the sink does with a tombstone: a Kafka record whose value is null (`origin.tombstone`). */
export type NullValues = "deadLetter" | "ignore" | "delete";

/** How often, at most, refused credentials are logged while every request is refused. */
const AUTH_LOG_INTERVAL_MS = 60_000;

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
   * `origin` (default): `_id` is `<topic>+<partition>+<offset>`. `key`: the record's Kafka key (UTF-8).
   * `{ field }`: a field of the document (a Logstash reference). `none`: Elasticsearch picks one, and a
   * replay duplicates.
   */
  id?: IdOption;
  /**
   * Where an event goes whose `index` template does not resolve (a `%{[field]}` it lacks, a date
   * without @timestamp), as Vector's `template_fallback_index`. Without it such events go to dead letters.
   */
  templateFallbackIndex?: string;
  /**
   * Tombstones (records whose value is null or empty), as Kafka Connect's `behavior.on.null.values`:
   * `deadLetter` (default: Connect's `fail` stops the task; here that record alone fails), `ignore`
   * (acknowledged, nothing written), or `delete` (deletes the document of that `_id`; needs `id: "key"`).
   */
  nullValues?: NullValues;
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
  Omit<
    ElasticsearchSinkOptions,
    "auth" | "tls" | "index" | "id" | "pipeline" | "dataStream" | "concurrency" | "templateFallbackIndex"
  >
> &
  Pick<
    ElasticsearchSinkOptions,
    "auth" | "tls" | "index" | "pipeline" | "dataStream" | "templateFallbackIndex"
  > & {
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
        { enum: ["origin", "key", "none"] },
        {
          type: "object",
          properties: { field: { type: "string", minLength: 1 } },
          required: ["field"],
          additionalProperties: false,
        },
      ],
      default: "origin",
    },
    templateFallbackIndex: { type: "string", minLength: 1 },
    nullValues: { enum: ["deadLetter", "ignore", "delete"], default: "deadLetter" },
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

/** Takes a document as an object (which it serializes) or as its JSON bytes (a Buffer or JsonBytes). */
export class ElasticsearchSink implements Sink<object> {
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
  /** Set while Elasticsearch refuses our credentials (401/403): health is down with this reason. */
  private authRefused: string | undefined;
  private authLoggedAt = Number.NEGATIVE_INFINITY;
  private requestsInFlight = 0;
  // One buffer per request being filled, queued or in flight.
  private readonly bodies = new BufferPool(8);

  constructor(options: ElasticsearchSinkOptions) {
    const o = validateOptions<Resolved>("elasticsearchSink", schema, options);
    this.secrets = connectionSecrets(o);
    checkTargetOptions(o);
    this.options = o;
    this.target = new Target("elasticsearchSink", o.index, o.id, o.templateFallbackIndex);
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
    const version = await checkElasticsearch(
      this.client,
      this.options.node,
      "elasticsearchSink",
      hasCredentials(this.options),
    );
    ctx.logger.info({ node: this.options.node, version }, "connected to Elasticsearch");
    const template =
      typeof this.options.dataStream === "object" ? this.options.dataStream.template : undefined;
    if (template) {
      const fallback = this.options.templateFallbackIndex;
      const patterns = [...indexPatterns(this.options.index), ...(fallback ? [fallback] : [])];
      const result = await ensureDataStreamTemplate(this.client, template.name, patterns, template.body);
      ctx.logger.info({ template: template.name, patterns, result }, "data stream index template");
    }
  }

  write(): OperatorFunction<Batch<object>, SinkResult> {
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
            let ignored: SluiceEvent<unknown>[] | undefined;
            // Indexed, as every per-event loop on this path: for-of allocated an iterator result per event.
            for (let i = 0; i < batch.length; i++) {
              const event = batch[i]!;
              const tombstone = event.origin.tombstone === true;
              if (tombstone && this.options.nullValues === "ignore") {
                ignored ??= [];
                ignored.push(event);
                continue;
              }
              if (tombstone && this.options.nullValues === "deadLetter") {
                event.fail(this.nullValueFailure());
                unencodable ??= [];
                unencodable.push(event);
                continue;
              }
              let encoded: Encoded;
              try {
                encoded = tombstone
                  ? this.encoder.encodeDelete(event, scratch)
                  : this.encoder.encode(event, scratch);
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
            if (unencodable || ignored)
              subscriber.next({ delivered: ignored ?? [], rejected: unencodable ?? [] });
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
      status: this.authRefused ? "down" : failingForMs > 0 ? "degraded" : "ok",
      detail: {
        requestsInFlight: this.requestsInFlight,
        ...(this.lastError ? { lastError: this.lastError, failingForMs } : {}),
        ...(this.authRefused ? { reason: this.authRefused } : {}),
      },
    };
  }

  /** Sends a request's events until each is delivered or rejected, then gives its buffer back. */
  private async deliver(request: BulkBody, report: (result: SinkResult<unknown>) => void): Promise<void> {
    await this.deliverPart(request, undefined, report);
    this.bodies.release(request.buffer);
  }

  /**
   * Sends the events of `request` at `positions` (every one when undefined) until each is delivered or
   * rejected, reporting as it goes. Whole-request failures are retried with backoff without limit (the
   * source stays paused meanwhile); events answered 429 or 5xx are sent again alone, their lines copied
   * out of the first body. A request refused for what it holds (400, 413) is sent again in halves, down
   * to single events; one refused alone goes to dead letters with Elasticsearch's answer.
   */
  private async deliverPart(
    request: BulkBody,
    positions: number[] | undefined,
    report: (result: SinkResult<unknown>) => void,
  ): Promise<void> {
    const ctx = this.ctx!;
    let round = 0;
    let fruitless = 0;
    for (;;) {
      const events = positions ? positions.map((i) => request.events[i]!) : request.events;
      if (round > 0) ctx.metrics.eventsRetried.inc({ stage: this.name }, events.length);
      // Written once per round: whole-request retries resend these very bytes.
      const copy = positions ? this.bodies.take(request.linesSize(positions)) : undefined;
      const body = positions ? request.linesOf(positions, copy!) : request.body;
      const bytes = body.length;
      // An abort (the shutdown deadline) throws past the releases: a request may still be writing them.
      const outcome = await this.send(events, body);
      // Answered: the client has sent the whole body and holds it no longer.
      if (copy) this.bodies.release(copy);
      if ("refused" in outcome) {
        const all = positions ?? request.events.map((_, i) => i);
        if (all.length === 1) {
          events[0]!.fail(refusalFailure(outcome.refused, bytes, this.name));
          report({ delivered: [], rejected: [events[0]!] });
          return;
        }
        ctx.logger.warn(
          {
            status: outcome.refused.statusCode,
            events: all.length,
            bytes,
            err: describeError(outcome.refused),
          },
          "Elasticsearch refused a whole bulk request; sending it again in halves",
        );
        const half = Math.ceil(all.length / 2);
        await this.deliverPart(request, all.slice(0, half), report);
        await this.deliverPart(request, all.slice(half), report);
        return;
      }
      const progressed = outcome.delivered.length > 0 || outcome.rejected.length > 0;
      if (progressed) report({ delivered: outcome.delivered, rejected: outcome.rejected });
      if (outcome.retry.length === 0) return;
      const sent = positions;
      positions = outcome.retry.map((j) => (sent ? sent[j]! : j));
      round++;
      // Items refused with 429/5xx wait out a backoff too. It grows only while rounds make no progress:
      // a storm that refuses 30% of items is answered by fewer requests in flight (adaptive
      // concurrency), not by each batch waiting longer and longer for its last few items.
      fruitless = progressed ? 0 : fruitless + 1;
      await sleep(backoffDelay(fruitless + 1, { ...this.options.retry, maxAttempts: Infinity }), ctx.signal);
    }
  }

  /** One request, retried until Elasticsearch answers it or refuses it for what it holds. */
  private send(
    events: SluiceEvent[],
    body: Buffer,
  ): Promise<BulkOutcome | { refused: errors.ResponseError }> {
    const ctx = this.ctx!;
    const client = this.client!;
    return retry<BulkOutcome | { refused: errors.ResponseError }>(
      async () => {
        try {
          return await this.attempt(client, events, body);
        } catch (error) {
          if (refusedStatus(error) !== undefined) return { refused: error as errors.ResponseError };
          throw error;
        }
      },
      {
        ...this.options.retry,
        signal: ctx.signal,
        onError: (error, attempt) => {
          // Refused credentials are logged by attempt(), at most once a minute.
          if (isAuthRefusal(error)) return;
          if (!isRetryableRequestError(error))
            ctx.logger.error({ err: describeError(error) }, "bulk request failed (retrying anyway)");
          else if (attempt === 1 || attempt % 10 === 0)
            ctx.logger.warn(
              { err: describeError(error), attempt },
              "bulk request failed; retrying with backoff",
            );
        },
      },
    );
  }

  private nullValueFailure(): Failure {
    return {
      code: ErrorCode.NULL_VALUE,
      type: "null_value",
      reason: "the record's value is null (a tombstone) and the sink's nullValues is \"deadLetter\"",
      stage: this.name,
    };
  }

  /** Health down with the reason while Elasticsearch refuses our credentials; logged once a minute. */
  private noteAuthRefused(error: unknown): void {
    const status = (error as errors.ResponseError).statusCode;
    const hint = this.options.auth
      ? "check the sink's auth option and the user's privileges (create_doc/index on the target)"
      : "set the sink's auth option (username and password, apiKey or bearer)";
    this.authRefused =
      status === 401
        ? `Elasticsearch refused the credentials (HTTP 401): ${elasticsearchReason(error as errors.ResponseError)}; ${hint}`
        : `Elasticsearch forbade the bulk request (HTTP 403): ${elasticsearchReason(error as errors.ResponseError)}; ${hint}`;
    const now = Date.now();
    if (now - this.authLoggedAt >= AUTH_LOG_INTERVAL_MS) {
      this.authLoggedAt = now;
      this.ctx?.logger.error(
        { status, node: this.options.node },
        `ELASTICSEARCH REFUSES EVERY BULK REQUEST: ${this.authRefused}. Retrying; nothing is written meanwhile`,
      );
    }
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
      if (this.authRefused) {
        this.authRefused = undefined;
        ctx.logger.warn("Elasticsearch accepts the credentials again");
      }
      // Items refused with 429 mean the cluster is saturated, as much as a refused request does.
      backPressure = outcome.retry.length > 0;
      return outcome;
    } catch (error) {
      ctx.metrics.requests.inc({ target: this.name, status: "error" });
      this.lastError = describeError(error);
      this.failingSince ??= Date.now();
      if (isAuthRefusal(error)) this.noteAuthRefused(error);
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

/** The cross-option checks JSON Schema cannot say. */
function checkTargetOptions(o: Resolved): void {
  if (o.dataStream && o.action !== "create")
    throw new SluiceConfigError("elasticsearchSink", "action", 'must be "create" for a data stream');
  const fallback = o.templateFallbackIndex;
  if (fallback !== undefined) {
    if (typeof o.index !== "string" || !hasReferences(o.index))
      throw new SluiceConfigError(
        "elasticsearchSink",
        "templateFallbackIndex",
        "applies only to an index template with %{…} references",
      );
    if (hasReferences(fallback))
      throw new SluiceConfigError(
        "elasticsearchSink",
        "templateFallbackIndex",
        "must be a plain name (it is used when a template does not resolve)",
      );
    const problem = indexNameProblem(fallback);
    if (problem) throw new SluiceConfigError("elasticsearchSink", "templateFallbackIndex", problem);
  }
  if (o.nullValues === "delete") {
    if (o.id !== "key")
      throw new SluiceConfigError(
        "elasticsearchSink",
        "nullValues",
        'is "delete", which needs id: "key": a tombstone has no document, and its own offset names no indexed record',
      );
    if (o.dataStream)
      throw new SluiceConfigError("elasticsearchSink", "nullValues", 'cannot be "delete" for a data stream');
  }
  const template = typeof o.dataStream === "object" ? o.dataStream.template : undefined;
  if (template && typeof o.index === "function" && !template.body?.index_patterns)
    throw new SluiceConfigError(
      "elasticsearchSink",
      "dataStream.template.body",
      "needs index_patterns when the index is a function",
    );
}

/** The failure of an event Elasticsearch refused alone as a whole request: its status and reason. */
function refusalFailure(error: errors.ResponseError, bytes: number, stage: string): Failure {
  const status = error.statusCode ?? 0;
  if (status === 413)
    return {
      code: ErrorCode.REJECTED,
      type: "http_413",
      reason: `Elasticsearch refused the event's bulk request with HTTP 413 (Request Entity Too Large): its lines are ${bytes} bytes, more than the cluster's http.max_content_length`,
      stage,
    };
  const answer = errorAnswer(error);
  const cause = answer.cause ? ` (caused by: ${answer.cause})` : "";
  return {
    code: ErrorCode.REJECTED,
    type: answer.type ?? `http_${status}`,
    reason: `Elasticsearch refused the event's bulk request with HTTP ${status}: ${answer.reason ?? describeError(error)}${cause}`,
    stage,
  };
}

/** An Elasticsearch bulk sink for a pipeline. */
export function elasticsearchSink(options: ElasticsearchSinkOptions): ElasticsearchSink {
  return new ElasticsearchSink(options);
}
