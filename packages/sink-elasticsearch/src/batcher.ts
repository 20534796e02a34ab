// Groups encoded events into bulk request bodies, closing one when it reaches its byte or event limit
// or when its first event has waited the flush interval.
import type { BufferPool } from "./buffer-pool.js";
import { BulkBody } from "./bulk-body.js";
import type { Encoded } from "./encoder.js";

export interface BatchLimits {
  /** A body is closed when it holds this many bytes... */
  flushBytes: number;
  /** ...or this many events... */
  flushEvents: number;
  /** ...or when its first event has waited this long (ms). */
  flushIntervalMs: number;
}

export class Batcher {
  private current: BulkBody | undefined;
  private timer: NodeJS.Timeout | undefined;

  /** `emit` receives each closed body; its buffer is `pool`'s until the body is given back to it. */
  constructor(
    private readonly limits: BatchLimits,
    private readonly pool: BufferPool,
    private readonly emit: (body: BulkBody) => void,
  ) {}

  /** Writes the event's lines into the open body, first closing it when they would not fit. */
  add(encoded: Encoded): void {
    const bytes = encoded.bytes;
    if (this.current && !this.current.fits(bytes)) this.flush();
    // An event larger than the limit gets a body of its own size: it is sent alone, never dropped.
    this.current ??= new BulkBody(this.pool.take(Math.max(this.limits.flushBytes, bytes)));
    const body = this.current;
    body.append(encoded);
    if (body.count >= this.limits.flushEvents || body.bytes >= this.limits.flushBytes) this.flush();
  }

  /** Starts the flush interval for an open body unless it runs already; called after each input batch. */
  arm(): void {
    if (this.current && this.timer === undefined)
      this.timer = setTimeout(() => this.flush(), this.limits.flushIntervalMs);
  }

  /** Closes the open body now (when it holds anything) and stops the interval. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const body = this.current;
    if (!body || body.count === 0) return;
    this.current = undefined;
    this.emit(body);
  }

  /** True while a body is open. */
  get holding(): boolean {
    return this.current !== undefined;
  }

  /** Stops the interval without closing the open body (the subscriber left). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
