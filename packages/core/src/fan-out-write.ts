// The fan-out's write operator: gives each event's copy to every target that takes it, and reports the
// event once all of them answered.
import { Observable, type OperatorFunction, Subject, type Subscription } from "rxjs";
import type { Sink, SinkResult } from "./components.js";
import { describeError, ErrorCode, SluiceError } from "./errors.js";
import { type Batch, type Failure, SluiceEvent } from "./event.js";
import { JsonBytes } from "./json-bytes.js";

/** A target as the write operator uses it: its options checked and its name settled. */
export interface RoutedTarget {
  readonly name: string;
  readonly sink: Sink<unknown>;
  readonly when: ((event: SluiceEvent<unknown>) => boolean) | undefined;
  readonly copyValue: boolean;
}

/** What becomes of an event no target takes: dead-lettered with SLUICE_ERR_UNROUTED, or dropped. */
export type UnroutedAction = "dead-letter" | "drop";

/** What the write operator asks of the pipeline around it. */
export interface FanOutHooks {
  /** Counts events dropped because no target takes them. */
  dropped(count: number): void;
  /** Whether the shutdown deadline passed: then a target may end with its events unanswered. */
  aborted(): boolean;
}

/** One original event waiting for its targets: how many have not answered, and the first refusal. */
interface Pending {
  readonly event: SluiceEvent<unknown>;
  remaining: number;
  failure: Failure | undefined;
}

/**
 * The operator from batches to results that a fan-out's `write()` returns. It keeps nothing per target:
 * each batch goes to every target as it arrives, and every copy stays unanswered (its original in flight)
 * until its target reports it, so the pipeline's flow limits bound what a slow target holds.
 */
export function fanOutWrite(
  name: string,
  targets: readonly RoutedTarget[],
  unrouted: UnroutedAction,
  hooks: FanOutHooks,
): OperatorFunction<Batch<unknown>, SinkResult> {
  return (input) =>
    new Observable<SinkResult>((subscriber) => {
      // Keyed by the copy: each copy belongs to one target, so an answer finds its original at once.
      const pending = new Map<SluiceEvent<unknown>, Pending>();
      const unanswered = targets.map(() => 0);
      const feeds = targets.map(() => new Subject<Batch<unknown>>());
      const subscriptions: Subscription[] = [];
      const waiting: Batch<unknown>[] = [];
      let routing = false;
      let inputDone = false;
      let open = targets.length;

      const endFeeds = (): void => {
        for (const feed of feeds) feed.complete();
      };

      const answer = (target: RoutedTarget, index: number, result: SinkResult): void => {
        let delivered: SluiceEvent<unknown>[] | undefined;
        let rejected: SluiceEvent<unknown>[] | undefined;
        const settle = (copy: SluiceEvent<unknown>, failure: Failure | undefined): void => {
          const entry = pending.get(copy);
          // A copy reported twice (or not one of ours) changes nothing: its first answer counted.
          if (entry === undefined) return;
          pending.delete(copy);
          unanswered[index]!--;
          entry.failure ??= failure;
          if (--entry.remaining > 0) return;
          if (entry.failure === undefined) {
            delivered ??= [];
            delivered.push(entry.event);
          } else {
            entry.event.fail(entry.failure);
            rejected ??= [];
            rejected.push(entry.event);
          }
        };
        for (let i = 0; i < result.delivered.length; i++) settle(result.delivered[i]!, undefined);
        for (let i = 0; i < result.rejected.length; i++) {
          const copy = result.rejected[i]!;
          settle(copy, targetFailure(target.name, copy));
        }
        if (delivered || rejected) subscriber.next({ delivered: delivered ?? [], rejected: rejected ?? [] });
      };

      const route = (batch: Batch<unknown>): void => {
        const copies: Batch<unknown>[] = targets.map(() => []);
        let nowhere: SluiceEvent<unknown>[] | undefined;
        for (let e = 0; e < batch.length; e++) {
          const event = batch[e]!;
          let entry: Pending | undefined;
          for (let t = 0; t < targets.length; t++) {
            const target = targets[t]!;
            if (target.when !== undefined && !accepts(name, target, event)) continue;
            entry ??= { event, remaining: 0, failure: undefined };
            entry.remaining++;
            const copy = copyOf(event, target.copyValue);
            pending.set(copy, entry);
            unanswered[t]!++;
            copies[t]!.push(copy);
          }
          if (entry === undefined) {
            nowhere ??= [];
            nowhere.push(event);
          } else {
            // The copies hold the value: in flight it lives only as long as some target still needs it.
            event.releaseValue();
          }
        }
        // Every copy is counted before any target sees one, as a target may answer while it is given the batch.
        for (let t = 0; t < targets.length; t++) if (copies[t]!.length > 0) feeds[t]!.next(copies[t]!);
        if (nowhere) reportUnrouted(nowhere);
      };

      const reportUnrouted = (events: SluiceEvent<unknown>[]): void => {
        if (unrouted === "drop") {
          for (const event of events) {
            event.drop();
            event.settle("dropped");
          }
          hooks.dropped(events.length);
          return;
        }
        for (const event of events)
          event.fail({
            code: ErrorCode.UNROUTED,
            type: "unrouted",
            reason: `no target of fan-out "${name}" takes this event (every target's \`when\` said no)`,
            stage: name,
          });
        subscriber.next({ delivered: [], rejected: events });
      };

      targets.forEach((target, index) => {
        const write = target.sink.write() as OperatorFunction<Batch<unknown>, SinkResult>;
        subscriptions.push(
          feeds[index]!.pipe(write).subscribe({
            next: (result) => {
              try {
                answer(target, index, result);
              } catch (error) {
                subscriber.error(targetError(name, target.name, "failed", error));
              }
            },
            error: (error: unknown) => subscriber.error(targetError(name, target.name, "failed", error)),
            complete: () => {
              // A target that ends early, or with events unanswered, would hold their offsets forever;
              // past the shutdown deadline that is how a sink gives up, and they stay uncommitted.
              if ((!inputDone || unanswered[index]! > 0) && !hooks.aborted()) {
                const what = inputDone
                  ? `with ${unanswered[index]} events unanswered`
                  : "before its input did";
                subscriber.error(
                  new SluiceError(
                    ErrorCode.SINK_FAILED,
                    `fan-out "${name}": target "${target.name}" completed ${what}`,
                  ),
                );
                return;
              }
              if (--open === 0) subscriber.complete();
            },
          }),
        );
      });

      subscriptions.push(
        input.subscribe({
          next: (batch) => {
            // A batch that arrives while one is being handed out (a target answered at once, and the
            // source emitted on that) waits its turn, so every target sees batches in source order.
            waiting.push(batch);
            if (routing) return;
            routing = true;
            try {
              for (let next = waiting.shift(); next !== undefined; next = waiting.shift()) route(next);
            } catch (error) {
              subscriber.error(error);
            } finally {
              routing = false;
            }
            if (inputDone) endFeeds();
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            inputDone = true;
            if (!routing) endFeeds();
          },
        }),
      );
      return () => {
        for (const subscription of subscriptions) subscription.unsubscribe();
      };
    });
}

