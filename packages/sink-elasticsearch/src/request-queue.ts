// Bulk requests waiting for a slot: at most the concurrency limit's worth are sent at once, the rest
// wait in order, so a slow cluster holds the sink back instead of piling up requests on it.
import type { BulkBody } from "./bulk-body.js";

export class RequestQueue {
  private readonly waiting: BulkBody[] = [];
  private inFlight = 0;

  /**
   * `limit` is read before each send (adaptive concurrency moves it); `send` resolves when the request
   * is done with; `onSettled` runs after each one, when a slot has been given to the next.
   */
  constructor(
    private readonly limit: () => number,
    private readonly send: (body: BulkBody) => Promise<void>,
    private readonly onSettled: () => void,
  ) {}

  push(body: BulkBody): void {
    this.waiting.push(body);
    this.pump();
  }

  /** Nothing waiting and nothing in flight. */
  get idle(): boolean {
    return this.inFlight === 0 && this.waiting.length === 0;
  }

  get sending(): number {
    return this.inFlight;
  }

  get queued(): number {
    return this.waiting.length;
  }

  private pump(): void {
    while (this.inFlight < this.limit() && this.waiting.length > 0) {
      const body = this.waiting.shift()!;
      this.inFlight++;
      this.send(body).finally(() => {
        this.inFlight--;
        this.pump();
        this.onSettled();
      });
    }
  }
}
