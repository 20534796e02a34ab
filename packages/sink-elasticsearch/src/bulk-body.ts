// A bulk request being filled: each event's lines are written into the request's buffer as the event is
// encoded, so nothing per event outlives encoding but the event itself and where its lines end.
import type { SluiceEvent } from "@sluice/core";
import type { Encoded } from "./encoder.js";

export class BulkBody {
  readonly events: SluiceEvent[] = [];
  /** Where each event's lines end in `buffer`. */
  private readonly ends: number[] = [];
  private length = 0;

  /** `buffer` is lent (a pool's): the body is its start. */
  constructor(readonly buffer: Buffer) {}

  get bytes(): number {
    return this.length;
  }

  get count(): number {
    return this.events.length;
  }

  fits(bytes: number): boolean {
    return this.length + bytes <= this.buffer.length;
  }

  /** Writes the event's lines after the others (the caller checked that they fit). */
  append(encoded: Encoded): void {
    this.length = encoded.writeTo(this.buffer, this.length);
    this.events.push(encoded.event);
    this.ends.push(this.length);
  }

  /** Every event's lines: the first request's body. */
  get body(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  /** The lines of the events at `positions` (ascending), back to back. */
  linesSize(positions: readonly number[]): number {
    let size = 0;
    for (const i of positions) size += this.ends[i]! - (i === 0 ? 0 : this.ends[i - 1]!);
    return size;
  }

  /** Copies the lines of the events at `positions` into `into` (at least `linesSize` long); returns them. */
  linesOf(positions: readonly number[], into: Buffer): Buffer {
    let at = 0;
    for (const i of positions) {
      const start = i === 0 ? 0 : this.ends[i - 1]!;
      into.set(this.buffer.subarray(start, this.ends[i]!), at);
      at += this.ends[i]! - start;
    }
    return into.subarray(0, at);
  }
}
