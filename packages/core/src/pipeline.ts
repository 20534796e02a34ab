// The pipeline: wires source → stages → sink, routes failures to dead letters, commits, shuts down.
import { catchError, filter, map, type Observable, type Subscription, throwError } from "rxjs";
import { Committer } from "./committer.js";
import type {
  HealthReport,
  HealthStatus,
  Sink,
  SinkResult,
  Source,
  SourceBatch,
  SourceContext,
} from "./components.js";
import type { DeadLetterSink } from "./dead-letter.js";
import { DeadLetterRouter } from "./dead-letter-router.js";
import { type DeadLetterWatchOptions, deadLetterWatchSchema } from "./dead-letter-watch.js";
import { describeError, ErrorCode, SluiceConfigError, SluiceError } from "./errors.js";
import type { Batch, SluiceEvent } from "./event.js";
import { defaultFlowOptions, FlowController, type FlowOptions, flowOptionsSchema } from "./flow.js";
import { type HttpEndpoint, startHttpEndpoint } from "./http.js";
import { pipelineRoutes } from "./http-routes.js";
import { createLogger, type Logger, scrubbingLogger } from "./logger.js";
import { PipelineMetrics } from "./metrics.js";
import { validateOptions } from "./options.js";
import { SourcePartitions } from "./partitions.js";
import { type DeclaresSecrets, Secrets } from "./secrets.js";
import type { Stage } from "./stage.js";
import type { CheckedPipelineOptions, StageList } from "./stage-chain.js";
import { asSluiceError, nameCrashes } from "./stage-crash.js";
import { meterStage } from "./stage-meter.js";

/** The options of `createPipeline` and `new Pipeline`. */
export interface PipelineOptions<T = Buffer, U = unknown> {
  /** Names the pipeline in logs, metrics and dead letters. Default `sluice`. */
  name?: string;
  /** Where records come from, e.g. `kafkaSource(...)`. */
  source: Source<T>;
  /**
   * Transforms applied in order. Each is `(batches) => batches`; write your own the same way.
   * `createPipeline` checks a list written in place in order (see StageChain).
   */
  stages?: StageList;
  /** Where the last stage's events go, e.g. `elasticsearchSink(...)`. */
  sink: Sink<U>;
  /**
   * Where failed events go (required: a failed record is never dropped silently), e.g.
   * `elasticsearchDeadLetters(...)` or `kafkaDeadLetters(...)`.
   */
  deadLetters: DeadLetterSink;
  /** When /health turns `degraded` for dead letters, and how often a known reason is logged again. */
  deadLetterAlerts?: Partial<DeadLetterWatchOptions>;
  /**
   * How much may be in flight before the source is paused; each option not given takes its value from
   * `defaultFlowOptions`.
   */
  flow?: Partial<FlowOptions>;
  /** How often finished offsets are committed (ms). Default 1000. */
  commitIntervalMs?: number;
  /**
   * How long stop() waits for in-flight events before giving up on them (uncommitted, so re-read).
   * Default 20 000: with the disconnect after it, a stop fits in Kubernetes' default 30 s grace period.
   * Keep it some seconds below your own `terminationGracePeriodSeconds`.
   */
  shutdownTimeoutMs?: number;
  /** Serve /metrics, /health, /livez and /readyz on this port (0 picks one). Off when omitted. */
  http?: {
    /** The port to listen on; 0 picks a free one (see `httpUrl`). */
    port: number;
    /** The address to bind. Default `127.0.0.1`; `0.0.0.0` lets a Kubernetes probe reach it. */
    host?: string;
  };
  /** Where the pipeline logs, each line scrubbed of the components' credentials. Default `createLogger()`. */
  logger?: Logger;
}

interface PlainOptions {
  name: string;
  flow: FlowOptions;
  deadLetterAlerts: DeadLetterWatchOptions;
  commitIntervalMs: number;
  shutdownTimeoutMs: number;
  http?: { port: number; host: string };
}

