// Sends failed events to the dead-letter destination, retrying until it takes them, then settles them.
import type { ComponentContext } from "./components.js";
import { type DeadLetterSink, toDeadLetter } from "./dead-letter.js";
import { describeError } from "./errors.js";
import type { SluiceEvent } from "./event.js";
import { retry } from "./retry.js";

/** At most this many letters go to the destination in one write. */
const MAX_LETTERS_PER_WRITE = 500;

export class DeadLetterRouter {
  private readonly queue: SluiceEvent[] = [];
  private writing = false;

  constructor(
    private readonly destination: DeadLetterSink,
    private readonly ctx: ComponentContext,
  ) {}

  /** Queues failed events; they are settled once the destination stored them. */
  route(events: readonly SluiceEvent[]): void {
    if (events.length === 0) return;
    for (const event of events) this.queue.push(event);
    if (!this.writing) void this.drain();
  }

  get pending(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0 && !this.ctx.signal.aborted) {
        const events = this.queue.splice(0, MAX_LETTERS_PER_WRITE);
        const now = new Date();
        const letters = events.map((event) => toDeadLetter(event, this.ctx.pipeline, now));
        await retry(() => this.destination.write(letters), {
          signal: this.ctx.signal,
          initialDelayMs: 200,
          maxDelayMs: 30_000,
          onError: (error, attempt) =>
            this.ctx.logger.warn(
              {
                err: describeError(error),
                attempt,
                letters: letters.length,
                destination: this.destination.name,
              },
              "dead-letter write failed; retrying (the source pauses while letters wait)",
            ),
        });
        for (const event of events) {
          this.ctx.metrics.eventsDeadLettered.inc({ stage: event.failure?.stage ?? "unknown" });
          event.settle("dead-lettered");
        }
      }
    } catch (error) {
      // Only an abort (shutdown deadline) ends the loop: the letters stay unsettled, so uncommitted.
      this.ctx.logger.error({ err: describeError(error) }, "dead-letter routing stopped");
    } finally {
      this.writing = false;
    }
  }
}
