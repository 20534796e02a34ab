// Sends bulk requests until each event is delivered or rejected: retries whole requests with backoff,
// resends the items answered 429/5xx, halves requests refused for what they hold, and feeds round-trip
// times to the concurrency limiter and the sink's health.
import type { errors } from "@elastic/elasticsearch";
import {
  backoffDelay,
  type ComponentContext,
  describeError,
  ErrorCode,
  type Failure,
  type HealthReport,
  retry,
  type SinkResult,
  type SluiceEvent,
  sleep,
} from "@sluice/core";
import type { BufferPool } from "./buffer-pool.js";
import type { BulkBody } from "./bulk-body.js";
import { type BulkClient, type BulkOutcome, sendBulk } from "./bulk-request.js";
import type { ConcurrencyLimiter } from "./concurrency.js";
import type { BulkAction } from "./encoder.js";
import { elasticsearchReason, errorAnswer } from "./error-answer.js";
import { isAuthRefusal, isBackPressure, isRetryableRequestError, refusedStatus } from "./retry-policy.js";

/** How often, at most, refused credentials are logged while every request is refused. */
const AUTH_LOG_INTERVAL_MS = 60_000;

export interface BulkServiceOptions {
  /** The sink's name: the stage of failures and the label of metrics. */
  stage: string;
  action: BulkAction;
  /** For the log line when credentials are refused. */
  node: string | string[];
  /** Whether the sink was given credentials, for the hint when they are refused. */
  hasAuth: boolean;
  retry: { initialDelayMs: number; maxDelayMs: number };
  limiter: ConcurrencyLimiter;
  /** Where request bodies come from and go back to. */
  bodies: BufferPool;
}

type Answer = BulkOutcome | { refused: errors.ResponseError };

export class BulkService {
  private lastError: string | undefined;
  private failingSince: number | undefined;
  /** Set while Elasticsearch refuses our credentials (401/403): health is down with this reason. */
  private authRefused: string | undefined;
  private authLoggedAt = Number.NEGATIVE_INFINITY;
  private requestsInFlight = 0;

  constructor(
    private readonly client: BulkClient,
    private readonly ctx: ComponentContext,
    private readonly options: BulkServiceOptions,
  ) {}

  /**
   * Sends a request's events until each is delivered or rejected, reporting as it goes, then gives its
   * buffer back. Rejects only on an abort (the shutdown deadline): those events stay unsettled.
   */
  async deliver(request: BulkBody, report: (result: SinkResult<unknown>) => void): Promise<void> {
    await this.deliverPart(request, undefined, report);
    this.options.bodies.release(request.buffer);
  }

  health(): HealthReport {
    const failingForMs = this.failingSince === undefined ? 0 : Date.now() - this.failingSince;
    return {
      status: this.authRefused ? "down" : this.failingSince !== undefined ? "degraded" : "ok",
      detail: {
        requestsInFlight: this.requestsInFlight,
        ...(this.lastError ? { lastError: this.lastError, failingForMs } : {}),
        ...(this.authRefused ? { reason: this.authRefused } : {}),
      },
    };
  }

