// The contracts a source, a sink and their shared context fulfil; the pipeline wires them together.
import type { Observable, OperatorFunction } from "rxjs";
import type { Batch, SluiceEvent } from "./event.js";
import type { FlowController } from "./flow.js";
import type { Logger } from "./logger.js";
import type { PipelineMetrics } from "./metrics.js";
import type { DeclaresSecrets } from "./secrets.js";

export interface ComponentContext {
  readonly pipeline: string;
  readonly logger: Logger;
  readonly metrics: PipelineMetrics;
  /** Aborted when the shutdown deadline passes: retry loops give up and leave their events unsettled. */
  readonly signal: AbortSignal;
}

export interface SourceContext extends ComponentContext {
  /** The source registers what it emits here and pauses/resumes on its "pause"/"resume" events. */
  readonly flow: FlowController;
}

export type HealthStatus = "ok" | "degraded" | "down";

export interface HealthReport {
  readonly status: HealthStatus;
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** A source or sink declares the credentials it was given as `secrets`; a dead-letter sink may too. */
export interface Source<T = Buffer> extends DeclaresSecrets {
  readonly name: string;
  /** Reaches the source system; rejects with a SluiceError that says which and why when it cannot. */
  connect(ctx: SourceContext): Promise<void>;
  /** Starts fetching. Each emitted event carries a ticket; settling every event of a batch lets it commit. */
  start(): Observable<Batch<T>>;
  /** Stops fetching; the observable from start() completes. In-flight events stay committable. */
  stopFetching(): Promise<void>;
  /** Commits, per partition, the offset below which every event is settled. */
  commit(): Promise<void>;
  close(): Promise<void>;
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
  readonly name: string;
  /** Health-checks the destination; rejects with a SluiceError that says why it cannot be used. */
  connect(ctx: ComponentContext): Promise<void>;
  /** The operator that writes ok events and reports their outcome. It completes after its input does. */
  write(): OperatorFunction<Batch<T>, SinkResult>;
  close(): Promise<void>;
  health(): HealthReport;
}
