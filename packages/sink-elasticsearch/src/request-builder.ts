// Turns each event into its bulk lines, or settles it at once when it gets no lines (a tombstone the
// sink ignores or refuses, an event that cannot be encoded), so only writable events reach the batcher.
import { ErrorCode, type Failure, failureFromError, type SinkResult, type SluiceEvent } from "@sluice/core";
import { type BulkEncoder, Encoded } from "./encoder.js";

/** What the sink does with a tombstone: a Kafka record whose value is null (`origin.tombstone`). */
export type NullValues = "deadLetter" | "ignore" | "delete";

export class RequestBuilder {
  // Filled for each event and written into its request at once, so encoding allocates no holder.
  private readonly scratch = new Encoded();

  constructor(
    private readonly encoder: BulkEncoder,
    private readonly nullValues: NullValues,
    private readonly stage: string,
  ) {}

  /**
   * Hands the lines of each writable event of `batch` to `add` (valid only during the call), in order;
   * returns the events settled without a request, or undefined when there are none.
   */
  build(batch: readonly SluiceEvent[], add: (encoded: Encoded) => void): SinkResult | undefined {
    let rejected: SluiceEvent[] | undefined;
    let ignored: SluiceEvent[] | undefined;
    // Indexed, as every per-event loop on this path: for-of allocates an iterator result per event.
    for (let i = 0; i < batch.length; i++) {
      const event = batch[i]!;
      const tombstone = event.origin.tombstone === true;
      if (tombstone && this.nullValues === "ignore") {
        ignored ??= [];
        ignored.push(event);
        continue;
      }
      if (tombstone && this.nullValues === "deadLetter") {
        event.fail(this.nullValueFailure());
        rejected ??= [];
        rejected.push(event);
        continue;
      }
      let encoded: Encoded;
      try {
        encoded = tombstone
          ? this.encoder.encodeDelete(event, this.scratch)
          : this.encoder.encode(event, this.scratch);
      } catch (error) {
        // A document JSON cannot write (nested too deep, a BigInt) or an index function that threw:
        // that event alone goes to dead letters.
        event.fail(failureFromError(this.stage, error, ErrorCode.REJECTED));
        rejected ??= [];
        rejected.push(event);
        continue;
      }
      add(encoded);
    }
    return rejected || ignored ? { delivered: ignored ?? [], rejected: rejected ?? [] } : undefined;
  }

  private nullValueFailure(): Failure {
    return {
      code: ErrorCode.NULL_VALUE,
      type: "null_value",
      reason: "the record's value is null (a tombstone) and the sink's nullValues is \"deadLetter\"",
      stage: this.stage,
    };
  }
}
