// Several stages run as one, so a planner's step that needs a few operators stays one stage of the plan.
import { type Batch, namedStage, type Stage } from "@sluice/core";
import type { Observable } from "rxjs";

/** The stages in order, as one stage named `name`. */
export function composeStages(name: string, stages: readonly Stage<never, unknown>[]): Stage<never, unknown> {
  const composed: Stage<unknown, unknown> = (source) =>
    stages.reduce<Observable<Batch<unknown>>>(
      (stream, stage) => stream.pipe(stage as unknown as Stage<unknown, unknown>),
      source,
    );
  return namedStage(name, composed) as Stage<never, unknown>;
}
