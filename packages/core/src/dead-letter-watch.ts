// Watches what ends in dead letters: logs each new reason at once (then its count, at most once per
// interval) and measures the share of dead letters over a sliding window, for /health.
import type { SluiceEvent } from "./event.js";
import type { Logger } from "./logger.js";

/**
 * The pipeline's `deadLetterAlerts` option: when `/health` turns `degraded` for dead letters and how often a
 * reason already logged is logged again.
 */
export interface DeadLetterWatchOptions {
  /** /health says `degraded` while dead letters are more than this share of the records finished. */
  degradedShare: number;
  /** The window over which the share is measured (ms). */
  windowMs: number;
  /** A reason already logged is logged again, with its count since, at most this often (ms). */
  logIntervalMs: number;
}

export const defaultDeadLetterWatch: DeadLetterWatchOptions = {
  degradedShare: 0.1,
  windowMs: 60_000,
  logIntervalMs: 60_000,
};

export const deadLetterWatchSchema = {
  type: "object",
  properties: {
    degradedShare: { type: "number", exclusiveMinimum: 0, maximum: 1, default: 0.1 },
    windowMs: { type: "integer", minimum: 100, default: 60_000 },
    logIntervalMs: { type: "integer", minimum: 0, default: 60_000 },
  },
  additionalProperties: false,
} as const;

/** The window is kept as this many buckets: the share forgets old records a bucket at a time. */
const BUCKETS = 10;

interface Reason {
  count: number;
  loggedAt: number;
}

export class DeadLetterWatch {
  private readonly bucketMs: number;
  private readonly letters = new Array<number>(BUCKETS).fill(0);
  private readonly finished = new Array<number>(BUCKETS).fill(0);
  /** The bucket counted into, by its start time divided by bucketMs. */
  private current = 0;
  private readonly reasons = new Map<string, Reason>();

  constructor(
    private readonly options: DeadLetterWatchOptions,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.bucketMs = Math.max(1, Math.ceil(options.windowMs / BUCKETS));
    this.current = Math.floor(this.now() / this.bucketMs);
  }

  deadLettered(events: readonly SluiceEvent[]): void {
    const slot = this.advance();
    this.letters[slot]! += events.length;
    this.finished[slot]! += events.length;
    const now = this.now();
    for (const event of events) {
      const failure = event.failure;
      const code = failure?.code ?? "SLUICE_ERR_UNKNOWN";
      const stage = failure?.stage ?? "unknown";
      const key = `${code}\u0000${stage}`;
      const seen = this.reasons.get(key);
      if (seen === undefined) {
        this.reasons.set(key, { count: 0, loggedAt: now });
        this.logger.warn(
          { code, stage, type: failure?.type, reason: failure?.reason, count: 1 },
          `records dead-lettered for a new reason: ${code} in ${stage}`,
        );
        continue;
      }
      seen.count++;
      if (now - seen.loggedAt >= this.options.logIntervalMs) {
        this.logger.warn(
          {
            code,
            stage,
            type: failure?.type,
            reason: failure?.reason,
            count: seen.count,
            sinceMs: now - seen.loggedAt,
          },
          `records dead-lettered: ${seen.count} more for ${code} in ${stage}`,
        );
        seen.count = 0;
        seen.loggedAt = now;
      }
    }
  }

  delivered(count: number): void {
    if (count === 0) return;
    this.finished[this.advance()]! += count;
  }

  report(): { degraded: boolean; share: number; windowMs: number } {
    this.advance();
    let letters = 0;
    let finished = 0;
    for (let i = 0; i < BUCKETS; i++) {
      letters += this.letters[i]!;
      finished += this.finished[i]!;
    }
    const share = finished === 0 ? 0 : letters / finished;
    return { degraded: share > this.options.degradedShare, share, windowMs: this.options.windowMs };
  }

  /** Moves to the bucket of now, emptying the ones that fell out of the window; returns its slot. */
  private advance(): number {
    const bucket = Math.floor(this.now() / this.bucketMs);
    const steps = Math.min(bucket - this.current, BUCKETS);
    for (let i = 1; i <= steps; i++) {
      const slot = (this.current + i) % BUCKETS;
      this.letters[slot] = 0;
      this.finished[slot] = 0;
    }
    if (bucket > this.current) this.current = bucket;
    return this.current % BUCKETS;
  }
}
