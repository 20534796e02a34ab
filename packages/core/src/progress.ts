// Per-partition progress: which offset is safe to commit, given events that finish out of order.
import type { FlowController } from "./flow.js";
import { Ticket, type TicketOwner } from "./ticket.js";

/**
 * Tracks the batches read from one partition, in offset order. The committable offset is the next
 * offset to read after the longest prefix of finished batches (Kafka's convention: last processed + 1).
 * A batch finishing early waits for those before it; nothing is committed past an unfinished event.
 */
export class PartitionProgress implements TicketOwner {
  private readonly queue: Ticket[] = [];
  private head = 0;
  /** The next offset to commit, or undefined before anything finished. */
  committable: number | undefined;
  /** The last offset handed to Kafka's commit, to skip commits that would change nothing. */
  committed: number | undefined;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly flow?: FlowController,
  ) {}

  /** Registers a batch of `count` events spanning offsets first..last; returns its ticket. */
  open(firstOffset: number, lastOffset: number, count: number): Ticket {
    const ticket = new Ticket(this, firstOffset, lastOffset, count, this.flow);
    this.queue.push(ticket);
    if (count === 0) this.ticketDone(ticket);
    return ticket;
  }

  ticketDone(_ticket: Ticket): void {
    while (this.head < this.queue.length && this.queue[this.head]!.done) {
      this.committable = this.queue[this.head]!.lastOffset + 1;
      this.head++;
    }
    // Compact now and then so the queue does not grow with the partition's history.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Events registered and not yet settled. */
  get pendingEvents(): number {
    let n = 0;
    for (let i = this.head; i < this.queue.length; i++) n += this.queue[i]!.pending;
    return n;
  }

  /** The offset to commit if it moved since the last commit, else undefined. */
  takeCommit(): number | undefined {
    if (this.committable === undefined || this.committable === this.committed) return undefined;
    return this.committable;
  }

  markCommitted(offset: number): void {
    if (this.committed === undefined || offset > this.committed) this.committed = offset;
  }
}