/** The default shutdownTimeoutMs: below Kubernetes' default 30 s grace period, with room to disconnect. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 20_000;

const schema = {
  type: "object",
  properties: {
    name: { type: "string", minLength: 1, pattern: "^[A-Za-z0-9_.-]+$", default: "sluice" },
    flow: { ...flowOptionsSchema, default: {} },
    deadLetterAlerts: { ...deadLetterWatchSchema, default: {} },
    commitIntervalMs: { type: "integer", minimum: 10, default: 1000 },
    shutdownTimeoutMs: { type: "integer", minimum: 0, default: DEFAULT_SHUTDOWN_TIMEOUT_MS },
    http: {
      type: "object",
      properties: {
        port: { type: "integer", minimum: 0, maximum: 65535 },
        host: { type: "string", default: "127.0.0.1" },
      },
      required: ["port"],
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;

/**
 * Where a pipeline is in its life: `created`, `starting`, `running`, `stopping`, then `stopped`, or `failed`
 * when a fatal error stopped it.
 */
export type PipelineState = "created" | "starting" | "running" | "stopping" | "stopped" | "failed";

/**
 * What `stop()` and `stopped` resolve with: whether the pipeline drained and committed everything before
 * stopping.
 */
export interface StopReport {
  /**
   * True when every in-flight event settled before the deadline and the final commit succeeded (else
   * what settled since the last commit is read again; the log says why).
   */
  readonly drained: boolean;
  /** Events still unsettled at the end (not committed: they will be read again). */
  readonly unsettled: number;
  /**
   * Why the pipeline did not stop cleanly: the error that failed it (its code says where it began), or
   * SLUICE_ERR_SHUTDOWN_TIMEOUT when the deadline passed with events unsettled. Absent after a clean stop.
   */
  readonly error?: SluiceError;
}

/**
 * A running Kafka-to-Elasticsearch flow: a source, its stages, a sink and a dead-letter destination, with
 * flow control, commits, metrics and `/health`. Build one with `createPipeline` (which type-checks the stage
 * chain), then `start()` and `stop()`.
 */
export class Pipeline<T = Buffer, U = unknown> {
  /** The pipeline's name, as in its logs, metrics and dead letters. */
  readonly name: string;
  /** The pipeline's Prometheus metrics. */
  readonly metrics: PipelineMetrics;
  /** The in-flight counts and the pause state. */
  readonly flow: FlowController;
  /** The pipeline's logger, scrubbed of the components' credentials. */
  readonly logger: Logger;
  private readonly partitions: SourcePartitions;
  private readonly options: PlainOptions;
  private readonly source: Source<T>;
  private readonly stages: Array<{ name: string; stage: Stage<unknown, unknown> }>;
  private readonly sink: Sink<U>;
  private readonly deadLetters: DeadLetterSink;
  private readonly abort = new AbortController();
  private state: PipelineState = "created";
  private subscription: Subscription | undefined;
  private router: DeadLetterRouter | undefined;
  private readonly committer: Committer;
  private http: HttpEndpoint | undefined;
  private stopping: Promise<StopReport> | undefined;
  private streamDone!: Promise<void>;
  private failure: SluiceError | undefined;
  /** The credentials the components declared, kept out of logs, errors, /health and dead letters. */
  private readonly secrets: Secrets;
  private resolveStopped!: (report: StopReport) => void;
  /** Resolves when the pipeline has stopped, whether by stop() or a fatal error. */
  readonly stopped: Promise<StopReport>;

  /**
   * Validates `options` and builds the pipeline without connecting anything.
   *
   * @throws SluiceConfigError (`SLUICE_ERR_CONFIG`) when an option is wrong, or `source`, `sink`,
   * `deadLetters` or a stage is not what it must be.
   */
  constructor(options: PipelineOptions<T, U>) {
    const { source, stages, sink, deadLetters, logger, ...plain } = options;
    this.options = validateOptions<PlainOptions>("pipeline", schema, plain);
    this.options.flow = { ...defaultFlowOptions, ...this.options.flow };
    if (!isComponent(source, ["connect", "start", "stopFetching", "commit", "close"]))
      throw new SluiceConfigError("pipeline", "source", "must be a Source (e.g. kafkaSource(...))");
    if (!isComponent(sink, ["connect", "write", "close"]))
      throw new SluiceConfigError("pipeline", "sink", "must be a Sink (e.g. elasticsearchSink(...))");
    if (!isComponent(deadLetters, ["connect", "write", "close"]))
      throw new SluiceConfigError(
        "pipeline",
        "deadLetters",
        "must be a DeadLetterSink (e.g. elasticsearchDeadLetters(...)); failed records are never dropped silently",
      );
    this.stages = (stages ?? []).map((entry, i) => {
      // Each stage's input type is checked where the user wrote the chain; here they are all batches.
      if (typeof entry === "function")
        return { name: entry.name || `stage${i + 1}`, stage: entry as unknown as Stage<unknown, unknown> };
      if (entry && typeof entry.stage === "function")
        return { name: entry.name, stage: entry.stage as unknown as Stage<unknown, unknown> };
      throw new SluiceConfigError("pipeline", `stages.${i}`, "must be a stage function or { name, stage }");
    });
    this.name = this.options.name;
    this.source = source;
    this.sink = sink;
    this.deadLetters = deadLetters;
    this.secrets = new Secrets(
      [source, sink, deadLetters].flatMap((c) => (c as DeclaresSecrets).secrets ?? []),
    );
    this.logger = scrubbingLogger((logger ?? createLogger()).child({ pipeline: this.name }), this.secrets);
    this.metrics = new PipelineMetrics({ pipeline: this.name });
    this.flow = new FlowController(this.options.flow);
    this.partitions = new SourcePartitions(this.flow);
    this.committer = new Committer(this.partitions, source as Source<unknown>, this.metrics, this.logger);
    this.stopped = new Promise((resolve) => {
      this.resolveStopped = resolve;
    });
  }