  /**
   * Sends the events of `request` at `positions` (every one when undefined) until each is delivered or
   * rejected. Whole-request failures are retried with backoff without limit (the source stays paused
   * meanwhile); events answered 429 or 5xx are sent again alone, their lines copied out of the first
   * body. A request refused for what it holds (400, 413) is sent again in halves, down to single events;
   * one refused alone goes to dead letters with Elasticsearch's answer.
   */
  private async deliverPart(
    request: BulkBody,
    positions: number[] | undefined,
    report: (result: SinkResult<unknown>) => void,
  ): Promise<void> {
    const { ctx, options } = this;
    let round = 0;
    let fruitless = 0;
    for (;;) {
      const events = positions ? positions.map((i) => request.events[i]!) : request.events;
      if (round > 0) ctx.metrics.eventsRetried.inc({ stage: options.stage }, events.length);
      // Written once per round: whole-request retries resend these very bytes.
      const copy = positions ? options.bodies.take(request.linesSize(positions)) : undefined;
      const body = positions ? request.linesOf(positions, copy!) : request.body;
      const bytes = body.length;
      // An abort (the shutdown deadline) throws past the releases: a request may still be writing them.
      const answer = await this.send(events, body);
      // Answered: the client has sent the whole body and holds it no longer.
      if (copy) options.bodies.release(copy);
      if ("refused" in answer) {
        const all = positions ?? request.events.map((_, i) => i);
        if (all.length === 1) {
          events[0]!.fail(refusalFailure(answer.refused, bytes, options.stage));
          report({ delivered: [], rejected: [events[0]!] });
          return;
        }
        ctx.logger.warn(
          {
            status: answer.refused.statusCode,
            events: all.length,
            bytes,
            err: describeError(answer.refused),
          },
          "Elasticsearch refused a whole bulk request; sending it again in halves",
        );
        const half = Math.ceil(all.length / 2);
        await this.deliverPart(request, all.slice(0, half), report);
        await this.deliverPart(request, all.slice(half), report);
        return;
      }
      const progressed = answer.delivered.length > 0 || answer.rejected.length > 0;
      if (progressed) report({ delivered: answer.delivered, rejected: answer.rejected });
      if (answer.retry.length === 0) return;
      const sent = positions;
      positions = answer.retry.map((j) => (sent ? sent[j]! : j));
      round++;
      // Items refused with 429/5xx wait out a backoff too. It grows only while rounds make no progress:
      // a storm that refuses some items is answered by fewer requests in flight (adaptive concurrency),
      // not by each batch waiting longer and longer for its last few items.
      fruitless = progressed ? 0 : fruitless + 1;
      await sleep(backoffDelay(fruitless + 1, { ...options.retry, maxAttempts: Infinity }), ctx.signal);
    }
  }

  /** One request, retried until Elasticsearch answers it or refuses it for what it holds. */
  private send(events: SluiceEvent[], body: Buffer): Promise<Answer> {
    const ctx = this.ctx;
    return retry<Answer>(
      async () => {
        try {
          return await this.attempt(events, body);
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

  private async attempt(events: SluiceEvent[], body: Buffer): Promise<BulkOutcome> {
    const { ctx, options } = this;
    const started = performance.now();
    this.requestsInFlight++;
    let backPressure = false;
    try {
      const outcome = await sendBulk(this.client, events, body, options.action, options.stage, ctx.signal);
      ctx.metrics.requests.inc({ target: options.stage, status: "ok" });
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
      ctx.metrics.requests.inc({ target: options.stage, status: "error" });
      this.lastError = describeError(error);
      this.failingSince ??= Date.now();
      if (isAuthRefusal(error)) this.noteAuthRefused(error as errors.ResponseError);
      backPressure = isBackPressure(error);
      throw error;
    } finally {
      const rtt = performance.now() - started;
      options.limiter.record(rtt, backPressure, this.requestsInFlight);
      this.requestsInFlight--;
      ctx.metrics.sinkConcurrency.set({ target: options.stage }, options.limiter.limit);
      ctx.metrics.batchLatency.observe({ stage: options.stage }, rtt / 1000);
    }
  }

  /** Health down with the reason while Elasticsearch refuses our credentials; logged once a minute. */
  private noteAuthRefused(error: errors.ResponseError): void {
    const status = error.statusCode;
    const hint = this.options.hasAuth
      ? "check the sink's auth option and the user's privileges (create_doc/index on the target)"
      : "set the sink's auth option (username and password, apiKey or bearer)";
    this.authRefused =
      status === 401
        ? `Elasticsearch refused the credentials (HTTP 401): ${elasticsearchReason(error)}; ${hint}`
        : `Elasticsearch forbade the bulk request (HTTP 403): ${elasticsearchReason(error)}; ${hint}`;
    const now = Date.now();
    if (now - this.authLoggedAt >= AUTH_LOG_INTERVAL_MS) {
      this.authLoggedAt = now;
      this.ctx.logger.error(
        { status, node: this.options.node },
        `ELASTICSEARCH REFUSES EVERY BULK REQUEST: ${this.authRefused}. Retrying; nothing is written meanwhile`,
      );
    }
  }
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
