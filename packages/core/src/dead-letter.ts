// Dead letters: the one interface every dead-letter destination implements, and the letter itself.
import type { Failure, Origin, SluiceEvent } from "./event.js";
import type { Logger } from "./logger.js";

/** What a dead-letter destination receives: the record exactly as read, why it failed, and where from. */
export interface DeadLetter {
  /** The record's value, byte for byte as it was read from Kafka. */
  readonly raw: Buffer;
  readonly origin: Origin;
  readonly error: Failure;
  /** ISO-8601 time at which the pipeline gave up on it. */
  readonly failedAt: string;
  /** The pipeline's name, to tell letters of several pipelines apart. */
  readonly pipeline: string;
}

export interface DeadLetterContext {
  readonly logger: Logger;
  readonly pipeline: string;
}

/**
 * A dead-letter destination. `write` resolves only once every letter is durably stored; it rejects on
 * any failure, and the pipeline retries the whole call (so writes must be idempotent, e.g. by id).
 */
export interface DeadLetterSink {
  readonly name: string;
  /** Checks the destination is reachable; rejects with a SluiceError saying why not. */
  connect(ctx: DeadLetterContext): Promise<void>;
  write(letters: readonly DeadLetter[]): Promise<void>;
  close(): Promise<void>;
}

export function toDeadLetter(event: SluiceEvent, pipeline: string, now = new Date()): DeadLetter {
  return {
    raw: event.raw,
    origin: event.origin,
    error: event.failure ?? {
      code: "SLUICE_ERR_UNKNOWN",
      type: "unknown",
      reason: "no failure recorded",
      stage: "unknown",
    },
    failedAt: now.toISOString(),
    pipeline,
  };
}
