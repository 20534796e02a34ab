// The sink's write path as an operator: each input batch goes through the request builder into the
// batcher, whose closed bodies wait in the request queue for the bulk service. Events are encoded before
// they are batched (Vector batches first) because the limits are in encoded bytes and each event's lines
// go straight into its request's body.
import { type Batch, describeError, type Logger, type SinkResult } from "@sluice/core";
import { Observable, type OperatorFunction } from "rxjs";
import { Batcher, type BatchLimits } from "./batcher.js";
import type { BufferPool } from "./buffer-pool.js";
import type { BulkService } from "./bulk-service.js";
import type { ConcurrencyLimiter } from "./concurrency.js";
import type { RequestBuilder } from "./request-builder.js";
import { RequestQueue } from "./request-queue.js";

export interface BulkWriteParts {
  builder: RequestBuilder;
  limits: BatchLimits;
  bodies: BufferPool;
  limiter: ConcurrencyLimiter;
  /** Read at subscription: the service exists once the sink has connected. */
  service: () => BulkService;
  logger: () => Logger;
}

/**
 * Writes every input event and reports each outcome once: settled at once by the builder, or as the
 * service answers. Completes after its input does and every request is answered.
 */
export function bulkWrite(parts: BulkWriteParts): OperatorFunction<Batch<unknown>, SinkResult<unknown>> {
  return (source) =>
    new Observable<SinkResult<unknown>>((subscriber) => {
      const service = parts.service();
      const report = (result: SinkResult<unknown>) => subscriber.next(result);
      let inputDone = false;
      const finishIfDone = () => {
        if (inputDone && queue.idle && !batcher.holding) subscriber.complete();
      };
      const queue = new RequestQueue(
        () => parts.limiter.limit,
        (body) =>
          service.deliver(body, report).catch((error: unknown) => {
            // Only an abort (shutdown deadline) gets here: those events stay unsettled, uncommitted.
            parts.logger().warn({ err: describeError(error) }, "bulk request abandoned");
          }),
        finishIfDone,
      );
      const batcher = new Batcher(parts.limits, parts.bodies, (body) => queue.push(body));
      const add = batcher.add.bind(batcher);
      const subscription = source.subscribe({
        next: (batch) => {
          const settled = parts.builder.build(batch, add);
          if (settled) subscriber.next(settled);
          batcher.arm();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          inputDone = true;
          batcher.flush();
          finishIfDone();
        },
      });
      return () => {
        batcher.stop();
        subscription.unsubscribe();
      };
    });
}
