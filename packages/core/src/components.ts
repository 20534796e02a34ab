// The contracts a source, a sink and their shared context fulfil; the pipeline wires them together.
import type { Observable, OperatorFunction } from "rxjs";
import type { Batch, SluiceEvent } from "./event.js";
import type { Logger } from "./logger.js";
import type { PipelineMetrics } from "./metrics.js";
import type { DeclaresSecrets } from "./secrets.js";

/** What the pipeline hands a sink (and, extended, a source) when it connects it. */
export interface ComponentContext {
  /** The pipeline's name, for logs and metrics labels. */
  readonly pipeline: string;
  /** The pipeline's logger, for the component's own log lines. */
  readonly logger: Logger;
  /** The pipeline's Prometheus metrics, which the component updates (e.g. requests, consumer lag). */
  readonly metrics: PipelineMetrics;
  /** Aborted when the shutdown deadline passes: retry loops give up and leave their events unsettled. */
  readonly signal: AbortSignal;
}

/**
 * What a source may tell the pipeline besides its batches. A source without consumer groups (a file, a
 * test source) needs neither.
 */
export interface SourceContext extends ComponentContext {
  /**
   * The source joined generation `generation` of its consumer group, holding `assignment` (partitions by
   * topic). Batches of older generations still settle but never commit; while stopping, a partition kept
   * keeps its progress and one taken away with settled, uncommitted records fails the final commit with
   * SLUICE_ERR_OFFSETS_REASSIGNED. Call it before emitting the new generation's first batch.
   */
  assigned(generation: number, assignment: Readonly<Record<string, readonly number[]>>): void;
  /** Commits what has settled now, e.g. when a rebalance is about to take partitions away. */
  commitNow(): Promise<void>;
}

/**
 * Records one source read from one partition, in offset order. Each event's `origin` names its topic,
 * partition and offset; the pipeline tracks the batch until every event settles.
 */
export interface SourceBatch<T = Buffer> {
  /** The batch's events, in offset order. */
  readonly events: Batch<T>;
  /** The consumer-group generation the batch was read in (see SourceContext.assigned); default 0. */
  readonly generation?: number;
}

/** An offset to commit: Kafka's convention, the next offset to read. */
export interface CommitOffset {
  /** The topic of the partition to commit. */
  readonly topic: string;
  /** The partition to commit. */
  readonly partition: number;
  /** A decimal string, as Kafka offsets are int64. */
  readonly offset: string;
}

/** A component's or the pipeline's health: `ok`, `degraded` (working but failing or slowed) or `down`. */
export type HealthStatus = "ok" | "degraded" | "down";

/** What `health()` returns: a status and, when useful, details that say why. */
export interface HealthReport {
  /** The overall status. */
  readonly status: HealthStatus;
  /** Component-specific details (e.g. the last error), shown as is in `/health`. */
  readonly detail?: Readonly<Record<string, unknown>>;
}

/**
 * A source or sink declares the credentials it was given as `secrets`; a dead-letter sink may too.
 *
 * A source only reads and commits: the pipeline counts what is in flight, decides when to pause and
 * resume, and which offsets are safe to commit (packages/core/test/memory-components.ts has a whole one).
 */
export interface Source<T = Buffer> extends DeclaresSecrets {
  /** The source's name, used in logs and errors. */
  readonly name: string;
  /** Reaches the source system; rejects with a SluiceError that says which and why when it cannot. */
  connect(ctx: SourceContext): Promise<void>;
  /** Starts fetching: each batch is one partition's records in offset order. */
  start(): Observable<SourceBatch<T>>;
  /**
   * Backpressure: the pipeline calls it with true when too much is in flight and with false when it
   * has drained below the low-water mark (never twice the same in a row; not with false once stopping).
   */
  pauseFetching?(paused: boolean): void;
  /** Stops fetching; the observable from start() completes. Batches emitted after this are ignored. */
  stopFetching(): Promise<void>;
  /**
   * Commits these offsets; the pipeline calls it one at a time, only with offsets below which every
   * event settled, and only where they moved.
   */
  commit(offsets: readonly CommitOffset[]): Promise<void>;
  /**
   * Releases the connection and everything the source holds; called once as the pipeline stops, after
   * the final commit.
   */
  close(): Promise<void>;
  /** The source's health now, for `/health`. */
  health(): HealthReport;
}

/** What a sink reports for each request it finished. */
export interface SinkResult<T = unknown> {
  /** Accepted by the destination (including "already there"). */
  readonly delivered: SluiceEvent<T>[];
  /** Refused for good: each carries its `failure`; the pipeline sends them to dead letters. */
  readonly rejected: SluiceEvent<T>[];
}

/** `T` is the value the sink accepts: `createPipeline` checks that the last stage gives it. */
export interface Sink<T = unknown> extends DeclaresSecrets {
  /** The sink's name, used in logs and errors. */
  readonly name: string;
  /** Health-checks the destination; rejects with a SluiceError that says why it cannot be used. */
  connect(ctx: ComponentContext): Promise<void>;
  /** The operator that writes ok events and reports their outcome. It completes after its input does. */
  write(): OperatorFunction<Batch<T>, SinkResult>;
  /**
   * Releases the connection and everything the sink holds; called once as the pipeline stops, after the
   * final commit.
   */
  close(): Promise<void>;
  /** The sink's health now, for `/health`. */
  health(): HealthReport;
}
