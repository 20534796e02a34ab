// Flow control: bounds events and bytes in flight; pauses the source above high water.
import { EventEmitter } from "node:events";

/** The pipeline's `flow` option: how much may be in flight before the source is paused. */
export interface FlowOptions {
  /** Pause the source when this many events are in flight. */
  maxInFlightEvents: number;
  /** Pause the source when this many raw bytes are in flight. */
  maxInFlightBytes: number;
  /** Resume when both are below this fraction of their maximum (the low-water mark). */
  resumeRatio: number;
}

/** The flow options a pipeline uses for those not given: 20 000 events, 32 MiB, resume at half. */
export const defaultFlowOptions: FlowOptions = {
  maxInFlightEvents: 20_000,
  maxInFlightBytes: 32 * 1024 * 1024,
  resumeRatio: 0.5,
};

export const flowOptionsSchema = {
  type: "object",
  properties: {
    maxInFlightEvents: { type: "integer", minimum: 1 },
    maxInFlightBytes: { type: "integer", minimum: 1024 },
    resumeRatio: { type: "number", exclusiveMinimum: 0, maximum: 1 },
  },
  additionalProperties: false,
} as const;

/**
 * Counts what the source has emitted and the pipeline has not yet settled. Emits "pause" when either
 * count reaches its high-water mark and "resume" when both fall below the low-water mark, and
 * "drained" each time nothing is in flight.
 */
export class FlowController extends EventEmitter<{
  /** Too much is in flight: the source should stop fetching. */
  pause: [];
  /** In flight fell below the low-water mark: the source may fetch again. */
  resume: [];
  /** Nothing is in flight. */
  drained: [];
}> {
  /** Events in flight now. */
  events = 0;
  /** Raw bytes in flight now. */
  bytes = 0;
  /** True while the source is paused. */
  paused = false;
  private readonly lowEvents: number;
  private readonly lowBytes: number;

  /**
   * A controller with nothing in flight.
   *
   * @param options - The high-water marks and the resume ratio. Default `defaultFlowOptions`.
   */
  constructor(readonly options: FlowOptions = defaultFlowOptions) {
    super();
    this.lowEvents = Math.floor(options.maxInFlightEvents * options.resumeRatio);
    this.lowBytes = Math.floor(options.maxInFlightBytes * options.resumeRatio);
  }

  /** Counts `events` and `bytes` the source emitted; emits "pause" when that reaches a high-water mark. */
  add(events: number, bytes: number): void {
    this.events += events;
    this.bytes += bytes;
    if (
      !this.paused &&
      (this.events >= this.options.maxInFlightEvents || this.bytes >= this.options.maxInFlightBytes)
    ) {
      this.paused = true;
      this.emit("pause");
    }
  }

  /**
   * Counts `events` and `bytes` that settled; emits "resume" once both fall below the low-water mark while
   * paused, and "drained" when nothing is left in flight.
   */
  release(events: number, bytes: number): void {
    this.events -= events;
    this.bytes -= bytes;
    if (this.paused && this.events <= this.lowEvents && this.bytes <= this.lowBytes) {
      this.paused = false;
      this.emit("resume");
    }
    if (this.events === 0) this.emit("drained");
  }

  /** Resolves when nothing is in flight. */
  whenDrained(): Promise<void> {
    if (this.events === 0) return Promise.resolve();
    return new Promise((resolve) => this.once("drained", () => resolve()));
  }
}
