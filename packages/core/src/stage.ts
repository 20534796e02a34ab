// The stage contract, and helpers to write per-event stages with it.
import { map, type OperatorFunction } from "rxjs";
import { ErrorCode } from "./errors.js";
import type { Batch, Failure, SluiceEvent } from "./event.js";

/**
 * A stage is an RxJS operator from batches to batches. Sluice's own transforms and yours use exactly
 * this type. A stage changes events in place or returns new arrays; to fail an event it calls
 * `event.fail(...)`, to discard one `event.drop()` — never remove an unsettled event from the batch
 * without doing one of those, or its offset can never be committed.
 */
export type Stage<A = unknown, B = A> = OperatorFunction<Batch<A>, Batch<B>>;

/** Any stage, whatever its input and output types: what a list built at run time holds (see dynamicStages). */
export type AnyStage = Stage<never, unknown>;

/** Returned by a `mapValues` function to fail the event without throwing. */
export class Rejection {
  /**
   * A rejection that fails the event with this type, reason and code.
   *
   * @param type - The failure's type, e.g. `invalid_timestamp`.
   * @param reason - Why the value was rejected, for logs and the dead letter.
   * @param code - The failure's code. Default `SLUICE_ERR_TRANSFORM`.
   */
  constructor(
    readonly type: string,
    readonly reason: string,
    readonly code: string = ErrorCode.TRANSFORM,
  ) {}
}

/**
 * Fails the event with `type`, `reason` and `code` (default `SLUICE_ERR_TRANSFORM`): what a `mapValues`
 * function returns instead of throwing.
 */
export function reject(type: string, reason: string, code?: string): Rejection {
  return new Rejection(type, reason, code);
}

/** Gives a stage the name the pipeline shows in metrics and logs (a function's own `name`). */
export function namedStage<A, B>(name: string, stage: Stage<A, B>): Stage<A, B> {
  Object.defineProperty(stage, "name", { value: name });
  return stage;
}

/**
 * A stage that computes each ok event's new value with `fn`. Events already failed or dropped, and
 * tombstones (a null Kafka value, which only the sink decides about), pass through untouched. If `fn` throws or returns a Rejection, that event alone is failed; the batch goes on.
 */
export function mapValues<A, B>(
  stageName: string,
  fn: (value: A, event: SluiceEvent<A>) => B | Rejection,
): Stage<A, B> {
  const stage = map((batch: Batch<A>) => {
    for (let i = 0; i < batch.length; i++) {
      const event = batch[i]!;
      if (!event.ok || event.origin.tombstone === true) continue;
      let result: B | Rejection;
      try {
        result = fn(event.value, event);
      } catch (error) {
        event.fail(failureFromError(stageName, error));
        continue;
      }
      if (result instanceof Rejection) {
        event.fail({ code: result.code, type: result.type, reason: result.reason, stage: stageName });
      } else {
        (event as unknown as SluiceEvent<B>).value = result;
      }
    }
    return batch as unknown as Batch<B>;
  });
  return namedStage(stageName, stage);
}

/** A stage that drops (acknowledges without delivering) each ok event for which `keep` is false. */
export function filterEvents<T>(
  stageName: string,
  keep: (value: T, event: SluiceEvent<T>) => boolean,
): Stage<T, T> {
  return mapValues<T, T>(stageName, (value, event) => {
    if (!keep(value, event)) event.drop();
    return value;
  });
}

/**
 * The Failure of an event that `stage` failed with `error`: the error's name and message, and its `code` when
 * the error carries a `SLUICE_` code, else `code` (default `SLUICE_ERR_TRANSFORM`).
 */
export function failureFromError(stage: string, error: unknown, code: string = ErrorCode.TRANSFORM): Failure {
  if (error instanceof Error) {
    const withCode = error as Error & { code?: unknown };
    return {
      code: typeof withCode.code === "string" && withCode.code.startsWith("SLUICE_") ? withCode.code : code,
      type: error.name,
      reason: error.message,
      stage,
    };
  }
  return { code, type: "Error", reason: String(error), stage };
}