  /** Where the pipeline is in its life now. */
  get currentState(): PipelineState {
    return this.state;
  }

  /** The URL of the /metrics and /health endpoint, when enabled. */
  get httpUrl(): string | undefined {
    return this.http?.url;
  }

  /**
   * Connects to the source, the sink and the dead-letter destination (rejecting with an error that
   * names which one failed and why), then starts moving records.
   */
  async start(): Promise<void> {
    if (this.state !== "created") throw new SluiceError(ErrorCode.CONFIG, `pipeline already ${this.state}`);
    this.state = "starting";
    const ctx: SourceContext = {
      pipeline: this.name,
      logger: this.logger,
      metrics: this.metrics,
      signal: this.abort.signal,
      assigned: (generation, assignment) => this.partitions.assigned(generation, assignment),
      commitNow: () => this.committer.commit(),
    };
    try {
      await Promise.all([
        this.source
          .connect(ctx)
          .catch(fail(ErrorCode.SOURCE_FAILED, `source "${this.source.name}" could not connect`)),
        this.sink
          .connect(ctx)
          .catch(fail(ErrorCode.SINK_FAILED, `sink "${this.sink.name}" could not connect`)),
        this.deadLetters
          .connect({ logger: this.logger, pipeline: this.name })
          .catch(fail(ErrorCode.SINK_FAILED, `dead letters "${this.deadLetters.name}" could not connect`)),
      ]);
      if (this.options.http)
        this.http = await startHttpEndpoint(
          this.options.http,
          pipelineRoutes(
            this.metrics.registry,
            () => this.state,
            () => this.health(),
          ),
        );
    } catch (error) {
      this.state = "failed";
      await this.closeComponents();
      throw this.secrets.scrubError(error);
    }
    this.router = new DeadLetterRouter(this.deadLetters, ctx, this.options.deadLetterAlerts, (error) => {
      this.failure ??= error;
      void this.stop();
    });
    this.flow.on("pause", () => {
      this.metrics.sourcePaused.set(1);
      this.logger.debug({ inFlight: this.flow.events }, "source paused (backpressure)");
      this.source.pauseFetching?.(true);
    });
    this.flow.on("resume", () => {
      this.metrics.sourcePaused.set(0);
      if (this.partitions.stopping) return;
      this.logger.debug({ inFlight: this.flow.events }, "source resumed");
      this.source.pauseFetching?.(false);
    });
    this.streamDone = new Promise<void>((resolve) => {
      this.subscription = this.wire(this.source.start()).subscribe({
        next: (result) => this.settleResult(result),
        error: (error: unknown) => {
          const failure = this.secrets.scrubError(
            asSluiceError(error, ErrorCode.STAGE_CRASHED, "the pipeline"),
          );
          this.failure = failure;
          this.logger.error(
            { err: failure.message, code: failure.code },
            "pipeline stream failed; stopping without committing unsettled events",
          );
          resolve();
          void this.stop();
        },
        complete: () => resolve(),
      });
    });
    this.committer.start(this.options.commitIntervalMs);
    this.state = "running";
    this.logger.info({ stages: this.stages.map((s) => s.name) }, "pipeline started");
  }