/** Whether `target` takes `event`; a `when` that throws is a bug in it, and stops the pipeline naming it. */
function accepts(name: string, target: RoutedTarget, event: SluiceEvent<unknown>): boolean {
  try {
    return target.when!(event) === true;
  } catch (error) {
    throw new SluiceError(
      ErrorCode.SINK_FAILED,
      `fan-out "${name}": target "${target.name}"'s when() threw: ${describeError(error)}`,
      { cause: error },
    );
  }
}

/**
 * The event's own copy for one target: its own `value` slot, `failure`, `metadata` and `dropped`, so that
 * what one sink does to its event (the Elasticsearch sink releases the value once encoded, and fails it)
 * is not seen by another. `raw` and `origin` never change and are shared.
 */
function copyOf(event: SluiceEvent<unknown>, copyValue: boolean): SluiceEvent<unknown> {
  const copy = new SluiceEvent(copyValue ? cloneValue(event.value) : event.value, event.raw, event.origin);
  if (event.metadata !== undefined) copy.metadata = { ...event.metadata };
  return copy;
}

/** A deep copy of a value: a Buffer's bytes copied, JsonBytes (never changed in place) kept, else cloned. */
function cloneValue(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (value instanceof JsonBytes || value === null || typeof value !== "object") return value;
  return structuredClone(value);
}

/** The target's refusal as the original event's failure: its code, type and reason, naming the target. */
function targetFailure(target: string, copy: SluiceEvent<unknown>): Failure {
  const failure = copy.failure;
  if (failure === undefined)
    return {
      code: ErrorCode.REJECTED,
      type: "rejected",
      reason: `target "${target}" refused the event without saying why`,
      stage: target,
    };
  return { code: failure.code, type: failure.type, reason: failure.reason, stage: target };
}

/** `error` from a target as a SluiceError naming the fan-out and the target; a SluiceError keeps its code. */
export function targetError(name: string, target: string, what: string, error: unknown): SluiceError {
  const code = error instanceof SluiceError ? error.code : ErrorCode.SINK_FAILED;
  return new SluiceError(code, `fan-out "${name}": target "${target}" ${what}: ${describeError(error)}`, {
    cause: error,
  });
}
