// Flow control: bounds events and bytes in flight; pauses the source above high water.
import { EventEmitter } from "node:events";

export interface FlowOptions {
  /** Pause the source when this many events are in flight. */
  maxInFlightEvents: number;
  /** Pause the source when this many raw bytes are in flight. */
  maxInFlightBytes: number;
  /** Resume when both are below this fraction of their maximum (the low-water mark). */
  resumeRatio: number;
}

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
export class FlowController extends EventEmitter<{ pause: []; resume: []; drained: [] }> {
  events = 0;
  bytes = 0;
  paused = false;
  private readonly lowEvents: number;
  private readonly lowBytes: number;

  constructor(readonly options: FlowOptions = defaultFlowOptions) {
    super();
    this.lowEvents = Math.floor(options.maxInFlightEvents * options.resumeRatio);
    this.lowBytes = Math.floor(options.maxInFlightBytes * options.resumeRatio);
  }

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
