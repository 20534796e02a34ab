// Logstash's `if … else if … else` inside filters: each event runs the stages of the first clause that holds.
import { type Batch, namedStage, type SluiceEvent, type Stage } from "@sluice/core";
import { concatMap, forkJoin, map, type Observable, of, toArray } from "rxjs";

/** One clause: events its `when` takes (and no earlier clause took) run its stages. */
export interface BranchClause {
  /** Absent for `else`. */
  readonly when?: (event: SluiceEvent) => boolean;
  readonly stages: readonly Stage<never, unknown>[];
}

/**
 * A stage that splits each batch by the clauses, runs each part through its clause's stages and passes
 * the batch on in its order; the stages change events in place, as Logstash's filters change the event.
 */
export function branchStage(name: string, clauses: readonly BranchClause[]): Stage<unknown, unknown> {
  return namedStage(name, (source) =>
    source.pipe(
      concatMap((batch: Batch) => {
        const parts: SluiceEvent[][] = clauses.map(() => []);
        for (const event of batch) {
          if (!event.ok || event.origin.tombstone === true) continue;
          const index = clauses.findIndex((clause) => clause.when === undefined || clause.when(event));
          if (index >= 0) parts[index]!.push(event);
        }
        const runs = parts.flatMap((events, i) =>
          events.length === 0 ? [] : [run(events, clauses[i]!.stages)],
        );
        if (runs.length === 0) return of(batch);
        return forkJoin(runs).pipe(map(() => batch));
      }),
    ),
  );
}

function run(events: SluiceEvent[], stages: readonly Stage<never, unknown>[]): Observable<unknown> {
  let stream: Observable<Batch<unknown>> = of(events);
  for (const stage of stages) stream = stream.pipe(stage as unknown as Stage<unknown, unknown>);
  return stream.pipe(toArray());
}