  /**
   * Stops fetching, waits (up to shutdownTimeoutMs) for in-flight events to be delivered or
   * dead-lettered, commits what finished, and disconnects. Safe to call more than once.
   */
  stop(): Promise<StopReport> {
    if (!this.stopping) this.stopping = this.doStop();
    return this.stopping;
  }

  /**
   * The pipeline's health: the worst of the source's, the sink's and the dead-letter destination's
   * (`degraded` unless running, `down` once stopped or failed), with each one's report, the in-flight counts
   * and the dead letters pending in `detail`; what `/health` serves.
   */
  health(): HealthReport {
    const source = this.source.health();
    const sink = this.sink.health();
    const deadLetters = this.router?.health();
    const running = this.state === "running" ? "ok" : "degraded";
    const worst = worstOf([source.status, sink.status, deadLetters?.status ?? "ok", running]);
    return this.secrets.scrubValue({
      status: this.state === "failed" || this.state === "stopped" ? "down" : worst,
      detail: {
        state: this.state,
        source: source,
        sink: sink,
        inFlight: { events: this.flow.events, bytes: this.flow.bytes, paused: this.flow.paused },
        deadLettersPending: this.router?.pending ?? 0,
        ...(deadLetters ? { deadLetters } : {}),
      },
    }) as HealthReport;
  }

  private wire(batches: Observable<SourceBatch<T>>): Observable<SinkResult<U>> {
    let stream = (batches as unknown as Observable<SourceBatch<unknown>>).pipe(
      catchError((error: unknown) =>
        throwError(() => asSluiceError(error, ErrorCode.SOURCE_FAILED, `source "${this.source.name}"`)),
      ),
      // Each batch gets its ticket here, before any stage sees it; one of an ended generation, or read
      // after stopFetching, is left out: never committed, it is read again.
      map((batch) => {
        const bytes = this.partitions.open(batch);
        if (bytes < 0) return batch.events.slice(0, 0);
        this.metrics.bytesIn.inc(bytes);
        this.metrics.inFlightEvents.set(this.flow.events);
        this.metrics.inFlightBytes.set(this.flow.bytes);
        return batch.events;
      }),
      filter((batch) => batch.length > 0),
    );
    const removed = (events: SluiceEvent[]) => void this.divert(events);
    for (const { name, stage } of this.stages)
      stream = stream.pipe(
        nameCrashes(
          meterStage(name, stage, this.metrics, removed),
          ErrorCode.STAGE_CRASHED,
          `stage "${name}"`,
        ),
      );
    const write = this.sink.write() as unknown as (
      source: Observable<Batch<unknown>>,
    ) => Observable<SinkResult<U>>;
    return stream.pipe(
      map((batch) => this.divert(batch)),
      filter((batch) => batch.length > 0),
      nameCrashes(write, ErrorCode.SINK_FAILED, `sink "${this.sink.name}"`),
    );
  }

  /** Takes failed events to dead letters and settles dropped ones; returns the events for the sink. */
  private divert(batch: Batch<unknown>): Batch<unknown> {
    let failed: SluiceEvent[] | undefined;
    let ok: Batch<unknown> | undefined;
    for (let i = 0; i < batch.length; i++) {
      const event = batch[i]!;
      if (event.ok) {
        ok?.push(event);
        continue;
      }
      // First non-ok event: copy the ok ones seen so far; the common all-ok batch is not copied.
      ok ??= batch.slice(0, i);
      if (event.failure) {
        failed ??= [];
        failed.push(event);
      } else event.settle("dropped");
    }
    if (failed) this.router!.route(this.scrubFailures(failed));
    return ok ?? batch;
  }

  private settleResult(result: SinkResult<U>): void {
    const delivered = result.delivered;
    // Indexed: this loop runs for every event, and for-of here allocated an iterator result per event.
    for (let i = 0; i < delivered.length; i++) delivered[i]!.settle("delivered");
    this.metrics.eventsDelivered.inc(delivered.length);
    this.router!.delivered(delivered.length);
    if (result.rejected.length > 0) this.router!.route(this.scrubFailures(result.rejected));
    this.metrics.inFlightEvents.set(this.flow.events);
    this.metrics.inFlightBytes.set(this.flow.bytes);
  }

