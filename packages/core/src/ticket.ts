// A ticket stands for one batch read from one partition: it counts the batch's unsettled events.
import type { FlowController } from "./flow.js";

export interface TicketOwner {
  ticketDone(ticket: Ticket): void;
}

export class Ticket {
  readonly firstOffset: number;
  readonly lastOffset: number;
  pending: number;
  private readonly owner: TicketOwner;
  private readonly flow: FlowController | undefined;

  constructor(
    owner: TicketOwner,
    firstOffset: number,
    lastOffset: number,
    count: number,
    flow?: FlowController,
  ) {
    this.owner = owner;
    this.firstOffset = firstOffset;
    this.lastOffset = lastOffset;
    this.pending = count;
    this.flow = flow;
  }

  get done(): boolean {
    return this.pending === 0;
  }

  settleOne(bytes: number): void {
    if (this.pending === 0) return;
    this.pending--;
    this.flow?.release(1, bytes);
    if (this.pending === 0) this.owner.ticketDone(this);
  }
}
