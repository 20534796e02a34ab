// Sends failed events to the dead-letter destination, resending only the letters it refused, then settles
// them; says in logs and health how many records end there and why.
import type { ComponentContext, HealthReport } from "./components.js";
import {
  type DeadLetter,
  type DeadLetterOutcome,
  type DeadLetterSink,
  minimalLetter,
  toDeadLetter,
} from "./dead-letter.js";
import { DeadLetterWatch, type DeadLetterWatchOptions } from "./dead-letter-watch.js";
import { describeError, ErrorCode, SluiceError } from "./errors.js";
import type { SluiceEvent } from "./event.js";
import { backoffDelay, sleep } from "./retry.js";

/** At most this many letters go to the destination in one write. */
const MAX_LETTERS_PER_WRITE = 500;
const BACKOFF = { initialDelayMs: 200, maxDelayMs: 30_000, maxAttempts: Infinity };

interface Pending {
  readonly event: SluiceEvent;
  letter: DeadLetter;
}

export class DeadLetterRouter {
  private readonly queue: SluiceEvent[] = [];
  /** Letters taken from the queue and not yet stored. */
  private work: Pending[] = [];
  private writing = false;
  private fatal: SluiceError | undefined;
  private readonly watch: DeadLetterWatch;

  constructor(
    private readonly destination: DeadLetterSink,
    private readonly ctx: ComponentContext,
    watch: DeadLetterWatchOptions,
    /** Called once when a letter cannot be stored even in minimal form: the pipeline must stop. */
    private readonly onFatal: (error: SluiceError) => void,
  ) {
    this.watch = new DeadLetterWatch(watch, ctx.logger);
  }

  /** Queues failed events; they are settled once the destination stored them. */
  route(events: readonly SluiceEvent[]): void {
    if (events.length === 0) return;
    this.watch.deadLettered(events);
    for (const event of events) this.queue.push(event);
    if (!this.writing && this.fatal === undefined) void this.drain();
  }

  /** Counts delivered events, against which the share of dead letters is measured. */
  delivered(count: number): void {
    this.watch.delivered(count);
  }

  /** Letters not yet stored: queued, being written or waiting to be written again. */
  get pending(): number {
    return this.queue.length + this.work.length;
  }

  health(): HealthReport {
    const watched = this.watch.report();
    const status = this.fatal ? "down" : watched.degraded ? "degraded" : "ok";
    return {
      status,
      detail: {
        pending: this.pending,
        share: watched.share,
        windowMs: watched.windowMs,
        ...(this.fatal ? { error: this.fatal.message } : {}),
      },
    };
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      // Failed rounds in a row: a round that stores anything starts the backoff over.
      let failedRounds = 0;
      while ((this.queue.length > 0 || this.work.length > 0) && !this.ctx.signal.aborted) {
        this.topUp();
        const work = this.work;
        const outcomes = await this.write(work.map((p) => p.letter));
        const again: Pending[] = [];
        let stored = 0;
        let retried: string | undefined;
        for (let i = 0; i < work.length; i++) {
          const pending = work[i]!;
          const outcome = outcomes[i]!;
          if (outcome.status === "stored") {
            stored++;
            this.ctx.metrics.eventsDeadLettered.inc({ stage: pending.event.failure?.stage ?? "unknown" });
            pending.event.settle("dead-lettered");
          } else if (outcome.status === "retry") {
            retried ??= outcome.reason;
            again.push(pending);
          } else if (pending.letter.form === "full") {
            this.ctx.logger.warn(
              {
                record: coordinates(pending.letter),
                reason: outcome.reason,
                destination: this.destination.name,
              },
              "dead letter refused for good; storing it in minimal form (coordinates, error, sizes, hash)",
            );
            again.push({ event: pending.event, letter: minimalLetter(pending.letter, outcome.reason) });
          } else {
            throw new SluiceError(
              ErrorCode.DEAD_LETTER_REFUSED,
              `${this.destination.name} refused the dead letter of ${coordinates(pending.letter)} even in minimal form (${outcome.reason}); stopping, since nothing past it could be committed`,
            );
          }
        }
        this.work = again;
        if (retried === undefined) {
          failedRounds = 0;
          continue;
        }
        failedRounds = stored > 0 ? 1 : failedRounds + 1;
        this.ctx.logger.warn(
          {
            reason: retried,
            attempt: failedRounds,
            stored,
            retrying: again.length,
            destination: this.destination.name,
          },
          "dead letters refused for now; resending those (the source pauses while letters wait)",
        );
        await sleep(backoffDelay(failedRounds, BACKOFF), this.ctx.signal);
      }
    } catch (error) {
      if (error instanceof SluiceError && error.code === ErrorCode.DEAD_LETTER_REFUSED) {
        this.fatal = error;
        this.ctx.logger.error(
          { err: describeError(error), code: error.code },
          "dead letters cannot be stored",
        );
        this.onFatal(error);
        return;
      }
      // Otherwise only an abort (shutdown deadline) ends the loop: the letters stay unsettled, so uncommitted.
      this.ctx.logger.error({ err: describeError(error) }, "dead-letter routing stopped");
    } finally {
      this.writing = false;
    }
  }

  /** Fills the round up to the write limit with queued letters. */
  private topUp(): void {
    const room = MAX_LETTERS_PER_WRITE - this.work.length;
    if (room <= 0 || this.queue.length === 0) return;
    const now = new Date();
    for (const event of this.queue.splice(0, room))
      this.work.push({ event, letter: toDeadLetter(event, this.ctx.pipeline, now) });
  }

  /** One write; a rejected one, or one that answers the wrong count, is `retry` for every letter. */
  private async write(letters: DeadLetter[]): Promise<readonly DeadLetterOutcome[]> {
    try {
      const outcomes = await this.destination.write(letters);
      if (outcomes.length === letters.length) return outcomes;
      const reason = `${this.destination.name} answered ${outcomes.length} outcomes for ${letters.length} letters`;
      return letters.map(() => ({ status: "retry", reason }));
    } catch (error) {
      const reason = describeError(error);
      return letters.map(() => ({ status: "retry", reason }));
    }
  }
}

function coordinates(letter: DeadLetter): string {
  return `${letter.origin.topic}/${letter.origin.partition}@${letter.origin.offset}`;
}
