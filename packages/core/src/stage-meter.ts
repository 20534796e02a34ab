// Wraps a stage to count events in, out, failed and dropped, time them, and check none is lost inside.
import { Observable } from "rxjs";
import { ErrorCode, SluiceError } from "./errors.js";
import type { Batch, SluiceEvent } from "./event.js";
import type { PipelineMetrics } from "./metrics.js";
import type { Stage } from "./stage.js";

/** One batch as it entered a stage: its events carry this mark until they come out. */
export class StageMark {
  /** Events of the batch still inside the stage. */
  inside: number;
  constructor(
    readonly batch: Batch<unknown>,
    readonly at: number,
  ) {
    this.inside = batch.length;
  }
}

/**
 * Meters `stage` per event (so a stage returning new arrays is counted right) and enforces the
 * acknowledgement contract: every event that enters a stage comes out of it, ok, failed or dropped.
 *
 * What is detected, and when:
 * - A stage that handles a batch synchronously (it emits while being given the batch) and leaves ok events
 *   of that batch behind lost them: the stream fails at once with SLUICE_ERR_STAGE_LOST_EVENT.
 * - A stage that emits nothing while being given a batch holds it (buffering, async work); its events are
 *   checked when the stage completes, at the latest when the pipeline stops.
 * - Events a stage failed or dropped and left out of its output are not lost: `removed` gets them, to
 *   settle or dead-letter, when the batch is checked.
 */
export function meterStage(
  name: string,
  stage: Stage<unknown, unknown>,
  metrics: PipelineMetrics,
  removed: (events: SluiceEvent[]) => void,
): Stage {
  const labels = { stage: name };
  const eventsIn = metrics.eventsIn.labels(labels);
  const eventsOut = metrics.eventsOut.labels(labels);
  const eventsFailed = metrics.eventsFailed.labels(labels);
  const eventsDropped = metrics.eventsDropped.labels(labels);
  const eventsLost = metrics.eventsLost.labels(labels);
  const latency = metrics.batchLatency.labels(labels);

  return (input: Observable<Batch<unknown>>) =>
    new Observable<Batch<unknown>>((subscriber) => {
      /** Batches the stage kept past the call that gave them, oldest first. */
      const held: StageMark[] = [];
      /** Set once the stage held a batch: from then on, only its completion proves a loss. */
      let buffers = false;
      let emitted = 0;

      /** The ok events of `mark` still inside, after settling those it failed or dropped and left out. */
      const stillInside = (mark: StageMark): SluiceEvent[] => {
        const gone: SluiceEvent[] = [];
        const lost: SluiceEvent[] = [];
        for (const event of mark.batch) {
          if (event.mark !== mark) continue;
          event.mark = undefined;
          if (event.ok) lost.push(event);
          else {
            gone.push(event);
            if (event.okOnEntry) (event.failure ? eventsFailed : eventsDropped).inc();
          }
        }
        mark.inside = 0;
        if (gone.length > 0) removed(gone);
        return lost;
      };
      const fail = (lost: SluiceEvent[], when: string): void => {
        eventsLost.inc(lost.length);
        const { topic, partition, offset } = lost[0]!.origin;
        subscriber.error(
          new SluiceError(
            ErrorCode.STAGE_LOST_EVENT,
            `stage "${name}" lost ${lost.length} event(s) ${when}, the first ${topic}/${partition}@${offset}: a stage must pass on every event it is given (fail() or drop() the ones it does not deliver), or their offsets never commit`,
          ),
        );
      };

      const entering = new Observable<Batch<unknown>>((inner) =>
        input.subscribe({
          next: (batch) => {
            const mark = new StageMark(batch, performance.now());
            let ok = 0;
            for (let i = 0; i < batch.length; i++) {
              const event = batch[i]!;
              const isOk = event.ok;
              event.mark = mark;
              event.okOnEntry = isOk;
              if (isOk) ok++;
            }
            eventsIn.inc(ok);
            const before = emitted;
            inner.next(batch);
            if (mark.inside === 0 || subscriber.closed) return;
            if (emitted === before) buffers = true;
            if (buffers) {
              held.push(mark);
              return;
            }
            const lost = stillInside(mark);
            if (lost.length > 0) fail(lost, "from a batch it emitted without them");
          },
          error: (error: unknown) => inner.error(error),
          complete: () => inner.complete(),
        }),
      );

      const subscription = stage(entering).subscribe({
        next: (batch) => {
          emitted++;
          let ok = 0;
          let failed = 0;
          let dropped = 0;
          const first = batch[0]?.mark;
          for (let i = 0; i < batch.length; i++) {
            const event = batch[i]!;
            const mark = event.mark;
            if (mark !== undefined) {
              mark.inside--;
              event.mark = undefined;
            }
            if (event.ok) ok++;
            else if (event.okOnEntry) {
              if (event.failure) failed++;
              else dropped++;
            }
          }
          eventsOut.inc(ok);
          if (failed > 0) eventsFailed.inc(failed);
          if (dropped > 0) eventsDropped.inc(dropped);
          if (first !== undefined) latency.observe((performance.now() - first.at) / 1000);
          while (held.length > 0 && held[0]!.inside === 0) held.shift();
          subscriber.next(batch);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          const lost = held.flatMap((mark) => (mark.inside > 0 ? stillInside(mark) : []));
          if (lost.length > 0) fail(lost, "it held when it completed");
          else subscriber.complete();
        },
      });
      return subscription;
    });
}
