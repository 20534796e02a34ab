// When the consumer thread must stop handing batches on: the main thread asked for a pause, or it has
// not yet taken what was posted to it (a message port queues without bound, so the thread keeps count).

export interface HoldLimits {
  /** Records posted and not yet taken by the main thread, beyond which the thread waits. */
  events: number;
  /** The same in bytes of values. */
  bytes: number;
}

export class Hold {
  private paused = false;
  private postedEvents = 0;
  private postedBytes = 0;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly limits: HoldLimits) {}

  /** Whether batch handlers must wait before handing more on. */
  get holding(): boolean {
    return this.paused || this.postedEvents >= this.limits.events || this.postedBytes >= this.limits.bytes;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake();
  }

  posted(events: number, bytes: number): void {
    this.postedEvents += events;
    this.postedBytes += bytes;
  }

  /** The main thread took this much off its message queue. */
  taken(events: number, bytes: number): void {
    this.postedEvents -= events;
    this.postedBytes -= bytes;
    if (!this.holding) this.wake();
  }

  /** Resolves when the hold may have lifted, or after `ms` (so the caller can heartbeat). */
  changedOr(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  /** Lets every waiter go (a resume, stopping). */
  wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