  /** The events with any declared secret taken out of their failure's reason, before it is stored. */
  private scrubFailures<E extends SluiceEvent<unknown>>(events: E[]): E[] {
    for (const event of events) {
      const failure = event.failure;
      if (!failure) continue;
      const reason = this.secrets.scrub(failure.reason);
      if (reason !== failure.reason) event.failure = { ...failure, reason };
    }
    return events;
  }

  private async doStop(): Promise<StopReport> {
    if (this.state === "created") {
      this.state = "stopped";
      const report = { drained: true, unsettled: 0 };
      this.resolveStopped(report);
      return report;
    }
    this.state = "stopping";
    this.logger.info({ inFlight: this.flow.events }, "stopping: no more fetching, draining in-flight events");
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), this.options.shutdownTimeoutMs);
    });
    try {
      this.partitions.stopping = true;
      await this.source.stopFetching();
      const drained =
        this.failure === undefined &&
        (await Promise.race([this.streamDone.then(() => this.flow.whenDrained()), deadline])) !== "timeout";
      let error = this.failure;
      if (!drained) {
        this.logger.warn(
          { unsettled: this.flow.events, code: error?.code ?? ErrorCode.SHUTDOWN_TIMEOUT },
          "stopping before every event settled; unsettled events are not committed and will be read again",
        );
        error ??= new SluiceError(
          ErrorCode.SHUTDOWN_TIMEOUT,
          `the shutdown deadline (shutdownTimeoutMs ${this.options.shutdownTimeoutMs}) passed with ` +
            `${this.flow.events} events unsettled; they are not committed and will be read again`,
        );
      }
      // What retry loops still waiting give up with: the failure, the deadline, or a clean stop.
      this.abort.abort(error ?? new SluiceError(ErrorCode.STOPPED, "pipeline stopped after draining"));
      await this.committer.stop();
      const commitError = await this.committer.final(deadline);
      error ??= commitError;
      const report: StopReport = {
        drained: drained && commitError === undefined,
        unsettled: this.flow.events,
        ...(error ? { error } : {}),
      };
      this.subscription?.unsubscribe();
      await this.closeComponents();
      this.state = this.failure === undefined ? "stopped" : "failed";
      this.logger.info(
        { drained, unsettled: report.unsettled, ...(error ? { code: error.code, err: error.message } : {}) },
        "pipeline stopped",
      );
      this.resolveStopped(report);
      return report;
    } finally {
      clearTimeout(timer);
    }
  }

  private async closeComponents(): Promise<void> {
    const results = await Promise.allSettled([
      this.source.close(),
      this.sink.close(),
      this.deadLetters.close(),
      this.http?.close(),
    ]);
    for (const result of results)
      if (result.status === "rejected")
        this.logger.warn({ err: describeError(result.reason) }, "error while closing");
  }
}

/**
 * Builds a pipeline; nothing connects until `start()`. Options are validated here, and the compiler
 * checks `stages` in order: the source's output feeds the first stage, each stage's output the next
 * one's input, and the last stage's output is what the sink accepts.
 */
export function createPipeline<
  T = Buffer,
  U = unknown,
  Z = U,
  A = unknown,
  B = unknown,
  C = unknown,
  D = unknown,
  F = unknown,
  G = unknown,
  H = unknown,
  I = unknown,
  J = unknown,
  K = unknown,
  L = unknown,
>(options: CheckedPipelineOptions<T, U, Z, A, B, C, D, F, G, H, I, J, K, L>): Pipeline<T> {
  // The chain is checked above; a running pipeline moves batches of any type, so its sink's type is
  // not part of the pipeline's own (a `Pipeline` holds any pipeline reading T).
  return new Pipeline(options as unknown as PipelineOptions<T, U>) as unknown as Pipeline<T>;
}

/** A rejection handler that rethrows what `connect()` rejected with as a SluiceError naming `origin`. */
function fail(code: ErrorCode, origin: string): (error: unknown) => never {
  return (error) => {
    throw asSluiceError(error, code, origin);
  };
}

function isComponent(value: unknown, methods: string[]): boolean {
  if (value === null || typeof value !== "object") return false;
  const record = value as Record<string, unknown>;
  return methods.every((m) => typeof record[m] === "function");
}

function worstOf(statuses: HealthStatus[]): HealthStatus {
  if (statuses.includes("down")) return "down";
  if (statuses.includes("degraded")) return "degraded";
  return "ok";
}
